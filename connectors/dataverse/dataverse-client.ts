import { randomUUID } from 'node:crypto';
import { AdaptiveConcurrencyLimiter } from '../http/adaptive-concurrency-limiter';
import {
  type ChangeCursor,
  type ChangedPage,
  type ChangedPageQuery,
  readChangedPage,
} from '../http/changed-page-reader';
import { type ConnectorError, TransientServerError, ValidationError } from '../http/errors';
import { HttpCore, type HttpResponse, type RequestHook } from '../http/http-core';
import { type ConnectorLogger, silentLogger } from '../http/logger';
import { chunk, dateTimeLiteral, guidLiteral, queryString } from '../http/odata';
import { type BatchOperationOutcome, forRecord, sendBatchWithRetries } from '../http/batch-retry';
import { DEFAULT_RETRY, parseRetryAfter, RETRYABLE_STATUSES, type RetryOptions } from '../http/retry-policy';
import { type TokenProvider } from '../http/token-provider';
import { clamp, definedOnly, sameOriginLink, sig } from '../http/util';
import { classifyDvError, type DvPrecondition, dvClassifier } from './classify-error';
import { type DvEntitySet, type DvRecord, primaryKeyOf } from './entity-sets';
import { boundaryOf, type MultipartRequest, parseBatchResponse, serializeBatch } from './multipart-batch';

export interface DataverseClientOptions {
  /** Organization URL (`https://org.crm.dynamics.com`) or emulator root (`http://127.0.0.1:7049`); `/api/data/v9.2` is appended. */
  url: string;
  tokenProvider: TokenProvider;
  /** Upper bound of concurrent requests; Dataverse allows 52 per user per web server. (Default: 16) */
  maxConcurrency?: number;
  /** Operations per `$batch` request, at most 1000. (Default: 100) */
  batchSize?: number;
  /** `Prefer: odata.maxpagesize`, at most 5000. (Default: 5000) */
  maxPageSize?: number;
  /** Timeout of one HTTP attempt. (Default: 120000 ms) */
  timeoutMs?: number;
  /** Retry budget per request. (Defaults: see RetryOptions) */
  retry?: RetryOptions;
  /** Ids a change cursor keeps for one timestamp before switching to id keyset paging. (Default: 100) */
  cursorIdLimit?: number;
  /** Healthy responses before the concurrency limit grows by one. (Default: 10) */
  increaseConcurrencyAfter?: number;
  logger?: ConnectorLogger;
  /** Called after every HTTP attempt (request counting for benchmarks and metrics). */
  onRequest?: RequestHook;
}

export interface DvQueryOptions {
  /** `$select` columns; the primary key (and `modifiedon` where needed) are added. */
  select?: readonly string[];
  /** `$expand` expression. */
  expand?: string;
  signal?: AbortSignal;
}

export interface DvReadChangedPageArgs extends Omit<DvQueryOptions, 'signal'> {
  entitySet: DvEntitySet;
  /** Cursor from the previous page, or null to start from the beginning. */
  after: ChangeCursor | null;
  /** Inclusive upper bound on `modifiedon` (ISO-8601), e.g. the pass start. */
  until?: string;
  pageSize: number;
  filter?: string;
  signal?: AbortSignal;
}

export interface DvListArgs extends DvQueryOptions {
  entitySet: DvEntitySet;
  filter?: string;
  orderBy?: string;
  /** Page size for this listing. (Default: maxPageSize) */
  pageSize?: number;
}

export interface DvWriteOptions {
  /** Columns returned in the representation. (Default: primary key and modifiedon) */
  select?: readonly string[];
  signal?: AbortSignal;
}

export type DvWriteOp =
  | { kind: 'createWithId'; set: DvEntitySet; id: string; body: Record<string, unknown> }
  | { kind: 'update'; set: DvEntitySet; id: string; body: Record<string, unknown>; etag?: string }
  | { kind: 'delete'; set: DvEntitySet; id: string; etag?: string };

export type DvWriteResult =
  { ok: true; record: DvRecord | null; etag: string | null } | { ok: false; error: ConnectorError };

export interface DvTrackChangesResult {
  /** New and updated rows since the delta token (all rows on the first call). */
  changed: DvRecord[];
  /** Ids of rows deleted since the delta token. */
  deleted: string[];
  /** Pass this back on the next call. */
  deltaLink: string;
}

/** Dataverse Web API v9.2 client; see `createDataverseClient`. */
export interface DataverseClient {
  /** Next `pageSize` rows strictly after the cursor in (modifiedon, primary key) order. */
  readChangedPage(args: DvReadChangedPageArgs): Promise<ChangedPage<DvRecord>>;
  /** All rows matching the filter, one array per server page (server-driven paging). */
  listAll(args: DvListArgs): AsyncIterable<DvRecord[]>;
  /** Rows by id (chunks of `pk eq … or …`); missing ids are simply absent. */
  getByIds(set: DvEntitySet, ids: readonly string[], options?: DvQueryOptions): Promise<DvRecord[]>;
  /** One row by id, or null when it does not exist. */
  get(set: DvEntitySet, id: string, options?: DvQueryOptions): Promise<DvRecord | null>;
  /** The first row matching `filter`, or null. */
  findOne(set: DvEntitySet, filter: string, options?: DvQueryOptions): Promise<DvRecord | null>;
  /**
   * Creates a row with a client-chosen id: `PATCH set(id)` with `If-None-Match: *`. Throws DuplicateKeyError when the
   * row already exists (after a crash: treat as success).
   */
  createWithId(
    set: DvEntitySet,
    id: string,
    body: Record<string, unknown>,
    options?: DvWriteOptions,
  ): Promise<DvRecord>;
  /** Updates a row: `If-Match: etag` or `*`. 412 → ConcurrencyConflictError, 404 → NotFoundError. */
  update(
    set: DvEntitySet,
    id: string,
    body: Record<string, unknown>,
    etag?: string,
    options?: DvWriteOptions,
  ): Promise<DvRecord>;
  /** Deletes a row (`If-Match` when an etag is given). 404 → NotFoundError, 412 → ConcurrencyConflictError. */
  delete(set: DvEntitySet, id: string, etag?: string, options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Writes through multipart `$batch` with `Prefer: odata.continue-on-error`, in chunks of `batchSize`. One result
   * per op in input order; per-record failures are reported, never thrown. Whole-request failures are retried, then
   * thrown.
   */
  writeBatch(ops: readonly DvWriteOp[], options?: DvWriteOptions): Promise<DvWriteResult[]>;
  /**
   * Change tracking: all changes since `deltaLink` (or the full set on the first call) across pages. Throws
   * ChangeTrackingExpiredError when the token expired: do a full read and start again without a deltaLink.
   */
  trackChanges(
    set: DvEntitySet,
    options: { select: readonly string[]; deltaLink?: string; signal?: AbortSignal },
  ): Promise<DvTrackChangesResult>;
  /** The adaptive concurrency limit right now (for metrics). */
  readonly concurrencyLimit: number;
}

const SERVICE = 'dataverse' as const;

/** Creates a Dataverse Web API v9.2 client. All requests of the instance share one concurrency limiter. */
export function createDataverseClient(options: DataverseClientOptions): DataverseClient {
  const root = options.url.replace(/\/+$/, '');
  const base = `${root}/api/data/v9.2`;
  const basePath = new URL(base).pathname;
  const batchSize = clamp(options.batchSize ?? 100, 1, 1000);
  const maxPageSize = clamp(options.maxPageSize ?? 5000, 1, 5000);
  const cursorIdLimit = Math.max(1, options.cursorIdLimit ?? 100);
  const retry = { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) };
  const log = options.logger ?? silentLogger;
  const limiter = new AdaptiveConcurrencyLimiter({
    max: options.maxConcurrency ?? 16,
    ...(options.increaseConcurrencyAfter !== undefined ? { increaseAfter: options.increaseConcurrencyAfter } : {}),
  });
  const cores = new Map<DvPrecondition, HttpCore>();
  const http = (precondition: DvPrecondition = 'none'): HttpCore => {
    let core = cores.get(precondition);
    if (!core) {
      core = new HttpCore({
        service: SERVICE,
        tokenProvider: options.tokenProvider,
        limiter,
        timeoutMs: options.timeoutMs ?? 120_000,
        retry,
        defaultHeaders: { Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' },
        classify: dvClassifier(precondition),
        logger: log,
        ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      });
      cores.set(precondition, core);
    }
    return core;
  };

  const setUrl = (set: DvEntitySet): string => `${base}/${checkSet(set)}`;
  const rowUrl = (set: DvEntitySet, id: string): string => `${setUrl(set)}(${guidLiteral(id, SERVICE)})`;
  const selectWith = (select: readonly string[] | undefined, required: string[]): string | undefined =>
    select && select.length ? [...new Set([...required, ...select])].join(',') : undefined;
  const writeSelect = (set: DvEntitySet, select?: readonly string[]): string =>
    [...new Set([primaryKeyOf(set), 'modifiedon', ...(select ?? [])])].join(',');

  async function getJson(url: string, description: string, prefer: string, signal?: AbortSignal) {
    const res = await http().request({
      method: 'GET',
      url,
      headers: { Prefer: prefer },
      idempotent: true,
      description,
      ...sig(signal),
    });
    return parseJson(res, description);
  }

  const checkLink = (link: string): string => sameOriginLink(link, base, SERVICE);

  async function* pages(
    firstUrl: string,
    description: string,
    pageSize: number,
    signal?: AbortSignal,
  ): AsyncIterable<DvRecord[]> {
    let url: string | undefined = firstUrl;
    while (url) {
      // Dataverse wants the same maxpagesize on every page request.
      const body = await getJson(url, description, `odata.maxpagesize=${pageSize}`, signal);
      yield (Array.isArray(body.value) ? body.value : []) as DvRecord[];
      url = typeof body['@odata.nextLink'] === 'string' ? checkLink(body['@odata.nextLink']) : undefined;
    }
  }

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
        ? `${rowUrl(set, id)}${queryString({ $select: writeSelect(set, opts.select) })}`
        : rowUrl(set, id);
    return http(precondition).request({
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

  const client: DataverseClient = {
    get concurrencyLimit() {
      return limiter.limit;
    },

    async readChangedPage(args) {
      const pk = primaryKeyOf(args.entitySet);
      const select = selectWith(args.select, [pk, 'modifiedon']);
      return readChangedPage<DvRecord>(
        {
          modifiedField: 'modifiedon',
          keyField: pk,
          maxPageSize,
          cursorIdLimit,
          modifiedOf: (r) => String(r.modifiedon),
          keyOf: (r) => String(r[pk]),
          dateTime: (v) => dateTimeLiteral(v, SERVICE),
          key: (v) => guidLiteral(v, SERVICE),
          query: (q: ChangedPageQuery) =>
            pages(
              setUrl(args.entitySet) +
                queryString({ $select: select, $filter: q.filter, $orderby: q.orderBy, $expand: args.expand }),
              `GET ${args.entitySet}`,
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
    },

    async *listAll(args) {
      const url =
        setUrl(args.entitySet) +
        queryString({
          $select: selectWith(args.select, [primaryKeyOf(args.entitySet)]),
          $filter: args.filter,
          $orderby: args.orderBy,
          $expand: args.expand,
        });
      yield* pages(url, `GET ${args.entitySet}`, clamp(args.pageSize ?? maxPageSize, 1, 5000), args.signal);
    },

    async getByIds(set, ids, opts = {}) {
      const pk = primaryKeyOf(set);
      const unique = [...new Set(ids.map((id) => guidLiteral(id, SERVICE)))];
      const out: DvRecord[] = [];
      await Promise.all(
        chunk(unique, 50).map(async (part) => {
          const filter = part.map((id) => `${pk} eq ${id}`).join(' or ');
          const url =
            setUrl(set) +
            queryString({ $select: selectWith(opts.select, [pk]), $filter: filter, $expand: opts.expand });
          for await (const page of pages(url, `GET ${set}`, maxPageSize, opts.signal)) out.push(...page);
        }),
      );
      return out;
    },

    async get(set, id, opts = {}) {
      const url =
        rowUrl(set, id) + queryString({ $select: selectWith(opts.select, [primaryKeyOf(set)]), $expand: opts.expand });
      const description = `GET ${set}(${id})`;
      const res = await http().request(
        { method: 'GET', url, idempotent: true, description, ...sig(opts.signal) },
        [404],
      );
      if (res.status === 404) return null;
      return parseJson(res, description);
    },

    async findOne(set, filter, opts = {}) {
      const url =
        setUrl(set) +
        queryString({
          $select: selectWith(opts.select, [primaryKeyOf(set)]),
          $filter: filter,
          $top: '1',
          $expand: opts.expand,
        });
      // No maxpagesize here: Dataverse ignores $top when it is present.
      const res = await http().request({
        method: 'GET',
        url,
        idempotent: true,
        description: `GET ${set}`,
        ...sig(opts.signal),
      });
      const body = parseJson(res, `GET ${set}`);
      const value = Array.isArray(body.value) ? (body.value as DvRecord[]) : [];
      return value[0] ?? null;
    },

    async createWithId(set, id, body, opts = {}) {
      const res = await write('PATCH', set, id, { 'If-None-Match': '*' }, 'if-none-match', body, opts);
      return representation(res, set, id);
    },

    async update(set, id, body, etag, opts = {}) {
      const res = await write('PATCH', set, id, { 'If-Match': etag ?? '*' }, 'if-match', body, opts);
      return representation(res, set, id);
    },

    async delete(set, id, etag, opts = {}) {
      await write('DELETE', set, id, etag ? { 'If-Match': etag } : {}, 'if-match', undefined, opts);
    },

    async writeBatch(ops, opts = {}) {
      const results = new Array<DvWriteResult>(ops.length);
      const indexes = ops.map((_, i) => i);
      await Promise.all(chunk(indexes, batchSize).map((part) => runBatch(part, ops, results, opts)));
      return results;
    },

    async trackChanges(set, opts) {
      const changed: DvRecord[] = [];
      const deleted: string[] = [];
      let url: string | undefined = opts.deltaLink
        ? checkLink(opts.deltaLink)
        : setUrl(set) + queryString({ $select: selectWith(opts.select, [primaryKeyOf(set)]) });
      const pk = primaryKeyOf(set);
      while (url) {
        const body = await getJson(
          url,
          `GET ${set} (changes)`,
          `odata.track-changes,odata.maxpagesize=${maxPageSize}`,
          opts.signal,
        );
        for (const row of (Array.isArray(body.value) ? body.value : []) as DvRecord[]) {
          const context = typeof row['@odata.context'] === 'string' ? row['@odata.context'] : '';
          if (context.includes('$deletedEntity') || row.reason === 'deleted') {
            deleted.push(String(row.id ?? row[pk]));
          } else {
            changed.push(row);
          }
        }
        if (typeof body['@odata.deltaLink'] === 'string')
          return { changed, deleted, deltaLink: body['@odata.deltaLink'] };
        url = typeof body['@odata.nextLink'] === 'string' ? checkLink(body['@odata.nextLink']) : undefined;
      }
      throw new TransientServerError({
        service: SERVICE,
        status: 200,
        code: 'MissingDeltaLink',
        message: `Dataverse returned no deltaLink for ${set}: is change tracking enabled on the table?`,
        retryable: false,
      });
    },
  };

  function toPart(op: DvWriteOp, select?: readonly string[]): MultipartRequest {
    const path = `${basePath}/${checkSet(op.set)}(${guidLiteral(op.id, SERVICE)})`;
    if (op.kind === 'delete') {
      return { method: 'DELETE', url: path, headers: op.etag ? { 'If-Match': op.etag } : {} };
    }
    return {
      method: 'PATCH',
      url: `${path}${queryString({ $select: writeSelect(op.set, select) })}`,
      headers: {
        'Content-Type': 'application/json',
        Prefer: 'return=representation',
        ...(op.kind === 'createWithId' ? { 'If-None-Match': '*' } : { 'If-Match': op.etag ?? '*' }),
      },
      body: JSON.stringify(op.body),
    };
  }

  /**
   * Sends one `$batch` and re-sends, in smaller batches, the operations answered 408/429/502/503/504 or missing from
   * the answer (see sendBatchWithRetries). Every operation here is safe to repeat: a create is `PATCH (id)` with
   * `If-None-Match: *` (a repeat of one that did happen answers 412 → DuplicateKeyError, "already created"), an update
   * or delete carries `If-Match`.
   */
  async function runBatch(
    indexes: number[],
    ops: readonly DvWriteOp[],
    results: DvWriteResult[],
    opts: DvWriteOptions,
  ): Promise<void> {
    const sendable: number[] = [];
    for (const index of indexes) {
      try {
        toPart(ops[index], opts.select);
        sendable.push(index);
      } catch (error) {
        results[index] = { ok: false, error: error as ConnectorError };
      }
    }
    await sendBatchWithRetries<DvWriteResult>({
      indexes: sendable,
      send: (pending) => sendBatch(pending, ops, opts),
      settle: (index, result) => (results[index] = result),
      failed: (index, error) => ({ ok: false, error: forRecord(error, ops[index].id) }),
      retry,
      limiter,
      log,
      ...sig(opts.signal),
    });
  }

  /** One `$batch` round trip with `Prefer: odata.continue-on-error`: one outcome per operation, in order. */
  async function sendBatch(
    pending: readonly number[],
    ops: readonly DvWriteOp[],
    opts: DvWriteOptions,
  ): Promise<Array<BatchOperationOutcome<DvWriteResult>>> {
    const boundary = `batch_${randomUUID()}`;
    const body = serializeBatch(
      boundary,
      pending.map((index) => toPart(ops[index], opts.select)),
    );
    const res = await http().request({
      method: 'POST',
      url: `${base}/$batch`,
      headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}`, Prefer: 'odata.continue-on-error' },
      body,
      idempotent: true,
      description: `POST $batch (${pending.length} operations)`,
      ...sig(opts.signal),
    });
    const responseBoundary = boundaryOf(res.headers.get('content-type'));
    const parts = responseBoundary ? parseBatchResponse(res.text, responseBoundary) : [];
    return pending.map((index, position): BatchOperationOutcome<DvWriteResult> => {
      const op = ops[index];
      const part = parts[position];
      const description = `${op.kind === 'delete' ? 'DELETE' : 'PATCH'} ${op.set}(${op.id})`;
      if (!part) {
        return {
          kind: 'retry',
          error: new TransientServerError({
            service: SERVICE,
            status: 0,
            code: 'NotExecuted',
            message: `Dataverse did not execute ${description} in the $batch (the batch stopped early)`,
            retryable: true,
            scope: 'record',
            recordKey: op.id,
          }),
        };
      }
      if (part.status >= 200 && part.status < 300) {
        const record = part.body ? (safeJson(part.body) as DvRecord | null) : null;
        const etag = record?.['@odata.etag'] ?? part.headers.etag ?? null;
        return { kind: 'final', result: { ok: true, record, etag } };
      }
      const precondition: DvPrecondition = op.kind === 'createWithId' ? 'if-none-match' : 'if-match';
      const error = classifyDvError(part.status, safeJson(part.body), description, precondition, 'record', op.id);
      if (RETRYABLE_STATUSES.has(part.status) && error.retryable) {
        const retryAfterMs = parseRetryAfter(part.headers['retry-after'] ?? null);
        return { kind: 'retry', error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
      }
      return { kind: 'final', result: { ok: false, error } };
    });
  }

  function representation(res: HttpResponse, set: DvEntitySet, id: string): DvRecord {
    if (res.status === 204 || !res.text) {
      const etag = res.headers.get('etag');
      return { [primaryKeyOf(set)]: id, ...(etag ? { '@odata.etag': etag } : {}) };
    }
    return parseJson(res, `PATCH ${set}(${id})`);
  }

  return client;
}

function checkSet(set: DvEntitySet): DvEntitySet {
  if (!/^[a-z_]+$/.test(set)) {
    throw new ValidationError({
      service: SERVICE,
      status: 0,
      code: 'InvalidEntitySet',
      message: `'${set}' is not an entity set`,
      retryable: false,
    });
  }
  return set;
}

function parseJson(res: HttpResponse, description: string): Record<string, unknown> {
  try {
    return JSON.parse(res.text) as Record<string, unknown>;
  } catch (error) {
    throw new TransientServerError({
      service: SERVICE,
      status: res.status,
      code: 'InvalidJson',
      message: `Dataverse answered ${description} with a body that is not JSON`,
      retryable: true,
      cause: error,
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
