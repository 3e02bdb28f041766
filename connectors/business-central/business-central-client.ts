import { AdaptiveConcurrencyLimiter } from '../http/adaptive-concurrency-limiter';
import {
  type ChangeCursor,
  type ChangedPage,
  type ChangedPageQuery,
  readChangedPage,
} from '../http/changed-page-reader';
import { type ConnectorError, NotFoundError, TransientServerError, ValidationError } from '../http/errors';
import { HttpCore, type HttpResponse, type RequestHook } from '../http/http-core';
import { type ConnectorLogger, silentLogger } from '../http/logger';
import { chunk, dateTimeLiteral, guidLiteral, queryString, stringLiteral } from '../http/odata';
import { type BatchOperationOutcome, forRecord, sendBatchWithRetries } from '../http/batch-retry';
import { DEFAULT_RETRY, parseRetryAfter, RETRYABLE_STATUSES, type RetryOptions } from '../http/retry-policy';
import { type TokenProvider } from '../http/token-provider';
import { clamp, definedOnly, sameOriginLink, sig } from '../http/util';
import { classifyBcError, classifyBcResponse } from './classify-error';
import { BC_CUSTOM_API_SETS, type BcEntityMap, type BcEntitySet, type BcSalesInvoiceLine } from './entity-sets';

export interface BusinessCentralClientOptions {
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
  tokenProvider: TokenProvider;
  /** Upper bound of concurrent requests; BC processes 5 per user and queues the rest. (Default: 5) */
  maxConcurrency?: number;
  /** Operations per `$batch` request, at most 100. (Default: 100) */
  batchSize?: number;
  /** `Prefer: odata.maxpagesize` for listing, at most 20000. (Default: 5000) */
  maxPageSize?: number;
  /** Timeout of one HTTP attempt. (Default: 120000 ms) */
  timeoutMs?: number;
  /** Retry budget per request. (Defaults: see RetryOptions) */
  retry?: RetryOptions;
  /** Path of the custom API pages under `/api/`. (Default: 'bcsync/sync/v1.0') */
  customApiPath?: string;
  /** Ids a change cursor keeps for one timestamp before switching to id keyset paging. (Default: 100) */
  cursorIdLimit?: number;
  /** Healthy responses before the concurrency limit grows by one. (Default: 10) */
  increaseConcurrencyAfter?: number;
  logger?: ConnectorLogger;
  /** Called after every HTTP attempt (request counting for benchmarks and metrics). */
  onRequest?: RequestHook;
}

export interface BcQueryOptions {
  /** `$select` fields; `id` and `lastModifiedDateTime` are added where the connector needs them. */
  select?: readonly string[];
  /** `$expand` expression, e.g. `salesInvoiceLines`. */
  expand?: string;
  signal?: AbortSignal;
}

export interface BcReadChangedPageArgs<S extends BcEntitySet> extends Omit<BcQueryOptions, 'signal'> {
  entitySet: S;
  /** Cursor from the previous page, or null to start from the beginning. */
  after: ChangeCursor | null;
  /** Inclusive upper bound on `lastModifiedDateTime` (ISO-8601), e.g. the pass start. */
  until?: string;
  pageSize: number;
  /** Extra `$filter` (BC: no `or` across different fields). */
  filter?: string;
  signal?: AbortSignal;
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
  { ok: true; record: BcEntityMap[BcEntitySet] | null; etag: string | null } | { ok: false; error: ConnectorError };

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
  /** Lines of one sales invoice. */
  listSalesInvoiceLines(invoiceId: string, options?: BcQueryOptions): Promise<BcSalesInvoiceLine[]>;
  /**
   * Writes through JSON `$batch` in chunks of `batchSize`, without `Isolation: snapshot` (records are independent).
   * Returns one result per op, in input order; per-record failures are reported, never thrown. Whole-request
   * failures are retried, then thrown.
   */
  writeBatch(ops: readonly BcWriteOp[], options?: { signal?: AbortSignal }): Promise<BcWriteResult[]>;
  /** The adaptive concurrency limit right now (for metrics). */
  readonly concurrencyLimit: number;
}

const SERVICE = 'business-central' as const;

/**
 * Creates a Business Central API v2.0 client (standard API and the bcsync custom API pages) for one company. All
 * requests of the instance share one adaptive concurrency limiter and retry policy.
 */
export function createBusinessCentralClient(options: BusinessCentralClientOptions): BusinessCentralClient {
  const environment = options.environment ?? 'production';
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const envRoot = `${apiUrl}/${encodeURIComponent(options.tenant)}/${encodeURIComponent(environment)}/api`;
  const standardRoot = `${envRoot}/v2.0`;
  const customRoot = `${envRoot}/${(options.customApiPath ?? 'bcsync/sync/v1.0').replace(/^\/+|\/+$/g, '')}`;
  const batchSize = clamp(options.batchSize ?? 100, 1, 100);
  const maxPageSize = clamp(options.maxPageSize ?? 5000, 1, 20_000);
  const cursorIdLimit = Math.max(1, options.cursorIdLimit ?? 100);
  const retry = { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) };
  const log = options.logger ?? silentLogger;
  const limiter = new AdaptiveConcurrencyLimiter({
    max: options.maxConcurrency ?? 5,
    ...(options.increaseConcurrencyAfter !== undefined ? { increaseAfter: options.increaseConcurrencyAfter } : {}),
  });
  const http = new HttpCore({
    service: SERVICE,
    tokenProvider: options.tokenProvider,
    limiter,
    timeoutMs: options.timeoutMs ?? 120_000,
    retry,
    defaultHeaders: { Accept: 'application/json' },
    classify: classifyBcResponse,
    logger: log,
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  });

  let companyPromise: Promise<string> | null = options.companyId
    ? Promise.resolve(guidLiteral(options.companyId, SERVICE))
    : null;

  const companyId = (signal?: AbortSignal): Promise<string> => {
    if (!companyPromise) {
      companyPromise = resolveCompany(options.companyName, signal).catch((error: unknown) => {
        companyPromise = null;
        throw error;
      });
    }
    return companyPromise;
  };

  /** The company named `name`, or — without a name — the environment's only company. */
  async function resolveCompany(name: string | undefined, signal?: AbortSignal): Promise<string> {
    const query = name ? { $filter: `name eq ${stringLiteral(name)}`, $select: 'id,name' } : { $select: 'id,name' };
    const url = `${standardRoot}/companies${queryString(query)}`;
    const res = await http.request({
      method: 'GET',
      url,
      idempotent: true,
      description: 'GET companies',
      ...sig(signal),
    });
    const value = (parseJson(res, 'GET companies').value as Array<{ id: string; name: string }> | undefined) ?? [];
    if (!name) {
      if (value.length === 1) {
        log.info({ companyId: value[0].id }, 'resolved the only Business Central company');
        return value[0].id;
      }
      throw new ValidationError({
        service: SERVICE,
        status: 0,
        code: 'MissingCompany',
        message: `Business Central environment '${environment}' has ${value.length} companies (${value
          .map((c) => `'${c.name}'`)
          .join(', ')}); choose one with companyId or companyName (BC_COMPANY_ID / BC_COMPANY_NAME)`,
        retryable: false,
      });
    }
    const match = value.find((c) => c.name === name);
    if (!match) {
      throw new NotFoundError({
        service: SERVICE,
        status: 404,
        code: 'Internal_CompanyNotFound',
        message: `Business Central has no company named '${name}' in environment '${environment}'`,
        retryable: false,
      });
    }
    log.info({ companyId: match.id }, 'resolved Business Central company');
    return match.id;
  }

  const rootOf = (set: BcEntitySet): string => (BC_CUSTOM_API_SETS.has(set) ? customRoot : standardRoot);
  const collectionUrl = async (set: BcEntitySet, signal?: AbortSignal): Promise<string> =>
    `${rootOf(set)}/companies(${await companyId(signal)})/${set}`;

  async function getJson(url: string, description: string, pageSize: number, signal?: AbortSignal) {
    const res = await http.request({
      method: 'GET',
      url,
      headers: { Prefer: `odata.maxpagesize=${pageSize}` },
      idempotent: true,
      description,
      ...sig(signal),
    });
    return parseJson(res, description);
  }

  async function* pages<T>(
    firstUrl: string,
    description: string,
    pageSize: number,
    signal?: AbortSignal,
  ): AsyncIterable<T[]> {
    let url: string | undefined = firstUrl;
    while (url) {
      const body = await getJson(url, description, pageSize, signal);
      yield (Array.isArray(body.value) ? body.value : []) as T[];
      // The nextLink is opaque: follow it verbatim.
      url =
        typeof body['@odata.nextLink'] === 'string'
          ? sameOriginLink(body['@odata.nextLink'], apiUrl, SERVICE)
          : undefined;
    }
  }

  const selectWith = (select: readonly string[] | undefined, required: string[]): string | undefined =>
    select && select.length ? [...new Set([...required, ...select])].join(',') : undefined;

  const client: BusinessCentralClient = {
    companyId,

    get concurrencyLimit() {
      return limiter.limit;
    },

    async readChangedPage<S extends BcEntitySet>(args: BcReadChangedPageArgs<S>) {
      const base = await collectionUrl(args.entitySet, args.signal);
      const select = selectWith(args.select, ['id', 'lastModifiedDateTime']);
      return readChangedPage<BcEntityMap[S]>(
        {
          modifiedField: 'lastModifiedDateTime',
          keyField: 'id',
          maxPageSize,
          cursorIdLimit,
          modifiedOf: (r) => r.lastModifiedDateTime,
          keyOf: (r) => r.id,
          dateTime: (v) => dateTimeLiteral(v, SERVICE),
          key: (v) => guidLiteral(v, SERVICE),
          query: (q: ChangedPageQuery) =>
            pages<BcEntityMap[S]>(
              base + queryString({ $filter: q.filter, $orderby: q.orderBy, $select: select, $expand: args.expand }),
              `GET ${args.entitySet}`,
              q.pageSizeHint,
              args.signal,
            ),
        },
        { after: args.after, pageSize: args.pageSize, ...opt('until', args.until), ...opt('filter', args.filter) },
      );
    },

    async *listAll<S extends BcEntitySet>(args: BcListArgs<S>) {
      const base = await collectionUrl(args.entitySet, args.signal);
      const url =
        base +
        queryString({
          $filter: args.filter,
          $select: selectWith(args.select, ['id']),
          $expand: args.expand,
          $orderby: args.orderBy,
        });
      yield* pages<BcEntityMap[S]>(
        url,
        `GET ${args.entitySet}`,
        clamp(args.pageSize ?? maxPageSize, 1, 20_000),
        args.signal,
      );
    },

    async getByIds<S extends BcEntitySet>(entitySet: S, ids: readonly string[], opts: BcQueryOptions = {}) {
      const unique = [...new Set(ids.map((id) => guidLiteral(id, SERVICE)))];
      const base = await collectionUrl(entitySet, opts.signal);
      const out: Array<BcEntityMap[S]> = [];
      // OR on one field is allowed; 40 GUIDs keep the URL well under common 8 KB limits.
      await Promise.all(
        chunk(unique, 40).map(async (part) => {
          const filter = part.map((id) => `id eq ${id}`).join(' or ');
          const url =
            base + queryString({ $filter: filter, $select: selectWith(opts.select, ['id']), $expand: opts.expand });
          for await (const page of pages<BcEntityMap[S]>(url, `GET ${entitySet}`, maxPageSize, opts.signal))
            out.push(...page);
        }),
      );
      return out;
    },

    async get<S extends BcEntitySet>(entitySet: S, id: string, opts: BcQueryOptions = {}) {
      const url =
        `${await collectionUrl(entitySet, opts.signal)}(${guidLiteral(id, SERVICE)})` +
        queryString({ $select: selectWith(opts.select, ['id']), $expand: opts.expand });
      const description = `GET ${entitySet}(${id})`;
      const res = await http.request({ method: 'GET', url, idempotent: true, description, ...sig(opts.signal) }, [404]);
      if (res.status === 404) return null;
      return parseJson(res, description) as BcEntityMap[S];
    },

    async findOne<S extends BcEntitySet>(entitySet: S, filter: string, opts: BcQueryOptions = {}) {
      const url =
        (await collectionUrl(entitySet, opts.signal)) +
        queryString({ $filter: filter, $top: '1', $select: selectWith(opts.select, ['id']), $expand: opts.expand });
      const body = await getJson(url, `GET ${entitySet}`, 1, opts.signal);
      const value = Array.isArray(body.value) ? (body.value as Array<BcEntityMap[S]>) : [];
      return value[0] ?? null;
    },

    async create<S extends BcEntitySet>(
      entitySet: S,
      body: Record<string, unknown>,
      opts: { signal?: AbortSignal } = {},
    ) {
      const description = `POST ${entitySet}`;
      const res = await http.request({
        method: 'POST',
        url: await collectionUrl(entitySet, opts.signal),
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        idempotent: false,
        description,
        ...sig(opts.signal),
      });
      return parseJson(res, description) as BcEntityMap[S];
    },

    async update<S extends BcEntitySet>(
      entitySet: S,
      id: string,
      etag: string,
      patch: Record<string, unknown>,
      opts: { signal?: AbortSignal } = {},
    ) {
      const description = `PATCH ${entitySet}(${id})`;
      const res = await http.request({
        method: 'PATCH',
        url: `${await collectionUrl(entitySet, opts.signal)}(${guidLiteral(id, SERVICE)})`,
        headers: { 'Content-Type': 'application/json', 'If-Match': etag },
        body: JSON.stringify(patch),
        idempotent: true,
        description,
        recordKey: id,
        ...sig(opts.signal),
      });
      return parseJson(res, description) as BcEntityMap[S];
    },

    async delete(entitySet: BcEntitySet, id: string, etag: string, opts: { signal?: AbortSignal } = {}) {
      await http.request({
        method: 'DELETE',
        url: `${await collectionUrl(entitySet, opts.signal)}(${guidLiteral(id, SERVICE)})`,
        headers: { 'If-Match': etag },
        idempotent: true,
        description: `DELETE ${entitySet}(${id})`,
        recordKey: id,
        ...sig(opts.signal),
      });
    },

    async listSalesInvoiceLines(invoiceId: string, opts: BcQueryOptions = {}) {
      const url =
        `${await collectionUrl('salesInvoices', opts.signal)}(${guidLiteral(invoiceId, SERVICE)})/salesInvoiceLines` +
        queryString({ $select: selectWith(opts.select, ['id']) });
      const out: BcSalesInvoiceLine[] = [];
      for await (const page of pages<BcSalesInvoiceLine>(
        url,
        `GET salesInvoices(${invoiceId})/salesInvoiceLines`,
        maxPageSize,
        opts.signal,
      )) {
        out.push(...page);
      }
      return out;
    },

    async writeBatch(ops: readonly BcWriteOp[], opts: { signal?: AbortSignal } = {}) {
      const results: BcWriteResult[] = new Array<BcWriteResult>(ops.length);
      const cid = await companyId(opts.signal);
      // Custom API pages have their own $batch endpoint: group by root, keep input positions.
      const byRoot = new Map<string, number[]>();
      ops.forEach((op, index) => {
        const root = rootOf(op.entitySet);
        const list = byRoot.get(root) ?? [];
        list.push(index);
        byRoot.set(root, list);
      });
      const work: Array<Promise<void>> = [];
      for (const [root, indexes] of byRoot) {
        for (const part of chunk(indexes, batchSize)) work.push(runBatch(root, cid, part, ops, results, opts.signal));
      }
      await Promise.all(work);
      return results;
    },
  };

  /**
   * Sends one `$batch` and re-sends, in smaller batches, the operations whose answer guarantees they can be repeated
   * (see sendBatchWithRetries): 429 and 503 (nothing was done) for every operation; 408/502/504 and a missing answer
   * only for PATCH and DELETE, which carry `If-Match`. A create (`POST`, not idempotent) with such an ambiguous answer
   * is reported as a retryable TransientServerError `OutcomeUnknown`: the caller looks the record up by its key before
   * creating it again, so a record is never created twice by the connector.
   */
  async function runBatch(
    root: string,
    cid: string,
    indexes: number[],
    ops: readonly BcWriteOp[],
    results: BcWriteResult[],
    signal?: AbortSignal,
  ): Promise<void> {
    const sendable: number[] = [];
    for (const index of indexes) {
      try {
        toBatchRequest(ops[index], index, cid);
        sendable.push(index);
      } catch (error) {
        results[index] = { ok: false, error: error as ConnectorError };
      }
    }
    await sendBatchWithRetries<BcWriteResult>({
      indexes: sendable,
      send: (pending) => sendBatch(root, cid, pending, ops, signal),
      settle: (index, result) => (results[index] = result),
      failed: (index, error) => {
        const op = ops[index];
        // A re-sent batch of creates that failed as a whole without a "nothing done" answer: the creates may exist.
        if (op.kind === 'create' && !NOTHING_DONE.has(error.status))
          return { ok: false, error: outcomeUnknown(op, error) };
        return { ok: false, error: forRecord(error, opKey(op)) };
      },
      retry,
      limiter,
      log,
      ...sig(signal),
    });
  }

  /** One `$batch` round trip (operations independent, no `Isolation: snapshot`): one outcome per operation, in order. */
  async function sendBatch(
    root: string,
    cid: string,
    pending: readonly number[],
    ops: readonly BcWriteOp[],
    signal?: AbortSignal,
  ): Promise<Array<BatchOperationOutcome<BcWriteResult>>> {
    const requests = pending.map((index) => toBatchRequest(ops[index], index, cid));
    const res = await http.request({
      method: 'POST',
      url: `${root}/$batch`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ requests }),
      idempotent: requests.every((r) => r.method !== 'POST'),
      description: `POST $batch (${requests.length} operations)`,
      ...sig(signal),
    });
    const body = parseJson(res, 'POST $batch');
    const responses = new Map<string, BatchResponse>();
    for (const r of (Array.isArray(body.responses) ? body.responses : []) as BatchResponse[])
      responses.set(String(r.id), r);
    return requests.map((request): BatchOperationOutcome<BcWriteResult> => {
      const op = ops[Number(request.id)];
      const response = responses.get(request.id);
      const status = response ? Number(response.status) : 0;
      if (response && status >= 200 && status < 300) {
        const record =
          status === 204 || response.body == null || typeof response.body !== 'object'
            ? null
            : (response.body as BcEntityMap[BcEntitySet]);
        const etag = record?.['@odata.etag'] ?? headerOf(response.headers, 'etag') ?? null;
        return { kind: 'final', result: { ok: true, record, etag } };
      }
      const error = response
        ? classifyBcError(status, response.body, describeOp(op), 'record', opKey(op))
        : new TransientServerError({
            service: SERVICE,
            status: 0,
            code: 'MissingBatchResponse',
            message: `Business Central returned no result for ${describeOp(op)} in a $batch`,
            retryable: true,
            scope: 'record',
            ...(opKey(op) !== undefined ? { recordKey: opKey(op) } : {}),
          });
      const transient = !response || (RETRYABLE_STATUSES.has(status) && error.retryable);
      if (!transient) return { kind: 'final', result: { ok: false, error } };
      if (op.kind === 'create' && !NOTHING_DONE.has(status))
        return { kind: 'final', result: { ok: false, error: outcomeUnknown(op, error) } };
      const retryAfterMs = parseRetryAfter(headerOf(response?.headers, 'retry-after') ?? null);
      return { kind: 'retry', error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    });
  }

  /** The batch request of one operation; throws ValidationError when the operation's id is not a GUID. */
  function toBatchRequest(op: BcWriteOp, index: number, cid: string): BatchRequest {
    const collection = `companies(${cid})/${op.entitySet}`;
    if (op.kind === 'create') {
      return {
        id: String(index),
        method: 'POST',
        url: collection,
        headers: { 'Content-Type': 'application/json' },
        body: op.body,
      };
    }
    const url = `${collection}(${guidLiteral(op.id, SERVICE)})`;
    if (op.kind === 'update') {
      return {
        id: String(index),
        method: 'PATCH',
        url,
        headers: { 'Content-Type': 'application/json', 'If-Match': op.etag },
        body: op.body,
      };
    }
    return { id: String(index), method: 'DELETE', url, headers: { 'If-Match': op.etag } };
  }

  return client;
}

interface BatchRequest {
  id: string;
  method: 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
}

interface BatchResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Answers that guarantee the service did nothing (BC documents 503 as a queue timeout before processing). */
const NOTHING_DONE = new Set([429, 503]);

/**
 * The failure of a create whose answer (502, 504, 408, none at all, a dropped connection) leaves open whether the
 * record was created: retryable, but only after looking the record up by its deterministic key.
 */
function outcomeUnknown(op: BcWriteOp, error: ConnectorError): TransientServerError {
  const key = opKey(op);
  return new TransientServerError({
    service: SERVICE,
    status: error.status,
    code: 'OutcomeUnknown',
    message:
      `${describeOp(op)} got no definite answer (${error.status || error.code}): the outcome is unknown, the record ` +
      'may have been created; look it up by its key before creating it again',
    retryable: true,
    scope: 'record',
    ...(key !== undefined ? { recordKey: key } : {}),
    ...(error.detail !== undefined ? { detail: error.detail } : {}),
    cause: error,
  });
}

function describeOp(op: BcWriteOp): string {
  if (op.kind === 'create') return `POST ${op.entitySet}${op.key ? ` (${op.key})` : ''}`;
  return `${op.kind === 'update' ? 'PATCH' : 'DELETE'} ${op.entitySet}(${op.id})`;
}

function opKey(op: BcWriteOp): string | undefined {
  return op.key ?? (op.kind === 'create' ? undefined : op.id);
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

function parseJson(res: HttpResponse, description: string): Record<string, unknown> {
  try {
    return JSON.parse(res.text) as Record<string, unknown>;
  } catch (error) {
    throw new TransientServerError({
      service: SERVICE,
      status: res.status,
      code: 'InvalidJson',
      message: `Business Central answered ${description} with a body that is not JSON`,
      retryable: true,
      cause: error,
    });
  }
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
