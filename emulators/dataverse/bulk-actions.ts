// The bulk messages of standard tables: `{set}/Microsoft.Dynamics.CRM.CreateMultiple` (200 `{Ids}`),
// `UpdateMultiple` and `UpsertMultiple` (204). Every target needs `@odata.type`; the whole request is one
// all-or-nothing operation (api-facts B6). Tests can mark a table as not supporting the messages.
import { CODES, DataverseError, badRequest, notFound } from './errors';
import { json, writeEnv, type DataverseCore, type DvRequest, type DvResponse } from './core';
import { findRowId, parseKeyPredicate, resolveKey, splitEntityReference } from './keys';
import { createRow, updateRow } from './record-writer';
import { type TableDef } from './schema';

const ACTIONS = new Set(['CreateMultiple', 'UpdateMultiple', 'UpsertMultiple']);

/** Runs one bulk action; throws a Dataverse error (nothing written) when any target fails. */
export function runBulkAction(core: DataverseCore, request: DvRequest, table: TableDef, action: string): DvResponse {
  if (!ACTIONS.has(action)) {
    throw new DataverseError(
      404,
      CODES.generic,
      `Resource not found for the segment 'Microsoft.Dynamics.CRM.${action}'.`,
    );
  }
  if (core.settings.bulkUnsupported.has(table.entitySet)) {
    throw badRequest(
      `The '${action}' message is not supported for entity '${table.logicalName}'.`,
      CODES.unsupportedMessage,
    );
  }
  const body = request.body as { Targets?: unknown } | undefined;
  const targets = body?.Targets;
  if (!Array.isArray(targets) || targets.length === 0) {
    throw badRequest(`${action} requires a non-empty 'Targets' array.`, CODES.payload);
  }
  const expectedType = `Microsoft.Dynamics.CRM.${table.logicalName}`;
  targets.forEach((target: unknown, i) => {
    if (target === null || typeof target !== 'object' || Array.isArray(target)) {
      throw badRequest(`Target ${i} of ${action} is not an entity.`, CODES.payload);
    }
    const type = (target as Record<string, unknown>)['@odata.type'];
    if (type === undefined) {
      throw badRequest(
        `The '@odata.type' annotation is required on every target of ${action} (target ${i}).`,
        CODES.payload,
      );
    }
    if (type !== expectedType) {
      throw badRequest(
        `Target ${i} of ${action} has '@odata.type' ${JSON.stringify(type)}; expected '${expectedType}'.`,
      );
    }
  });
  const env = writeEnv(core, request);
  const items = targets as Record<string, unknown>[];
  return core.store.atomically(() => {
    if (action === 'CreateMultiple') {
      const ids = items.map((t) => String(createRow(env, table, t).values[table.primaryKey]));
      return json(200, {
        '@odata.context': `${request.serviceRoot}/$metadata#Microsoft.Dynamics.CRM.CreateMultipleResponse`,
        Ids: ids,
      });
    }
    for (const target of items) {
      if (action === 'UpdateMultiple') {
        const id = target[table.primaryKey];
        if (typeof id !== 'string') {
          throw badRequest(`Every target of UpdateMultiple must contain the primary key '${table.primaryKey}'.`);
        }
        const row = core.store.get(table.entitySet, id);
        if (row === undefined) throw notFound(table.logicalName, id);
        updateRow(env, table, row, target);
      } else {
        upsertOne(core, request, table, target);
      }
    }
    return { status: 204, headers: {} };
  });
}

/** One UpsertMultiple target: identified by `@odata.id` (primary or alternate key) or by the primary key column. */
function upsertOne(core: DataverseCore, request: DvRequest, table: TableDef, target: Record<string, unknown>): void {
  const env = writeEnv(core, request);
  const odataId = target['@odata.id'];
  if (typeof odataId === 'string') {
    const ref = splitEntityReference(odataId);
    if (ref === undefined || ref.keyText === undefined || ref.entitySet !== table.entitySet) {
      throw badRequest(`The '@odata.id' value '${odataId}' is not a reference to a ${table.logicalName} record.`);
    }
    const key = resolveKey(table, parseKeyPredicate(ref.keyText));
    const id = findRowId(core.store, table, key);
    const body = { ...target };
    if (id !== undefined) {
      if (key.kind === 'alternate') for (const name of Object.keys(key.values)) delete body[name];
      const row = core.store.get(table.entitySet, id);
      if (row !== undefined) updateRow(env, table, row, body);
      return;
    }
    if (key.kind === 'id') createRow(env, table, body, { id: key.id });
    else createRow(env, table, body, { keyValues: key.values });
    return;
  }
  const pk = target[table.primaryKey];
  const row = typeof pk === 'string' ? core.store.get(table.entitySet, pk) : undefined;
  if (row !== undefined) updateRow(env, table, row, target);
  else createRow(env, table, target);
}
