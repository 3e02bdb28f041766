/**
 * The public types of the Business Central connector: client options, query and write arguments, and the
 * `BusinessCentralClient` interface that `createBusinessCentralClient` implements.
 */
import { type ChangedPage, type ReadChangedPageArgs } from '../http/changed-page-reader';
import { type ConnectorClientOptions } from '../http/connector-core';
import { type ConnectorError } from '../http/errors';
import { type BcEntityMap, type BcEntitySet } from './entity-sets';

export interface BusinessCentralClientOptions extends ConnectorClientOptions {
  /** Service root up to and including `/v2.0`, e.g. `https://api.businesscentral.dynamics.com/v2.0` or `http://127.0.0.1:7048/v2.0`. */
  apiUrl: string;
  /** Entra tenant id or domain (the emulator's tenant name). */
  tenant: string;
  /** Environment name. (Default: 'production') */
  environment?: string;
  /** Company GUID; when absent, `companyName` is resolved through `companies` once. */
  companyId?: string;
  /** Company name (`companies.name`), used when `companyId` is absent. */
  companyName?: string;
  /** Upper bound of concurrent requests; BC processes 5 per user and queues the rest. (Default: 5) */
  maxConcurrency?: number;
  /** Operations per `$batch` request, at most 100. (Default: 100) */
  batchSize?: number;
  /** `Prefer: odata.maxpagesize` for listing, at most 20000. (Default: 5000) */
  maxPageSize?: number;
  /** Path of the custom API pages under `/api/`. (Default: 'bcsync/sync/v1.0') */
  customApiPath?: string;
}

export interface BcQueryOptions {
  /** `$select` fields; `id` and `lastModifiedDateTime` are added where the connector needs them. */
  select?: readonly string[];
  /** `$expand` expression, e.g. `salesInvoiceLines`. */
  expand?: string;
  signal?: AbortSignal;
}

/** `after`, `until` (on `lastModifiedDateTime`), `pageSize` and `filter` as ReadChangedPageArgs describes them. */
export interface BcReadChangedPageArgs<S extends BcEntitySet> extends BcQueryOptions, ReadChangedPageArgs {
  entitySet: S;
  /** Extra `$filter` (BC: no `or` across different fields). */
  filter?: string;
}

export interface BcListArgs<S extends BcEntitySet> extends BcQueryOptions {
  entitySet: S;
  filter?: string;
  /** `$orderby`. (Default: server order) */
  orderBy?: string;
  /** Page size for this listing. (Default: maxPageSize) */
  pageSize?: number;
}

export type BcWriteOp =
  | { kind: 'create'; entitySet: BcEntitySet; body: Record<string, unknown>; key?: string }
  | { kind: 'update'; entitySet: BcEntitySet; id: string; etag: string; body: Record<string, unknown>; key?: string }
  | { kind: 'delete'; entitySet: BcEntitySet; id: string; etag: string; key?: string };

export type BcWriteResult =
  | {
      ok: true;
      record: BcEntityMap[BcEntitySet] | null;
      etag: string | null;
      /**
       * The batch's answer was lost and `record` was read back afterwards (connectors/business-central/batch.ts): it
       * holds the write, and may also hold a change someone made since.
       */
      readBack?: true;
    }
  | { ok: false; error: ConnectorError };

/** Business Central API v2.0 client; see `createBusinessCentralClient`. */
export interface BusinessCentralClient {
  /** The company GUID (resolving `companyName` on first use). */
  companyId(signal?: AbortSignal): Promise<string>;
  /** Next `pageSize` records strictly after the cursor in (lastModifiedDateTime, id) order. */
  readChangedPage<S extends BcEntitySet>(args: BcReadChangedPageArgs<S>): Promise<ChangedPage<BcEntityMap[S]>>;
  /** All records matching the filter, one array per server page (server-driven paging). */
  listAll<S extends BcEntitySet>(args: BcListArgs<S>): AsyncIterable<Array<BcEntityMap[S]>>;
  /** Records by id (chunks of `id eq … or …`); ids that do not exist are simply absent. */
  getByIds<S extends BcEntitySet>(
    entitySet: S,
    ids: readonly string[],
    options?: BcQueryOptions,
  ): Promise<Array<BcEntityMap[S]>>;
  /** One record by id, or null when it does not exist. */
  get<S extends BcEntitySet>(entitySet: S, id: string, options?: BcQueryOptions): Promise<BcEntityMap[S] | null>;
  /** The first record matching `filter`, or null (used to find a record created before a crash). */
  findOne<S extends BcEntitySet>(
    entitySet: S,
    filter: string,
    options?: BcQueryOptions,
  ): Promise<BcEntityMap[S] | null>;
  /** POST a record; returns it with its id and etag. Not retried after ambiguous failures (see docs/connectors.md). */
  create<S extends BcEntitySet>(
    entitySet: S,
    body: Record<string, unknown>,
    options?: { signal?: AbortSignal },
  ): Promise<BcEntityMap[S]>;
  /** PATCH with `If-Match: etag` (`*` allowed); 409/412 → ConcurrencyConflictError, 404 → NotFoundError. */
  update<S extends BcEntitySet>(
    entitySet: S,
    id: string,
    etag: string,
    patch: Record<string, unknown>,
    options?: { signal?: AbortSignal },
  ): Promise<BcEntityMap[S]>;
  /** DELETE with `If-Match: etag`; 404 → NotFoundError, 409 → ConcurrencyConflictError. */
  delete(entitySet: BcEntitySet, id: string, etag: string, options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Writes through JSON `$batch` in chunks of `batchSize`, without `Isolation: snapshot` (records are independent).
   * Returns one result per op, in input order; per-record failures are reported, never thrown. Whole-request
   * failures are retried, then thrown.
   */
  writeBatch(ops: readonly BcWriteOp[], options?: { signal?: AbortSignal }): Promise<BcWriteResult[]>;
  /** The adaptive concurrency limit right now (for metrics). */
  readonly concurrencyLimit: number;
}
