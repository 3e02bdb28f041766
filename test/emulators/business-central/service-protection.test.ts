import assert from 'node:assert/strict';
import { ServiceProtection, ThrottledError } from '../../../emulators/shared/service-protection';
import { errorCode, startHarness, type BcHarness, type Json } from './helpers';

describe('BC emulator: service protection', () => {
  let h: BcHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const setFaults = (rules: unknown[]) => h!.control('faults', { rules });

  it('answers 429 with Retry-After once the sliding-window budget is spent, longer while the client keeps sending', async () => {
    let now = Date.parse('2030-01-01T00:00:00.000Z');
    h = await startHarness({
      seed: { customers: 2 },
      clock: () => new Date(now),
      limits: { requestsPerWindow: 5, windowMs: 60_000 },
    });
    for (let i = 0; i < 5; i++) assert.equal((await h.call(h.companyUrl('customers'))).status, 200);
    const first = await h.call(h.companyUrl('customers'));
    assert.equal(first.status, 429);
    assert.equal(errorCode(await first.json()), 'Application_TooManyRequests');
    const wait1 = Number(first.headers.get('retry-after'));
    assert.ok(wait1 >= 1 && wait1 <= 60, String(wait1));
    const second = await h.call(h.companyUrl('customers'));
    assert.equal(second.status, 429);
    assert.ok(Number(second.headers.get('retry-after')) > wait1, 'Retry-After grows while hammering');
    now += 61_000;
    assert.equal((await h.call(h.companyUrl('customers'))).status, 200, 'the window slides');
  });

  it('makes the presence and the value of Retry-After configurable', async () => {
    h = await startHarness({ seed: false, limits: { requestsPerWindow: 1, sendRetryAfter: false } });
    await h.call(h.companyUrl('customers'));
    const without = await h.call(h.companyUrl('customers'));
    assert.equal(without.status, 429);
    assert.equal(without.headers.get('retry-after'), null);
    const changed = (await (
      await fetch(`${h.bc.url}/__emulator/limits`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sendRetryAfter: true, retryAfterSeconds: 9 }),
      })
    ).json()) as Json;
    assert.equal(changed.retryAfterSeconds, 9);
    const fixed = await h.call(h.companyUrl('customers'));
    assert.equal(fixed.status, 429);
    assert.equal(fixed.headers.get('retry-after'), '9');
  });

  it('changes limits at run time with POST /__emulator/limits and restores the real ones with reset', async () => {
    h = await startHarness({ seed: false });
    const real = (await (await fetch(`${h.bc.url}/__emulator/limits`)).json()) as Json;
    assert.equal(real.requestsPerWindow, 6000);
    assert.equal(real.windowMs, 300_000);
    assert.equal(real.maxConcurrent, 5);
    assert.equal(real.maxQueue, 95);
    assert.equal(real.maxConnections, 100);
    assert.equal((await h.control('limits', { requestsPerWindow: 2 })).status, 200);
    await h.call(h.companyUrl('customers'));
    await h.call(h.companyUrl('customers'));
    assert.equal((await h.call(h.companyUrl('customers'))).status, 429);
    const bad = await h.control('limits', { requestsPerWindow: 'lots' });
    assert.equal(bad.status, 400);
    const restored = (await (await h.control('limits', { reset: true })).json()) as Json;
    assert.equal(restored.requestsPerWindow, 6000);
  });

  it('processes maxConcurrent requests at once, queues up to maxQueue and refuses the rest with 429', async () => {
    h = await startHarness({ seed: { customers: 2 }, limits: { maxConcurrent: 1, maxQueue: 1 } });
    await setFaults([{ entitySet: 'customers', latencyMs: 400 }]);
    const answered: number[] = [];
    const send = async () => {
      const r = await h!.call(h!.companyUrl('customers'));
      answered.push(r.status);
      return r.status;
    };
    const statuses = await Promise.all([1, 2, 3].map(send));
    assert.deepEqual([...statuses].sort(), [200, 200, 429]);
    assert.deepEqual(answered, [429, 200, 200], 'the refused request is answered at once, not queued');
  });

  it('holds a request over maxConcurrent until the running one releases its slot', async () => {
    const limiter = new ServiceProtection({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 60_000 }, () => new Date(0));
    try {
      const running = await limiter.admit('client');
      let admitted = false;
      const queued = limiter.admit('client').then((slot) => {
        admitted = true;
        return slot;
      });
      await assert.rejects(
        limiter.admit('client'),
        (e: unknown) => e instanceof ThrottledError && e.reason === 'queueFull',
      );
      assert.equal(admitted, false, 'the second request waits while the first holds the only slot');
      running.release();
      (await queued).release();
      assert.equal(admitted, true);
    } finally {
      limiter.close();
    }
  });

  it('answers 503 with Retry-After when a request waits in the queue too long', async () => {
    h = await startHarness({ seed: { customers: 2 }, limits: { maxConcurrent: 1, maxQueue: 10, queueTimeoutMs: 100 } });
    await setFaults([{ entitySet: 'customers', latencyMs: 500 }]);
    const responses = await Promise.all([1, 2].map(() => h!.call(h!.companyUrl('customers'))));
    const statuses = responses.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 503]);
    const refused = responses.find((r) => r.status === 503)!;
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  });

  it('refuses requests beyond maxConnections in flight with 429', async () => {
    h = await startHarness({ seed: { customers: 2 }, limits: { maxConcurrent: 10, maxConnections: 2 } });
    await setFaults([{ entitySet: 'customers', latencyMs: 300 }]);
    const statuses = (await Promise.all([1, 2, 3].map(() => h!.call(h!.companyUrl('customers'))))).map((r) => r.status);
    assert.deepEqual([...statuses].sort(), [200, 200, 429]);
  });
});
