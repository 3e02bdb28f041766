// The transport-independent core of the Dataverse emulator: one function that answers one Web API request
// (method, path under /api/data/v9.2, query, headers, JSON body). The fastify route and the $batch executor both
// call it, so a request inside a batch behaves exactly like the same request on its own.
import { checkTrackingOptions, makeDeltaToken, parseDeltaToken, readDelta } from './change-tracking';
import {
  CODES,
  DataverseError,
  alreadyExists,
  badRequest,
  errorBody,
  notFound,
  resourceNotFound,
  rowVersionMismatch,
} from './errors';
import { etagOf, formatRow, parseAnnotationPreference } from './format';
import { describeKey, findRowId, parseKeyPredicate, resolveKey, splitEntityReference, type ResolvedKey } from './keys';
import { MAX_PAGE_SIZE, expandOf, formatWithExpand, listRows, selectOf } from './query';
import { runBulkAction } from './bulk-actions';
import { json, queryString, writeEnv, type DataverseCore, type DvRequest, type DvResponse } from './core';
import { publishHierarchy } from './catalog-rules';
import { getAttributeMetadata, insertOptionValue, isMetadataPath } from './metadata';
import { createRow, updateRow } from './record-writer';
import { TABLES, findNavigation, lookupValueColumn, type TableDef } from './schema';
import { type DataverseStore, type Row } from './store';
import { hasPreference, parseMaxPageSize } from '../shared/odata-query';

/** Answers one request; errors become Dataverse error bodies. Never throws for request errors. */
export function handleRequest(core: DataverseCore, request: DvRequest): DvResponse {
  const annotations = parseAnnotationPreference(request.headers.prefer);
  try {
    return route(core, request);
  } catch (error) {
    if (error instanceof DataverseError) {
      return json(error.status, errorBody(error, annotations !== undefined), { ...error.headers });
    }
    throw error;
  }
}

function route(core: DataverseCore, request: DvRequest): DvResponse {
  const method = request.method.toUpperCase();
  const path = request.path.replace(/^\/+/, '');
  if (path === '' && method === 'GET') {
    return json(200, {
      '@odata.context': `${request.serviceRoot}/$metadata`,
      value: [...TABLES.values()].map((t) => ({ name: t.entitySet, kind: 'EntitySet', url: t.entitySet })),
    });
  }
  if (/^WhoAmI(\(\))?$/i.test(path) && method === 'GET') {
    return json(200, {
      '@odata.context': `${request.serviceRoot}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
      BusinessUnitId: '8d2a8e1e-0d6b-4c11-9b4a-000000000001',
      UserId: '8d2a8e1e-0d6b-4c11-9b4a-000000000002',
      OrganizationId: '8d2a8e1e-0d6b-4c11-9b4a-000000000003',
    });
  }
  if (path === 'InsertOptionValue' || path === 'Microsoft.Dynamics.CRM.InsertOptionValue') {
    if (method !== 'POST')
      throw new DataverseError(405, CODES.generic, `The HTTP method '${method}' is not allowed on InsertOptionValue.`);
    return insertOptionValue(core, request);
  }
  if (isMetadataPath(path)) {
    if (method !== 'GET')
      throw new DataverseError(405, CODES.generic, `The HTTP method '${method}' is not allowed on metadata.`);
    return getAttributeMetadata(core, request);
  }
  const ref = splitEntityReference(path);
  if (ref === undefined) throw badRequest(`Bad Request - Error in query syntax: '${path}'.`);
  const table = TABLES.get(ref.entitySet);
  if (table === undefined) throw resourceNotFound(ref.entitySet);
  if (ref.keyText === undefined) {
    if (ref.rest === '') {
      if (method === 'GET') return getCollection(core, request, table);
      if (method === 'POST') return postCollection(core, request, table);
      throw methodNotAllowed(method, table);
    }
    if (ref.rest === '$count' && method === 'GET') return countCollection(core, table);
    if (ref.rest.startsWith('Microsoft.Dynamics.CRM.') && method === 'POST') {
      return runBulkAction(core, request, table, ref.rest.slice('Microsoft.Dynamics.CRM.'.length));
    }
    throw resourceNotFound(ref.rest);
  }
  const key = resolveKey(table, parseKeyPredicate(ref.keyText));
  if (ref.rest.startsWith('Microsoft.Dynamics.CRM.') && method === 'POST') {
    return boundAction(core, request, table, key, ref.rest.slice('Microsoft.Dynamics.CRM.'.length));
  }
  if (ref.rest === '') {
    if (method === 'GET') return getOne(core, request, table, key);
    if (method === 'PATCH') return patchOne(core, request, table, key);
    if (method === 'DELETE') return deleteOne(core, request, table, key);
    throw methodNotAllowed(method, table);
  }
  return propertyRequest(core, request, table, key, ref.rest, method);
}

/** Actions bound to one record: `products(<id>)/Microsoft.Dynamics.CRM.PublishProductHierarchy` (204, no body). */
function boundAction(
  core: DataverseCore,
  request: DvRequest,
  table: TableDef,
  key: ResolvedKey,
  action: string,
): DvResponse {
  if (table.entitySet !== 'products' || action !== 'PublishProductHierarchy') {
    throw resourceNotFound(`Microsoft.Dynamics.CRM.${action}`);
  }
  const env = writeEnv(core, request);
  return core.store.atomically(() => {
    const row = existingRow(core, table, key);
    if (row === undefined) throw missing(table, key);
    for (const product of publishHierarchy(core.store, String(row.values.productid))) {
      updateRow(env, table, product, { statecode: 0, statuscode: 1 });
    }
    return { status: 204, headers: {} };
  });
}

function methodNotAllowed(method: string, table: TableDef): DataverseError {
  return new DataverseError(
    405,
    CODES.generic,
    `The HTTP method '${method}' is not allowed on this resource of type 'Microsoft.Dynamics.CRM.${table.logicalName}'.`,
  );
}

function bodyObject(request: DvRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object.', CODES.payload);
  }
  return body as Record<string, unknown>;
}

function entityUrl(request: DvRequest, table: TableDef, id: string): string {
  return `${request.serviceRoot}/${table.entitySet}(${id})`;
}

function contextUrl(request: DvRequest, table: TableDef, select: readonly string[] | undefined, suffix = ''): string {
  const cols = select === undefined || select.length === 0 ? '' : `(${select.join(',')})`;
  return `${request.serviceRoot}/$metadata#${table.entitySet}${cols}${suffix}`;
}

function preferenceApplied(values: string[]): Record<string, string> {
  return values.length === 0 ? {} : { 'Preference-Applied': values.join(',') };
}

function getCollection(core: DataverseCore, request: DvRequest, table: TableDef): DvResponse {
  const prefer = request.headers.prefer;
  const annotations = parseAnnotationPreference(prefer);
  const requested = parseMaxPageSize(prefer, CODES.generic);
  const maxPageSize = requested === undefined ? undefined : Math.min(requested, MAX_PAGE_SIZE);
  const applied: string[] = [];
  if (maxPageSize !== undefined) applied.push(`odata.maxpagesize=${maxPageSize}`);
  if (annotations !== undefined) applied.push(`odata.include-annotations=${annotations.raw}`);
  const deltaToken = request.query.get('$deltatoken');
  if (hasPreference(prefer, 'odata.track-changes') || deltaToken !== null) {
    return getDelta(core, request, table, maxPageSize, applied, deltaToken ?? undefined);
  }
  const result = listRows(core.store, core.now, {
    table,
    query: request.query,
    maxPageSize,
    defaultPageSize: core.settings.defaultPageSize,
    stats: core.stats,
  });
  const ctx = { store: core.store, now: core.now, annotations: annotations?.filter };
  const body: Record<string, unknown> = { '@odata.context': contextUrl(request, table, result.select) };
  if (result.count !== undefined) {
    body['@odata.count'] = result.count;
    body['@Microsoft.Dynamics.CRM.totalrecordcount'] = result.count;
    body['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'] = (result.totalCount ?? 0) > result.count;
  }
  body.value = result.rows.map((row) => formatWithExpand(ctx, table, row, result.select, result.expand));
  if (result.nextSkipToken !== undefined) {
    const q = new URLSearchParams(request.query);
    q.set('$skiptoken', result.nextSkipToken);
    body['@odata.nextLink'] = `${request.serviceRoot}/${table.entitySet}?${queryString(q)}`;
  }
  return json(200, body, preferenceApplied(applied));
}

function getDelta(
  core: DataverseCore,
  request: DvRequest,
  table: TableDef,
  maxPageSize: number | undefined,
  applied: string[],
  deltaToken: string | undefined,
): DvResponse {
  if (!table.changeTracking || core.settings.changeTrackingDisabled.has(table.entitySet)) {
    throw badRequest(
      `Change tracking is not enabled for the entity '${table.logicalName}'. Enable change tracking for the table ` +
        'before requesting changes with odata.track-changes.',
      CODES.changeTrackingNotEnabled,
    );
  }
  checkTrackingOptions(request.query);
  const select = selectOf(table, request.query.get('$select') ?? undefined);
  const since =
    deltaToken === undefined
      ? undefined
      : parseDeltaToken(deltaToken, core.now(), core.settings.changeTrackingRetentionMs);
  const pageSize = Math.min(maxPageSize ?? core.settings.defaultPageSize, MAX_PAGE_SIZE);
  const page = readDelta(core.store, table, since, pageSize, request.query.get('$skiptoken') ?? undefined);
  const annotations = parseAnnotationPreference(request.headers.prefer);
  const value = page.items.map((item) =>
    item.kind === 'row'
      ? formatRow(core.store, table, item.row, { select, annotations: annotations?.filter })
      : {
          '@odata.context': `${request.serviceRoot}/$metadata#${table.entitySet}/$deletedEntity`,
          id: item.id,
          reason: 'deleted',
        },
  );
  const body: Record<string, unknown> = {
    '@odata.context': contextUrl(request, table, select, since === undefined ? '' : '/$delta'),
    value,
  };
  const q = new URLSearchParams();
  const selectText = request.query.get('$select');
  if (selectText !== null) q.set('$select', selectText);
  if (page.nextSkipToken !== undefined) {
    if (deltaToken !== undefined) q.set('$deltatoken', deltaToken);
    q.set('$skiptoken', page.nextSkipToken);
    body['@odata.nextLink'] = `${request.serviceRoot}/${table.entitySet}?${queryString(q)}`;
  } else {
    q.set('$deltatoken', makeDeltaToken(page.deltaVersion ?? core.store.currentVersion(), core.now()));
    body['@odata.deltaLink'] = `${request.serviceRoot}/${table.entitySet}?${queryString(q)}`;
  }
  return json(200, body, preferenceApplied(['odata.track-changes', ...applied]));
}

function countCollection(core: DataverseCore, table: TableDef): DvResponse {
  return {
    status: 200,
    headers: { 'Content-Type': 'text/plain' },
    body: String(Math.min(core.store.count(table.entitySet), 5000)),
  };
}

function postCollection(core: DataverseCore, request: DvRequest, table: TableDef): DvResponse {
  const body = bodyObject(request);
  const row = core.store.atomically(() => createRow(writeEnv(core, request), table, body));
  return writeResponse(core, request, table, row, 201);
}

/** 204 + OData-EntityId, or with `return=representation` the row (honouring `$select`/`$expand`). */
function writeResponse(
  core: DataverseCore,
  request: DvRequest,
  table: TableDef,
  row: Row,
  representationStatus: 200 | 201,
): DvResponse {
  const id = String(row.values[table.primaryKey]);
  const entity = { entitySet: table.entitySet, id };
  if (hasPreference(request.headers.prefer, 'return=representation')) {
    const annotations = parseAnnotationPreference(request.headers.prefer);
    const select = selectOf(table, request.query.get('$select') ?? undefined);
    // PATCH ignores $expand (api-facts B4); POST honours it.
    const expand = representationStatus === 201 ? expandOf(table, request.query.get('$expand') ?? undefined) : [];
    const body = {
      '@odata.context': contextUrl(request, table, select, '/$entity'),
      ...formatWithExpand(
        { store: core.store, now: core.now, annotations: annotations?.filter },
        table,
        row,
        select,
        expand,
      ),
    };
    const applied = ['return=representation'];
    if (annotations !== undefined) applied.push(`odata.include-annotations=${annotations.raw}`);
    return { ...json(representationStatus, body, { ETag: etagOf(row), ...preferenceApplied(applied) }), entity };
  }
  return { status: 204, headers: { 'OData-EntityId': entityUrl(request, table, id) }, entity };
}

function existingRow(core: DataverseCore, table: TableDef, key: ResolvedKey): Row | undefined {
  const id = findRowId(core.store, table, key);
  return id === undefined ? undefined : core.store.get(table.entitySet, id);
}

function missing(table: TableDef, key: ResolvedKey): DataverseError {
  if (key.kind === 'id') return notFound(table.logicalName, key.id);
  return new DataverseError(
    404,
    CODES.notFound,
    `A record with the specified key values does not exist in ${table.logicalName} entity (${describeKey(key)}).`,
  );
}

function getOne(core: DataverseCore, request: DvRequest, table: TableDef, key: ResolvedKey): DvResponse {
  const row = existingRow(core, table, key);
  if (row === undefined) throw missing(table, key);
  const select = selectOf(table, request.query.get('$select') ?? undefined);
  const expand = expandOf(table, request.query.get('$expand') ?? undefined);
  const annotations = parseAnnotationPreference(request.headers.prefer);
  const ifNoneMatch = request.headers['if-none-match'];
  if (
    ifNoneMatch !== undefined &&
    expand.length === 0 &&
    annotations === undefined &&
    ifNoneMatch.split(',').some((t) => t.trim() === etagOf(row))
  ) {
    return { status: 304, headers: { ETag: etagOf(row) } };
  }
  const body = {
    '@odata.context': contextUrl(request, table, select, '/$entity'),
    ...formatWithExpand(
      { store: core.store, now: core.now, annotations: annotations?.filter },
      table,
      row,
      select,
      expand,
    ),
  };
  const applied = annotations === undefined ? [] : [`odata.include-annotations=${annotations.raw}`];
  return json(200, body, { ETag: etagOf(row), ...preferenceApplied(applied) });
}

/** Applies If-Match / If-None-Match to a write on `row` (undefined = missing). */
function checkPreconditions(request: DvRequest, table: TableDef, key: ResolvedKey, row: Row | undefined): void {
  const ifMatch = request.headers['if-match']?.trim();
  const ifNoneMatch = request.headers['if-none-match']?.trim();
  if (ifMatch !== undefined && ifMatch !== '') {
    if (row === undefined) throw missing(table, key);
    if (ifMatch !== '*' && !ifMatch.split(',').some((t) => t.trim() === etagOf(row))) throw rowVersionMismatch();
  }
  if (ifNoneMatch === '*' && row !== undefined) throw alreadyExists();
}

/** The alternate-key values of a key (copied into the row on create unless the body sets them). */
function keyValues(key: ResolvedKey): Record<string, unknown> {
  return key.kind === 'alternate' ? { ...key.values } : {};
}

/** The body-side names of key columns, for dropping them on update: `col` or `nav@odata.bind` for `_x_value`. */
function bodyKeyNames(table: TableDef, key: ResolvedKey): string[] {
  if (key.kind !== 'alternate') return [];
  const names: string[] = [];
  for (const column of Object.keys(key.values)) {
    names.push(column);
    const lookup = column.startsWith('_') && column.endsWith('_value') ? column.slice(1, -6) : undefined;
    for (const nav of Object.keys((lookup && table.lookups[lookup]?.navigations) || {}))
      names.push(`${nav}@odata.bind`);
  }
  return names;
}

function patchOne(core: DataverseCore, request: DvRequest, table: TableDef, key: ResolvedKey): DvResponse {
  const body = bodyObject(request);
  const env = writeEnv(core, request);
  return core.store.atomically(() => {
    const row = existingRow(core, table, key);
    checkPreconditions(request, table, key, row);
    if (row !== undefined) {
      const trimmed = { ...body };
      for (const name of bodyKeyNames(table, key)) delete trimmed[name];
      const updated = updateRow(env, table, row, trimmed);
      return writeResponse(core, request, table, updated, 200);
    }
    const created =
      key.kind === 'id'
        ? createRow(env, table, body, { id: key.id })
        : createRow(env, table, body, { keyValues: keyValues(key) });
    return writeResponse(core, request, table, created, 201);
  });
}

/** Child tables whose rows are deleted with their parent (parental relationships). */
const CASCADE: Readonly<Record<string, readonly { entitySet: string; lookup: string }[]>> = {
  invoices: [{ entitySet: 'invoicedetails', lookup: 'invoiceid' }],
  uomschedules: [{ entitySet: 'uoms', lookup: 'uomscheduleid' }],
  pricelevels: [{ entitySet: 'productpricelevels', lookup: 'pricelevelid' }],
  products: [{ entitySet: 'productpricelevels', lookup: 'productid' }],
};

/** Deletes a row and the rows of its parental relationships. */
export function deleteCascading(store: DataverseStore, table: TableDef, id: string): void {
  store.delete(table.entitySet, id);
  for (const child of CASCADE[table.entitySet] ?? []) {
    const childTable = TABLES.get(child.entitySet);
    if (childTable === undefined) continue;
    const column = lookupValueColumn(child.lookup);
    const ids = [...store.rows(child.entitySet)]
      .filter((r) => r.values[column] === id.toLowerCase())
      .map((r) => String(r.values[childTable.primaryKey]));
    for (const childId of ids) deleteCascading(store, childTable, childId);
  }
}

function deleteOne(core: DataverseCore, request: DvRequest, table: TableDef, key: ResolvedKey): DvResponse {
  return core.store.atomically(() => {
    const row = existingRow(core, table, key);
    if (row === undefined) throw missing(table, key);
    checkPreconditions(request, table, key, row);
    deleteCascading(core.store, table, String(row.values[table.primaryKey]));
    return { status: 204, headers: {} };
  });
}

/** `GET/PUT/DELETE set(id)/column`, `PUT/DELETE set(id)/nav/$ref`, `GET set(id)/collection`. */
function propertyRequest(
  core: DataverseCore,
  request: DvRequest,
  table: TableDef,
  key: ResolvedKey,
  rest: string,
  method: string,
): DvResponse {
  const row = existingRow(core, table, key);
  if (row === undefined) throw missing(table, key);
  const id = String(row.values[table.primaryKey]);
  const env = writeEnv(core, request);
  const refMatch = /^([\w]+)\/\$ref$/.exec(rest);
  if (refMatch !== null) {
    const nav = refMatch[1] ?? '';
    if (findNavigation(table, nav) === undefined) throw resourceNotFound(nav);
    if (method === 'PUT') {
      const target = bodyObject(request)['@odata.id'];
      return core.store.atomically(() => {
        updateRow(env, table, row, { [`${nav}@odata.bind`]: target });
        return { status: 204, headers: {} };
      });
    }
    if (method === 'DELETE') {
      return core.store.atomically(() => {
        updateRow(env, table, row, { [`${nav}@odata.bind`]: null });
        return { status: 204, headers: {} };
      });
    }
    throw methodNotAllowed(method, table);
  }
  const collection = table.collections[rest];
  if (collection !== undefined && method === 'GET') {
    const child = TABLES.get(collection.entitySet);
    if (child === undefined) throw resourceNotFound(rest);
    const select = selectOf(child, request.query.get('$select') ?? undefined);
    const column = lookupValueColumn(collection.lookup);
    const value = [...core.store.rows(child.entitySet)]
      .filter((r) => r.values[column] === id)
      .map((r) => formatRow(core.store, child, r, { select }));
    return json(200, { '@odata.context': contextUrl(request, child, select), value });
  }
  const def = table.columns[rest];
  const lookupColumn =
    rest.startsWith('_') && rest.endsWith('_value') && table.lookups[rest.slice(1, -6)] !== undefined;
  if (def === undefined && !lookupColumn) throw resourceNotFound(rest);
  if (method === 'GET') {
    return json(200, {
      '@odata.context': `${request.serviceRoot}/$metadata#${table.entitySet}(${id})/${rest}`,
      value: row.values[rest] ?? null,
    });
  }
  if (method === 'PUT') {
    const body = bodyObject(request);
    if (!('value' in body)) throw badRequest('The request body must be { "value": … }.', CODES.payload);
    return core.store.atomically(() => {
      updateRow(env, table, row, { [rest]: body.value });
      return { status: 204, headers: {} };
    });
  }
  if (method === 'DELETE') {
    return core.store.atomically(() => {
      updateRow(env, table, row, { [rest]: null });
      return { status: 204, headers: {} };
    });
  }
  throw methodNotAllowed(method, table);
}
