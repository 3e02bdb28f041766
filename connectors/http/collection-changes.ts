/**
 * `readChangedPage` over an OData collection whose records have a GUID key: the keyset strategy of
 * changed-page-reader.ts, with its queries sent as `$filter`/`$orderby` GETs through an ODataReader.
 */
import { type ChangedPage, readChangedPage, type ReadChangedPageArgs } from './changed-page-reader';
import { dateTimeLiteral, guidLiteral, queryString, selectWith } from './odata';
import { type ODataReader } from './odata-pages';

/** The client-wide part: where queries go and the limits of the service. */
export interface ChangesSource {
  reader: ODataReader;
  /** The service's largest page size. */
  maxPageSize: number;
  /** Ids a cursor keeps for one timestamp before switching to id keyset paging. */
  cursorIdLimit: number;
}

/** One collection: its URL and the two fields the keyset is made of. */
export interface ChangesCollection {
  /** The collection's URL without a query, e.g. `…/companies(…)/customers`. */
  url: string;
  /** The entity set's name, for messages (`GET customers`). */
  name: string;
  /** The modified-on field (`lastModifiedDateTime`, `modifiedon`); its values are ISO-8601 datetimes. */
  modifiedField: string;
  /** The GUID key field (`id`, `accountid`). */
  keyField: string;
}

export interface ReadCollectionChangesArgs extends ReadChangedPageArgs {
  /** `$select` fields; both keyset fields are added. (Default: all fields) */
  select?: readonly string[];
  /** `$expand` expression. */
  expand?: string;
  signal?: AbortSignal;
}

/**
 * The next `args.pageSize` records of `collection` strictly after `args.after` in (modified-on, key) order. Throws
 * ValidationError when the cursor holds a value that is not a datetime or GUID, and whatever the reader throws.
 */
export function readCollectionChanges<T>(
  source: ChangesSource,
  collection: ChangesCollection,
  args: ReadCollectionChangesArgs,
): Promise<ChangedPage<T>> {
  const { reader } = source;
  const { modifiedField, keyField } = collection;
  const select = selectWith(args.select, [keyField, modifiedField]);
  const field = (record: T, name: string): string => String((record as Record<string, unknown>)[name]);
  return readChangedPage<T>(
    {
      modifiedField,
      keyField,
      maxPageSize: source.maxPageSize,
      cursorIdLimit: source.cursorIdLimit,
      modifiedOf: (r) => field(r, modifiedField),
      keyOf: (r) => field(r, keyField),
      dateTime: (v) => dateTimeLiteral(v, reader.service),
      key: (v) => guidLiteral(v, reader.service),
      query: (q) =>
        reader.pages<T>(
          collection.url +
            queryString({ $filter: q.filter, $orderby: q.orderBy, $select: select, $expand: args.expand }),
          `GET ${collection.name}`,
          q.pageSizeHint,
          args.signal,
        ),
    },
    {
      after: args.after,
      pageSize: args.pageSize,
      ...(args.until !== undefined ? { until: args.until } : {}),
      ...(args.filter !== undefined ? { filter: args.filter } : {}),
    },
  );
}
