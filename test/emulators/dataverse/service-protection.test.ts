import assert from 'node:assert/strict';
import { startHarness, type Harness } from './helpers';

describe('Dataverse emulator: service protection', () => {
  let h: Harness;
  let now = Date.parse('2026-05-01T08:00:00.000Z');
  before(async () => {
    h = await startHarness({ clock: () => new Date(now) });
  });
  beforeEach(async () => {
    await h.control('POST', '/__emulator/limits', { reset: true });
    await h.control('POST', '/__emulator/reset');
  });
  after(async () => h.close());

  it('uses the documented limits by default', async () => {
    const limits = (await h.control('GET', '/__emulator/limits')).json;
    assert.equal(limits.requestsPerWindow, 6000);
    assert.equal(limits.windowMs, 300000);
    assert.equal(limits.executionMsPerWindow, 1200000);
    assert.equal(limits.maxConcurrent, 52);
  });

  it('sends the x-ms-ratelimit headers', async () => {
    const r = await h.api('GET', 'accounts');
    assert.equal(r.headers.get('x-ms-ratelimit-burst-remaining-xrm-requests'), '5999');
    assert.ok(Number(r.headers.get('x-ms-ratelimit-time-remaining-xrm-requests')) <= 1200000);
  });

  it('answers 429 with Retry-After and 0x80072322 past the request budget, longer while the client keeps sending', async () => {
    await h.control('POST', '/__emulator/limits', { requestsPerWindow: 3, windowMs: 60000 });
    for (let i = 0; i < 3; i++) assert.equal((await h.api('GET', 'accounts')).status, 200);
    const first = await h.api('GET', 'accounts');
    assert.equal(first.status, 429);
    assert.equal(first.json.error.code, '0x80072322');
    assert.equal(
      first.json.error.message,
      'Number of requests exceeded the limit of 3 over time window of 60 seconds.',
    );
    const waits = [Number(first.headers.get('retry-after'))];
    for (let i = 0; i < 3; i++) waits.push(Number((await h.api('GET', 'accounts')).headers.get('retry-after')));
    assert.equal(waits[0], 60);
    for (let i = 1; i < waits.length; i++) assert.ok(waits[i] > waits[i - 1], `Retry-After grows: ${waits.join(',')}`);
    now += 61_000;
    assert.equal((await h.api('GET', 'accounts')).status, 200);
    const stats = (await h.control('GET', '/__emulator/stats')).json;
    assert.equal(stats.byStatus['429'], 4);
    assert.equal(stats.throttled, 4);
  });

  it('answers 429 with 0x80072321 when the simulated execution time of the window is used up', async () => {
    await h.control('POST', '/__emulator/limits', { executionMsPerWindow: 1000, executionMsPerRequest: 400 });
    for (let i = 0; i < 3; i++) assert.equal((await h.api('GET', 'accounts')).status, 200);
    const r = await h.api('GET', 'accounts');
    assert.equal(r.status, 429);
    assert.equal(r.json.error.code, '0x80072321');
    assert.match(
      r.json.error.message,
      /^Combined execution time of incoming requests exceeded limit of 1,000 milliseconds/,
    );
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    now += 301_000;
    assert.equal((await h.api('GET', 'accounts')).status, 200);
  });

  it('answers 429 with 0x80072326 at once when too many requests run concurrently', async () => {
    await h.control('POST', '/__emulator/limits', { maxConcurrent: 2, maxConnections: 2 });
    await h.control('POST', '/__emulator/faults', { rules: [{ entitySet: 'contacts', latencyMs: 300 }] });
    try {
      const slow = [h.api('GET', 'contacts'), h.api('GET', 'contacts')];
      // Wait until both slow requests hold their slots, then a third must be refused immediately.
      const deadline = Date.now() + 5000;
      let refused: Awaited<ReturnType<Harness['api']>> | undefined;
      while (Date.now() < deadline) {
        const r = await h.api('GET', 'accounts');
        if (r.status === 429) {
          refused = r;
          break;
        }
      }
      assert.ok(refused, 'a concurrent request was refused');
      assert.equal(refused.json.error.code, '0x80072326');
      assert.equal(refused.json.error.message, 'Number of concurrent requests exceeded the limit of 2.');
      assert.deepEqual(
        (await Promise.all(slow)).map((r) => r.status),
        [200, 200],
      );
    } finally {
      await h.control('POST', '/__emulator/faults', { rules: [] });
    }
  });

  it('counts a batch as one request but charges each of its operations execution time', async () => {
    await h.control('POST', '/__emulator/limits', {
      requestsPerWindow: 2,
      executionMsPerWindow: 100000,
      executionMsPerRequest: 1000,
    });
    const parts = Array.from({ length: 10 }, (_, i) =>
      [
        `--b`,
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        '',
        `POST accounts HTTP/1.1`,
        'Content-Type: application/json',
        '',
        JSON.stringify({ name: `A${i}` }),
      ].join('\r\n'),
    );
    const r = await h.api('POST', '$batch', {
      headers: { 'Content-Type': 'multipart/mixed; boundary=b' },
      body: `${parts.join('\r\n')}\r\n--b--\r\n`,
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-ms-ratelimit-burst-remaining-xrm-requests'), '1');
    const remaining = Number(r.headers.get('x-ms-ratelimit-time-remaining-xrm-requests'));
    assert.ok(remaining <= 90000 && remaining > 89000, String(remaining));
  });
});
