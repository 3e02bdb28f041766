import assert from 'node:assert/strict';
import { errorCode, startHarness, type BcHarness, type Json } from './helpers';

describe('BC emulator: writes and ETags', () => {
  let h: BcHarness;
  beforeEach(async () => {
    h = await startHarness({ seed: { customers: 5 } });
  });
  afterEach(() => h.close());

  const create = (body: unknown) => h.json(h.companyUrl('customers'), { method: 'POST', body });

  it('creates with 201, the full entity, a GUID id, a UTC ms timestamp and a weak etag', async () => {
    const { status, body, headers } = await create({ displayName: 'Fresh Customer', city: 'Oslo' });
    assert.equal(status, 201);
    assert.match(body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.match(body.lastModifiedDateTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.match(body['@odata.etag'], /^W\/"[^"]+"$/);
    assert.match(body['@odata.context'], /\/\$metadata#companies\([0-9a-f-]+\)\/customers\/\$entity$/);
    assert.equal(body.displayName, 'Fresh Customer');
    assert.equal(body.number, 'C00010');
    assert.equal(headers.get('etag'), body['@odata.etag']);
  });

  it('requires If-Match on PATCH (400 BadRequest_InvalidToken)', async () => {
    const created = (await create({ displayName: 'A' })).body;
    const { status, body } = await h.json(h.companyUrl(`customers(${created.id})`), {
      method: 'PATCH',
      body: { city: 'Oslo' },
    });
    assert.equal(status, 400);
    assert.equal(errorCode(body), 'BadRequest_InvalidToken');
  });

  it('answers 409 Request_EntityChanged on a stale etag and 200 with the full entity on a match or *', async () => {
    const created = (await create({ displayName: 'A' })).body;
    const url = h.companyUrl(`customers(${created.id})`);
    const first = await h.json(url, {
      method: 'PATCH',
      body: { city: 'Oslo' },
      headers: { 'if-match': created['@odata.etag'] },
    });
    assert.equal(first.status, 200);
    assert.equal(first.body.city, 'Oslo');
    assert.equal(first.body.displayName, 'A');
    assert.notEqual(first.body['@odata.etag'], created['@odata.etag']);
    assert.ok(first.body.lastModifiedDateTime > created.lastModifiedDateTime);
    const stale = await h.json(url, {
      method: 'PATCH',
      body: { city: 'Bergen' },
      headers: { 'if-match': created['@odata.etag'] },
    });
    assert.equal(stale.status, 409);
    assert.equal(errorCode(stale.body), 'Request_EntityChanged');
    const star = await h.json(url, { method: 'PATCH', body: { city: 'Bergen' }, headers: { 'if-match': '*' } });
    assert.equal(star.status, 200);
    assert.equal(star.body.city, 'Bergen');
  });

  it('deletes with 204, refuses a stale etag with 409, then answers 404', async () => {
    const created = (await create({ displayName: 'A' })).body;
    const url = h.companyUrl(`customers(${created.id})`);
    await h.json(url, { method: 'PATCH', body: { city: 'Oslo' }, headers: { 'if-match': '*' } });
    const stale = await h.json(url, { method: 'DELETE', headers: { 'if-match': created['@odata.etag'] } });
    assert.equal(stale.status, 409);
    const current = (await h.json(url)).body['@odata.etag'];
    const del = await h.call(url, { method: 'DELETE', headers: { 'if-match': current } });
    assert.equal(del.status, 204);
    assert.equal((await h.json(url)).status, 404);
  });

  it('keeps the id immutable', async () => {
    const created = (await create({ displayName: 'A' })).body;
    const url = h.companyUrl(`customers(${created.id})`);
    const ownId = await h.json(url, {
      method: 'PATCH',
      body: { id: created.id, city: 'X' },
      headers: { 'if-match': '*' },
    });
    assert.equal(ownId.status, 200);
    const otherId = await h.json(url, {
      method: 'PATCH',
      body: { id: '11111111-2222-3333-4444-555555555555' },
      headers: { 'if-match': '*' },
    });
    assert.equal(otherId.status, 400);
  });

  it('gives writes strictly increasing timestamps even when the clock stands still', async () => {
    const pinned = await startHarness({ seed: false, clock: () => new Date('2030-06-01T12:00:00.000Z') });
    try {
      const created = (
        await pinned.json(pinned.companyUrl('customers'), { method: 'POST', body: { displayName: 'P' } })
      ).body;
      const url = pinned.companyUrl(`customers(${created.id})`);
      const stamps: string[] = [created.lastModifiedDateTime];
      for (let i = 0; i < 5; i++)
        stamps.push(
          (await pinned.json(url, { method: 'PATCH', body: { city: `C${i}` }, headers: { 'if-match': '*' } })).body
            .lastModifiedDateTime,
        );
      assert.match(stamps[0], /^2030-06-01T12:00:00\.\d{3}Z$/);
      for (let i = 1; i < stamps.length; i++) assert.ok(stamps[i] > stamps[i - 1], `${stamps[i]} > ${stamps[i - 1]}`);
    } finally {
      await pinned.close();
    }
  });

  it('rejects read-only fields with 400', async () => {
    for (const body of [
      { displayName: 'A', lastModifiedDateTime: '2020-01-01T00:00:00.000Z' },
      { displayName: 'A', balanceDue: 5 },
      { displayName: 'A', id: '11111111-2222-3333-4444-555555555555' },
    ]) {
      const response = await create(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(errorCode(response.body), /^(Application|BadRequest)/);
    }
    const item = await h.json(h.companyUrl('items'), { method: 'POST', body: { displayName: 'X', inventory: 4 } });
    assert.equal(item.status, 400);
  });

  it('requires displayName on customer POST', async () => {
    const { status, body } = await create({ city: 'Oslo' });
    assert.equal(status, 400);
    assert.match(body.error.message, /A "displayName" must be provided\./);
  });

  it('enforces BC field lengths with Application_StringExceededLength', async () => {
    const cases: [string, number][] = [
      ['displayName', 100],
      ['number', 20],
      ['email', 80],
      ['phoneNumber', 30],
      ['addressLine1', 100],
      ['city', 30],
    ];
    for (const [field, max] of cases) {
      const ok = await create({
        displayName: 'Len',
        [field]: field === 'number' ? `N${'1'.repeat(max - 1)}` : 'x'.repeat(max),
      });
      assert.equal(ok.status, 201, `${field} at ${max}`);
      const tooLong = await create({ displayName: 'Len', [field]: 'y'.repeat(max + 1) });
      assert.equal(tooLong.status, 400, `${field} at ${max + 1}`);
      assert.equal(errorCode(tooLong.body), 'Application_StringExceededLength');
    }
  });

  it('checks enum values (customer type and blocked)', async () => {
    assert.equal((await create({ displayName: 'P', type: 'Person', blocked: 'Ship' })).status, 201);
    assert.equal((await create({ displayName: 'P', type: 'Robot' })).status, 400);
    const blocked = await create({ displayName: 'P', blocked: 'Everything' });
    assert.equal(blocked.status, 400);
    assert.match(blocked.body.error.message, /Everything/);
  });

  it('rejects unknown properties and wrong JSON types', async () => {
    assert.equal((await create({ displayName: 'A', favouriteColour: 'red' })).status, 400);
    assert.equal((await create({ displayName: 'A', creditLimit: '100' })).status, 400);
    assert.equal((await create({ displayName: 'A', taxLiable: 'yes' })).status, 400);
  });

  it('keeps currencyCode and currencyId consistent', async () => {
    const currencies = (await h.json(h.companyUrl('currencies'))).body.value;
    const eur = currencies.find((c: Json) => c.code === 'EUR');
    const usd = currencies.find((c: Json) => c.code === 'USD');
    const byCode = await create({ displayName: 'A', currencyCode: 'EUR' });
    assert.equal(byCode.body.currencyId, eur.id);
    const byId = await create({ displayName: 'B', currencyId: usd.id });
    assert.equal(byId.body.currencyCode, 'USD');
    const mismatch = await create({ displayName: 'C', currencyId: usd.id, currencyCode: 'EUR' });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.body.error.message, /The currency values do not match to a specific Currency\./);
    const unknown = await create({ displayName: 'D', currencyCode: 'XXX' });
    assert.equal(unknown.status, 400);
  });

  it('refuses a duplicate number with Internal_EntityWithSameKeyExists', async () => {
    assert.equal((await create({ displayName: 'A', number: 'DUP1' })).status, 201);
    const dup = await create({ displayName: 'B', number: 'DUP1' });
    assert.equal(dup.status, 400);
    assert.equal(errorCode(dup.body), 'Internal_EntityWithSameKeyExists');
  });

  it('creates a Company contact for a new customer and keeps its name in step', async () => {
    const customer = (await create({ displayName: 'Contact Owner Ltd', city: 'Oslo' })).body;
    const contacts = (await h.json(h.companyUrl("contacts?$filter=displayName eq 'Contact Owner Ltd'"))).body.value;
    assert.equal(contacts.length, 1);
    assert.equal(contacts[0].type, 'Company');
    assert.equal(contacts[0].contactBusinessRelation, 'Customer');
    const person = await h.json(h.companyUrl('contacts'), {
      method: 'POST',
      body: { type: 'Person', displayName: 'Pat Person', companyNumber: contacts[0].number },
    });
    assert.equal(person.status, 201);
    assert.equal(person.body.companyName, 'Contact Owner Ltd');
    await h.json(h.companyUrl(`customers(${customer.id})`), {
      method: 'PATCH',
      body: { displayName: 'Renamed Ltd' },
      headers: { 'if-match': '*' },
    });
    const renamedPerson = (await h.json(h.companyUrl(`contacts(${person.body.id})`))).body;
    assert.equal(renamedPerson.companyName, 'Renamed Ltd');
    const info = (await h.json(h.companyUrl(`customers(${customer.id})/contactsInformation`))).body.value;
    assert.deepEqual(info.map((i: Json) => i.contactType).sort(), ['Company', 'Person']);
  });

  it('refuses a person contact whose company contact does not exist', async () => {
    const { status } = await h.json(h.companyUrl('contacts'), {
      method: 'POST',
      body: { type: 'Person', displayName: 'Lost Soul', companyNumber: 'CT999999' },
    });
    assert.equal(status, 400);
  });

  it('writes custom API page records (resources, price groups, prices) with their unique keys', async () => {
    const group = await h.json(h.customUrl('customerPriceGroups'), {
      method: 'POST',
      body: { code: 'VIP', description: 'Very important' },
    });
    assert.equal(group.status, 201);
    const dupGroup = await h.json(h.customUrl('customerPriceGroups'), { method: 'POST', body: { code: 'VIP' } });
    assert.equal(dupGroup.status, 400);
    const price = {
      itemNumber: '1000',
      salesType: 'Customer Price Group',
      salesCode: 'VIP',
      unitPrice: 10,
      startingDate: '2025-02-01',
    };
    assert.equal((await h.json(h.customUrl('salesPrices'), { method: 'POST', body: price })).status, 201);
    const dupPrice = await h.json(h.customUrl('salesPrices'), { method: 'POST', body: price });
    assert.equal(dupPrice.status, 400);
    assert.equal(errorCode(dupPrice.body), 'Internal_EntityWithSameKeyExists');
    const badGroup = await h.json(h.customUrl('salesPrices'), {
      method: 'POST',
      body: { ...price, salesCode: 'NOPE' },
    });
    assert.equal(badGroup.status, 400);
    const resource = await h.json(h.customUrl('resources'), {
      method: 'POST',
      body: { displayName: 'New Van', type: 'Machine', baseUnitOfMeasureCode: 'HOUR' },
    });
    assert.equal(resource.status, 201);
    assert.match(resource.body.number, /^R\d{4}$/);
  });

  it('accepts JSON with OData content-type parameters and answers invalid JSON with a BC 400', async () => {
    const ok = await h.call(h.companyUrl('customers'), {
      method: 'POST',
      body: { displayName: 'Params' },
      headers: { 'content-type': 'application/json; odata.metadata=minimal; charset=utf-8' },
    });
    assert.equal(ok.status, 201);
    const bad = await fetch(h.companyUrl('customers'), {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
      body: '{"displayName": ',
    });
    assert.equal(bad.status, 400);
    errorCode(await bad.json());
  });
});
