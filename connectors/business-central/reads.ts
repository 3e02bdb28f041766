/**
 * The reading half of a Business Central client: changed-record pages, listings, look-ups by id or filter.
 */
import { readCollectionChanges } from '../http/collection-changes';
import { readByIds } from '../http/id-chunks';
import { parseJsonBody, valueOf } from '../http/json-body';
import { guidLiteral, queryString, selectWith } from '../http/odata';
import { clamp, sig } from '../http/util';
import { type BcContext, SERVICE } from './context';
import { type BcEntityMap, type BcEntitySet } from './entity-sets';
import { type BcQueryOptions, type BcReadChangedPageArgs, type BusinessCentralClient } from './types';

export type BcReads = Pick<BusinessCentralClient, 'readChangedPage' | 'listAll' | 'getByIds' | 'get' | 'findOne'>;

/** The read operations of a client over `ctx`; see BusinessCentralClient for each one's contract. */
export function createBcReads(ctx: BcContext): BcReads {
  const { reader, maxPageSize } = ctx;
  const changes = { reader, maxPageSize, cursorIdLimit: ctx.core.cursorIdLimit };

  return {
    async readChangedPage<S extends BcEntitySet>(args: BcReadChangedPageArgs<S>) {
      const url = await ctx.collectionUrl(args.entitySet, args.signal);
      return readCollectionChanges<BcEntityMap[S]>(
        changes,
        { url, name: args.entitySet, modifiedField: 'lastModifiedDateTime', keyField: 'id' },
        args,
      );
    },

    async *listAll(args) {
      const url =
        (await ctx.collectionUrl(args.entitySet, args.signal)) +
        queryString({
          $filter: args.filter,
          $select: selectWith(args.select, ['id']),
          $expand: args.expand,
          $orderby: args.orderBy,
        });
      yield* reader.pages(url, `GET ${args.entitySet}`, clamp(args.pageSize ?? maxPageSize, 1, 20_000), args.signal);
    },

    async getByIds<S extends BcEntitySet>(entitySet: S, ids: readonly string[], opts: BcQueryOptions = {}) {
      const base = await ctx.collectionUrl(entitySet, opts.signal);
      // 40 GUIDs a filter keep the URL well under common 8 KB limits.
      return readByIds<BcEntityMap[S]>(ids, { keyField: 'id', chunkSize: 40, service: SERVICE }, (filter) =>
        reader.pages(
          base + queryString({ $filter: filter, $select: selectWith(opts.select, ['id']), $expand: opts.expand }),
          `GET ${entitySet}`,
          maxPageSize,
          opts.signal,
        ),
      );
    },

    async get<S extends BcEntitySet>(entitySet: S, id: string, opts: BcQueryOptions = {}) {
      const url =
        `${await ctx.collectionUrl(entitySet, opts.signal)}(${guidLiteral(id, SERVICE)})` +
        queryString({ $select: selectWith(opts.select, ['id']), $expand: opts.expand });
      const description = `GET ${entitySet}(${id})`;
      const res = await ctx.http.request(
        { method: 'GET', url, idempotent: true, description, ...sig(opts.signal) },
        [404],
      );
      if (res.status === 404) return null;
      return parseJsonBody(res, SERVICE, description) as BcEntityMap[S];
    },

    async findOne<S extends BcEntitySet>(entitySet: S, filter: string, opts: BcQueryOptions = {}) {
      const url =
        (await ctx.collectionUrl(entitySet, opts.signal)) +
        queryString({ $filter: filter, $top: '1', $select: selectWith(opts.select, ['id']), $expand: opts.expand });
      const body = await reader.getJson(url, `GET ${entitySet}`, {
        prefer: 'odata.maxpagesize=1',
        ...sig(opts.signal),
      });
      return valueOf<BcEntityMap[S]>(body, SERVICE, `GET ${entitySet}`)[0] ?? null;
    },
  };
}
