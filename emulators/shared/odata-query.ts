// The other OData system query options both emulators share: $select, $orderby, $top, $expand (with nested options)
// and `Prefer: odata.maxpagesize`. Each parser throws `EmulatorError(400)` with the caller's error code.

import { EmulatorError } from './errors';
import { compareValues, type GuidOrder } from './odata-filter';

/** One `$orderby` term. */
export interface OrderByTerm {
  path: string;
  descending: boolean;
}

/** One `$expand` item with its raw nested options (`$select`, `$filter`, `$orderby`, `$top`, `$expand`). */
export interface ExpandItem {
  name: string;
  options: Record<string, string>;
}

/** Splits on `separator` at parenthesis depth 0, outside quoted strings. */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    if (!quoted && depth === 0 && ch === separator) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/**
 * Parses `$select` into property names; `undefined` or `*` → undefined (all properties). Throws 400 on an empty item.
 */
export function parseSelect(raw: string | undefined, errorCode = 'BadRequest'): string[] | undefined {
  if (raw === undefined || raw.trim() === '*') return undefined;
  const names = raw.split(',').map((s) => s.trim());
  if (names.some((n) => n.length === 0 || !/^[\w@.]+(?:\/[\w@.]+)*$/.test(n)))
    throw new EmulatorError(400, errorCode, `The $select value '${raw}' is not valid.`);
  return names;
}

/** Parses `$orderby` (`a desc, b`). Throws 400 on a malformed term. */
export function parseOrderBy(raw: string | undefined, errorCode = 'BadRequest'): OrderByTerm[] {
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((term) => {
    const m = /^\s*([\w@.]+(?:\/[\w@.]+)*)(?:\s+(asc|desc))?\s*$/i.exec(term);
    if (!m) throw new EmulatorError(400, errorCode, `The $orderby value '${raw}' is not valid.`);
    return { path: m[1], descending: (m[2] ?? 'asc').toLowerCase() === 'desc' };
  });
}

/** Parses `$top` (a non-negative integer) or undefined. Throws 400 otherwise. */
export function parseTop(raw: string | undefined, errorCode = 'BadRequest'): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()))
    throw new EmulatorError(400, errorCode, `Invalid value '${raw}' for $top query option found.`);
  return Number(raw.trim());
}

/** Parses `$expand` (`lines($select=a,b;$top=5),customer`) into items with raw nested options. Throws 400. */
export function parseExpand(raw: string | undefined, errorCode = 'BadRequest'): ExpandItem[] {
  if (raw === undefined || raw.trim() === '') return [];
  return splitTopLevel(raw, ',').map((item) => {
    const open = item.indexOf('(');
    if (open < 0) {
      if (!/^[\w@.]+$/.test(item)) throw new EmulatorError(400, errorCode, `The $expand value '${raw}' is not valid.`);
      return { name: item, options: {} };
    }
    if (!item.endsWith(')')) throw new EmulatorError(400, errorCode, `The $expand value '${raw}' is not valid.`);
    const name = item.slice(0, open).trim();
    const options: Record<string, string> = {};
    for (const opt of splitTopLevel(item.slice(open + 1, -1), ';')) {
      const eq = opt.indexOf('=');
      if (eq < 0) throw new EmulatorError(400, errorCode, `The $expand option '${opt}' is not valid.`);
      options[opt.slice(0, eq).trim()] = opt.slice(eq + 1).trim();
    }
    return { name, options };
  });
}

/**
 * Reads `odata.maxpagesize=N` from a Prefer header (several preferences may be comma-separated). Returns undefined
 * when absent; throws 400 when it is not a positive integer.
 */
export function parseMaxPageSize(prefer: string | undefined, errorCode = 'BadRequest'): number | undefined {
  if (!prefer) return undefined;
  const m = /(?:^|[,;\s])odata\.maxpagesize\s*=\s*"?([^",;\s]*)"?/i.exec(prefer);
  if (!m) return undefined;
  if (!/^\d+$/.test(m[1]) || Number(m[1]) === 0)
    throw new EmulatorError(400, errorCode, `The odata.maxpagesize preference '${m[1]}' is not valid.`);
  return Number(m[1]);
}

/** Whether a Prefer header contains the given preference token (e.g. `return=representation`). */
export function hasPreference(prefer: string | undefined, token: string): boolean {
  if (!prefer) return false;
  return prefer
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .some((p) => p === token.toLowerCase() || p.startsWith(`${token.toLowerCase()};`));
}

/**
 * Builds a comparator for `$orderby` terms plus a final tie-break on `keyField` (ascending), so the order is total
 * and keyset paging is stable. Nulls sort first (as SQL Server does).
 */
export function makeComparator<T = Record<string, unknown>>(
  terms: readonly OrderByTerm[],
  keyField: string,
  options: { caseInsensitive: boolean; getValue?: (record: T, path: string) => unknown; guidOrder?: GuidOrder },
): (a: T, b: T) => number {
  const get = options.getValue ?? ((r: T, path: string): unknown => (r as Record<string, unknown>)[path]);
  const all = [...terms.filter((t) => t.path !== keyField), { path: keyField, descending: false }];
  return (a, b) => {
    for (const term of all) {
      const c = compareNullable(get(a, term.path), get(b, term.path), options.caseInsensitive, options.guidOrder);
      if (c !== 0) return term.descending ? -c : c;
    }
    return 0;
  };
}

/** Orders possibly-null values: null first, then `compareValues`; incomparable values fall back to string order. */
export function compareNullable(
  a: unknown,
  b: unknown,
  caseInsensitive: boolean,
  guidOrder: GuidOrder = 'text',
): number {
  if (a == null || b == null) return a == null && b == null ? 0 : a == null ? -1 : 1;
  const c = compareValues(a, b, caseInsensitive, guidOrder);
  if (c !== undefined) return c;
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  return sa === sb ? 0 : sa < sb ? -1 : 1;
}

/** Projects a record to the `$select`ed properties plus the ones that are always returned (etag, key). */
export function applySelect(
  record: Record<string, unknown>,
  select: readonly string[] | undefined,
  alwaysInclude: readonly string[],
): Record<string, unknown> {
  if (!select) return record;
  const out: Record<string, unknown> = {};
  for (const key of alwaysInclude) if (key in record) out[key] = record[key];
  for (const key of select) if (key in record) out[key] = record[key];
  return out;
}
