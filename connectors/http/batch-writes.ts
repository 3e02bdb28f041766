/**
 * Writing a list of operations through `$batch`, shared by both connectors' `writeBatch`: group the operations by
 * batch endpoint, cut the groups into batches of `batchSize`, report an operation that cannot even be sent (an id that
 * is not a GUID) as its own failure, send the rest with the re-send loop of `sendBatchWithRetries`, and return one
 * result per operation in input order. The service-specific parts — the wire format of a batch and how one answer is
 * read — are the caller's `check` and `send`.
 */
import { type BatchOperationOutcome, sendBatchWithRetries } from './batch-retry';
import { type ConnectorCore } from './connector-core';
import { type ConnectorError } from './errors';
import { chunk } from './odata';
import { parseRetryAfter, RETRYABLE_STATUSES } from './retry-policy';
import { sig } from './util';

/** The result of an operation that failed; both connectors' write results include it. */
export interface FailedWrite {
  ok: false;
  error: ConnectorError;
}

/** The result of an operation that succeeded: the record the service answered with (if any) and its etag. */
export interface SucceededWrite<Rec> {
  ok: true;
  record: Rec | null;
  etag: string | null;
}

export interface BatchWritesArgs<Op, R> {
  ops: readonly Op[];
  /** Operations per `$batch` request. */
  batchSize: number;
  /** The `$batch` endpoint of an operation; operations of different endpoints never share a batch. (Default: one) */
  endpointOf?: (op: Op) => string;
  /** Throws the ConnectorError that is the operation's result when it cannot be sent at all (checked once, first). */
  check: (op: Op) => void;
  /** One `$batch` round trip to `endpoint` with the operations at `indexes`: one outcome per index, in order. */
  send: (endpoint: string, indexes: readonly number[]) => Promise<Array<BatchOperationOutcome<R>>>;
  /** The result reporting `error` for the operation at `index` (see `BatchRetryArgs.failed`). */
  failed: (index: number, error: ConnectorError) => R;
  /** The client's retry budget, shared concurrency limiter and logger. */
  core: Pick<ConnectorCore, 'retry' | 'limiter' | 'log'>;
  signal?: AbortSignal;
}

/**
 * Sends `ops` in batches (all batches in parallel, through the shared limiter) and returns one result per operation,
 * in input order. Per-operation failures are results, never thrown; a batch request that fails as a whole in its first
 * round is thrown (see `sendBatchWithRetries`), as is the caller's abort reason.
 */
export async function writeInBatches<Op, R>(args: BatchWritesArgs<Op, R>): Promise<Array<R | FailedWrite>> {
  const results = new Array<R | FailedWrite>(args.ops.length);
  const byEndpoint = new Map<string, number[]>();
  args.ops.forEach((op, index) => {
    const endpoint = args.endpointOf?.(op) ?? '';
    const list = byEndpoint.get(endpoint) ?? [];
    list.push(index);
    byEndpoint.set(endpoint, list);
  });

  const runBatch = async (endpoint: string, indexes: readonly number[]): Promise<void> => {
    const sendable: number[] = [];
    for (const index of indexes) {
      try {
        args.check(args.ops[index]);
        sendable.push(index);
      } catch (error) {
        results[index] = { ok: false, error: error as ConnectorError };
      }
    }
    await sendBatchWithRetries<R>({
      indexes: sendable,
      send: (pending) => args.send(endpoint, pending),
      settle: (index, result) => (results[index] = result),
      failed: args.failed,
      retry: args.core.retry,
      limiter: args.core.limiter,
      log: args.core.log,
      ...sig(args.signal),
    });
  };

  const work: Array<Promise<void>> = [];
  for (const [endpoint, indexes] of byEndpoint) {
    for (const part of chunk(indexes, args.batchSize)) work.push(runBatch(endpoint, part));
  }
  await Promise.all(work);
  return results;
}

/** The outcome of an operation the service carried out: its record (null without a body) and etag. */
export function written<Rec extends { '@odata.etag'?: string }>(
  record: Rec | null,
  etagHeader: string | undefined,
): BatchOperationOutcome<SucceededWrite<Rec>> {
  return { kind: 'final', result: { ok: true, record, etag: record?.['@odata.etag'] ?? etagHeader ?? null } };
}

/**
 * True when an operation answered `status` with `error` was not carried out and may be sent again: a retryable
 * error with a status of the retry policy (408, 429, 502, 503, 504).
 */
export function isResendable(status: number, error: ConnectorError): boolean {
  return RETRYABLE_STATUSES.has(status) && error.retryable;
}

/** The `retry` outcome of an operation answered `error`, honouring its `Retry-After` header when there is one. */
export function resend<R>(error: ConnectorError, retryAfter: string | undefined): BatchOperationOutcome<R> {
  const retryAfterMs = parseRetryAfter(retryAfter ?? null);
  return { kind: 'retry', error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}
