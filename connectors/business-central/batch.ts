/**
 * `writeBatch` of a Business Central client: JSON `$batch` (operations independent, no `Isolation: snapshot`), one
 * endpoint per API root (the custom API pages have their own), with the shared re-send loop of batch-writes.ts.
 */
import { type BatchOperationOutcome, forRecord } from '../http/batch-retry';
import { isResendable, resend, writeInBatches, written } from '../http/batch-writes';
import { type ConnectorError, TransientServerError } from '../http/errors';
import { parseJsonBody } from '../http/json-body';
import { guidLiteral } from '../http/odata';
import { sig } from '../http/util';
import { classifyBcError } from './classify-error';
import { type BcContext, SERVICE } from './context';
import { type BcEntityMap, type BcEntitySet } from './entity-sets';
import { type BcWriteOp, type BcWriteResult, type BusinessCentralClient } from './types';

export type BcBatch = Pick<BusinessCentralClient, 'writeBatch'>;

/**
 * The batch writes of a client over `ctx`. Operations are re-sent, in smaller batches, when their answer guarantees
 * they can be repeated (see sendBatchWithRetries): 429 and 503 (nothing was done) for every operation; 408/502/504 and
 * a missing answer only for PATCH and DELETE, which carry `If-Match`. A create (`POST`, not idempotent) with such an
 * ambiguous answer is reported as a retryable TransientServerError `OutcomeUnknown`: the caller looks the record up by
 * its key before creating it again, so a record is never created twice by the connector.
 */
export function createBcBatch(ctx: BcContext): BcBatch {
  /** One `$batch` round trip to `root`: one outcome per operation, in order. */
  async function sendBatch(
    root: string,
    cid: string,
    pending: readonly number[],
    ops: readonly BcWriteOp[],
    signal?: AbortSignal,
  ): Promise<Array<BatchOperationOutcome<BcWriteResult>>> {
    const requests = pending.map((index) => toBatchRequest(ops[index], index, cid));
    const res = await ctx.http.request({
      method: 'POST',
      url: `${root}/$batch`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ requests }),
      idempotent: requests.every((r) => r.method !== 'POST'),
      description: `POST $batch (${requests.length} operations)`,
      ...sig(signal),
    });
    const body = parseJsonBody(res, SERVICE, 'POST $batch');
    const responses = new Map<string, BatchResponse>();
    for (const r of (Array.isArray(body.responses) ? body.responses : []) as BatchResponse[])
      responses.set(String(r.id), r);
    return requests.map((request) => outcomeOf(ops[Number(request.id)], responses.get(request.id)));
  }

  return {
    async writeBatch(ops, opts = {}) {
      const cid = await ctx.companyId(opts.signal);
      return writeInBatches<BcWriteOp, BcWriteResult>({
        ops,
        batchSize: ctx.batchSize,
        endpointOf: (op) => ctx.rootOf(op.entitySet),
        check: (op) => toBatchRequest(op, 0, cid),
        send: (root, pending) => sendBatch(root, cid, pending, ops, opts.signal),
        failed: (index, error) => {
          const op = ops[index];
          // A re-sent batch of creates that failed as a whole without a "nothing done" answer: the creates may exist.
          if (op.kind === 'create' && !NOTHING_DONE.has(error.status))
            return { ok: false, error: outcomeUnknown(op, error) };
          return { ok: false, error: forRecord(error, opKey(op)) };
        },
        core: ctx.core,
        ...sig(opts.signal),
      });
    },
  };
}

/** What became of one operation, from its answer in the `$batch` response (undefined: it had none). */
function outcomeOf(op: BcWriteOp, response: BatchResponse | undefined): BatchOperationOutcome<BcWriteResult> {
  const status = response ? Number(response.status) : 0;
  if (response && status >= 200 && status < 300) {
    const record =
      status === 204 || response.body == null || typeof response.body !== 'object'
        ? null
        : (response.body as BcEntityMap[BcEntitySet]);
    return written(record, headerOf(response.headers, 'etag'));
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
  if (response && !isResendable(status, error)) return { kind: 'final', result: { ok: false, error } };
  if (op.kind === 'create' && !NOTHING_DONE.has(status))
    return { kind: 'final', result: { ok: false, error: outcomeUnknown(op, error) } };
  return resend(error, headerOf(response?.headers, 'retry-after'));
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

/** A header of a `$batch` response, looked up case-insensitively. */
function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}
