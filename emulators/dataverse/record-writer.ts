// Applies a JSON body to a row: type and length validation, read-only columns, `nav@odata.bind` lookups (including
// polymorphic targets, alternate-key and Content-ID references), state/status pairs, defaults, required columns,
// computed columns, alternate-key uniqueness, duplicate detection, deep insert, and the version/date stamps.
import { randomUUID } from 'node:crypto';
import { afterStore, beforeStore, type RelatedWriter, type WriteContext } from './catalog-rules';
import { CODES, DataverseError, badRequest } from './errors';
import { findRowId, isGuid, parseKeyPredicate, resolveKey, splitEntityReference } from './keys';
import { optionSetOf } from './option-sets';
import { TABLES, findNavigation, lookupValueColumn, type ColumnDef, type TableDef } from './schema';
import { alternateKeyString, type DataverseStore, type Row } from './store';

/** A reference to an existing row, as produced by a Content-ID in a batch. */
export interface EntityRef {
  readonly entitySet: string;
  readonly id: string;
}

/** A duplicate detection rule: two active rows of `entitySet` with equal (case-insensitive) `columns` collide. */
export interface DuplicateRule {
  readonly entitySet: string;
  readonly columns: readonly string[];
}

/** Everything a write needs besides the table and body. */
export interface WriteEnv {
  readonly store: DataverseStore;
  /** Content-ID → created/addressed row, inside a batch. */
  readonly contentIds?: ReadonlyMap<string, EntityRef>;
  /** True when the request sent `MSCRM.SuppressDuplicateDetection: false`. */
  readonly detectDuplicates: boolean;
  readonly duplicateRules: readonly DuplicateRule[];
  readonly duplicateStatus: 412 | 500;
}

interface ParsedBody {
  values: Record<string, unknown>;
  /** lookup → target entity set, or null to clear. */
  targets: Record<string, string | null>;
  deep: { collection: string; items: Record<string, unknown>[] }[];
}

const IGNORED_ANNOTATIONS = new Set(['@odata.type', '@odata.etag', '@odata.context', '@odata.id']);

function typeName(table: TableDef): string {
  return `Microsoft.Dynamics.CRM.${table.logicalName}`;
}

function unknownProperty(table: TableDef, name: string): DataverseError {
  return badRequest(
    `The property '${name}' does not exist on type '${typeName(table)}'. ` +
      'Make sure to only use property names that are defined by the type.',
  );
}

function convertError(table: TableDef, name: string, value: unknown, edmType: string): DataverseError {
  return badRequest(
    `Error identified in Payload provided by the user for Entity :'${table.entitySet}', For more information on this ` +
      `error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ---->  InnerException : ` +
      `Microsoft.OData.ODataException: Cannot convert the literal '${String(value)}' to the expected type '${edmType}'` +
      ` (property '${name}').`,
    CODES.payload,
  );
}

const EDM: Record<ColumnDef['type'], string> = {
  string: 'Edm.String',
  memo: 'Edm.String',
  int: 'Edm.Int32',
  bigint: 'Edm.Int64',
  decimal: 'Edm.Decimal',
  money: 'Edm.Decimal',
  bool: 'Edm.Boolean',
  datetime: 'Edm.DateTimeOffset',
  dateonly: 'Edm.Date',
  guid: 'Edm.Guid',
  choice: 'Edm.Int32',
};

/**
 * Validates and normalizes one column value. A choice column with an option set accepts only the set's values
 * (the shipped ones and those added by InsertOptionValue); state and status columns accept their schema choices.
 */
function convertValue(store: DataverseStore, table: TableDef, name: string, def: ColumnDef, value: unknown): unknown {
  if (value === null) return null;
  const fail = (): DataverseError => convertError(table, name, value, EDM[def.type]);
  switch (def.type) {
    case 'string':
    case 'memo': {
      if (typeof value !== 'string') throw fail();
      if (def.maxLength !== undefined && value.length > def.maxLength) {
        throw badRequest(
          `A validation error occurred. The length of the '${name}' attribute of the '${table.logicalName}' entity ` +
            `exceeded the maximum allowed length of '${def.maxLength}'.`,
          CODES.maxLength,
        );
      }
      return value;
    }
    case 'int':
    case 'bigint':
    case 'choice':
    case 'decimal':
    case 'money': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw fail();
      if (def.type !== 'decimal' && def.type !== 'money' && !Number.isInteger(value)) throw fail();
      const optionSet = def.type === 'choice' ? optionSetOf(table, name) : undefined;
      const known =
        optionSet !== undefined
          ? store.optionSets.label(optionSet.name, value) !== undefined
          : def.choices === undefined || value in def.choices;
      if (def.type === 'choice' && !known) {
        throw badRequest(
          `A validation error occurred. The value ${value} of '${name}' on record of type '${table.logicalName}' ` +
            'is outside the valid range.',
          CODES.outOfRange,
        );
      }
      if ((def.min !== undefined && value < def.min) || (def.max !== undefined && value > def.max)) {
        throw badRequest(
          `A validation error occurred. The value ${value} of '${name}' on record of type '${table.logicalName}' ` +
            `is outside the valid range. Accepted range: ${def.min ?? '-∞'} to ${def.max ?? '∞'}.`,
          CODES.outOfRange,
        );
      }
      return value;
    }
    case 'bool':
      if (typeof value !== 'boolean') throw fail();
      return value;
    case 'datetime': {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
        throw fail();
      }
      return new Date(value).toISOString().replace('.000Z', 'Z');
    }
    case 'dateonly':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw fail();
      return value;
    case 'guid':
      if (typeof value !== 'string' || !isGuid(value)) throw fail();
      return value.toLowerCase();
  }
}

/** Resolves an `@odata.bind` value to the target row's id, checking that the row exists. */
export function resolveBind(env: WriteEnv, table: TableDef, nav: string, expectedSet: string, ref: unknown): string {
  if (typeof ref !== 'string' || ref === '') {
    throw badRequest(`The value of '${nav}@odata.bind' must be an entity reference such as '/${expectedSet}(<id>)'.`);
  }
  const target = TABLES.get(expectedSet);
  if (target === undefined) throw new Error(`schema: unknown target ${expectedSet}`);
  if (ref.startsWith('$')) {
    const cid = /^\$([^/]+)$/.exec(ref)?.[1] ?? '';
    const entity = env.contentIds?.get(cid);
    if (entity === undefined) {
      throw badRequest(`Content-ID Reference: '${ref}' does not exist in the batch context.`);
    }
    if (entity.entitySet !== expectedSet) throw bindSetMismatch(table, nav, entity.entitySet);
    return entity.id;
  }
  const parts = splitEntityReference(ref);
  if (parts === undefined || parts.keyText === undefined || parts.rest !== '') {
    throw badRequest(`The '${nav}@odata.bind' value '${ref}' is not a valid entity reference.`);
  }
  if (parts.entitySet !== expectedSet) throw bindSetMismatch(table, nav, parts.entitySet);
  const key = resolveKey(target, parseKeyPredicate(parts.keyText));
  const id = findRowId(env.store, target, key);
  if (id === undefined) {
    if (key.kind === 'id') {
      throw badRequest(`${target.logicalName} With Id = ${key.id} Does Not Exist`, CODES.notFound);
    }
    throw badRequest(
      `A record with the specified key values does not exist in ${target.logicalName} entity`,
      CODES.notFound,
    );
  }
  return id;
}

function bindSetMismatch(table: TableDef, nav: string, set: string): DataverseError {
  return badRequest(
    `The entity set '${set}' is not a valid target of the navigation property '${nav}' of '${typeName(table)}'.`,
  );
}

/** Parses a body into column values, lookup targets and deep-insert children; throws on anything invalid. */
function parseBody(env: WriteEnv, table: TableDef, body: Record<string, unknown>, creating: boolean): ParsedBody {
  const parsed: ParsedBody = { values: {}, targets: {}, deep: [] };
  for (const [name, value] of Object.entries(body)) {
    if (IGNORED_ANNOTATIONS.has(name)) continue;
    const at = name.indexOf('@');
    if (at >= 0) {
      const property = name.slice(0, at);
      const annotation = name.slice(at + 1);
      if (annotation !== 'odata.bind') continue;
      const nav = findNavigation(table, property);
      if (nav === undefined) {
        throw badRequest(
          `An undeclared property '${property}' which only has property annotations in the payload but no property ` +
            'value was found in the payload. In OData, only declared navigation properties and declared named ' +
            'streams can be represented as properties without values.',
        );
      }
      if (value === null) {
        parsed.values[lookupValueColumn(nav.lookup)] = null;
        parsed.targets[nav.lookup] = null;
      } else {
        parsed.values[lookupValueColumn(nav.lookup)] = resolveBind(env, table, property, nav.entitySet, value);
        parsed.targets[nav.lookup] = nav.entitySet;
      }
      continue;
    }
    const collection = table.collections[name];
    if (collection !== undefined) {
      if (!creating || !Array.isArray(value)) {
        throw badRequest(`Deep insert through '${name}' is only supported with an array of records on create.`);
      }
      parsed.deep.push({ collection: name, items: value as Record<string, unknown>[] });
      continue;
    }
    if (findNavigation(table, name) !== undefined) {
      throw badRequest(
        `Error identified in Payload provided by the user for Entity :'${table.entitySet}'. The navigation property ` +
          `'${name}' must be written as '${name}@odata.bind'.`,
        CODES.payload,
      );
    }
    if (name.startsWith('_') && name.endsWith('_value') && table.lookups[name.slice(1, -6)] !== undefined) {
      throw badRequest(
        'CRM do not support direct update of Entity Reference properties, Use Navigation properties instead.',
      );
    }
    const def = table.columns[name];
    if (def === undefined) throw unknownProperty(table, name);
    if (name === table.primaryKey) {
      parsed.values[name] = convertValue(env.store, table, name, def, value);
      continue;
    }
    if (def.readOnly) {
      throw badRequest(
        `The '${name}' attribute of '${table.logicalName}' is read-only and cannot be set.`,
        CODES.invalidArgument,
      );
    }
    parsed.values[name] = convertValue(env.store, table, name, def, value);
  }
  return parsed;
}

function stateGiven(parsed: ParsedBody): boolean {
  return parsed.values.statecode !== undefined || parsed.values.statuscode !== undefined;
}

/** The record writer as the catalog rules' handle on related tables. */
function relatedWriter(env: WriteEnv): RelatedWriter {
  const tableOf = (set: string): TableDef => {
    const t = TABLES.get(set);
    if (t === undefined) throw new Error(`schema: unknown table ${set}`);
    return t;
  };
  return {
    create: (set, body) => createRow(env, tableOf(set), body),
    update: (set, row, body) => updateRow(env, tableOf(set), row, body),
  };
}

/** Sets statecode/statuscode consistently (SetState semantics) and checks the pair. */
function applyState(table: TableDef, values: Record<string, unknown>, parsed: ParsedBody, creating: boolean): void {
  const model = table.state;
  if (model === undefined) return;
  const stateGiven = parsed.values.statecode !== undefined && parsed.values.statecode !== null;
  const statusGiven = parsed.values.statuscode !== undefined && parsed.values.statuscode !== null;
  if (parsed.values.statecode === null || parsed.values.statuscode === null) {
    throw badRequest('statecode and statuscode cannot be null.', CODES.invalidArgument);
  }
  if (stateGiven && !statusGiven) {
    values.statuscode = model.defaultStatus[values.statecode as number];
  } else if (statusGiven && !stateGiven) {
    values.statecode = model.statusOf[values.statuscode as number];
  } else if (creating && !stateGiven) {
    values.statecode = model.defaultState;
    values.statuscode = model.defaultStatus[model.defaultState];
  }
  const state = values.statecode as number;
  const status = values.statuscode as number;
  if (model.statusOf[status] !== state) {
    throw badRequest(
      `${status} is not a valid status code for state code ${table.logicalName}State.${model.stateLabels[state] ?? state}` +
        ` on ${table.logicalName}.`,
      CODES.invalidArgument,
    );
  }
}

function checkRequired(table: TableDef, values: Record<string, unknown>): void {
  for (const [name, def] of Object.entries(table.columns)) {
    if (def.required && (values[name] === undefined || values[name] === null || values[name] === '')) {
      throw requiredError(table, name);
    }
  }
  for (const [lookup, def] of Object.entries(table.lookups)) {
    if (def.required && (values[lookupValueColumn(lookup)] ?? null) === null) throw requiredError(table, lookup);
  }
}

function requiredError(table: TableDef, name: string): DataverseError {
  return badRequest(
    `Attribute '${name}' cannot be NULL: it is required for entity '${table.logicalName}'.`,
    CODES.invalidArgument,
  );
}

function checkAlternateKeys(env: WriteEnv, table: TableDef, id: string, values: Record<string, unknown>): void {
  table.alternateKeys.forEach((columns, i) => {
    if (alternateKeyString(values, columns) === undefined) return;
    const other = env.store.findByAlternateKey(table.entitySet, i, values);
    if (other !== undefined && other !== id) {
      const documented = table.duplicateKeyError;
      if (documented !== undefined) throw new DataverseError(documented.status, documented.code, documented.message);
      throw new DataverseError(
        412,
        CODES.duplicateKey,
        `A record that has the attribute values ${columns.join(', ')} already exists. The entity key requires that ` +
          'this set of attributes contains unique values. Select unique values and try again.',
      );
    }
  });
}

function checkDuplicates(env: WriteEnv, table: TableDef, id: string, values: Record<string, unknown>): void {
  if (!env.detectDuplicates) return;
  for (const rule of env.duplicateRules) {
    if (rule.entitySet !== table.entitySet) continue;
    const key = alternateKeyString(values, rule.columns);
    if (key === undefined) continue;
    for (const other of env.store.rows(table.entitySet)) {
      if (other.values[table.primaryKey] === id || (other.values.statecode ?? 0) !== 0) continue;
      if (alternateKeyString(other.values, rule.columns) === key) {
        throw new DataverseError(
          env.duplicateStatus,
          CODES.duplicateRecord,
          'A record was not created or updated because a duplicate of the current record already exists.',
        );
      }
    }
  }
}

function stampAndStore(env: WriteEnv, table: TableDef, row: Row, creating: boolean): void {
  const now = env.store.stamp();
  if (creating) {
    row.values.createdon = typeof row.values.overriddencreatedon === 'string' ? row.values.overriddencreatedon : now;
  }
  row.values.modifiedon = now;
  row.values.versionnumber = env.store.nextVersion();
  env.store.put(table.entitySet, String(row.values[table.primaryKey]), row);
}

function mergeTargets(row: Row, parsed: ParsedBody): void {
  for (const [lookup, target] of Object.entries(parsed.targets)) {
    if (target === null) delete row.targets[lookup];
    else row.targets[lookup] = target;
  }
}

/**
 * Creates a row. `init.id` is the client-chosen key from the URL (upsert), `init.keyValues` the alternate-key values
 * from the URL (copied unless the body sets them). Throws 412 when the primary key is taken.
 */
export function createRow(
  env: WriteEnv,
  table: TableDef,
  body: Record<string, unknown>,
  init: { id?: string; keyValues?: Record<string, unknown> } = {},
): Row {
  const parsed = parseBody(env, table, body, true);
  if (parsed.deep.length > 0 && (init.id !== undefined || init.keyValues !== undefined)) {
    // OData 4.0 §11.4.3: an update (and so an upsert, which is a PATCH) may not carry related rows inline.
    throw badRequest(
      `Deep insert through '${parsed.deep[0].collection}' is only supported on POST; a PATCH (upsert) cannot create related rows.`,
    );
  }
  const bodyId = parsed.values[table.primaryKey] as string | null | undefined;
  if (init.id !== undefined && bodyId != null && bodyId !== init.id) {
    throw badRequest(`The primary key '${table.primaryKey}' in the body does not match the key in the URL.`);
  }
  const id = init.id ?? bodyId ?? randomUUID();
  if (env.store.get(table.entitySet, id) !== undefined) {
    throw new DataverseError(412, CODES.duplicateKey, 'Cannot insert duplicate key.');
  }
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(table.columns)) values[name] = null;
  for (const lookup of Object.keys(table.lookups)) values[lookupValueColumn(lookup)] = null;
  Object.assign(values, table.defaults ?? {});
  const targets: Record<string, string> = {};
  for (const [name, v] of Object.entries(init.keyValues ?? {})) {
    values[name] = v;
    const lookup = name.startsWith('_') && name.endsWith('_value') ? name.slice(1, -6) : undefined;
    const navs = lookup === undefined ? undefined : table.lookups[lookup]?.navigations;
    if (lookup === undefined || navs === undefined) continue;
    // A lookup that is part of the URL key must point at an existing row, like a bind would.
    const [nav, targetSet] = Object.entries(navs)[0] ?? ['', ''];
    values[name] = resolveBind(env, table, nav, targetSet, `/${targetSet}(${String(v)})`);
    targets[lookup] = targetSet;
  }
  Object.assign(values, parsed.values);
  values[table.primaryKey] = id;
  const row: Row = { values, targets };
  mergeTargets(row, parsed);
  applyState(table, values, parsed, true);
  const ctx: WriteContext = { store: env.store, creating: true, stateGiven: stateGiven(parsed) };
  beforeStore(table, row, ctx);
  table.compute?.(values);
  checkRequired(table, values);
  checkAlternateKeys(env, table, id, values);
  checkDuplicates(env, table, id, values);
  stampAndStore(env, table, row, true);
  afterStore(table, row, ctx, relatedWriter(env));
  for (const deep of parsed.deep) {
    const collection = table.collections[deep.collection];
    const child = collection === undefined ? undefined : TABLES.get(collection.entitySet);
    if (collection === undefined || child === undefined) continue;
    const nav = Object.entries(child.lookups[collection.lookup]?.navigations ?? {}).find(
      ([, set]) => set === table.entitySet,
    )?.[0];
    for (const item of deep.items) {
      createRow(env, child, { ...item, [`${nav}@odata.bind`]: `/${table.entitySet}(${id})` });
    }
  }
  // The children's rules may have written the row again (an invoice's totals follow its lines).
  return env.store.get(table.entitySet, id) ?? row;
}

/**
 * Updates an existing row with the body. `dropColumns` are alternate-key columns from the URL: their values in the
 * body are ignored (Dataverse's upsert-by-key rule).
 */
export function updateRow(
  env: WriteEnv,
  table: TableDef,
  existing: Row,
  body: Record<string, unknown>,
  dropColumns: readonly string[] = [],
): Row {
  const parsed = parseBody(env, table, body, false);
  for (const c of dropColumns) {
    delete parsed.values[c];
    const lookup = c.startsWith('_') && c.endsWith('_value') ? c.slice(1, -6) : undefined;
    if (lookup !== undefined) delete parsed.targets[lookup];
  }
  const id = String(existing.values[table.primaryKey]);
  const bodyId = parsed.values[table.primaryKey];
  if (bodyId != null && bodyId !== id) {
    throw badRequest(`The primary key '${table.primaryKey}' in the body does not match the key in the URL.`);
  }
  const values = { ...existing.values, ...parsed.values, [table.primaryKey]: id };
  const row: Row = { values, targets: { ...existing.targets } };
  mergeTargets(row, parsed);
  applyState(table, values, parsed, false);
  const ctx: WriteContext = {
    store: env.store,
    creating: false,
    stateGiven: stateGiven(parsed),
    previous: existing.values,
  };
  beforeStore(table, row, ctx);
  table.compute?.(values);
  checkRequired(table, values);
  checkAlternateKeys(env, table, id, values);
  checkDuplicates(env, table, id, values);
  stampAndStore(env, table, row, false);
  afterStore(table, row, ctx, relatedWriter(env));
  return row;
}
