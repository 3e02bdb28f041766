/**
 * The shared re-send loop of both connectors' `writeBatch`, driven by a scripted `send` (the HTTP side is covered
 * against the emulators in batch-transient.test.ts): rounds, limiter feedback and whole-batch failures in a re-send.
 */
import assert from 'node:assert/strict';
import { AdaptiveConcurrencyLimiter } from '../../connectors/http/adaptive-concurrency-limiter';
import { type BatchOperationOutcome, sendBatchWithRetries } from '../../connectors/http/batch-retry';
import { type ConnectorError, ThrottledError, TransientServerError } from '../../connectors/http/errors';
import { DEFAULT_RETRY } from '../../connectors/http/retry-policy';
import { silentLogger } from '../../connectors/http/logger';

type Result = string | ConnectorError;

const unavailable = (status: number): ConnectorError =>
  new (status === 429 ? ThrottledError : TransientServerError)({
    service: 'dataverse',
    status,
    code: `HTTP_${status}`,
    message: `op answered ${status}`,
    retryable: true,
    scope: 'record',
  });

/** Runs the loop over `count` operations with `script(round, index)` deciding each answer. */
async function run(
  count: number,
  script: (round: number, index: number) => BatchOperationOutcome<Result> | 'throw',
  limiter = new AdaptiveConcurrencyLimiter({ max: 8 }),
) {
  const results: Result[] = [];
  const rounds: number[][] = [];
  await sendBatchWithRetries<Result>({
    indexes: Array.from({ length: count }, (_, i) => i),
    send: async (pending, round) => {
      rounds.push([...pending]);
      const answers = pending.map((index) => script(round, index));
      if (answers.includes('throw')) throw unavailable(502);
      return answers as Array<BatchOperationOutcome<Result>>;
    },
    settle: (index, result) => (results[index] = result),
    failed: (_index, error) => error,
    retry: { ...DEFAULT_RETRY, maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    limiter,
    log: silentLogger,
  });
  return { results, rounds, limiter };
}

describe('sendBatchWithRetries', () => {
  it('re-sends only the operations to retry, each round smaller, and halves the limit on a throttled round', async () => {
    const { results, rounds, limiter } = await run(4, (round, index) =>
      index >= round ? { kind: 'retry', error: unavailable(429), retryAfterMs: 5 } : { kind: 'final', result: 'done' },
    );
    assert.deepEqual(rounds, [[0, 1, 2, 3], [1, 2, 3], [2, 3], [3]]);
    assert.deepEqual(results, ['done', 'done', 'done', 'done']);
    assert.equal(limiter.limit, 1, 'three throttled rounds halve 8 three times');
  });

  it('throws a whole-batch failure of the first round, and reports one of a re-send on the re-sent operations', async () => {
    await assert.rejects(
      run(2, () => 'throw'),
      TransientServerError,
    );
    const { results } = await run(2, (round, index) =>
      round === 1
        ? index === 0
          ? { kind: 'final', result: 'done' }
          : { kind: 'retry', error: unavailable(503) }
        : 'throw',
    );
    assert.equal(results[0], 'done', 'the first round stands');
    assert.ok(results[1] instanceof TransientServerError && results[1].status === 502, String(results[1]));
  });

  it('reports an operation still failing after maxAttempts rounds with its class and the transient message', async () => {
    const { results, rounds } = await run(1, () => ({ kind: 'retry', error: unavailable(429) }));
    assert.equal(rounds.length, 4);
    const [error] = results as ConnectorError[];
    assert.ok(error instanceof ThrottledError);
    assert.equal(error.retryable, true);
    assert.match(
      error.message,
      /^op answered 429; the service kept throttling \(429\) after 4 attempts over \d+ s; the record will be retried on the next run$/,
    );
  });
});
