import assert from 'node:assert/strict';
import { AdaptiveConcurrencyLimiter } from '../../connectors/http/adaptive-concurrency-limiter';
import { parseRetryAfter } from '../../connectors/http/retry-policy';

describe('Retry-After parsing', () => {
  it('reads delta seconds and HTTP dates', () => {
    const now = Date.parse('2024-05-01T10:00:00Z');
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter('Wed, 01 May 2024 10:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 01 May 2024 09:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter(null, now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
  });
});

describe('AdaptiveConcurrencyLimiter', () => {
  it('halves on throttling, grows by one after healthy responses and stays within [1, max]', async () => {
    const limiter = new AdaptiveConcurrencyLimiter({ max: 8, increaseAfter: 3 });
    assert.equal(limiter.limit, 8);
    for (const expected of [4, 2, 1, 1]) {
      (await limiter.acquire())('throttled');
      assert.equal(limiter.limit, expected);
    }
    for (let i = 0; i < 3; i++) (await limiter.acquire())('ok');
    assert.equal(limiter.limit, 2);
    for (let i = 0; i < 100; i++) (await limiter.acquire())('ok');
    assert.equal(limiter.limit, 8);
  });

  it('never lets more than the limit run at once', async () => {
    const limiter = new AdaptiveConcurrencyLimiter({ max: 3 });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const release = await limiter.acquire();
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setImmediate(r));
        running--;
        release('ok');
      }),
    );
    assert.equal(peak, 3);
  });

  it('holds new requests until a Retry-After pause ends', async () => {
    const limiter = new AdaptiveConcurrencyLimiter({ max: 4 });
    const start = Date.now();
    limiter.pauseUntil(start + 150);
    (await limiter.acquire())('ok');
    assert.ok(Date.now() - start >= 140, `started after ${Date.now() - start} ms`);
  });
});
