// One OData operation against the BC emulator's state: routing of the path below the API root, the query options,
// GET/POST/PATCH/DELETE and bound actions. Synchronous by design, so a `$batch` runs its operations back to back
// without interleaving other requests (which is what makes `Isolation: snapshot` rollback exact).

import { randomUUID } from 'node:crypto';
import { businessCentralErrorBody, EmulatorError } from '../shared/errors';
import {
  businessCentralFilterDialect,
  compileFilter,
  filterPropertyPaths,
  parseFilter,
  type FilterExpression,
  type RecordPredicate,
} from '../shared/odata-filter';
import {
  applySelect,
  makeComparator,
  parseExpand,
  parseMaxPageSize,
  parseOrderBy,
  parseSelect,
  parseTop,
  type ExpandItem,
} from '../shared/odata-query';
import type { OrderedIndex } from '../shared/ordered-index';
import { paginateKeyset } from '../shared/paging';
import type { RequestStats } from '../shared/stats';
import type { MonotonicClock } from '../shared/clock';
import { ENTITIES, tableOf, type ApiRoot, type EntityDef } from './entities';
import {
  afterCustomerWrite,
  applyRules,
  newRecordTemplate,
  postInvoice,
  touchInvoice,
  type RuleContext,
} from './rules';
import type { BcStore, CompanyState, StoredRecord, Table } from './store';
import { isGuid, validateBody } from './validation';
import {
  companyRecord,
  contactsInformationOf,
  etagOf,
  fieldValue,
  customerStatisticsRecord,
  financialDetailRecord,
  toWire,
  ViewCache,
} from './views';

/** BC online's largest page (api-facts A4): a larger `odata.maxpagesize` → 413. */
export const MAX_PAGE_SIZE = 20_000;

/** What an operation needs from the running emulator. */
export interface ApiContext {
  store: BcStore;
  clock: MonotonicClock;
  /** Server-driven page size when the client sends no smaller `odata.maxpagesize`. */
  pageSize: number;
  /** Where page reads count the rows they looked at (`/__emulator/stats`). */
  stats?: RequestStats;
}

/** One operation: a top-level request or one request of a `$batch`. */
export interface OperationRequest {
  method: string;
  api: ApiRoot;
  /** The path below the API root, without a leading slash (`companies(…)/customers`). */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: unknown;
  /** Absolute URL of the API root, for `@odata.context` and `@odata.nextLink`. */
  apiRootUrl: string;
}

/** The answer to one operation. */
export interface OperationResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** Entity set and record id a request addresses (for fault rules and stats). */
export interface OperationTarget {
  entitySet?: string;
  recordId?: string;
}

interface Segment {
  name: string;
  key?: string;
}

const JSON_TYPE = 'application/json; odata.metadata=minimal; odata.streaming=true';
const SYSTEM_OPTIONS = new Set([
  '$filter',
  '$select',
  '$expand',
  '$orderby',
  '$top',
  '$skip',
  '$skiptoken',
  '$schemaversion',
  '$count',
  '$format',
]);

function notFoundSegment(name: string): EmulatorError {
  return new EmulatorError(404, 'BadRequest_ResourceNotFound', `Resource not found for the segment '${name}'.`);
}

function parseSegments(path: string): Segment[] {
  if (path === '') return [];
  return path.split('/').map((raw) => {
    const text = decodeURIComponent(raw);
    const m = /^([\w.$]+)(?:\((.*)\))?$/.exec(text);
    if (!m) throw notFoundSegment(text);
    let key = m[2];
    if (key !== undefined) {
      key = key.trim().replace(/^id\s*=\s*/i, '');
      if (/^'.*'$/.test(key)) key = key.slice(1, -1);
      if (!isGuid(key))
        throw new EmulatorError(
          400,
          'BadRequest',
          `The key value '${m[2]}' of the segment '${m[1]}' is not a valid GUID.`,
        );
      key = key.toLowerCase();
    }
    return { name: m[1], key };
  });
}

/** The entity set and record id a request addresses, without touching state (never throws). */
export function describeTarget(path: string): OperationTarget {
  try {
    const segments = parseSegments(path);
    let target: OperationTarget = {};
    for (const s of segments) {
      if (s.name.startsWith('Microsoft.NAV.')) break;
      if (ENTITIES[s.name] || s.name === '$batch') target = { entitySet: s.name, recordId: s.key };
      else if (s.name === 'customerFinancialDetail')
        target = { entitySet: 'customerFinancialDetails', recordId: target.recordId };
    }
    return target;
  } catch {
    return {};
  }
}

/** Renders any error as a BC error response. */
export function errorResponse(error: unknown): OperationResponse {
  if (error instanceof EmulatorError)
    return {
      status: error.status,
      headers: { 'content-type': 'application/json', ...error.headers },
      body: businessCentralErrorBody(error.code, error.message),
    };
  return {
    status: 500,
    headers: { 'content-type': 'application/json' },
    body: businessCentralErrorBody('Internal_ServerError', `An unexpected error occurred: ${(error as Error).message}`),
  };
}

/** Executes one operation; never throws (errors become BC error responses). */
export function executeOperation(ctx: ApiContext, request: OperationRequest): OperationResponse {
  try {
    return route(ctx, request);
  } catch (error) {
    return errorResponse(error);
  }
}

interface Scope {
  ctx: ApiContext;
  request: OperationRequest;
  company: CompanyState;
  companyId: string;
  cache: ViewCache;
  rules: RuleContext;
}

function route(ctx: ApiContext, request: OperationRequest): OperationResponse {
  for (const key of request.query.keys())
    if (key.startsWith('$') && !SYSTEM_OPTIONS.has(key))
      throw new EmulatorError(400, 'BadRequest', `The query parameter '${key}' is not supported.`);
  const segments = parseSegments(request.path);
  if (segments.length === 0) return serviceDocument(request);
  if (segments[0].name === '$metadata') return metadataDocument(request);
  let company: CompanyState | undefined;
  let rest = segments;
  if (segments[0].name === 'companies') {
    if (segments[0].key === undefined) {
      if (segments.length > 1) throw notFoundSegment(segments[1].name);
      return listCompanies(ctx, request);
    }
    company = ctx.store.companies.get(segments[0].key);
    if (!company)
      throw new EmulatorError(404, 'Internal_CompanyNotFound', `The company '${segments[0].key}' does not exist.`);
    if (segments.length === 1) {
      if (request.method !== 'GET') throw methodNotAllowed(request.method, 'companies');
      return singleResponse(request, ENTITIES['companies'], companyRecord(company), undefined, `companies/$entity`);
    }
    rest = segments.slice(1);
  } else {
    const named = request.query.get('company') ?? request.headers['company'];
    if (!named) {
      if (!ENTITIES[segments[0].name]) throw notFoundSegment(segments[0].name);
      throw new EmulatorError(
        400,
        'Internal_CompanyNotFound',
        'Cannot process the request because the default company cannot be found. You can specify a default company in the service configuration file, or specify one for each tenant, or you can add a query string in the form of company=[name].',
      );
    }
    company = ctx.store.findCompany(named);
    if (!company) throw new EmulatorError(404, 'Internal_CompanyNotFound', `The company '${named}' does not exist.`);
  }
  const now = ctx.clock.now();
  const scope: Scope = {
    ctx,
    request,
    company,
    companyId: company.company.id,
    cache: new ViewCache(ctx.store, company.company.id, now.toISOString().slice(0, 10)),
    rules: { store: ctx.store, companyId: company.company.id, now },
  };
  return routeInCompany(scope, rest);
}

function methodNotAllowed(method: string, set: string): EmulatorError {
  return new EmulatorError(405, 'BadRequest_MethodNotAllowed', `'${method}' requests for '${set}' are not allowed.`);
}

function entityOf(scope: Scope, name: string): EntityDef {
  const def = ENTITIES[name];
  if (!def || name === 'companies' || def.api !== scope.request.api) throw notFoundSegment(name);
  return def;
}

function recordNotFound(def: EntityDef, id: string): EmulatorError {
  return new EmulatorError(
    404,
    'BadRequest_NotFound',
    `The ${def.caption} does not exist. Identification fields and values: Id='${id}'`,
  );
}

function routeInCompany(scope: Scope, rest: Segment[]): OperationResponse {
  const { request } = scope;
  const first = rest[0];
  const def = entityOf(scope, first.name);
  if (rest.length === 1) {
    if (first.key === undefined) {
      if (request.method === 'GET')
        return listResponse(scope, def, () => collectionSource(scope, def), first.name, false, plainTable(scope, def));
      if (request.method === 'POST') return createResponse(scope, def, request.body, {});
      throw methodNotAllowed(request.method, def.entitySet);
    }
    const record = getRecord(scope, def, first.key);
    if (request.method === 'GET') return entityResponse(scope, def, record);
    if (request.method === 'PATCH') return patchResponse(scope, def, record);
    if (request.method === 'DELETE') return deleteResponse(scope, def, record);
    throw methodNotAllowed(request.method, def.entitySet);
  }
  if (rest.length !== 2 || first.key === undefined) throw notFoundSegment(rest[rest.length - 1].name);
  const parent = getRecord(scope, def, first.key);
  const second = rest[1];
  if (second.name.startsWith('Microsoft.NAV.')) {
    if (def.entitySet !== 'salesInvoices' || second.key !== undefined) throw notFoundSegment(second.name);
    const action = second.name.slice('Microsoft.NAV.'.length);
    if (action !== 'post' && action !== 'postAndSend') throw notFoundSegment(second.name);
    if (request.method !== 'POST') throw methodNotAllowed(request.method, second.name);
    postInvoice(scope.rules, parent);
    return { status: 204, headers: {} };
  }
  if (def.entitySet === 'customers' && second.name === 'contactsInformation' && second.key === undefined) {
    if (request.method !== 'GET') throw methodNotAllowed(request.method, second.name);
    return {
      status: 200,
      headers: { 'content-type': JSON_TYPE },
      body: {
        '@odata.context': `${request.apiRootUrl}/$metadata#companies(${scope.companyId})/customers(${parent.data['id'] as string})/contactsInformation`,
        value: contactsInformationOf(scope.ctx.store, scope.companyId, parent),
      },
    };
  }
  const nav = def.navigations?.[second.name];
  if (!nav) throw notFoundSegment(second.name);
  if (nav.kind === 'financialDetail') {
    if (request.method !== 'GET') throw methodNotAllowed(request.method, second.name);
    return entityResponse(scope, ENTITIES['customerFinancialDetails'], financialDetailRecord(parent, scope.cache));
  }
  const target = ENTITIES[nav.target];
  if (nav.kind === 'one') {
    if (request.method !== 'GET' || second.key !== undefined) throw methodNotAllowed(request.method, second.name);
    const related = scope.ctx.store.get(scope.companyId, nav.target, String(parent.data[nav.localKey]));
    if (!related) throw recordNotFound(target, String(parent.data[nav.localKey]));
    return entityResponse(scope, target, related);
  }
  const parentId = parent.data['id'] as string;
  if (second.key === undefined) {
    if (request.method === 'GET')
      return listResponse(scope, target, () => scope.ctx.store.linesOf(scope.companyId, parentId), second.name, true);
    if (request.method === 'POST') return createResponse(scope, target, request.body, { [nav.foreignKey]: parentId });
    throw methodNotAllowed(request.method, second.name);
  }
  const child = getRecord(scope, target, second.key);
  if (child.data[nav.foreignKey] !== parentId) throw recordNotFound(target, second.key);
  if (request.method === 'GET') return entityResponse(scope, target, child);
  if (request.method === 'PATCH') return patchResponse(scope, target, child);
  if (request.method === 'DELETE') return deleteResponse(scope, target, child);
  throw methodNotAllowed(request.method, second.name);
}

function getRecord(scope: Scope, def: EntityDef, id: string): StoredRecord {
  if (def.entitySet === 'customerFinancialDetails') {
    const customer = scope.ctx.store.get(scope.companyId, 'customers', id);
    if (!customer) throw recordNotFound(def, id);
    return financialDetailRecord(customer, scope.cache);
  }
  if (def.entitySet === 'customerStatistics') {
    const customer = scope.ctx.store.get(scope.companyId, 'customers', id);
    if (!customer) throw recordNotFound(def, id);
    return customerStatisticsRecord(customer, scope.cache);
  }
  const record = scope.ctx.store.get(scope.companyId, tableOf(def), id);
  if (!record) throw recordNotFound(def, id);
  return record;
}

/** The stored table a collection reads as it is (not a computed view), whose indexes a page read may use. */
function plainTable(scope: Scope, def: EntityDef): Table | undefined {
  if (def.entitySet === 'customerFinancialDetails' || def.entitySet === 'customerStatistics') return undefined;
  return scope.ctx.store.table(scope.companyId, tableOf(def));
}

function collectionSource(scope: Scope, def: EntityDef): Iterable<StoredRecord> {
  if (def.entitySet === 'customerFinancialDetails') {
    const customers = scope.ctx.store.table(scope.companyId, 'customers').records.values();
    const cache = scope.cache;
    return (function* () {
      for (const c of customers) yield financialDetailRecord(c, cache);
    })();
  }
  if (def.entitySet === 'customerStatistics') {
    const customers = scope.ctx.store.table(scope.companyId, 'customers').records.values();
    const cache = scope.cache;
    return (function* () {
      for (const c of customers) yield customerStatisticsRecord(c, cache);
    })();
  }
  if (def.entitySet === 'salesInvoiceLines') {
    // BC refuses an unfiltered read of all lines: the top-level set needs a document id (or line id) filter.
    const filter = scope.request.query.get('$filter') ?? '';
    if (!/\b(documentId|id)\s+eq\s+/i.test(filter))
      throw new EmulatorError(
        400,
        'Application_DialogException',
        'You must specify an Id or a Document Id to get the lines.',
      );
  }
  return scope.ctx.store.table(scope.companyId, tableOf(def)).records.values();
}

function listCompanies(ctx: ApiContext, request: OperationRequest): OperationResponse {
  if (request.method !== 'GET') throw methodNotAllowed(request.method, 'companies');
  const def = ENTITIES['companies'];
  const records = [...ctx.store.companies.values()].map(companyRecord);
  const options = readQueryOptions(request, def, () => undefined);
  const predicate = options.filter;
  const items = records.filter((r) => !predicate || predicate(r.data));
  items.sort(makeComparator(options.orderBy, 'id', { caseInsensitive: false, guidOrder: 'sqlserver' }));
  return {
    status: 200,
    headers: { 'content-type': JSON_TYPE },
    body: {
      '@odata.context': `${request.apiRootUrl}/$metadata#companies`,
      value: items.slice(0, options.top ?? items.length).map((r) => applySelect(r.data, options.select, [])),
    },
  };
}

interface QueryOptions {
  filter?: RecordPredicate;
  filterExpression?: FilterExpression;
  select?: string[];
  expand: ExpandItem[];
  orderBy: ReturnType<typeof parseOrderBy>;
  top?: number;
  skip?: number;
}

function checkProperty(def: EntityDef, path: string, allowNavigation: boolean): void {
  if (path in def.fields && !path.startsWith('__')) return;
  if (allowNavigation && (def.navigations?.[path] || (def.entitySet === 'customers' && path === 'contactsInformation')))
    return;
  throw new EmulatorError(
    400,
    'BadRequest',
    `Could not find a property named '${path}' on type 'Microsoft.NAV.${def.entityName}'.`,
  );
}

function readQueryOptions(
  request: OperationRequest,
  def: EntityDef,
  cacheOf: () => ViewCache | undefined,
  raw: Record<string, string | undefined> = {
    $filter: request.query.get('$filter') ?? undefined,
    $select: request.query.get('$select') ?? undefined,
    $expand: request.query.get('$expand') ?? undefined,
    $orderby: request.query.get('$orderby') ?? undefined,
    $top: request.query.get('$top') ?? undefined,
    $skip: request.query.get('$skip') ?? undefined,
  },
): QueryOptions {
  const out: QueryOptions = { expand: [], orderBy: [] };
  if (raw['$filter'] !== undefined && raw['$filter'].trim() !== '') {
    const dialect = { ...businessCentralFilterDialect, allowIn: request.query.get('$schemaversion') === '2.1' };
    const tree = parseFilter(raw['$filter'], dialect);
    for (const path of filterPropertyPaths(tree)) checkProperty(def, path, true);
    out.filterExpression = tree;
    const cache = cacheOf();
    const set = tableOf(def);
    out.filter = compileFilter(tree, {
      dialect,
      getValue: (record, path) => (cache ? fieldValue(set, { data: record, version: 0 }, path, cache) : record[path]),
    });
  }
  out.select = parseSelect(raw['$select']);
  for (const name of out.select ?? []) checkProperty(def, name, false);
  out.expand = parseExpand(raw['$expand']);
  for (const item of out.expand) checkProperty(def, item.name, true);
  out.orderBy = parseOrderBy(raw['$orderby']);
  for (const term of out.orderBy) checkProperty(def, term.path, false);
  out.top = parseTop(raw['$top']);
  out.skip = parseTop(raw['$skip']);
  return out;
}

function wireWithExpand(
  scope: Scope,
  def: EntityDef,
  record: StoredRecord,
  options: QueryOptions,
): Record<string, unknown> {
  const out = toWire(def, record, scope.cache, options.select);
  for (const item of options.expand) {
    if (def.entitySet === 'customers' && item.name === 'contactsInformation') {
      out[item.name] = contactsInformationOf(scope.ctx.store, scope.companyId, record);
      continue;
    }
    const nav = def.navigations![item.name];
    if (nav.kind === 'financialDetail') {
      out[item.name] = toWire(
        ENTITIES['customerFinancialDetails'],
        financialDetailRecord(record, scope.cache),
        scope.cache,
        parseSelect(item.options['$select']),
      );
      continue;
    }
    const target = ENTITIES[nav.target];
    const nested = readQueryOptions(scope.request, target, () => scope.cache, {
      $filter: item.options['$filter'],
      $select: item.options['$select'],
      $expand: item.options['$expand'],
      $orderby: item.options['$orderby'],
      $top: item.options['$top'],
      $skip: item.options['$skip'],
    });
    if (nav.kind === 'one') {
      const related = scope.ctx.store.get(scope.companyId, nav.target, String(record.data[nav.localKey]));
      out[item.name] = related ? wireWithExpand(scope, target, related, nested) : null;
      continue;
    }
    let children = scope.ctx.store.linesOf(scope.companyId, record.data['id'] as string);
    if (nested.filter) children = children.filter((c) => nested.filter!(c.data));
    if (nested.orderBy.length)
      children.sort(
        makeComparator<StoredRecord>(nested.orderBy, 'id', {
          caseInsensitive: false,
          guidOrder: 'sqlserver',
          getValue: (r, p) => r.data[p],
        }),
      );
    if (nested.skip) children = children.slice(nested.skip);
    if (nested.top !== undefined) children = children.slice(0, nested.top);
    out[item.name] = children.map((c) => wireWithExpand(scope, target, c, nested));
  }
  return out;
}

function listResponse(
  scope: Scope,
  def: EntityDef,
  source: () => Iterable<StoredRecord>,
  contextSet: string,
  nested = false,
  table?: Table,
): OperationResponse {
  const { request } = scope;
  const options = readQueryOptions(request, def, () => scope.cache);
  const preferred = parseMaxPageSize(request.headers['prefer']);
  if (preferred !== undefined && preferred > MAX_PAGE_SIZE)
    throw new EmulatorError(
      413,
      'BadRequest_RequestEntityTooLarge',
      `The requested page size ${preferred} exceeds the maximum page size of ${MAX_PAGE_SIZE}.`,
    );
  const pageSize = Math.min(preferred ?? scope.ctx.pageSize, scope.ctx.pageSize, MAX_PAGE_SIZE);
  const set = tableOf(def);
  const page = paginateKeyset<StoredRecord & Record<string, unknown>>({
    records: source() as Iterable<StoredRecord & Record<string, unknown>>,
    filter: options.filter ? (r) => options.filter!(r.data) : undefined,
    orderBy: options.orderBy,
    keyField: 'id',
    pageSize,
    top: options.top,
    skip: options.skip,
    skipToken: request.query.get('$skiptoken') ?? undefined,
    caseInsensitive: false,
    guidOrder: 'sqlserver',
    getValue: (r, path) => fieldValue(set, r, path, scope.cache),
    index: table?.byModified as OrderedIndex<StoredRecord & Record<string, unknown>> | undefined,
    filterExpression: options.filterExpression,
    lookup: table
      ? (id) => table.records.get(id.toLowerCase()) as (StoredRecord & Record<string, unknown>) | undefined
      : undefined,
  });
  scope.ctx.stats?.recordPageRead(page.examined, page.sorted);
  const body: Record<string, unknown> = {
    '@odata.context': nested
      ? `${request.apiRootUrl}/$metadata#${set}`
      : `${request.apiRootUrl}/$metadata#companies(${scope.companyId})/${contextSet}`,
  };
  if (request.query.get('$count') === 'true') {
    let count = 0;
    for (const r of source()) if (!options.filter || options.filter(r.data)) count++;
    body['@odata.count'] = count;
  }
  body['value'] = page.items.map((r) => wireWithExpand(scope, def, r, options));
  const headers: Record<string, string> = { 'content-type': JSON_TYPE };
  if (preferred !== undefined) headers['preference-applied'] = `odata.maxpagesize=${pageSize}`;
  if (page.nextSkipToken) {
    // Keep `$` literal in option names (as BC does); values are percent-encoded.
    const pairs = [...request.query].filter(([key]) => key !== '$skiptoken');
    pairs.push(['$skiptoken', page.nextSkipToken]);
    const query = pairs
      .map(([key, value]) => `${/^[\w$]+$/.test(key) ? key : encodeURIComponent(key)}=${encodeURIComponent(value)}`)
      .join('&');
    body['@odata.nextLink'] = `${request.apiRootUrl}/${request.path}?${query}`;
  }
  return { status: 200, headers, body };
}

function singleResponse(
  request: OperationRequest,
  def: EntityDef,
  record: StoredRecord,
  cache: ViewCache | undefined,
  context: string,
): OperationResponse {
  const select = parseSelect(request.query.get('$select') ?? undefined);
  const body = cache === undefined ? { ...applySelect(record.data, select, []) } : toWire(def, record, cache, select);
  return {
    status: 200,
    headers: { 'content-type': JSON_TYPE },
    body: { '@odata.context': `${request.apiRootUrl}/$metadata#${context}`, ...body },
  };
}

function entityResponse(scope: Scope, def: EntityDef, record: StoredRecord, status = 200): OperationResponse {
  const options = readQueryOptions(scope.request, def, () => scope.cache);
  const body = {
    '@odata.context': `${scope.request.apiRootUrl}/$metadata#companies(${scope.companyId})/${def.entitySet}/$entity`,
    ...wireWithExpand(scope, def, record, options),
  };
  return { status, headers: { 'content-type': JSON_TYPE, etag: etagOf(record) }, body };
}

function checkWritable(def: EntityDef, method: string): void {
  if (def.readOnlyEntity) throw methodNotAllowed(method, def.entitySet);
}

function createResponse(
  scope: Scope,
  def: EntityDef,
  body: unknown,
  fixed: Record<string, unknown>,
): OperationResponse {
  checkWritable(def, 'POST');
  const record = createRecord(scope, def, body, fixed);
  const response = entityResponse(
    scope,
    def,
    scope.ctx.store.get(scope.companyId, tableOf(def), record.data['id'] as string)!,
    201,
  );
  response.headers['location'] =
    `${scope.request.apiRootUrl}/companies(${scope.companyId})/${def.entitySet}(${record.data['id'] as string})`;
  return response;
}

function createRecord(scope: Scope, def: EntityDef, body: unknown, fixed: Record<string, unknown>): StoredRecord {
  const { changes, nested } = validateBody(def, body);
  for (const [key, value] of Object.entries(fixed)) {
    if (key in changes && String(changes[key]).toLowerCase() !== String(value))
      throw new EmulatorError(400, 'BadRequest', `The property '${key}' does not match the parent in the URL.`);
    changes[key] = value;
  }
  const merged = { ...newRecordTemplate(tableOf(def)), ...changes, id: randomUUID() };
  applyRules(scope.rules, tableOf(def), merged, changes, undefined);
  const stored = scope.ctx.store.insert(scope.companyId, tableOf(def), merged);
  if (tableOf(def) === 'customers') afterCustomerWrite(scope.rules, stored.data, undefined);
  if (tableOf(def) === 'salesInvoiceLines') touchInvoice(scope.rules, stored.data['documentId'] as string);
  // Deep insert (api-facts A3): nested lines are created with the header, in the same operation.
  for (const [name, rows] of Object.entries(nested)) {
    const nav = def.navigations![name];
    if (nav.kind !== 'many') continue;
    for (const row of rows) createRecord(scope, ENTITIES[nav.target], row, { [nav.foreignKey]: stored.data['id'] });
  }
  return stored;
}

function checkIfMatch(scope: Scope, record: StoredRecord, required: boolean): void {
  const ifMatch = scope.request.headers['if-match'];
  if (ifMatch === undefined || ifMatch.trim() === '') {
    if (!required) return;
    throw new EmulatorError(
      400,
      'BadRequest_InvalidToken',
      'Could not validate the client concurrency token required by the service. Please provide a valid token in the client request.',
    );
  }
  const current = etagOf(record);
  const offered = ifMatch.split(',').map((t) => t.trim());
  if (offered.includes('*') || offered.includes(current)) return;
  throw new EmulatorError(409, 'Request_EntityChanged', 'Another user has already changed the record.');
}

function patchResponse(scope: Scope, def: EntityDef, record: StoredRecord): OperationResponse {
  checkWritable(def, 'PATCH');
  checkIfMatch(scope, record, true);
  const id = record.data['id'] as string;
  const { changes } = validateBody(def, scope.request.body, id);
  const before = record.data;
  const merged = { ...before, ...changes };
  applyRules(scope.rules, tableOf(def), merged, changes, before);
  scope.ctx.store.update(scope.companyId, tableOf(def), id, merged);
  if (tableOf(def) === 'customers') afterCustomerWrite(scope.rules, merged, before);
  if (tableOf(def) === 'salesInvoiceLines') touchInvoice(scope.rules, merged['documentId'] as string);
  return entityResponse(scope, def, scope.ctx.store.get(scope.companyId, tableOf(def), id)!);
}

function deleteResponse(scope: Scope, def: EntityDef, record: StoredRecord): OperationResponse {
  checkWritable(def, 'DELETE');
  // BC documents If-Match as required but reportedly accepts a DELETE without it; a stale one is refused.
  checkIfMatch(scope, record, false);
  const id = record.data['id'] as string;
  const { store } = scope.ctx;
  if (def.entitySet === 'salesInvoices') {
    if (record.data['status'] !== 'Draft')
      throw new EmulatorError(
        400,
        'Application_DialogException',
        `You cannot delete the posted sales invoice ${String(record.data['number'])}.`,
      );
    for (const line of store.linesOf(scope.companyId, id))
      store.remove(scope.companyId, 'salesInvoiceLines', line.data['id'] as string);
  }
  if (def.entitySet === 'salesInvoiceLines') {
    const invoice = store.get(scope.companyId, 'salesInvoices', record.data['documentId'] as string);
    if (invoice && invoice.data['status'] !== 'Draft')
      throw new EmulatorError(
        400,
        'Application_DialogException',
        `You cannot change the posted sales invoice ${String(invoice.data['number'])}.`,
      );
  }
  store.remove(scope.companyId, tableOf(def), id);
  if (tableOf(def) === 'customers') afterCustomerWrite(scope.rules, undefined, record.data);
  if (tableOf(def) === 'salesInvoiceLines') touchInvoice(scope.rules, record.data['documentId'] as string);
  return { status: 204, headers: {} };
}

function serviceDocument(request: OperationRequest): OperationResponse {
  const sets = Object.values(ENTITIES)
    .filter((e) => e.api === request.api || e.entitySet === 'companies')
    .map((e) => ({ name: e.entitySet, kind: 'EntitySet', url: e.entitySet }));
  return {
    status: 200,
    headers: { 'content-type': JSON_TYPE },
    body: { '@odata.context': `${request.apiRootUrl}/$metadata`, value: sets },
  };
}

function metadataDocument(request: OperationRequest): OperationResponse {
  const types = Object.values(ENTITIES)
    .filter((e) => e.api === request.api || e.entitySet === 'companies')
    .map(
      (e) =>
        `<EntityType Name="${e.entityName}"><Key><PropertyRef Name="id"/></Key>${Object.entries(e.fields)
          .map(
            ([name, f]) =>
              `<Property Name="${name}" Type="${edmType(f.type)}"${f.maxLength ? ` MaxLength="${f.maxLength}"` : ''}/>`,
          )
          .join('')}</EntityType>`,
    )
    .join('');
  const sets = Object.values(ENTITIES)
    .filter((e) => e.api === request.api || e.entitySet === 'companies')
    .map((e) => `<EntitySet Name="${e.entitySet}" EntityType="Microsoft.NAV.${e.entityName}"/>`)
    .join('');
  const xml = `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="Microsoft.NAV" xmlns="http://docs.oasis-open.org/odata/ns/edm">${types}<EntityContainer Name="NAV">${sets}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xml };
}

function edmType(type: string): string {
  switch (type) {
    case 'number':
      return 'Edm.Decimal';
    case 'boolean':
      return 'Edm.Boolean';
    case 'guid':
      return 'Edm.Guid';
    case 'date':
      return 'Edm.Date';
    case 'datetime':
      return 'Edm.DateTimeOffset';
    default:
      return 'Edm.String';
  }
}
