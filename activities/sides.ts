/**
 * One interface over the two APIs for the sync activities: a mapping side (Business Central or Dataverse) read in
 * (modified-on, id) keyset order, fetched by ids, and written in batches with one result per record.
 */
import type { BusinessCentralClient, BcEntitySet, BcWriteOp } from '../connectors/business-central';
import type { ChangeCursor, DataverseClient, DvEntitySet, DvWriteOp } from '../connectors/dataverse';
import type { ConnectorError } from '../connectors/http';
import type { IntegrationTableMapping } from '../mappings';
import type { Side } from '../engine/run-types';

export type ApiRecord = Record<string, unknown>;

/** One write for `writeBatch`: a create (with a client-chosen id on Dataverse) or an update with the record's etag. */
export type SideWrite =
  | { kind: 'create'; id: string | null; body: Record<string, unknown> }
  | { kind: 'update'; id: string; etag: string | null; body: Record<string, unknown> };

/** `readBack`: the answer was lost and `record` read back afterwards (it may also hold a change made since). */
export type SideWriteResult =
  { ok: true; record: ApiRecord | null; readBack?: true } | { ok: false; error: ConnectorError };

export interface SideApi {
  readonly side: Side;
  /** The key property (`id`, `accountid`, …). */
  readonly key: string;
  /** The modified-on property (`lastModifiedDateTime`, `modifiedon`). */
  readonly modifiedField: string;
  readChangedPage(args: {
    after: ChangeCursor | null;
    until: string;
    pageSize: number;
    signal?: AbortSignal;
  }): Promise<{ records: ApiRecord[]; next: ChangeCursor | null; position: ChangeCursor | null }>;
  getByIds(ids: readonly string[], signal?: AbortSignal): Promise<ApiRecord[]>;
  get(id: string, signal?: AbortSignal): Promise<ApiRecord | null>;
  findOne(filter: string, signal?: AbortSignal): Promise<ApiRecord | null>;
  /** Every record matching `filter` (all pages). */
  list(filter: string, signal?: AbortSignal): Promise<ApiRecord[]>;
  writeBatch(writes: readonly SideWrite[], signal?: AbortSignal): Promise<SideWriteResult[]>;
}

export interface Connectors {
  bc: BusinessCentralClient;
  dv: DataverseClient;
}

/** The API of one side of `mapping`. */
export function sideApi(connectors: Connectors, mapping: IntegrationTableMapping, side: Side): SideApi {
  return side === 'bc' ? bcSide(connectors.bc, mapping) : dvSide(connectors.dv, mapping);
}

function bcSide(bc: BusinessCentralClient, mapping: IntegrationTableMapping): SideApi {
  const entitySet = mapping.bc.entitySet as BcEntitySet;
  const filter = mapping.bc.filter || undefined;
  return {
    side: 'bc',
    key: mapping.bc.key,
    modifiedField: mapping.bc.modifiedField,
    async readChangedPage(a) {
      const page = await bc.readChangedPage({
        entitySet,
        after: a.after,
        until: a.until,
        pageSize: a.pageSize,
        filter,
        signal: a.signal,
      });
      return { records: page.records, next: page.next, position: page.position };
    },
    async getByIds(ids, signal) {
      return await bc.getByIds(entitySet, ids, { signal });
    },
    async get(id, signal) {
      return await bc.get(entitySet, id, { signal });
    },
    async findOne(f, signal) {
      return await bc.findOne(entitySet, f, { signal });
    },
    async list(f, signal) {
      const out: ApiRecord[] = [];
      for await (const page of bc.listAll({ entitySet, filter: f, signal })) out.push(...page);
      return out;
    },
    async writeBatch(writes, signal) {
      const ops: BcWriteOp[] = writes.map((w) =>
        w.kind === 'create'
          ? { kind: 'create', entitySet, body: w.body }
          : { kind: 'update', entitySet, id: w.id, etag: w.etag ?? '*', body: w.body },
      );
      const results = await bc.writeBatch(ops, { signal });
      return results.map((r) =>
        r.ok ? { ok: true, record: r.record as ApiRecord | null, ...(r.readBack ? { readBack: true } : {}) } : r,
      );
    },
  };
}

function dvSide(dv: DataverseClient, mapping: IntegrationTableMapping): SideApi {
  const set = mapping.dataverse.entitySet as DvEntitySet;
  const filter = mapping.dataverse.filter || undefined;
  return {
    side: 'dataverse',
    key: mapping.dataverse.key,
    modifiedField: mapping.dataverse.modifiedField,
    async readChangedPage(a) {
      const page = await dv.readChangedPage({
        entitySet: set,
        after: a.after,
        until: a.until,
        pageSize: a.pageSize,
        filter,
        signal: a.signal,
      });
      return { records: page.records, next: page.next, position: page.position };
    },
    async getByIds(ids, signal) {
      return await dv.getByIds(set, ids, { signal });
    },
    async get(id, signal) {
      return await dv.get(set, id, { signal });
    },
    async findOne(f, signal) {
      return await dv.findOne(set, f, { signal });
    },
    async list(f, signal) {
      const out: ApiRecord[] = [];
      for await (const page of dv.listAll({ entitySet: set, filter: f, signal })) out.push(...page);
      return out;
    },
    async writeBatch(writes, signal) {
      const ops: DvWriteOp[] = writes.map((w) => {
        if (w.kind === 'create') {
          if (!w.id) throw new Error('a Dataverse create needs its client-chosen id');
          return { kind: 'createWithId', set, id: w.id, body: w.body };
        }
        return { kind: 'update', set, id: w.id, body: w.body, etag: w.etag ?? undefined };
      });
      const results = await dv.writeBatch(ops, { signal });
      return results.map((r) => (r.ok ? { ok: true, record: r.record } : r));
    },
  };
}
