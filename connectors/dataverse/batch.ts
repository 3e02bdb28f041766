/**
 * `writeBatch` of a Dataverse client: multipart `$batch` with `Prefer: odata.continue-on-error`, with the shared
 * re-send loop of batch-writes.ts.
 */
import { randomUUID } from 'node:crypto';
import { type BatchOperationOutcome, forRecord } from '../http/batch-retry';
import { isResendable, resend, writeInBatches, written } from '../http/batch-writes';
import { TransientServerError } from '../http/errors';
import { bodyExcerpt, parseJsonOrNull } from '../http/json-body';
import { guidLiteral, queryString } from '../http/odata';
import { sig } from '../http/util';
import { classifyDvError, type DvPrecondition } from './classify-error';
import { checkSet, type DvContext, SERVICE } from './context';
import { type DvRecord } from './entity-sets';
import {
  boundaryOf,
  type MultipartResponse,
  type MultipartRequest,
  parseBatchResponse,
  serializeBatch,
} from './multipart-batch';
import { type DataverseClient, type DvWriteOp, type DvWriteOptions, type DvWriteResult } from './types';

export type DvBatch = Pick<DataverseClient, 'writeBatch'>;

/**
 * The batch writes of a client over `ctx`. Operations answered 408/429/502/503/504, or missing from the answer, are
 * re-sent in smaller batches (see sendBatchWithRetries); an answer that is not multipart/mixed is a retryable
 * TransientServerError `UnexpectedContentType` for the whole batch. Every operation here is safe to repeat: a create is
 * `PATCH (id)` with `If-None-Match: *` (a repeat of one that did happen answers 412 → DuplicateKeyError, "already
 * created"), an update or delete carries `If-Match`.
 */
export function createDvBatch(ctx: DvContext): DvBatch {
  function toPart(op: DvWriteOp, select?: readonly string[]): MultipartRequest {
    const path = `${ctx.basePath}/${checkSet(op.set)}(${guidLiteral(op.id, SERVICE)})`;
    if (op.kind === 'delete') {
      return { method: 'DELETE', url: path, headers: op.etag ? { 'If-Match': op.etag } : {} };
    }
    return {
      method: 'PATCH',
      url: `${path}${queryString({ $select: ctx.writeSelect(op.set, select) })}`,
      headers: {
        'Content-Type': 'application/json',
        Prefer: 'return=representation',
        ...(op.kind === 'createWithId' ? { 'If-None-Match': '*' } : { 'If-Match': op.etag ?? '*' }),
      },
      body: JSON.stringify(op.body),
    };
  }

  /** One `$batch` round trip: one outcome per operation, in order. */
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
    const res = await ctx.http().request({
      method: 'POST',
      url: `${ctx.base}/$batch`,
      headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}`, Prefer: 'odata.continue-on-error' },
      body,
      idempotent: true,
      description: `POST $batch (${pending.length} operations)`,
      ...sig(opts.signal),
    });
    const responseBoundary = boundaryOf(res.headers.get('content-type'));
    if (!responseBoundary) {
      // Not a batch answer at all (a proxy's page, a JSON body): nothing in it says what became of the operations.
      // Every operation here is safe to repeat, so the whole batch is sent again.
      throw new TransientServerError({
        service: SERVICE,
        status: res.status,
        code: 'UnexpectedContentType',
        message: `Dataverse answered POST $batch (${pending.length} operations) with ${res.status}, but the answer was ${res.headers.get('content-type') || 'without a content type'}, not multipart/mixed: ${bodyExcerpt(res.text)}`,
        retryable: true,
        detail: bodyExcerpt(res.text, 500),
      });
    }
    const parts = parseBatchResponse(res.text, responseBoundary);
    return pending.map((index, position) => outcomeOf(ops[index], parts[position]));
  }

  return {
    async writeBatch(ops, opts = {}) {
      return writeInBatches<DvWriteOp, DvWriteResult>({
        ops,
        batchSize: ctx.batchSize,
        check: (op) => toPart(op, opts.select),
        send: (_endpoint, pending) => sendBatch(pending, ops, opts),
        failed: (index, error) => ({ ok: false, error: forRecord(error, ops[index].id) }),
        core: ctx.core,
        ...sig(opts.signal),
      });
    },
  };
}

/** What became of one operation, from its part of the `$batch` answer (undefined: the batch stopped before it). */
function outcomeOf(op: DvWriteOp, part: MultipartResponse | undefined): BatchOperationOutcome<DvWriteResult> {
  const description = `${op.kind === 'delete' ? 'DELETE' : 'PATCH'} ${op.set}(${op.id})`;
  if (!part) {
    return resend(
      new TransientServerError({
        service: SERVICE,
        status: 0,
        code: 'NotExecuted',
        message: `Dataverse did not execute ${description} in the $batch (the batch stopped early)`,
        retryable: true,
        scope: 'record',
        recordKey: op.id,
      }),
      undefined,
    );
  }
  if (part.status >= 200 && part.status < 300) {
    const record = part.body ? (parseJsonOrNull(part.body) as DvRecord | null) : null;
    return written(record, part.headers.etag);
  }
  const precondition: DvPrecondition = op.kind === 'createWithId' ? 'if-none-match' : 'if-match';
  const error = classifyDvError(part.status, parseJsonOrNull(part.body), description, precondition, 'record', op.id);
  if (isResendable(part.status, error)) return resend(error, part.headers['retry-after']);
  return { kind: 'final', result: { ok: false, error } };
}
