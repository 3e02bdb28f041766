import { andFilters } from './odata';

/**
 * Keyset reading of "records changed since a cursor" in (modified-on, id) order, shared by both connectors.
 *
 * Why it looks like this:
 * - Business Central rejects `or` across distinct fields, so the classic keyset filter
 *   `modified gt X or (modified eq X and id gt G)` cannot be sent. Instead we ask for `modified ge X` ordered by
 *   (modified, id) and drop the records already returned at exactly X; the cursor remembers their ids.
 * - Servers order GUIDs their own way (SQL Server compares uniqueidentifier bytes from the last group first), so the
 *   connector never compares ids itself. Correctness of the default path depends only on timestamp order.
 * - The cursor must stay small (it travels through workflow history), so it keeps at most `cursorIdLimit` ids. When a
 *   single timestamp holds more records than that (bulk updates, seeded data), the reader switches for that group to
 *   `modified eq X and id gt G` ordered by id, where G is the last id returned: the server compares the ids with the
 *   same ordering it sorted them by, then continues with `modified gt X`.
 * - `@odata.nextLink` is followed verbatim; no `$skip` is ever built.
 */

/** Position after the last record returned: its modified-on value and the ids returned at exactly that instant. */
export interface ChangeCursor {
  /** The modified-on value of the last record returned, exactly as the server sent it (ISO-8601 UTC). */
  modifiedAt: string;
  /** Ids already returned whose modified-on equals `modifiedAt`, in server order (the last one is the latest). */
  ids: string[];
}

export interface ChangedPage<T> {
  /** Up to `pageSize` records strictly after the cursor, in (modified-on, id) order. */
  records: T[];
  /** Cursor for the next call, or null when no more records existed at read time. */
  next: ChangeCursor | null;
  /** The position after this page (equals `next` when more may follow); null only when nothing was ever read. */
  position: ChangeCursor | null;
}

export interface ChangedPageQuery {
  /** Full `$filter` expression (already combined with the caller's filter). */
  filter: string | undefined;
  /** `$orderby` value. */
  orderBy: string;
  /** Preferred server page size for this query. */
  pageSizeHint: number;
}

/** Reads one query through server-driven paging, yielding each page. */
export type PagedQuery<T> = (query: ChangedPageQuery) => AsyncIterable<T[]>;

export interface ChangedPageSpec<T> {
  modifiedField: string;
  keyField: string;
  query: PagedQuery<T>;
  modifiedOf: (record: T) => string;
  keyOf: (record: T) => string;
  /** Formats a cursor timestamp as a filter literal (validated). */
  dateTime: (value: string) => string;
  /** Formats an id as a filter literal (validated). */
  key: (value: string) => string;
  maxPageSize: number;
  cursorIdLimit: number;
}

export interface ReadChangedPageArgs {
  /** Cursor from the previous page, or null to start from the beginning. */
  after: ChangeCursor | null;
  /** Inclusive upper bound on modified-on (ISO-8601), e.g. the pass start. */
  until?: string;
  /** Records a page holds at most. */
  pageSize: number;
  /** Extra `$filter`, combined with the keyset filter by `and`. */
  filter?: string;
}

/** Reads the next page of changed records after `args.after`; see the module comment for the strategy. */
export async function readChangedPage<T>(spec: ChangedPageSpec<T>, args: ReadChangedPageArgs): Promise<ChangedPage<T>> {
  const { modifiedField: mf, keyField: kf } = spec;
  const pageSize = Math.max(1, Math.floor(args.pageSize));
  const after = args.after;
  const upper = args.until !== undefined ? `${mf} le ${spec.dateTime(args.until)}` : undefined;
  const atMs = after ? Date.parse(after.modifiedAt) : NaN;
  const seen = new Set(after?.ids ?? []);
  const collected: T[] = [];
  let more = false;
  const enough = Math.max(1, pageSize - seen.size);

  const take = async (query: ChangedPageQuery): Promise<boolean> => {
    // Returns true when the query was read to its end.
    for await (const page of spec.query(query)) {
      for (const record of page) {
        if (seen.size && Date.parse(spec.modifiedOf(record)) === atMs && seen.has(spec.keyOf(record))) continue;
        collected.push(record);
      }
      // Stop once the page is (nearly) full instead of fetching another server page to be sure: a full page means
      // "probably more" (at the very end that costs one call returning nothing), and when the server caps the page
      // size the records re-read at the cursor's instant may leave a page up to `seen.size` short of `pageSize`.
      if (collected.length >= enough) return false;
    }
    return true;
  };

  let rest: string | undefined;
  if (after && after.ids.length >= spec.cursorIdLimit) {
    const last = after.ids[after.ids.length - 1];
    const at = spec.dateTime(after.modifiedAt);
    const done = await take({
      filter: andFilters(args.filter, `${mf} eq ${at}`, `${kf} gt ${spec.key(last)}`, upper),
      orderBy: kf,
      pageSizeHint: Math.min(spec.maxPageSize, pageSize),
    });
    if (!done) more = true;
    rest = `${mf} gt ${at}`;
  } else if (after) {
    rest = `${mf} ge ${spec.dateTime(after.modifiedAt)}`;
  }
  if (!more) {
    const done = await take({
      filter: andFilters(args.filter, rest, upper),
      orderBy: `${mf},${kf}`,
      pageSizeHint: Math.min(spec.maxPageSize, pageSize + seen.size),
    });
    more = !done;
  }
  if (collected.length > pageSize) {
    collected.length = pageSize;
    more = true;
  }

  const position = positionAfter(spec, after, collected);
  return { records: collected, next: more ? position : null, position };
}

function positionAfter<T>(spec: ChangedPageSpec<T>, after: ChangeCursor | null, records: T[]): ChangeCursor | null {
  if (records.length === 0) return after;
  const last = records[records.length - 1];
  const modifiedAt = spec.modifiedOf(last);
  const lastMs = Date.parse(modifiedAt);
  const ids: string[] = [];
  if (after && Date.parse(after.modifiedAt) === lastMs) ids.push(...after.ids);
  for (const record of records) {
    if (Date.parse(spec.modifiedOf(record)) === lastMs) ids.push(spec.keyOf(record));
  }
  // Keep the newest ids only: beyond the limit the id-keyset path takes over and needs just the last one.
  const bounded = ids.length > spec.cursorIdLimit ? ids.slice(ids.length - spec.cursorIdLimit) : ids;
  return { modifiedAt, ids: bounded };
}
