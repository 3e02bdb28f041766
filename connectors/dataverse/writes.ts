/**
 * Single-row writes of a Dataverse client: create with a client-chosen id (`PATCH` + `If-None-Match: *`, or `POST`
 * with the id in the body for a deep insert), update
 * (`PATCH` + `If-Match`) and delete, each answered with the row's representation where there is one.
 */
import { type HttpResponse } from '../http/http-core';
import { parseJsonBody } from '../http/json-body';
import { queryString } from '../http/odata';
import { sig } from '../http/util';
import { type DvPrecondition } from './classify-error';
import { type DvContext, SERVICE } from './context';
import { type DvEntitySet, type DvRecord, primaryKeyOf } from './entity-sets';
import { type DataverseClient, type DvWriteOptions } from './types';

export type DvWrites = Pick<DataverseClient, 'create' | 'createWithId' | 'update' | 'delete'>;

/** The single-row writes of a client over `ctx`; see DataverseClient for each one's contract. */
export function createDvWrites(ctx: DvContext): DvWrites {
  async function write(
    method: 'PATCH' | 'DELETE',
    set: DvEntitySet,
    id: string,
    headers: Record<string, string>,
    precondition: DvPrecondition,
    body: Record<string, unknown> | undefined,
    opts: DvWriteOptions,
  ): Promise<HttpResponse> {
    const url =
      method === 'PATCH'
        ? `${ctx.rowUrl(set, id)}${queryString({ $select: ctx.writeSelect(set, opts.select) })}`
        : ctx.rowUrl(set, id);
    return ctx.http(precondition).request({
      method,
      url,
      headers: body ? { 'Content-Type': 'application/json', Prefer: 'return=representation', ...headers } : headers,
      ...(body ? { body: JSON.stringify(body) } : {}),
      idempotent: true,
      description: `${method} ${set}(${id})`,
      recordKey: id,
      ...sig(opts.signal),
    });
  }

  return {
    async createWithId(set, id, body, opts = {}) {
      const res = await write('PATCH', set, id, { 'If-None-Match': '*' }, 'if-none-match', body, opts);
      return representation(res, set, id);
    },

    async create(set, body, opts = {}) {
      const id = body[primaryKeyOf(set)];
      if (typeof id !== 'string') throw new Error(`a create of ${set} needs its id (${primaryKeyOf(set)}) in the body`);
      const description = `POST ${set} (${id})`;
      // The id in the body makes a repeat answer "already exists" (412, DuplicateKeyError) instead of duplicating.
      const res = await ctx.http('if-none-match').request({
        method: 'POST',
        url: `${ctx.setUrl(set)}${queryString({ $select: ctx.writeSelect(set, opts.select) })}`,
        headers: { 'Content-Type': 'application/json', Prefer: 'return=representation' },
        body: JSON.stringify(body),
        idempotent: true,
        description,
        recordKey: id,
        ...sig(opts.signal),
      });
      if (res.status === 204 || !res.text) return representation(res, set, id);
      return parseJsonBody(res, SERVICE, description);
    },

    async update(set, id, body, etag, opts = {}) {
      const res = await write('PATCH', set, id, { 'If-Match': etag ?? '*' }, 'if-match', body, opts);
      return representation(res, set, id);
    },

    async delete(set, id, etag, opts = {}) {
      await write('DELETE', set, id, etag ? { 'If-Match': etag } : {}, 'if-match', undefined, opts);
    },
  };
}

/** The row a PATCH answered with; without a body (204), its key and the `ETag` header. */
function representation(res: HttpResponse, set: DvEntitySet, id: string): DvRecord {
  if (res.status === 204 || !res.text) {
    const etag = res.headers.get('etag');
    return { [primaryKeyOf(set)]: id, ...(etag ? { '@odata.etag': etag } : {}) };
  }
  return parseJsonBody(res, SERVICE, `PATCH ${set}(${id})`);
}
