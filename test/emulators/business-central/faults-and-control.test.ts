import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBusinessCentralEmulator } from '../../../emulators/business-central';
import { errorCode, requestToken, startHarness, type BcHarness, type Json } from './helpers';

describe('BC emulator: fault injection', () => {
  let h: BcHarness;
  beforeEach(async () => {
    h = await startHarness({ seed: { customers: 5 } });
  });
  afterEach(() => h.close());

  const setFaults = async (rules: unknown[]) => {
    const response = await h.control('faults', { rules });
    assert.equal(response.status, 200);
  };

  it('fails requests of one entity set with a status and Retry-After, for count requests only', async () => {
    await setFaults([{ entitySet: 'customers', status: 503, retryAfterSeconds: 7, count: 2 }]);
    const items = await h.call(h.companyUrl('items'));
    assert.equal(items.status, 200, 'other sets are untouched');
    const first = await h.call(h.companyUrl('customers'));
    assert.equal(first.status, 503);
    assert.equal(first.headers.get('retry-after'), '7');
    errorCode(await first.json());
    assert.equal((await h.call(h.companyUrl('customers'))).status, 503);
    assert.equal((await h.call(h.companyUrl('customers'))).status, 200, 'the rule is spent after count');
  });

  it('targets a single record id (Json method) and a single method', async () => {
    const [a, b] = (await h.json(h.companyUrl('customers'))).body.value;
    await setFaults([
      { recordId: a.id, status: 500 },
      { entitySet: 'items', method: 'POST', status: 429, retryAfterSeconds: 2 },
    ]);
    assert.equal((await h.call(h.companyUrl(`customers(${a.id})`))).status, 500);
    assert.equal(
      (
        await h.call(h.companyUrl(`customers(${a.id})`), {
          method: 'PATCH',
          body: { city: 'X' },
          headers: { 'if-match': '*' },
        })
      ).status,
      500,
    );
    assert.equal((await h.call(h.companyUrl(`customers(${b.id})`))).status, 200);
    assert.equal((await h.call(h.companyUrl('items'))).status, 200);
    const post = await h.call(h.companyUrl('items'), { method: 'POST', body: { displayName: 'X' } });
    assert.equal(post.status, 429);
    assert.equal(post.headers.get('retry-after'), '2');
  });

  it('fails a single record inside a batch', async () => {
    const [a, b] = (await h.json(h.companyUrl('customers'))).body.value;
    await setFaults([{ recordId: b.id, status: 502 }]);
    const { body } = await h.json(`${h.bc.apiBase}/$batch`, {
      method: 'POST',
      body: {
        requests: [
          { id: '1', method: 'GET', url: `companies(${h.bc.companyId})/customers(${a.id})` },
          { id: '2', method: 'GET', url: `companies(${h.bc.companyId})/customers(${b.id})` },
        ],
      },
    });
    assert.deepEqual(
      body.responses.map((r: Json) => r.status),
      [200, 502],
    );
  });

  it('adds latency to the slowed entity set only: a request sent with it to another set answers first', async () => {
    await setFaults([{ entitySet: 'items', latencyMs: 250 }]);
    const answered: string[] = [];
    const send = async (set: string) => {
      const r = await h.call(h.companyUrl(set));
      answered.push(set);
      return r.status;
    };
    assert.deepEqual(await Promise.all([send('items'), send('customers')]), [200, 200]);
    assert.deepEqual(answered, ['customers', 'items']);
  });

  it('drops the connection with resetConnection', async () => {
    await setFaults([{ entitySet: 'customers', resetConnection: true, count: 1 }]);
    await assert.rejects(h.call(h.companyUrl('customers')));
    assert.equal((await h.call(h.companyUrl('customers'))).status, 200);
  });

  it('affects a seeded fraction of requests with rate, and clears with an empty rule list', async () => {
    await setFaults([{ entitySet: 'customers', status: 500, rate: 0.5 }]);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await h.call(h.companyUrl('customers'))).status);
    const failed = statuses.filter((s) => s === 500).length;
    assert.ok(failed > 5 && failed < 35, String(failed));
    await setFaults([]);
    assert.equal((await h.call(h.companyUrl('customers'))).status, 200);
  });

  it('rejects a malformed rule with 400', async () => {
    assert.equal((await h.control('faults', { rules: [{ status: 418 }] })).status, 400);
    assert.equal((await h.control('faults', { rules: 'all' })).status, 400);
  });
});

describe('BC emulator: control routes', () => {
  let h: BcHarness;
  beforeEach(async () => {
    h = await startHarness({ seed: { customers: 5 } });
  });
  afterEach(() => h.close());

  it('counts requests by method, entity set and status', async () => {
    await h.control('stats/reset');
    await h.call(h.companyUrl('customers'));
    await h.call(h.companyUrl('items'));
    await h.call(h.companyUrl('customers'), { method: 'POST', body: {} });
    await h.call(h.companyUrl('customers(11111111-2222-3333-4444-555555555555)'));
    const stats = (await (await fetch(`${h.bc.url}/__emulator/stats`)).json()) as Json;
    assert.equal(stats.total, 4);
    assert.deepEqual(stats.byMethod, { GET: 3, POST: 1 });
    assert.deepEqual(stats.byEntitySet, { customers: 3, items: 1 });
    assert.deepEqual(stats.byStatus, { '200': 2, '400': 1, '404': 1 });
  });

  it('resets to an empty state (company kept) and clears faults and stats', async () => {
    await h.control('faults', { rules: [{ entitySet: 'items', status: 500 }] });
    assert.equal((await h.control('reset')).status, 204);
    assert.deepEqual((await h.json(h.companyUrl('customers'))).body.value, []);
    assert.equal((await h.call(h.companyUrl('items'))).status, 200);
    assert.equal((await h.json(`${h.bc.apiBase}/companies`)).body.value.length, 1);
    const stats = (await (await fetch(`${h.bc.url}/__emulator/stats`)).json()) as Json;
    assert.equal(stats.total, 3);
  });

  it('seeds the demo dataset with the given sizes, deterministically', async () => {
    const response = await h.control('seed', { customers: 7, contactsPerCustomer: 2, items: 3, salesPrices: 4 });
    assert.equal(response.status, 200);
    const { counts } = (await response.json()) as Json;
    assert.equal(counts.customers, 7);
    assert.equal(counts.contacts, 7 * 3);
    const first = (await h.json(h.companyUrl('customers?$orderby=number'))).body.value.map((c: Json) => [
      c.id,
      c.displayName,
    ]);
    await h.control('seed', { customers: 7, contactsPerCustomer: 2, items: 3, salesPrices: 4 });
    const second = (await h.json(h.companyUrl('customers?$orderby=number'))).body.value.map((c: Json) => [
      c.id,
      c.displayName,
    ]);
    assert.deepEqual(second, first);
    assert.equal((await h.control('seed', { customers: -1 })).status, 400);
  });

  it('serves the default demo dataset', async () => {
    const demo = await startHarness();
    try {
      const sizes: Record<string, number> = {};
      for (const set of ['customers', 'currencies', 'unitsOfMeasure', 'items', 'salespeoplePurchasers', 'employees'])
        sizes[set] = (await demo.json(demo.companyUrl(set))).body.value.length;
      assert.deepEqual(sizes, {
        customers: 40,
        currencies: 6,
        unitsOfMeasure: 4,
        items: 20,
        salespeoplePurchasers: 6,
        employees: 5,
      });
      const custom: number[] = [];
      for (const set of ['resources', 'customerPriceGroups', 'salesPrices'])
        custom.push((await demo.json(demo.customUrl(set))).body.value.length);
      assert.deepEqual(custom, [5, 3, 30]);
      const invoices = (await demo.json(demo.companyUrl('salesInvoices'))).body.value;
      assert.equal(invoices.filter((i: Json) => i.status === 'Draft').length, 3);
      assert.equal(invoices.filter((i: Json) => i.status !== 'Draft').length, 15);
      const persons = (await demo.json(demo.companyUrl("contacts?$filter=type eq 'Person'"))).body.value;
      // The demo data is deterministic: the same options give the same 84 person contacts every time.
      assert.equal(persons.length, 84);
      assert.ok(persons.every((p: Json) => p.companyNumber !== '' && p.companyName !== ''));
    } finally {
      await demo.close();
    }
  });
});

describe('BC emulator: state file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bc-emulator-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps records, etags and timestamps across a restart and ignores seed then', async () => {
    const stateFile = join(dir, 'bc-state.json');
    const first = await startHarness({ stateFile, seed: { customers: 3 } });
    const created = (
      await first.json(first.companyUrl('customers'), { method: 'POST', body: { displayName: 'Survivor' } })
    ).body;
    await first.close();
    const second = await startBusinessCentralEmulator({ stateFile, seed: { customers: 10 } });
    try {
      const token = (await requestToken(second.tokenUrl)).body.access_token;
      const response = await fetch(`${second.apiBase}/companies(${second.companyId})/customers`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const rows = ((await response.json()) as Json).value;
      assert.equal(rows.length, 4);
      const survivor = rows.find((r: Json) => r.id === created.id);
      assert.equal(survivor.displayName, 'Survivor');
      assert.equal(survivor['@odata.etag'], created['@odata.etag']);
      assert.equal(survivor.lastModifiedDateTime, created.lastModifiedDateTime);
      const patched = await fetch(`${second.apiBase}/companies(${second.companyId})/customers(${created.id})`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': '*' },
        body: JSON.stringify({ city: 'Later' }),
      });
      const after = (await patched.json()) as Json;
      assert.ok(after.lastModifiedDateTime > created.lastModifiedDateTime);
      assert.notEqual(after['@odata.etag'], created['@odata.etag']);
    } finally {
      await second.close();
    }
  });
});
