import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, waitFor, type Harness } from './helpers';

describe('Dataverse emulator: faults, stats, reset, seed and state file', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  beforeEach(async () => {
    await h.control('POST', '/__emulator/reset');
  });
  after(async () => h.close());

  it('injects a status with Retry-After for an entity set, a limited number of times', async () => {
    const set = await h.control('POST', '/__emulator/faults', {
      rules: [{ entitySet: 'accounts', method: 'GET', status: 503, retryAfterSeconds: 7, count: 2 }],
    });
    assert.equal(set.status, 200);
    const a = await h.api('GET', 'accounts');
    assert.equal(a.status, 503);
    assert.equal(a.headers.get('retry-after'), '7');
    assert.ok(a.json.error.message);
    assert.equal((await h.api('GET', 'contacts')).status, 200);
    assert.equal((await h.api('GET', 'accounts')).status, 503);
    assert.equal((await h.api('GET', 'accounts')).status, 200);
  });

  it('injects faults for one record, also inside a batch', async () => {
    const id = '99999999-0000-0000-0000-000000000001';
    await h.api('PATCH', `accounts(${id})`, { body: { name: 'Faulty' } });
    await h.control('POST', '/__emulator/faults', { rules: [{ recordId: id, status: 500 }] });
    assert.equal((await h.api('GET', `accounts(${id})`)).status, 500);
    assert.equal((await h.api('GET', 'accounts')).status, 200);
    const body = [
      '--b',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      `PATCH accounts(${id}) HTTP/1.1`,
      'Content-Type: application/json',
      '',
      '{"name":"x"}',
      '--b--',
      '',
    ].join('\r\n');
    const r = await h.api('POST', '$batch', { headers: { 'Content-Type': 'multipart/mixed; boundary=b' }, body });
    assert.equal(r.status, 400);
    assert.match(r.text, /HTTP\/1\.1 500/);
    await h.control('POST', '/__emulator/faults', { rules: [] });
    assert.equal((await h.api('GET', `accounts(${id})`)).status, 200);
  });

  it('adds latency and resets connections on request', async () => {
    await h.control('POST', '/__emulator/faults', { rules: [{ entitySet: 'contacts', latencyMs: 150, count: 1 }] });
    // Behaviour, not a duration: the slowed request answers after a request to another set sent with it.
    const answered: string[] = [];
    const send = async (set: string) => {
      const r = await h.api('GET', set);
      answered.push(set);
      return r.status;
    };
    assert.deepEqual(await Promise.all([send('contacts'), send('accounts')]), [200, 200]);
    assert.deepEqual(answered, ['accounts', 'contacts']);
    await h.control('POST', '/__emulator/faults', {
      rules: [{ entitySet: 'contacts', resetConnection: true, count: 1 }],
    });
    await assert.rejects(h.api('GET', 'contacts'));
    assert.equal((await h.api('GET', 'contacts')).status, 200);
  });

  it('rejects a malformed fault rule', async () => {
    const r = await h.control('POST', '/__emulator/faults', { rules: [{ status: 418 }] });
    assert.equal(r.status, 400);
  });

  it('counts requests by method, entity set and status', async () => {
    await h.api('GET', 'accounts');
    await h.api('POST', 'accounts', { body: { name: 'S' } });
    await h.api('GET', 'accounts(00000000-0000-0000-0000-000000000009)');
    const stats = (await h.control('GET', '/__emulator/stats')).json;
    assert.equal(stats.total, 3);
    assert.deepEqual(stats.byMethod, { GET: 2, POST: 1 });
    assert.deepEqual(stats.byEntitySet, { accounts: 3 });
    assert.deepEqual(stats.byStatus, { '200': 1, '204': 1, '404': 1 });
  });

  it('reset empties the data; seed loads the demo dataset with the requested sizes', async () => {
    const seeded = await h.control('POST', '/__emulator/seed', { customers: 30, dataverseOnlyAccounts: 5 });
    assert.equal(seeded.status, 200);
    assert.equal(seeded.json.counts.accounts, 15);
    assert.equal(Number((await h.api('GET', 'accounts/$count')).text), 15);
    const currency = await h.api('GET', "transactioncurrencies(isocurrencycode='NOK')");
    assert.equal(currency.status, 200);
    const contacts = await h.api('GET', 'contacts?$select=fullname,_parentcustomerid_value&$top=1', {
      headers: { Prefer: 'odata.include-annotations="*"' },
    });
    assert.equal(contacts.json.value[0]['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'], 'account');
    const products = await h.api('GET', 'products?$select=statecode&$expand=defaultuomid($select=name)');
    assert.equal(products.status, 200, products.text);
    assert.equal(products.json.value[0].defaultuomid.name, 'Primary Unit');
    await h.control('POST', '/__emulator/reset');
    assert.equal(Number((await h.api('GET', 'accounts/$count')).text), 0);
  });

  it('persists the state to the state file and reloads it on start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dv-state-'));
    const file = join(dir, 'dataverse.json');
    try {
      const first = await startHarness({ stateFile: file });
      const id = '88888888-0000-0000-0000-000000000001';
      await first.api('PATCH', `accounts(${id})`, { body: { name: 'Persisted', accountnumber: 'P-1' } });
      const before = (await first.api('GET', `accounts(${id})`)).json;
      await first.api(
        'DELETE',
        `accounts(${(await first.api('POST', 'accounts?$select=name', { headers: { Prefer: 'return=representation' }, body: { name: 'Gone' } })).json.accountid})`,
      );
      await waitFor(() => {
        try {
          return readFileSync(file, 'utf8').includes('Persisted');
        } catch {
          return false;
        }
      });
      await first.close();
      const second = await startHarness({ stateFile: file });
      try {
        const after = (await second.api('GET', "accounts(accountnumber='P-1')")).json;
        assert.equal(after.name, 'Persisted');
        assert.equal(after['@odata.etag'], before['@odata.etag']);
        assert.equal(after.modifiedon, before.modifiedon);
        const next = await second.api('PATCH', `accounts(${id})?$select=name`, {
          headers: { Prefer: 'return=representation' },
          body: { name: 'Again' },
        });
        assert.ok(next.json['@odata.etag'] !== before['@odata.etag']);
        assert.ok(Number(/\d+/.exec(next.json['@odata.etag'])![0]) > Number(/\d+/.exec(before['@odata.etag'])![0]));
        assert.equal(Number((await second.api('GET', 'accounts/$count')).text), 1);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
