// Server-driven paging by keyset, shared by both emulators. The opaque `$skiptoken` carries the sort-key values and
// the key of the last row sent, never an offset: rows inserted, changed or deleted between two page requests do not
// shift later pages (a row whose sort key moves behind the cursor is seen again, one that moves before it is not —
// exactly like a keyset query in SQL).

import { EmulatorError } from './errors';
import type { GuidOrder } from './odata-filter';
import { compareNullable, type OrderByTerm } from './odata-query';

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
}

/** One page and, when more rows follow, the token for the next one. */
export interface KeysetPage<T> {
  items: T[];
  nextSkipToken?: string;
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
  if (remaining === 0) return { items: [] };

  const candidates: { record: T; tuple: unknown[] }[] = [];
  for (const record of request.records) {
    if (request.filter && !request.filter(record)) continue;
    const tuple = tupleOf(record);
    if (cursor && compareTuples(tuple, cursor.last) <= 0) continue;
    candidates.push({ record, tuple });
  }
  candidates.sort((a, b) => compareTuples(a.tuple, b.tuple));
  if (!cursor && request.skip) candidates.splice(0, request.skip);
  const take = Math.min(request.pageSize, remaining);
  const page = candidates.slice(0, take);
  const more = candidates.length > take && sent + take < (request.top ?? Infinity);
  if (!more || page.length === 0) return { items: page.map((c) => c.record) };
  const last = page[page.length - 1];
  return {
    items: page.map((c) => c.record),
    nextSkipToken: encodeSkipToken({ last: last.tuple, sent: sent + page.length }),
  };
}
