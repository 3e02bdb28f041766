/**
 * The reading half of a Dataverse client: changed-row pages, listings, look-ups by id or filter.
 */
import { readCollectionChanges } from '../http/collection-changes';
import { readByIds } from '../http/id-chunks';
import { parseJsonBody, valueOf } from '../http/json-body';
import { queryString, selectWith } from '../http/odata';
import { clamp, sig } from '../http/util';
import { type DvContext, SERVICE } from './context';
import { type DvRecord, primaryKeyOf } from './entity-sets';
import { type DataverseClient } from './types';

export type DvReads = Pick<DataverseClient, 'readChangedPage' | 'listAll' | 'getByIds' | 'get' | 'findOne'>;

/** The read operations of a client over `ctx`; see DataverseClient for each one's contract. */
export function createDvReads(ctx: DvContext): DvReads {
  const { reader, maxPageSize } = ctx;
  const changes = { reader, maxPageSize, cursorIdLimit: ctx.core.cursorIdLimit };

  return {
    async readChangedPage(args) {
      const collection = { url: ctx.setUrl(args.entitySet), name: args.entitySet, modifiedField: 'modifiedon' };
      return readCollectionChanges<DvRecord>(changes, { ...collection, keyField: primaryKeyOf(args.entitySet) }, args);
    },

    async *listAll(args) {
      const url =
        ctx.setUrl(args.entitySet) +
        queryString({
          $select: selectWith(args.select, [primaryKeyOf(args.entitySet)]),
          $filter: args.filter,
          $orderby: args.orderBy,
          $expand: args.expand,
        });
      yield* reader.pages<DvRecord>(
        url,
        `GET ${args.entitySet}`,
        clamp(args.pageSize ?? maxPageSize, 1, 5000),
        args.signal,
      );
    },

    async getByIds(set, ids, opts = {}) {
      const pk = primaryKeyOf(set);
      return readByIds<DvRecord>(ids, { keyField: pk, chunkSize: 50, service: SERVICE }, (filter) =>
        reader.pages(
          ctx.setUrl(set) +
            queryString({ $select: selectWith(opts.select, [pk]), $filter: filter, $expand: opts.expand }),
          `GET ${set}`,
          maxPageSize,
          opts.signal,
        ),
      );
    },

    async get(set, id, opts = {}) {
      const url =
        ctx.rowUrl(set, id) +
        queryString({ $select: selectWith(opts.select, [primaryKeyOf(set)]), $expand: opts.expand });
      const description = `GET ${set}(${id})`;
      const res = await ctx
        .http()
        .request({ method: 'GET', url, idempotent: true, description, ...sig(opts.signal) }, [404]);
      if (res.status === 404) return null;
      return parseJsonBody(res, SERVICE, description);
    },

    async findOne(set, filter, opts = {}) {
      const url =
        ctx.setUrl(set) +
        queryString({
          $select: selectWith(opts.select, [primaryKeyOf(set)]),
          $filter: filter,
          $top: '1',
          $expand: opts.expand,
        });
      // No maxpagesize here: Dataverse ignores $top when it is present.
      const body = await reader.getJson(url, `GET ${set}`, sig(opts.signal));
      return valueOf<DvRecord>(body, SERVICE, `GET ${set}`)[0] ?? null;
    },
  };
}
