import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { startBusinessCentralEmulator } from '../../emulators/business-central';
import {
  type BcCustomer,
  type BusinessCentralClient,
  type ChangeCursor,
  type ChangedPage,
  createBusinessCentralClient,
} from '../../connectors/business-central';
import {
  AuthenticationError,
  ConcurrencyConflictError,
  ConnectorError,
  NotFoundError,
  ValidationError,
} from '../../connectors/http/errors';
import { createTokenProvider } from '../../connectors/http/create-token-provider';
import type { TokenProvider } from '../../connectors/http/token-provider';
import { captureLogger, control, setFaults, stats, thrown, type TimedEvent } from './support/emulator-control';

const TENANT = 'cronus';
const CLIENT_ID = 'bcsync-demo';
const CLIENT_SECRET = 'bcsync-demo-secret';
const SCOPE = 'https://api.businesscentral.dynamics.com/.default';

describe('Business Central connector against the BC emulator', function () {
  this.timeout(120_000);
  let emulator: Awaited<ReturnType<typeof startBusinessCentralEmulator>>;
  let tokens: TokenProvider;
  let bc: BusinessCentralClient;
  const logger = captureLogger();
  const events: TimedEvent[] = [];

  const newClient = (
    overrides: Partial<Parameters<typeof createBusinessCentralClient>[0]> = {},
  ): BusinessCentralClient =>
    createBusinessCentralClient({
      apiUrl: `${emulator.url}/v2.0`,
      tenant: TENANT,
      environment: 'production',
      companyId: emulator.companyId,
      tokenProvider: tokens,
      retry: { baseDelayMs: 20, maxDelayMs: 300, maxAttempts: 12 },
      logger,
      onRequest: (e) => {
        const end = Date.now();
        events.push({ status: e.status, method: e.method, url: e.url, start: end - e.durationMs, end });
      },
      ...overrides,
    });

  before(async () => {
    emulator = await startBusinessCentralEmulator({ seed: false, pageSize: 50 });
    tokens = createTokenProvider({
      authorityHost: emulator.url,
      tenant: TENANT,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scope: SCOPE,
      logger,
    });
    bc = newClient();
  });

  after(async () => {
    await emulator?.close();
  });

  beforeEach(async () => {
    await setFaults(emulator.url, []);
  });

  async function createCustomers(count: number, prefix: string): Promise<BcCustomer[]> {
    const results = await bc.writeBatch(
      Array.from({ length: count }, (_, i) => ({
        kind: 'create' as const,
        entitySet: 'customers' as const,
        body: { displayName: `${prefix} ${String(i).padStart(4, '0')}` },
      })),
    );
    return results.map((r, i) => {
      assert.ok(r.ok, `create ${i} failed: ${r.ok ? '' : r.error.message}`);
      return r.record as BcCustomer;
    });
  }

  it('resolves the company id from the company name', async () => {
    const token = await tokens.getToken();
    const res = await fetch(`${emulator.apiBase}/companies`, { headers: { Authorization: `Bearer ${token}` } });
    const companies = ((await res.json()) as { value: Array<{ id: string; name: string }> }).value;
    const company = companies.find((c) => c.id === emulator.companyId)!;
    const named = createBusinessCentralClient({
      apiUrl: `${emulator.url}/v2.0`,
      tenant: TENANT,
      companyName: company.name,
      tokenProvider: tokens,
    });
    assert.equal(await named.companyId(), emulator.companyId);
  });

  it("uses the environment's only company when none is configured", async () => {
    const unnamed = createBusinessCentralClient({
      apiUrl: `${emulator.url}/v2.0`,
      tenant: TENANT,
      tokenProvider: tokens,
    });
    assert.equal(await unnamed.companyId(), emulator.companyId);
  });

  it('names the configured company when it does not exist', async () => {
    const wrong = createBusinessCentralClient({
      apiUrl: `${emulator.url}/v2.0`,
      tenant: TENANT,
      companyName: 'No Such Company',
      tokenProvider: tokens,
    });
    await assert.rejects(wrong.companyId(), /no company named 'No Such Company'/);
  });

  it('creates, reads, updates with the ETag and deletes a customer', async () => {
    const created = await bc.create('customers', { displayName: 'Adatum Corporation', city: 'Oslo' });
    assert.match(created.id, /^[0-9a-f-]{36}$/i);
    assert.ok(created['@odata.etag']);
    const read = await bc.get('customers', created.id);
    assert.equal(read?.displayName, 'Adatum Corporation');
    const updated = await bc.update('customers', created.id, created['@odata.etag'], { city: 'Bergen' });
    assert.equal(updated.city, 'Bergen');
    assert.notEqual(updated['@odata.etag'], created['@odata.etag']);
    await bc.delete('customers', created.id, updated['@odata.etag']!);
    assert.equal(await bc.get('customers', created.id), null);
  });

  it('reads and writes the master-data sets on their roots: paymentTerms, shipmentMethods, shippingAgents, customerCards', async () => {
    const terms = await bc.create('paymentTerms', { code: 'NET30', displayName: 'Net 30 days' });
    const method = await bc.create('shipmentMethods', { code: 'PICKUP', displayName: 'Pickup' });
    const agent = await bc.create('shippingAgents', { code: 'POSTEN', name: 'Posten Norge' });
    assert.equal((await bc.findOne('shippingAgents', "code eq 'POSTEN'"))?.id, agent.id);
    const customer = await bc.create('customers', { displayName: 'Option Fields AS', paymentTermsId: terms.id });
    const card = await bc.update('customerCards', customer.id, customer['@odata.etag']!, {
      shipmentMethodCode: method.code,
      shippingAgentCode: agent.code,
    });
    assert.equal(card.paymentTermsCode, 'NET30');
    assert.equal(card.shippingAgentCode, 'POSTEN');
    const v2 = await bc.get('customers', customer.id);
    assert.equal(v2?.shipmentMethodId, method.id);
    assert.equal(v2?.['@odata.etag'], card['@odata.etag']);
    const rates: unknown[] = [];
    for await (const page of bc.listAll({ entitySet: 'currencyExchangeRates' })) rates.push(...page);
    assert.deepEqual(rates, [], 'the emulator started without demo data');
  });

  it('reports a stale ETag as ConcurrencyConflictError on update and delete', async () => {
    const created = await bc.create('customers', { displayName: 'Stale Etag Ltd' });
    await bc.update('customers', created.id, created['@odata.etag']!, { city: 'Tromsø' });
    const onUpdate = await thrown(() => bc.update('customers', created.id, created['@odata.etag']!, { city: 'Bodø' }));
    assert.ok(onUpdate instanceof ConcurrencyConflictError, String(onUpdate));
    assert.equal(onUpdate.status, 409);
    assert.equal(onUpdate.retryable, false);
    assert.match(onUpdate.message, /customers\(/);
    const onDelete = await thrown(() => bc.delete('customers', created.id, created['@odata.etag']!));
    assert.ok(onDelete instanceof ConcurrencyConflictError, String(onDelete));
  });

  it('reports a missing record as NotFoundError', async () => {
    const error = await thrown(() =>
      bc.update('customers', '00000000-0000-4000-8000-000000000123', '*', { city: 'X' }),
    );
    assert.ok(error instanceof NotFoundError, String(error));
    assert.equal(error.status, 404);
  });

  it('finds one record by a deterministic key and returns null when none matches', async () => {
    const [customer] = await createCustomers(1, 'Findable');
    const found = await bc.findOne('customers', `number eq '${customer.number}'`);
    assert.equal(found?.id, customer.id);
    assert.equal(await bc.findOne('customers', "displayName eq 'No such customer at all'"), null);
  });

  it('reads records by id in chunks and leaves out ids that do not exist', async () => {
    const customers = await createCustomers(95, 'ByIds');
    const missing = '00000000-0000-4000-8000-00000000beef';
    const found = await bc.getByIds('customers', [...customers.map((c) => c.id), missing]);
    assert.equal(found.length, 95);
    assert.deepEqual(new Set(found.map((c) => c.id)), new Set(customers.map((c) => c.id)));
  });

  it('lists all records through server-driven pages', async () => {
    await control(emulator.url, 'reset');
    const customers = await createCustomers(230, 'Listed');
    const pages: number[] = [];
    const ids = new Set<string>();
    for await (const page of bc.listAll({ entitySet: 'customers', pageSize: 40 })) {
      pages.push(page.length);
      for (const c of page) ids.add(c.id);
    }
    assert.ok(pages.length >= 5, `pages: ${pages.join(',')}`);
    assert.equal(ids.size, customers.length);
  });

  it('writes batches of more than 100 operations and returns results in input order', async () => {
    const ops = Array.from({ length: 230 }, (_, i) => ({
      kind: 'create' as const,
      entitySet: 'customers' as const,
      body: { displayName: `Ordered ${i}` },
    }));
    const before = (await stats(emulator.url)).byMethod['POST'] ?? 0;
    const results = await bc.writeBatch(ops);
    results.forEach((r, i) => {
      assert.ok(r.ok);
      assert.equal((r.record as BcCustomer).displayName, `Ordered ${i}`);
      assert.ok(r.etag);
    });
    const posts = ((await stats(emulator.url)).byMethod['POST'] ?? 0) - before;
    assert.equal(posts, 3, '230 operations should travel in 3 $batch requests');
    // Updates and deletes in one batch, with a stale ETag for one of them.
    const [a, b, c] = results.map((r) => (r.ok ? (r.record as BcCustomer) : null));
    const mixed = await bc.writeBatch([
      { kind: 'update', entitySet: 'customers', id: a!.id, etag: a!['@odata.etag']!, body: { city: 'Stavanger' } },
      { kind: 'delete', entitySet: 'customers', id: b!.id, etag: b!['@odata.etag']! },
      { kind: 'update', entitySet: 'customers', id: c!.id, etag: 'W/"JzE7c3RhbGUn"', body: { city: 'Nowhere' } },
    ]);
    assert.ok(mixed[0].ok && (mixed[0].record as BcCustomer).city === 'Stavanger');
    assert.ok(mixed[1].ok && mixed[1].record === null);
    assert.ok(!mixed[2].ok && mixed[2].error instanceof ConcurrencyConflictError, inspect(mixed[2]));
    assert.equal(mixed[2].error.scope, 'record');
  });

  it('writes the valid records of a batch and reports the invalid one with the API message', async () => {
    const results = await bc.writeBatch([
      { kind: 'create', entitySet: 'customers', body: { displayName: 'Valid One' } },
      { kind: 'create', entitySet: 'customers', body: { city: 'Missing name' }, key: 'bc-key-2' },
      { kind: 'create', entitySet: 'customers', body: { displayName: 'Valid Two' } },
    ]);
    assert.ok(results[0].ok && results[2].ok);
    const bad = results[1];
    assert.ok(!bad.ok);
    assert.ok(bad.error instanceof ValidationError, inspect(bad.error));
    assert.equal(bad.error.scope, 'record');
    assert.equal(bad.error.recordKey, 'bc-key-2');
    assert.match(bad.error.message, /displayName/);
    assert.doesNotMatch(bad.error.message, /CorrelationId/);
  });

  it('pages changed records across 3+ pages while records change between pages, missing and repeating none', async () => {
    await control(emulator.url, 'reset');
    // The emulator keeps timestamps strictly increasing, so records never tie here; ties (and GUID order) are covered
    // by changed-page-reader.test.ts.
    await createCustomers(120, 'Paged');
    const seen: string[] = [];
    let after: ChangeCursor | null = null;
    let pages = 0;
    let extra = 0;
    for (;;) {
      const page: ChangedPage<BcCustomer> = await bc.readChangedPage({ entitySet: 'customers', after, pageSize: 25 });
      pages++;
      for (const r of page.records) seen.push(`${r.id}@${r.lastModifiedDateTime}`);
      if (!page.next) break;
      after = page.next;
      if (pages <= 3) {
        // Between pages: change one record already read, one not yet read, and add one.
        const all: BcCustomer[] = [];
        for await (const p of bc.listAll({ entitySet: 'customers' })) all.push(...p);
        const readIds = new Set(seen.map((s) => s.split('@')[0]));
        const done = all.find((c) => readIds.has(c.id))!;
        const todo = all.find((c) => !readIds.has(c.id))!;
        await bc.update('customers', done.id, '*', { city: `changed-${pages}` });
        await bc.update('customers', todo.id, '*', { city: `changed-${pages}` });
        await createCustomers(1, `Added ${extra++}`);
      }
    }
    assert.ok(pages >= 4, `pages: ${pages}`);
    assert.equal(new Set(seen).size, seen.length, 'a record version was returned twice');
    const final: BcCustomer[] = [];
    for await (const p of bc.listAll({ entitySet: 'customers' })) final.push(...p);
    for (const c of final) assert.ok(seen.includes(`${c.id}@${c.lastModifiedDateTime}`), `missed ${c.displayName}`);
  });

  it('reads every record through the id keyset path used for large timestamp ties', async () => {
    // cursorIdLimit 1 makes every call after the first send `lastModifiedDateTime eq X and id gt G` (AND across fields,
    // GUID comparison on the server) before `lastModifiedDateTime gt X`.
    const keyset = newClient({ cursorIdLimit: 1 });
    const expected = new Set<string>();
    for await (const page of bc.listAll({ entitySet: 'customers' })) for (const c of page) expected.add(c.id);
    const seen: string[] = [];
    let after: ChangeCursor | null = null;
    for (;;) {
      const page: ChangedPage<BcCustomer> = await keyset.readChangedPage({
        entitySet: 'customers',
        after,
        pageSize: 7,
      });
      seen.push(...page.records.map((r) => r.id));
      if (!page.next) break;
      assert.equal(page.next.ids.length, 1);
      after = page.next;
    }
    assert.equal(seen.length, expected.size);
    assert.deepEqual(new Set(seen), expected);
  });

  it('completes reads and writes through a 30 % storm of 429s and honours Retry-After', async () => {
    await control(emulator.url, 'reset');
    await createCustomers(120, 'Storm');
    await setFaults(emulator.url, [{ status: 429, rate: 0.3, retryAfterSeconds: 1 }]);
    events.length = 0;
    const linesBefore = logger.lines.length;
    const before = (await stats(emulator.url)).byStatus['429'] ?? 0;
    let listed = 0;
    for await (const page of bc.listAll({ entitySet: 'customers', pageSize: 40 })) listed += page.length;
    assert.equal(listed, 120);
    const written = await bc.writeBatch(
      Array.from({ length: 40 }, (_, i) => ({
        kind: 'create' as const,
        entitySet: 'customers' as const,
        body: { displayName: `Storm write ${i}` },
      })),
    );
    assert.ok(
      written.every((r) => r.ok),
      inspect(written.find((r) => !r.ok)),
    );
    const changed = await bc.readChangedPage({ entitySet: 'customers', after: null, pageSize: 200 });
    assert.equal(changed.records.length, 160);
    const throttled = ((await stats(emulator.url)).byStatus['429'] ?? 0) - before;
    assert.ok(throttled > 0, 'the storm never hit');
    // Retry-After: 1 → every retry the client decided after a 429 waits at least the second the service asked for.
    const retries = logger.lines
      .slice(linesBefore)
      .map((l) => JSON.parse(l) as { msg: string; status?: number; retryAfterMs?: number; delayMs: number })
      .filter((l) => l.msg === 'request throttled or failed; retrying' && l.status === 429);
    assert.ok(retries.length > 0, 'the client retried throttled requests');
    for (const r of retries) {
      assert.equal(r.retryAfterMs, 1000);
      assert.ok(r.delayMs >= 1000, `a retry waited ${r.delayMs} ms after Retry-After: 1`);
    }
  });

  it('re-sends the operations throttled inside a $batch and reports all of them written', async () => {
    const before = (await stats(emulator.url)) as { batchOperations?: { byStatus?: Record<string, number> } };
    await setFaults(emulator.url, [
      { entitySet: 'customers', method: 'POST', status: 429, retryAfterSeconds: 1, count: 3 },
    ]);
    const results = await bc.writeBatch(
      Array.from({ length: 10 }, (_, i) => ({
        kind: 'create' as const,
        entitySet: 'customers' as const,
        body: { displayName: `Inner throttle ${i}` },
      })),
    );
    assert.ok(
      results.every((r) => r.ok),
      inspect(results.find((r) => !r.ok)),
    );
    assert.deepEqual(
      results.map((r) => (r.ok ? (r.record as BcCustomer).displayName : null)),
      Array.from({ length: 10 }, (_, i) => `Inner throttle ${i}`),
    );
    const after = (await stats(emulator.url)) as { batchOperations?: { byStatus?: Record<string, number> } };
    const inner429 = (after.batchOperations?.byStatus?.['429'] ?? 0) - (before.batchOperations?.byStatus?.['429'] ?? 0);
    assert.equal(inner429, 3, 'the inner operations were not throttled');
  });

  it('retries reads through connection resets', async () => {
    const before = (await stats(emulator.url)).faulted ?? 0;
    await setFaults(emulator.url, [{ method: 'GET', resetConnection: true, count: 2 }]);
    let listed = 0;
    for await (const page of bc.listAll({ entitySet: 'customers' })) listed += page.length;
    assert.ok(listed > 0);
    assert.equal(((await stats(emulator.url)).faulted ?? 0) - before, 2, 'the resets did not happen');
  });

  it('recovers transparently when every token expires mid-run', async () => {
    const page1 = await bc.readChangedPage({ entitySet: 'customers', after: null, pageSize: 10 });
    const before = (await stats(emulator.url)).byStatus['401'] ?? 0;
    await control(emulator.url, 'tokens/expire');
    const page2 = await bc.readChangedPage({ entitySet: 'customers', after: page1.next, pageSize: 10 });
    assert.equal(page2.records.length, 10);
    const created = await bc.create('customers', { displayName: 'After token expiry' });
    assert.ok(created.id);
    assert.equal(((await stats(emulator.url)).byStatus['401'] ?? 0) - before, 1);
  });

  it('keeps the client secret and tokens out of errors and logs', async () => {
    const wrongSecret = 'wrong-secret-value-123';
    const badTokens = createTokenProvider({
      authorityHost: emulator.url,
      tenant: TENANT,
      clientId: CLIENT_ID,
      clientSecret: wrongSecret,
      scope: SCOPE,
      logger,
    });
    const bad = newClient({ tokenProvider: badTokens });
    const authError = await thrown(() => bad.get('customers', '00000000-0000-4000-8000-000000000001'));
    assert.ok(authError instanceof AuthenticationError, String(authError));
    const token = await tokens.getToken();
    const apiError = await thrown(() =>
      bc.update('customers', '00000000-0000-4000-8000-000000000999', '*', { city: 'x' }),
    );
    assert.ok(apiError instanceof ConnectorError);
    for (const error of [authError, apiError]) {
      const rendered = [inspect(error, { depth: 10 }), JSON.stringify(error), (error as Error).stack ?? ''].join('\n');
      assert.ok(!rendered.includes(wrongSecret) && !rendered.includes(CLIENT_SECRET), 'secret leaked into an error');
      assert.ok(!rendered.includes(token), 'token leaked into an error');
      assert.doesNotMatch(rendered, /Bearer /);
    }
    const logs = logger.lines.join('\n');
    assert.ok(logger.lines.length > 0, 'expected some log lines from the earlier tests');
    assert.ok(!logs.includes(CLIENT_SECRET) && !logs.includes(wrongSecret) && !logs.includes(token));
    assert.doesNotMatch(logs, /Bearer |authorization/i);
  });
});
