/**
 * Re-sending the operations of a `$batch` that the service answered with a transient failure (DESIGN §7.7): both
 * connectors send a batch, sort each operation's answer into "final" or "send again", and hand the loop — backoff that
 * honours the largest Retry-After, the shared concurrency limiter, the retry budget and the message of an operation
 * that stayed unavailable — to this helper.
 */
import { type AdaptiveConcurrencyLimiter } from './adaptive-concurrency-limiter';
import { ConnectorError, type ConnectorErrorInit, RequestAbortedError } from './errors';
import { type ConnectorLogger } from './logger';
import { backoffDelay, type RetryOptions } from './retry-policy';
import { abortableSleep } from './util';

/** What became of one operation in one round of a batch. */
export type BatchOperationOutcome<R> =
  /** Settled: a success or a failure that repeating cannot fix (the record's data, a conflict, an unknown outcome). */
  | { kind: 'final'; result: R }
  /**
   * Not done, and safe to send again: `error` is what the operation answered (429, 5xx, missing from the answer);
   * `retryAfterMs` its Retry-After.
   */
  | { kind: 'retry'; error: ConnectorError; retryAfterMs?: number };

export interface BatchRetryArgs<R> {
  /** Positions (in the caller's op list) to send in the first round. */
  indexes: readonly number[];
  /**
   * Sends one `$batch` with the operations at `indexes` and returns one outcome per index, in the same order. Throws
   * when the batch request itself failed after the HTTP layer's own retries.
   */
  send: (indexes: readonly number[], round: number) => Promise<Array<BatchOperationOutcome<R>>>;
  /** Writes the settled result of the operation at `index`. */
  settle: (index: number, result: R) => void;
  /**
   * The result that reports `error` for the operation at `index` (a failed record): an operation that stayed
   * unavailable, or one of a re-sent batch that failed as a whole (then `error.scope` is `request`; see `forRecord`).
   */
  failed: (index: number, error: ConnectorError) => R;
  /** The client's retry budget (its `maxAttempts` counts rounds, the first included). */
  retry: Required<RetryOptions>;
  /** The client's shared limiter: throttled rounds halve its limit and a Retry-After pauses every request. */
  limiter: AdaptiveConcurrencyLimiter;
  log: ConnectorLogger;
  signal?: AbortSignal;
}

/**
 * Sends the operations at `indexes` as a batch and re-sends, in a new and smaller batch, those whose outcome was
 * `retry`, until every operation is settled or the retry budget (`maxAttempts` rounds, `maxTotalWaitMs` of waiting) is
 * spent. Between rounds it waits the largest Retry-After of the operations to re-send (plus a little jitter), else a
 * jittered exponential backoff, and pauses the limiter for a Retry-After. An operation still not done when the budget
 * runs out is settled as failed with an error of the same class (`ThrottledError`, `TransientServerError`), still
 * `retryable: true`, whose message says the failure was transient and the record will be retried on the next run.
 *
 * A batch request that fails as a whole in the first round is thrown (nothing of it is known to be done); in a later
 * round the earlier rounds' results stand, so the failure is reported on each operation that was being re-sent.
 * Throws the caller's abort reason when `signal` aborts.
 */
export async function sendBatchWithRetries<R>(args: BatchRetryArgs<R>): Promise<void> {
  const { retry, limiter, log, signal } = args;
  let pending = [...args.indexes];
  let waited = 0;
  for (let round = 1; pending.length; round++) {
    let outcomes: Array<BatchOperationOutcome<R>>;
    try {
      outcomes = await args.send(pending, round);
    } catch (error) {
      if (round === 1 || !(error instanceof ConnectorError) || error instanceof RequestAbortedError) throw error;
      for (const index of pending) args.settle(index, args.failed(index, error));
      return;
    }
    const again: Array<{ index: number; error: ConnectorError }> = [];
    let retryAfterMs: number | undefined;
    outcomes.forEach((outcome, position) => {
      const index = pending[position];
      if (outcome.kind === 'final') {
        args.settle(index, outcome.result);
        return;
      }
      again.push({ index, error: outcome.error });
      if (outcome.retryAfterMs !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, outcome.retryAfterMs);
    });
    if (!again.length) return;

    // The batch request itself was answered fine and released its slot as healthy; its operations tell the truth.
    const throttled = again.some(({ error }) => error.status === 429 || error.status === 503);
    limiter.report(throttled ? 'throttled' : 'failed');
    const delay =
      retryAfterMs !== undefined
        ? retryAfterMs + Math.round(Math.random() * Math.min(1000, retryAfterMs * 0.1))
        : backoffDelay(round, retry);
    if (round >= retry.maxAttempts || waited + delay > retry.maxTotalWaitMs) {
      for (const { index, error } of again) args.settle(index, args.failed(index, exhausted(error, round, waited)));
      return;
    }
    if (retryAfterMs !== undefined && throttled) limiter.pauseUntil(Date.now() + retryAfterMs);
    log.warn(
      {
        operations: again.length,
        statuses: [...new Set(again.map(({ error }) => error.status))],
        round,
        delayMs: delay,
        retryAfterMs,
        concurrencyLimit: limiter.limit,
      },
      'operations inside $batch throttled or failed; re-sending them',
    );
    waited += delay;
    await abortableSleep(delay, signal);
    pending = again.map(({ index }) => index);
  }
}

/** `error` (the last answer of an operation) once the retry budget is spent: same class, a message that says so. */
export function exhausted(error: ConnectorError, attempts: number, waitedMs: number): ConnectorError {
  const what =
    error.status === 429
      ? 'the service kept throttling (429)'
      : error.status === 0
        ? `the operation stayed unexecuted (${error.code})`
        : `the service stayed unavailable (${error.status})`;
  const over = `${attempts} attempt${attempts === 1 ? '' : 's'} over ${Math.round(waitedMs / 1000)} s`;
  return withMessage(error, {
    message: `${error.message}; ${what} after ${over}; the record will be retried on the next run`,
    retryable: true,
  });
}

/** The same failure as `error`, reported on one record of a batch (`recordKey` when given). */
export function forRecord(error: ConnectorError, recordKey?: string): ConnectorError {
  if (error.scope === 'record' && (recordKey === undefined || error.recordKey === recordKey)) return error;
  return withMessage(error, { scope: 'record', ...(recordKey !== undefined ? { recordKey } : {}) });
}

/** A copy of `error` (same class, the original as `cause`) with `changes` applied. */
function withMessage(error: ConnectorError, changes: Partial<ConnectorErrorInit>): ConnectorError {
  const Class = error.constructor as new (init: ConnectorErrorInit) => ConnectorError;
  return new Class({
    service: error.service,
    status: error.status,
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    scope: error.scope,
    ...(error.recordKey !== undefined ? { recordKey: error.recordKey } : {}),
    ...(error.detail !== undefined ? { detail: error.detail } : {}),
    cause: error,
    ...changes,
  });
}
