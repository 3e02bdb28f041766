/**
 * The batch frame both connectors' `writeBatch` share, driven by a scripted `send` (the wire formats are covered
 * against the emulators in business-central.test.ts, dataverse.test.ts and batch-transient.test.ts).
 */
import assert from 'node:assert/strict';
import { AdaptiveConcurrencyLimiter } from '../../connectors/http/adaptive-concurrency-limiter';
import { type BatchOperationOutcome } from '../../connectors/http/batch-retry';
import { isResendable, resend, writeInBatches, written } from '../../connectors/http/batch-writes';
import { type ConnectorError, ThrottledError, ValidationError } from '../../connectors/http/errors';
import { silentLogger } from '../../connectors/http/logger';
import { DEFAULT_RETRY } from '../../connectors/http/retry-policy';

interface Op {
  name: string;
  endpoint: string;
  invalid?: boolean;
}
type Result = { ok: true; name: string } | { ok: false; error: ConnectorError };

const core = () => ({
  retry: { ...DEFAULT_RETRY, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
  limiter: new AdaptiveConcurrencyLimiter({ max: 4 }),
  log: silentLogger,
});

const throttled = (name: string) =>
  new ThrottledError({
    service: 'dataverse',
    status: 429,
    code: 'HTTP_429',
    message: `${name} throttled`,
    retryable: true,
  });

describe('writeInBatches', () => {
  it('sends batches of at most batchSize per endpoint and returns one result per operation in input order', async () => {
    const ops: Op[] = [
      { name: 'a', endpoint: 'std' },
      { name: 'b', endpoint: 'custom' },
      { name: 'c', endpoint: 'std' },
      { name: 'd', endpoint: 'std' },
      { name: 'e', endpoint: 'custom' },
    ];
    const sent: Array<[string, string[]]> = [];
    const results = await writeInBatches<Op, Result>({
      ops,
      batchSize: 2,
      endpointOf: (op) => op.endpoint,
      check: () => undefined,
      send: async (endpoint, indexes) => {
        sent.push([endpoint, indexes.map((i) => ops[i].name)]);
        return indexes.map((i) => ({ kind: 'final', result: { ok: true, name: ops[i].name } }));
      },
      failed: (_index, error) => ({ ok: false, error }),
      core: core(),
    });
    assert.deepEqual(
      results.map((r) => (r.ok ? r.name : r.error.code)),
      ['a', 'b', 'c', 'd', 'e'],
    );
    assert.deepEqual(
      sent.sort(([x], [y]) => x.localeCompare(y)),
      [
        ['custom', ['b', 'e']],
        ['std', ['a', 'c']],
        ['std', ['d']],
      ],
    );
  });

  it('reports an operation that fails its check as its result and never sends it', async () => {
    const ops: Op[] = [
      { name: 'good', endpoint: '' },
      { name: 'bad', endpoint: '', invalid: true },
    ];
    const sent: string[] = [];
    const results = await writeInBatches<Op, Result>({
      ops,
      batchSize: 10,
      check: (op) => {
        if (op.invalid)
          throw new ValidationError({
            service: 'dataverse',
            status: 0,
            code: 'InvalidGuid',
            message: 'no',
            retryable: false,
          });
      },
      send: async (_endpoint, indexes) => {
        sent.push(...indexes.map((i) => ops[i].name));
        return indexes.map((i) => ({ kind: 'final', result: { ok: true, name: ops[i].name } }));
      },
      failed: (_index, error) => ({ ok: false, error }),
      core: core(),
    });
    assert.deepEqual(sent, ['good']);
    assert.deepEqual(results[0], { ok: true, name: 'good' });
    assert.ok(!results[1].ok && results[1].error instanceof ValidationError && results[1].error.code === 'InvalidGuid');
  });

  it('re-sends only the throttled operation and settles it once it is done', async () => {
    const ops: Op[] = [
      { name: 'x', endpoint: '' },
      { name: 'y', endpoint: '' },
    ];
    const rounds: string[][] = [];
    const results = await writeInBatches<Op, Result>({
      ops,
      batchSize: 10,
      check: () => undefined,
      send: async (_endpoint, indexes) => {
        rounds.push(indexes.map((i) => ops[i].name));
        return indexes.map((i): BatchOperationOutcome<Result> =>
          ops[i].name === 'y' && rounds.length === 1
            ? resend(throttled('y'), '0')
            : { kind: 'final', result: { ok: true, name: ops[i].name } },
        );
      },
      failed: (_index, error) => ({ ok: false, error }),
      core: core(),
    });
    assert.deepEqual(rounds, [['x', 'y'], ['y']]);
    assert.deepEqual(results, [
      { ok: true, name: 'x' },
      { ok: true, name: 'y' },
    ]);
  });
});

describe('batch outcome helpers', () => {
  it('takes the etag of the record, else of the header, else none', () => {
    assert.deepEqual(written({ '@odata.etag': 'W/"1"' }, 'W/"2"'), {
      kind: 'final',
      result: { ok: true, record: { '@odata.etag': 'W/"1"' }, etag: 'W/"1"' },
    });
    assert.deepEqual(written(null, 'W/"2"'), { kind: 'final', result: { ok: true, record: null, etag: 'W/"2"' } });
    assert.deepEqual(written(null, undefined), { kind: 'final', result: { ok: true, record: null, etag: null } });
  });

  it('re-sends retryable 408/429/502/503/504 answers only, with their Retry-After', () => {
    const error = throttled('z');
    assert.equal(isResendable(429, error), true);
    assert.equal(isResendable(500, error), false, '500 is not in the retry policy');
    assert.equal(
      isResendable(
        503,
        new ValidationError({ service: 'dataverse', status: 503, code: 'x', message: 'x', retryable: false }),
      ),
      false,
    );
    assert.deepEqual(resend(error, '2'), { kind: 'retry', error, retryAfterMs: 2000 });
    assert.deepEqual(resend(error, undefined), { kind: 'retry', error });
  });
});
