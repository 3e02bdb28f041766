/**
 * `writeBatch` of a Business Central client: JSON `$batch` (operations independent, no `Isolation: snapshot`), one
 * endpoint per API root (the custom API pages have their own), with the shared re-send loop of batch-writes.ts.
 */
import { type BatchOperationOutcome, forRecord } from '../http/batch-retry';
import { isResendable, resend, writeInBatches, written } from '../http/batch-writes';
import { type ConnectorError, TransientServerError } from '../http/errors';
import { type HttpResponse } from '../http/http-core';
import { parseJsonBody } from '../http/json-body';
import { guidLiteral } from '../http/odata';
import { sig } from '../http/util';
import { classifyBcError } from './classify-error';
import { type BcContext, SERVICE } from './context';
import { type BcEntityMap, type BcEntitySet } from './entity-sets';
import { createBcReads } from './reads';
import { type BcWriteOp, type BcWriteResult, type BusinessCentralClient } from './types';

export type BcBatch = Pick<BusinessCentralClient, 'writeBatch'>;

/**
 * The batch writes of a client over `ctx`. Operations are re-sent, in smaller batches, when their answer guarantees
 * they can be repeated (see sendBatchWithRetries): 429 and 503 (nothing was done) for every operation; 408/502/504 and
 * a missing answer only for PATCH and DELETE, which carry `If-Match`. A create (`POST`, not idempotent) with such an
 * ambiguous answer is reported as a retryable TransientServerError `OutcomeUnknown`: the caller looks the record up by
 * its key before creating it again, so a record is never created twice by the connector.
 *
 * A `$batch` whose whole answer was lost (the connection reset or timed out, or 408/502/504 for the request) is never
 * sent again as it was: Business Central may have applied it, and a copy carries the old ETags, so every applied
 * update would answer 409 and leave its caller unable to tell its own write from someone else's — while each copy
 * risks the same loss again (see `afterLostAnswer`). The records are read back instead, and only the operations
 * that were not applied are sent again.
 */
export function createBcBatch(ctx: BcContext): BcBatch {
  const reads = createBcReads(ctx);
  /** One `$batch` round trip to `root`: one outcome per operation, in order. */
  async function sendBatch(
    root: string,
    cid: string,
    pending: readonly number[],
    ops: readonly BcWriteOp[],
    signal?: AbortSignal,
  ): Promise<Array<BatchOperationOutcome<BcWriteResult>>> {
    const requests = pending.map((index) => toBatchRequest(ops[index], index, cid));
    let res: HttpResponse;
    try {
      res = await ctx.http.request({
        method: 'POST',
        url: `${root}/$batch`,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ requests }),
        // Not re-sent by the HTTP layer after an ambiguous failure: the records are read back instead (below).
        idempotent: false,
        description: `POST $batch (${requests.length} operations)`,
        ...sig(signal),
      });
    } catch (error) {
      if (!answerLost(error)) throw error;
      return afterLostAnswer(
        pending.map((index) => ops[index]),
        error,
        signal,
      );
    }
    const body = parseJsonBody(res, SERVICE, 'POST $batch');
    const responses = new Map<string, BatchResponse>();
    for (const r of (Array.isArray(body.responses) ? body.responses : []) as BatchResponse[])
      responses.set(String(r.id), r);
    return requests.map((request) => outcomeOf(ops[Number(request.id)], responses.get(request.id)));
  }

  /**
   * The outcome of each of `sent` (a batch whose answer was lost), from the records as they are now. An update whose
   * record still has the ETag it was sent with was not applied: it is sent again. One whose record has another ETag
   * and holds every value it writes was applied: it is done, with the record as read. One whose record changed
   * otherwise meets a change by someone else: the 409 its own copy would have met. A delete whose record is gone is
   * done; a create's outcome stays unknown (`OutcomeUnknown`: the caller looks it up by its key). An update sent with
   * `If-Match: *`, or a delete whose record is still there, is sent again (repeating it is harmless, and the answer
   * tells). A done update's record is marked `readBack`: a change made to it in the moment between the lost answer
   * and this read is in it, so callers keep the hash they planned rather than the record's.
   */
  async function afterLostAnswer(
    sent: readonly BcWriteOp[],
    error: ConnectorError,
    signal?: AbortSignal,
  ): Promise<Array<BatchOperationOutcome<BcWriteResult>>> {
    const idsBySet = new Map<BcEntitySet, string[]>();
    for (const op of sent) {
      if (op.kind === 'create') continue;
      idsBySet.set(op.entitySet, [...(idsBySet.get(op.entitySet) ?? []), op.id]);
    }
    ctx.core.log.warn(
      { operations: sent.length, code: error.code, status: error.status },
      '$batch got no answer; reading its records back instead of sending it again',
    );
    const current = new Map<string, BcRecord>();
    for (const [entitySet, ids] of idsBySet) {
      for (const record of await reads.getByIds(entitySet, ids, { ...sig(signal) }))
        current.set(`${entitySet} ${String(record.id).toLowerCase()}`, record);
    }
    return sent.map((op): BatchOperationOutcome<BcWriteResult> => {
      const lost = forRecord(error, opKey(op));
      if (op.kind === 'create') return { kind: 'final', result: { ok: false, error: outcomeUnknown(op, lost) } };
      const record = current.get(`${op.entitySet} ${op.id.toLowerCase()}`);
      if (op.kind === 'delete') return record ? resend(lost, undefined) : written<BcRecord>(null, undefined);
      if (!record || op.etag === '*' || record['@odata.etag'] === op.etag) {
        if (record && op.etag === '*' && holds(record, op.body)) return readBack(record);
        return resend(lost, undefined);
      }
      if (holds(record, op.body)) return readBack(record);
      const changed = {
        error: { code: 'Request_EntityChanged', message: 'Another user has already changed the record.' },
      };
      return {
        kind: 'final',
        result: { ok: false, error: classifyBcError(409, changed, describeOp(op), 'record', opKey(op)) },
      };
    });
  }

  /** A write found applied by reading its record back after the answer was lost. */
  function readBack(record: BcRecord): BatchOperationOutcome<BcWriteResult> {
    const outcome = written<BcRecord>(record, undefined);
    return outcome.kind === 'final' && outcome.result.ok
      ? { kind: 'final', result: { ...outcome.result, readBack: true } }
      : outcome;
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

/**
 * Whether `error` (thrown for a whole `$batch` request) leaves open whether Business Central applied the batch: no
 * answer at all (reset, timeout) or a gateway's 408/502/504.
 */
function answerLost(error: unknown): error is ConnectorError {
  return (
    error instanceof TransientServerError &&
    error.service === SERVICE &&
    (error.status === 0 || error.status === 408 || error.status === 502 || error.status === 504)
  );
}

/** Whether `record` holds every value `body` writes (a property it lacks cannot be confirmed). */
function holds(record: Record<string, unknown>, body: Record<string, unknown>): boolean {
  return Object.entries(body).every(
    ([key, value]) =>
      key in record &&
      ((record[key] ?? '') === (value ?? '') || (typeof value === 'number' && Number(record[key]) === value)),
  );
}

type BcRecord = BcEntityMap[BcEntitySet];

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
