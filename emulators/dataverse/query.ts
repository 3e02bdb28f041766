// Reading rows: `$select`, `$filter` (shared parser in the Dataverse dialect: case-insensitive strings, `or` across
// fields allowed, `Microsoft.Dynamics.CRM.*` functions, lookup traversal), `$orderby`, `$top`, `$count` (capped at
// 5,000), `$expand` (single-valued and collection navigations), `$skip` → 400, server-driven keyset paging with a
// Dataverse-looking opaque `$skiptoken` cookie.
import { CODES, badRequest } from './errors';
import { formatRow, type AnnotationFilter } from './format';
import { TABLES, findNavigation, lookupValueColumn, readableColumns, type TableDef } from './schema';
import { type DataverseStore, type Row } from './store';
import {
  compileFilter,
  dataverseFilterDialect,
  filterPropertyPaths,
  parseFilter,
  type RecordPredicate,
} from '../shared/odata-filter';
import {
  makeComparator,
  parseExpand,
  parseOrderBy,
  parseSelect,
  parseTop,
  type ExpandItem,
} from '../shared/odata-query';
import { paginateKeyset } from '../shared/paging';
import type { RequestStats } from '../shared/stats';

/** Dataverse never pages above 5,000 rows and never counts above 5,000. */
export const MAX_PAGE_SIZE = 5000;
export const COUNT_LIMIT = 5000;

const E = CODES.generic;

/** Reads a property path of a row: columns, `_x_value`, and `nav/column` through single-valued navigations. */
export function rowValue(store: DataverseStore, table: TableDef, row: Row, path: string): unknown {
  const slash = path.indexOf('/');
  if (slash < 0) return row.values[path];
  const nav = findNavigation(table, path.slice(0, slash));
  if (nav === undefined) return undefined;
  const id = row.values[lookupValueColumn(nav.lookup)];
  const targetSet = row.targets[nav.lookup] ?? nav.entitySet;
  const target = TABLES.get(targetSet);
  if (typeof id !== 'string' || target === undefined || targetSet !== nav.entitySet) return undefined;
  const targetRow = store.get(targetSet, id);
  return targetRow === undefined ? undefined : rowValue(store, target, targetRow, path.slice(slash + 1));
}

function noProperty(table: TableDef, name: string): Error {
  return badRequest(`Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${table.logicalName}'.`);
}

/** Checks that a property path exists on the table (for $filter/$orderby). */
function checkPath(table: TableDef, path: string): void {
  const [head, ...rest] = path.split('/');
  if (head === undefined) throw noProperty(table, path);
  if (rest.length === 0) {
    if (!readableColumns(table).includes(head)) throw noProperty(table, head);
    return;
  }
  const collection = table.collections[head];
  if (collection !== undefined) return; // lambda over a collection: checked when evaluated
  const nav = findNavigation(table, head);
  const target = nav === undefined ? undefined : TABLES.get(nav.entitySet);
  if (target === undefined) throw noProperty(table, head);
  checkPath(target, rest.join('/'));
}

/** Parses and validates `$select`. */
export function selectOf(table: TableDef, raw: string | undefined): string[] | undefined {
  const select = parseSelect(raw, E);
  const columns = readableColumns(table);
  for (const name of select ?? []) if (!columns.includes(name)) throw noProperty(table, name);
  return select;
}

/** Compiles `$filter` for a table; undefined when absent. */
export function filterOf(
  store: DataverseStore,
  table: TableDef,
  raw: string | undefined,
  now: () => Date,
): ((row: Row) => boolean) | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const expression = parseFilter(raw, dataverseFilterDialect);
  for (const path of filterPropertyPaths(expression)) checkPath(table, path);
  const rowsOf = new WeakMap<Record<string, unknown>, Row>();
  const predicate: RecordPredicate = compileFilter(expression, {
    dialect: dataverseFilterDialect,
    now,
    getValue: (record, path) => {
      const row = rowsOf.get(record);
      return row === undefined ? record[path] : rowValue(store, table, row, path);
    },
    getCollection: (record, path) => {
      const row = rowsOf.get(record);
      const collection = table.collections[path];
      const child = collection === undefined ? undefined : TABLES.get(collection.entitySet);
      if (row === undefined || collection === undefined || child === undefined) return [];
      const id = row.values[table.primaryKey];
      return [...store.rows(child.entitySet)]
        .filter((r) => r.values[lookupValueColumn(collection.lookup)] === id)
        .map((r) => r.values);
    },
  });
  return (row) => {
    rowsOf.set(row.values, row);
    return predicate(row.values);
  };
}

export interface ExpandContext {
  readonly store: DataverseStore;
  readonly now: () => Date;
  readonly annotations?: AnnotationFilter;
}

/** Validates `$expand` against the table's navigation properties. */
export function expandOf(table: TableDef, raw: string | undefined): ExpandItem[] {
  const items = parseExpand(raw, E);
  for (const item of items) {
    if (table.collections[item.name] === undefined && findNavigation(table, item.name) === undefined) {
      throw badRequest(
        `Could not find a property named '${item.name}' on type 'Microsoft.Dynamics.CRM.${table.logicalName}'.`,
      );
    }
  }
  return items;
}

/** Formats a row with `$select` and adds the `$expand`ed navigations. */
export function formatWithExpand(
  ctx: ExpandContext,
  table: TableDef,
  row: Row,
  select: string[] | undefined,
  expand: readonly ExpandItem[],
): Record<string, unknown> {
  const out = formatRow(ctx.store, table, row, { select, annotations: ctx.annotations });
  for (const item of expand) {
    const collection = table.collections[item.name];
    if (collection !== undefined) {
      const child = TABLES.get(collection.entitySet);
      if (child === undefined) continue;
      const childSelect = selectOf(child, item.options.$select);
      const filter = filterOf(ctx.store, child, item.options.$filter, ctx.now);
      const orderBy = parseOrderBy(item.options.$orderby, E);
      const top = parseTop(item.options.$top, E);
      const parentId = row.values[table.primaryKey];
      const lookupColumn = lookupValueColumn(collection.lookup);
      const children = [...ctx.store.rows(child.entitySet)].filter(
        (r) => r.values[lookupColumn] === parentId && (filter === undefined || filter(r)),
      );
      const compare = makeComparator(orderBy, child.primaryKey, {
        caseInsensitive: true,
        getValue: (r, path) => r[path],
      });
      children.sort((a, b) => compare(a.values, b.values));
      out[item.name] = children
        .slice(0, top ?? MAX_PAGE_SIZE)
        .map((r) => formatWithExpand(ctx, child, r, childSelect, parseExpand(item.options.$expand, E)));
      continue;
    }
    const nav = findNavigation(table, item.name);
    if (nav === undefined) continue;
    const id = row.values[lookupValueColumn(nav.lookup)];
    const target = TABLES.get(nav.entitySet);
    const targetRow =
      typeof id === 'string' && target !== undefined && (row.targets[nav.lookup] ?? nav.entitySet) === nav.entitySet
        ? ctx.store.get(nav.entitySet, id)
        : undefined;
    out[item.name] =
      targetRow === undefined || target === undefined
        ? null
        : formatWithExpand(ctx, target, targetRow, selectOf(target, item.options.$select), []);
  }
  return out;
}

/** Wraps the shared keyset token in a cookie that looks like Dataverse's (clients must treat it as opaque). */
export function encodeSkipToken(inner: string, page: number): string {
  return `<cookie pagenumber="${page}" pagingcookie="${inner}" istracking="False" />`;
}

export function decodeSkipToken(token: string): { inner: string; page: number } {
  const inner = /pagingcookie="([^"]*)"/.exec(token)?.[1];
  const page = Number(/pagenumber="(\d+)"/.exec(token)?.[1] ?? '1');
  if (inner === undefined) throw badRequest(`The $skiptoken '${token}' is not valid.`, E);
  return { inner, page };
}

export interface ListRequest {
  readonly table: TableDef;
  readonly query: URLSearchParams;
  readonly maxPageSize: number | undefined;
  readonly defaultPageSize: number;
  /** Where the read counts the rows it looked at. */
  readonly stats?: RequestStats;
}

export interface ListResult {
  rows: Row[];
  count?: number;
  totalCount?: number;
  nextSkipToken?: string;
  select?: string[];
  expand: ExpandItem[];
}

/** Runs a collection query; throws 400 for `$skip` and for invalid options. */
export function listRows(store: DataverseStore, now: () => Date, request: ListRequest): ListResult {
  const { table, query } = request;
  if (query.has('$skip')) throw badRequest('Skip Clause is not supported in CRM', E);
  const select = selectOf(table, query.get('$select') ?? undefined);
  const filterText = query.get('$filter') ?? undefined;
  const filter = filterOf(store, table, filterText, now);
  const orderBy = parseOrderBy(query.get('$orderby') ?? undefined, E);
  for (const term of orderBy) checkPath(table, term.path);
  const expand = expandOf(table, query.get('$expand') ?? undefined);
  const top = parseTop(query.get('$top') ?? undefined, E);
  // `$top` is ignored when the client asks for a page size (api-facts B3).
  const effectiveTop = request.maxPageSize === undefined ? top : undefined;
  const pageSize = Math.min(request.maxPageSize ?? request.defaultPageSize, MAX_PAGE_SIZE);
  const skip = query.get('$skiptoken');
  const cursor = skip === null ? undefined : decodeSkipToken(skip);
  const page = paginateKeyset<Row>({
    records: store.rows(table.entitySet),
    filter,
    orderBy,
    keyField: table.primaryKey,
    pageSize: effectiveTop === undefined ? pageSize : Math.min(pageSize, effectiveTop),
    top: effectiveTop,
    skipToken: cursor?.inner,
    caseInsensitive: true,
    getValue: (row, path) => rowValue(store, table, row, path),
    errorCode: E,
    index: store.rowsByModified(table.entitySet),
    filterExpression:
      filterText === undefined || filterText.trim() === ''
        ? undefined
        : parseFilter(filterText, dataverseFilterDialect),
    lookup: (id) => store.get(table.entitySet, id),
    lookupBy: (field, values) =>
      readableColumns(table).includes(field) ? store.rowsWhereEqual(table.entitySet, field, values) : undefined,
  });
  request.stats?.recordPageRead(page.examined, page.sorted);
  const result: ListResult = { rows: page.items, select, expand };
  if (page.nextSkipToken !== undefined)
    result.nextSkipToken = encodeSkipToken(page.nextSkipToken, (cursor?.page ?? 1) + 1);
  if (query.get('$count') === 'true') {
    let total = 0;
    for (const row of store.rows(table.entitySet)) if (filter === undefined || filter(row)) total++;
    result.totalCount = total;
    result.count = Math.min(total, COUNT_LIMIT);
  }
  return result;
}
