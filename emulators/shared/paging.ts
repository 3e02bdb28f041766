// Server-driven paging by keyset, shared by both emulators. The opaque `$skiptoken` carries the sort-key values and
// the key of the last row sent, never an offset: rows inserted, changed or deleted between two page requests do not
// shift later pages (a row whose sort key moves behind the cursor is seen again, one that moves before it is not —
// exactly like a keyset query in SQL).

import { EmulatorError } from './errors';
import type { FilterExpression, GuidOrder } from './odata-filter';
import { compareNullable, type OrderByTerm } from './odata-query';
import type { IndexEntry, OrderedIndex, ScanStart } from './ordered-index';

/** The decoded content of a skiptoken. */
export interface SkipTokenState {
  /** Sort-key values of the last row sent, in `$orderby` order, followed by its key. */
  last: unknown[];
  /** Rows sent so far (to honour `$top` across pages). */
  sent: number;
}

/** Encodes a cursor as an opaque URL-safe string. */
export function encodeSkipToken(state: SkipTokenState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

/** Decodes a cursor made by `encodeSkipToken`; throws `EmulatorError(400, errorCode)` when it was tampered with. */
export function decodeSkipToken(token: string, errorCode = 'BadRequest'): SkipTokenState {
  try {
    const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as SkipTokenState;
    if (!Array.isArray(state.last) || typeof state.sent !== 'number') throw new Error('shape');
    return state;
  } catch {
    throw new EmulatorError(400, errorCode, `The skip token '${token}' is not valid.`);
  }
}

/** Input of `paginateKeyset`. */
export interface KeysetPageRequest<T extends Record<string, unknown>> {
  /** All candidate rows (already filtered, or pass `filter`). */
  records: Iterable<T>;
  filter?: (record: T) => boolean;
  /** `$orderby`; a final ascending tie-break on `keyField` is always added. */
  orderBy: readonly OrderByTerm[];
  keyField: string;
  /** Rows per page (≥ 1). */
  pageSize: number;
  /** `$top`: total rows over all pages. */
  top?: number;
  /** `$skiptoken` from the previous page's nextLink. */
  skipToken?: string;
  /** `$skip`: rows to leave out before the first page (ignored when continuing from a skiptoken). */
  skip?: number;
  caseInsensitive: boolean;
  /** GUID ordering of the service (BC: 'sqlserver'). (Default: 'text') */
  guidOrder?: GuidOrder;
  getValue?: (record: T, path: string) => unknown;
  errorCode?: string;
  /**
   * The rows of `records` in (modified-on, key) order. When the query's order is the index's (`$orderby` of the
   * modified field then the key, or the key alone with the modified field pinned by `eq` in the filter), the page is
   * read by walking the index from the cursor or from the filter's lower bound instead of scanning and sorting
   * `records`; the result is the same. Its key field must be `keyField`.
   */
  index?: OrderedIndex<T>;
  /** The parsed `$filter` whose compiled form is `filter`: its bounds on the index's fields choose where to start. */
  filterExpression?: FilterExpression;
  /** The row with this key, for filters that only list keys (`id eq A or id eq B`, `id in (…)`). */
  lookup?: (key: string) => T | undefined;
  /**
   * The rows whose `field` equals one of `values` compared case-insensitively (a superset is fine: the filter is
   * applied to them), for filters that list values of one field; undefined when the field has no equality index.
   */
  lookupBy?: (field: string, values: readonly string[]) => Iterable<T> | undefined;
}

/** One page and, when more rows follow, the token for the next one. */
export interface KeysetPage<T> {
  items: T[];
  nextSkipToken?: string;
  /** Rows looked at to answer (instrumentation: the cost of the read). */
  examined: number;
  /** Rows sorted to answer (0 when read through the index). */
  sorted: number;
}

/**
 * Returns the page after `skipToken` (or the first page) in `$orderby` + key order. Rows strictly after the cursor
 * qualify, so a page never repeats a row of an earlier page unless the row's sort key moved. Throws 400 on a bad token.
 */
export function paginateKeyset<T extends Record<string, unknown>>(request: KeysetPageRequest<T>): KeysetPage<T> {
  const get = request.getValue ?? ((r: T, path: string): unknown => r[path]);
  const terms = [
    ...request.orderBy.filter((t) => t.path !== request.keyField),
    { path: request.keyField, descending: false },
  ];
  const tupleOf = (r: T): unknown[] => terms.map((t) => get(r, t.path) ?? null);
  const compareTuples = (a: unknown[], b: unknown[]): number => {
    for (let i = 0; i < terms.length; i++) {
      const c = compareNullable(a[i], b[i], request.caseInsensitive, request.guidOrder);
      if (c !== 0) return terms[i].descending ? -c : c;
    }
    return 0;
  };
  const cursor = request.skipToken !== undefined ? decodeSkipToken(request.skipToken, request.errorCode) : undefined;
  if (cursor && cursor.last.length !== terms.length)
    throw new EmulatorError(400, request.errorCode ?? 'BadRequest', 'The skip token does not match the query.');
  const sent = cursor?.sent ?? 0;
  const remaining = request.top === undefined ? Infinity : Math.max(0, request.top - sent);
  if (remaining === 0) return { items: [], examined: 0, sorted: 0 };

  const candidates: { record: T; tuple: unknown[] }[] = [];
  const plan = request.index ? planIndexScan(request.index, terms, request, cursor) : undefined;
  let examined = 0;
  let sorted = 0;
  if (plan) {
    // In index order already: stop as soon as the page and one more row (to know that more follow) are found.
    const want = (cursor ? 0 : (request.skip ?? 0)) + Math.min(request.pageSize, remaining) + 1;
    for (const entry of request.index!.scan(plan.start)) {
      if (plan.stop(entry)) break;
      examined++;
      const record = entry.row;
      if (request.filter && !request.filter(record)) continue;
      const tuple = tupleOf(record);
      if (cursor && compareTuples(tuple, cursor.last) <= 0) continue;
      candidates.push({ record, tuple });
      if (candidates.length >= want) break;
    }
  } else {
    const source = (request.filterExpression && pointLookup(request, request.filterExpression)) ?? request.records;
    for (const record of source) {
      examined++;
      if (request.filter && !request.filter(record)) continue;
      const tuple = tupleOf(record);
      if (cursor && compareTuples(tuple, cursor.last) <= 0) continue;
      candidates.push({ record, tuple });
    }
    sorted = candidates.length;
    candidates.sort((a, b) => compareTuples(a.tuple, b.tuple));
  }
  if (!cursor && request.skip) candidates.splice(0, request.skip);
  const take = Math.min(request.pageSize, remaining);
  const page = candidates.slice(0, take);
  const more = candidates.length > take && sent + take < (request.top ?? Infinity);
  if (!more || page.length === 0) return { items: page.map((c) => c.record), examined, sorted };
  const last = page[page.length - 1];
  return {
    items: page.map((c) => c.record),
    nextSkipToken: encodeSkipToken({ last: last.tuple, sent: sent + page.length }),
    examined,
    sorted,
  };
}

/** Where to start walking the index and when to stop; undefined when the query's order is not the index's. */
function planIndexScan<T extends Record<string, unknown>>(
  index: OrderedIndex<T>,
  terms: readonly OrderByTerm[],
  request: KeysetPageRequest<T>,
  cursor: SkipTokenState | undefined,
): { start: ScanStart | undefined; stop: (entry: IndexEntry<T>) => boolean } | undefined {
  const mf = index.modifiedField;
  const kf = request.keyField;
  if (index.keyField !== kf || terms.some((t) => t.descending)) return undefined;
  const paths = terms.map((t) => t.path).join('\u0001');
  const parts = request.filterExpression ? conjuncts(request.filterExpression) : [];
  // Bounds on the modified field from `mf op <datetime>` conjuncts (every conjunct must hold, so any one bounds).
  let lower: Bound | undefined;
  let upper: Bound | undefined;
  let pinned: Bound | undefined;
  let keyLower: Bound | undefined;
  for (const part of parts) {
    const onModified = comparisonOn(part, mf, (l) => l.type === 'datetime');
    if (onModified) {
      if (onModified.op === 'eq') pinned ??= onModified;
      if (['ge', 'gt', 'eq'].includes(onModified.op)) lower ??= onModified;
      if (['le', 'lt', 'eq'].includes(onModified.op)) upper ??= onModified;
    }
    const onKey = comparisonOn(part, kf, (l) => typeof l.value === 'string' && isGuidText(l.value));
    if (onKey && ['gt', 'ge', 'eq'].includes(onKey.op)) keyLower ??= onKey;
  }
  let start: ScanStart | undefined;
  if (paths === `${mf}\u0001${kf}`) {
    if (cursor) start = { tuple: cursor.last, exclusive: true };
    else if (lower) start = { tuple: [lower.value], exclusive: lower.op === 'gt' };
  } else if (paths === kf && pinned) {
    // Every qualifying row has modified = X, so key order is (modified, key) order among them.
    if (cursor) start = { tuple: [pinned.value, cursor.last[0]], exclusive: true };
    else if (keyLower) start = { tuple: [pinned.value, keyLower.value], exclusive: keyLower.op === 'gt' };
    else start = { tuple: [pinned.value], exclusive: false };
    upper = pinned;
  } else return undefined;
  const ci = request.caseInsensitive;
  const guidOrder = request.guidOrder;
  const stop = upper
    ? (entry: IndexEntry<T>): boolean => {
        const c = compareNullable(entry.modified ?? null, upper.value, ci, guidOrder);
        return upper.op === 'lt' ? c >= 0 : c > 0;
      }
    : (): boolean => false;
  return { start, stop };
}

interface Bound {
  op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
  value: unknown;
}

function conjuncts(e: FilterExpression): FilterExpression[] {
  return e.kind === 'and' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

const FLIPPED = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' } as const;

/** `path op literal` (or `literal op path`, flipped) when the literal passes `accept`. */
function comparisonOn(
  e: FilterExpression,
  path: string,
  accept: (literal: Extract<FilterExpression, { kind: 'literal' }>) => boolean,
): Bound | undefined {
  if (e.kind !== 'compare') return undefined;
  if (e.left.kind === 'property' && e.left.path === path && e.right.kind === 'literal' && accept(e.right))
    return { op: e.op, value: e.right.value };
  if (e.right.kind === 'property' && e.right.path === path && e.left.kind === 'literal' && accept(e.left))
    return { op: FLIPPED[e.op], value: e.left.value };
  return undefined;
}

function isGuidText(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

/**
 * `field eq 'v1' or field eq 'v2' …` (or `field in (…)`) on one field with plain string literals: the field and the
 * values; otherwise undefined. Plain: not a number or a datetime, whose equality the filter decides by value, not text.
 */
function equalityList(e: FilterExpression): { field: string; values: string[] } | undefined {
  if (e.kind === 'or') {
    const left = equalityList(e.left);
    const right = left && equalityList(e.right);
    return left && right && left.field === right.field
      ? { field: left.field, values: [...left.values, ...right.values] }
      : undefined;
  }
  if (e.kind === 'in' && e.left.kind === 'property') {
    const values = e.values.map((v) => (v.kind === 'literal' && isPlainText(v.value) ? v.value : undefined));
    return values.every((v) => v !== undefined) ? { field: e.left.path, values: values } : undefined;
  }
  if (e.kind !== 'compare' || e.op !== 'eq') return undefined;
  const [property, literal] = e.left.kind === 'property' ? [e.left, e.right] : [e.right, e.left];
  if (property.kind !== 'property' || literal.kind !== 'literal' || !isPlainText(literal.value)) return undefined;
  return { field: property.path, values: [literal.value] };
}

function isPlainText(value: unknown): value is string {
  return (
    typeof value === 'string' && value.trim() !== '' && Number.isNaN(Number(value)) && !/^\d{4}-\d\d-\d\d/.test(value)
  );
}

/**
 * The rows a filter can only match when one of its conjuncts lists values of one field (the key, or a field with an
 * equality index): looked up instead of scanned; the whole filter is still applied to them. Undefined: scan.
 */
function pointLookup<T extends Record<string, unknown>>(
  request: KeysetPageRequest<T>,
  expression: FilterExpression,
): T[] | undefined {
  for (const part of conjuncts(expression)) {
    const list = equalityList(part);
    if (!list) continue;
    if (list.field === request.keyField && request.lookup && list.values.every(isGuidText)) {
      const seen = new Set<string>();
      const rows: T[] = [];
      for (const key of list.values) {
        if (seen.has(key.toLowerCase())) continue;
        seen.add(key.toLowerCase());
        const row = request.lookup(key);
        if (row !== undefined) rows.push(row);
      }
      return rows;
    }
    const rows = request.lookupBy?.(list.field, list.values);
    if (rows) return [...rows];
  }
  return undefined;
}
