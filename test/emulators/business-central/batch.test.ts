import assert from 'node:assert/strict';
import { errorCode, startHarness, type BcHarness, type Json } from './helpers';

describe('BC emulator: JSON $batch', () => {
  let h: BcHarness;
  beforeEach(async () => {
    h = await startHarness({ seed: { customers: 4 } });
  });
  afterEach(() => h.close());

  const batch = (requests: unknown[], headers: Record<string, string> = {}) =>
    h.json(`${h.bc.apiBase}/$batch`, { method: 'POST', body: { requests }, headers });
  const count = async (name: string) =>
    (await h.json(h.companyUrl(`customers?$filter=displayName eq '${name}'`))).body.value.length;

  it('runs operations with relative URLs and returns {responses:[{id,status,headers,body}]}', async () => {
    const existing = (await h.json(h.companyUrl('customers?$top=1'))).body.value[0];
    const { status, body } = await batch([
      {
        id: 'a',
        method: 'POST',
        url: `companies(${h.bc.companyId})/customers`,
        headers: { 'Content-Type': 'application/json' },
        body: { displayName: 'Batch One' },
      },
      { id: 'b', method: 'GET', url: `companies(${h.bc.companyId})/customers(${existing.id})` },
      {
        id: 'c',
        method: 'PATCH',
        url: `companies(${h.bc.companyId})/customers(${existing.id})`,
        headers: { 'If-Match': '*' },
        body: { city: 'Tromsø' },
      },
    ]);
    assert.equal(status, 200);
    assert.deepEqual(
      body.responses.map((r: Json) => [r.id, r.status]),
      [
        ['a', 201],
        ['b', 200],
        ['c', 200],
      ],
    );
    assert.equal(body.responses[0].body.displayName, 'Batch One');
    assert.equal(body.responses[2].body.city, 'Tromsø');
    assert.equal(await count('Batch One'), 1);
  });

  it('honours a per-operation Company header with company-less URLs', async () => {
    const { body } = await batch([
      {
        id: '1',
        method: 'POST',
        url: 'customers',
        headers: { Company: h.bc.companyId },
        body: { displayName: 'Via Header' },
      },
      { id: '2', method: 'GET', url: 'customers?$top=1', headers: { Company: 'CRONUS' } },
      { id: '3', method: 'GET', url: 'customers' },
    ]);
    assert.equal(body.responses[0].status, 201);
    assert.equal(body.responses[1].status, 200);
    assert.equal(body.responses[2].status, 400);
    assert.equal(errorCode(body.responses[2].body), 'Internal_CompanyNotFound');
  });

  it('runs operations independently without Isolation: snapshot', async () => {
    const { body } = await batch([
      { id: '1', method: 'POST', url: `companies(${h.bc.companyId})/customers`, body: { displayName: 'Kept' } },
      { id: '2', method: 'POST', url: `companies(${h.bc.companyId})/customers`, body: { city: 'no name' } },
      { id: '3', method: 'POST', url: `companies(${h.bc.companyId})/customers`, body: { displayName: 'Also Kept' } },
    ]);
    assert.deepEqual(
      body.responses.map((r: Json) => r.status),
      [201, 400, 201],
    );
    assert.equal(await count('Kept'), 1);
    assert.equal(await count('Also Kept'), 1);
  });

  it('rolls back every change of an Isolation: snapshot batch when one operation fails', async () => {
    const existing = (await h.json(h.companyUrl('customers?$top=1'))).body.value[0];
    const { status, body } = await batch(
      [
        {
          id: '1',
          method: 'POST',
          url: `companies(${h.bc.companyId})/customers`,
          body: { displayName: 'Rolled Back' },
        },
        {
          id: '2',
          method: 'PATCH',
          url: `companies(${h.bc.companyId})/customers(${existing.id})`,
          headers: { 'If-Match': '*' },
          body: { city: 'Changed' },
        },
        {
          id: '3',
          method: 'POST',
          url: `companies(${h.bc.companyId})/customers`,
          body: { displayName: 'x'.repeat(101) },
        },
        { id: '4', method: 'POST', url: `companies(${h.bc.companyId})/customers`, body: { displayName: 'Never Runs' } },
      ],
      { Isolation: 'snapshot' },
    );
    assert.equal(status, 200);
    const statuses = Object.fromEntries(body.responses.map((r: Json) => [r.id, r.status]));
    assert.equal(statuses['3'], 400);
    assert.ok(
      ['1', '2', '4'].every((id) => statuses[id] >= 400),
      JSON.stringify(statuses),
    );
    assert.equal(await count('Rolled Back'), 0);
    assert.equal(await count('Never Runs'), 0);
    const after = (await h.json(h.companyUrl(`customers(${existing.id})`))).body;
    assert.equal(after.city, existing.city);
    assert.equal(after['@odata.etag'], existing['@odata.etag']);
    const contacts = (await h.json(h.companyUrl("contacts?$filter=displayName eq 'Rolled Back'"))).body.value;
    assert.equal(contacts.length, 0, 'the auto-created company contact is rolled back too');
  });

  it('commits an Isolation: snapshot batch in which every operation succeeds', async () => {
    const { body } = await batch(
      [
        { id: '1', method: 'POST', url: `companies(${h.bc.companyId})/customers`, body: { displayName: 'T1' } },
        { id: '2', method: 'POST', url: `companies(${h.bc.companyId})/customers`, body: { displayName: 'T2' } },
      ],
      { Isolation: 'snapshot' },
    );
    assert.deepEqual(
      body.responses.map((r: Json) => r.status),
      [201, 201],
    );
    assert.equal(await count('T1'), 1);
    assert.equal(await count('T2'), 1);
  });

  it('accepts 100 operations and refuses 101', async () => {
    const op = (i: number) => ({ id: String(i), method: 'GET', url: `companies(${h.bc.companyId})/customers?$top=1` });
    const ok = await batch(Array.from({ length: 100 }, (_, i) => op(i)));
    assert.equal(ok.status, 200);
    assert.equal(ok.body.responses.length, 100);
    const tooMany = await batch(Array.from({ length: 101 }, (_, i) => op(i)));
    assert.equal(tooMany.status, 400);
    errorCode(tooMany.body);
  });

  it('counts a batch as one request plus inner operations in stats', async () => {
    await h.control('stats/reset');
    await batch([
      { id: '1', method: 'GET', url: `companies(${h.bc.companyId})/customers` },
      { id: '2', method: 'POST', url: `companies(${h.bc.companyId})/customers`, body: { displayName: 'S' } },
    ]);
    const stats = (await (await fetch(`${h.bc.url}/__emulator/stats`)).json()) as Json;
    assert.equal(stats.total, 1);
    assert.equal(stats.byEntitySet['$batch'], 1);
    assert.equal(stats.batchOperations.total, 2);
    assert.deepEqual(stats.batchOperations.byMethod, { GET: 1, POST: 1 });
    assert.equal(stats.batchOperations.byEntitySet['customers'], 2);
  });
});
