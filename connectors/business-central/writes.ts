/**
 * Single-record writes of a Business Central client: POST, PATCH and DELETE with `If-Match`.
 */
import { parseJsonBody } from '../http/json-body';
import { guidLiteral } from '../http/odata';
import { sig } from '../http/util';
import { type BcContext, SERVICE } from './context';
import { type BcEntityMap, type BcEntitySet } from './entity-sets';
import { type BusinessCentralClient } from './types';

export type BcWrites = Pick<BusinessCentralClient, 'create' | 'update' | 'delete'>;

/** The single-record writes of a client over `ctx`; see BusinessCentralClient for each one's contract. */
export function createBcWrites(ctx: BcContext): BcWrites {
  const recordUrl = async (set: BcEntitySet, id: string, signal?: AbortSignal): Promise<string> =>
    `${await ctx.collectionUrl(set, signal)}(${guidLiteral(id, SERVICE)})`;

  return {
    async create<S extends BcEntitySet>(
      entitySet: S,
      body: Record<string, unknown>,
      opts: { signal?: AbortSignal } = {},
    ) {
      const description = `POST ${entitySet}`;
      const res = await ctx.http.request({
        method: 'POST',
        url: await ctx.collectionUrl(entitySet, opts.signal),
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        idempotent: false,
        description,
        ...sig(opts.signal),
      });
      return parseJsonBody(res, SERVICE, description) as BcEntityMap[S];
    },

    async update<S extends BcEntitySet>(
      entitySet: S,
      id: string,
      etag: string,
      patch: Record<string, unknown>,
      opts: { signal?: AbortSignal } = {},
    ) {
      const description = `PATCH ${entitySet}(${id})`;
      const res = await ctx.http.request({
        method: 'PATCH',
        url: await recordUrl(entitySet, id, opts.signal),
        headers: { 'Content-Type': 'application/json', 'If-Match': etag },
        body: JSON.stringify(patch),
        idempotent: true,
        description,
        recordKey: id,
        ...sig(opts.signal),
      });
      return parseJsonBody(res, SERVICE, description) as BcEntityMap[S];
    },

    async delete(entitySet: BcEntitySet, id: string, etag: string, opts: { signal?: AbortSignal } = {}) {
      await ctx.http.request({
        method: 'DELETE',
        url: await recordUrl(entitySet, id, opts.signal),
        headers: { 'If-Match': etag },
        idempotent: true,
        description: `DELETE ${entitySet}(${id})`,
        recordKey: id,
        ...sig(opts.signal),
      });
    },
  };
}
