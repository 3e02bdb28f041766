import assert from 'node:assert/strict';
import { BC_SCOPE, errorCode, requestToken, startHarness, type BcHarness, type Json } from './helpers';

describe('BC emulator: authentication', () => {
  let h: BcHarness;
  before(async () => {
    h = await startHarness({ seed: { customers: 3 } });
  });
  after(() => h.close());

  it('issues a bearer token for the demo client and the BC scope', async () => {
    const { status, body } = await requestToken(h.bc.tokenUrl);
    assert.equal(status, 200);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3599);
    assert.equal(body.ext_expires_in, 3599);
    assert.equal(typeof body.access_token, 'string');
  });

  it('answers 401 invalid_client for a wrong secret and 400 invalid_scope for a foreign scope', async () => {
    const wrongSecret = await requestToken(h.bc.tokenUrl, { client_secret: 'nope' });
    assert.equal(wrongSecret.status, 401);
    assert.equal(wrongSecret.body.error, 'invalid_client');
    const wrongScope = await requestToken(h.bc.tokenUrl, { scope: 'https://bcsync.crm.dynamics.com/.default' });
    assert.equal(wrongScope.status, 400);
    assert.equal(wrongScope.body.error, 'invalid_scope');
    assert.equal((await requestToken(h.bc.tokenUrl, { scope: BC_SCOPE })).status, 200);
  });

  it('refuses API calls without a token or with an unknown one', async () => {
    const none = await fetch(`${h.bc.apiBase}/companies`);
    assert.equal(none.status, 401);
    assert.equal(errorCode(await none.json()), 'Authentication_InvalidCredentials');
    const bogus = await fetch(`${h.bc.apiBase}/companies`, { headers: { authorization: 'Bearer made-up' } });
    assert.equal(bogus.status, 401);
  });

  it('expires every issued token on POST /__emulator/tokens/expire, and a new token works', async () => {
    const before = await h.call(`${h.bc.apiBase}/companies`);
    assert.equal(before.status, 200);
    assert.equal((await h.control('tokens/expire')).status, 204);
    const after = await h.call(`${h.bc.apiBase}/companies`);
    assert.equal(after.status, 401);
    assert.match(after.headers.get('www-authenticate') ?? '', /invalid_token/);
    const fresh = (await requestToken(h.bc.tokenUrl)).body.access_token as string;
    const again = await fetch(`${h.bc.apiBase}/companies`, { headers: { authorization: `Bearer ${fresh}` } });
    assert.equal(again.status, 200);
  });

  it('lists every access token it issued on GET /__emulator/tokens, invalidated ones too', async () => {
    const first = (await requestToken(h.bc.tokenUrl)).body.access_token as string;
    assert.equal((await h.control('tokens/expire')).status, 204);
    const second = (await requestToken(h.bc.tokenUrl)).body.access_token as string;
    const refused = await requestToken(h.bc.tokenUrl, { client_secret: 'nope' });
    assert.equal(refused.status, 401);
    const res = await fetch(`${h.bc.url}/__emulator/tokens`);
    assert.equal(res.status, 200);
    const { issued } = (await res.json()) as { issued: string[] };
    assert.ok(issued.includes(first) && issued.includes(second), 'both tokens are listed');
    assert.deepEqual(issued.slice(-2), [first, second], 'oldest first');
  });

  it('expires a token after expires_in seconds of the injected clock', async () => {
    let now = Date.parse('2030-01-01T00:00:00.000Z');
    const { startBusinessCentralEmulator } = await import('../../../emulators/business-central');
    const bc = await startBusinessCentralEmulator({ seed: false, clock: () => new Date(now) });
    try {
      const token = (await requestToken(bc.tokenUrl)).body.access_token as string;
      const get = () => fetch(`${bc.apiBase}/companies`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal((await get()).status, 200);
      now += 3600 * 1000;
      assert.equal((await get()).status, 401);
    } finally {
      await bc.close();
    }
  });
});

describe('BC emulator: routing', () => {
  let h: BcHarness;
  before(async () => {
    h = await startHarness({ seed: { customers: 3 } });
  });
  after(() => h.close());

  it('lists companies with @odata.context and the default company', async () => {
    const { status, body } = await h.json(`${h.bc.apiBase}/companies`);
    assert.equal(status, 200);
    assert.match(body['@odata.context'], /\/\$metadata#companies$/);
    assert.deepEqual(
      body.value.map((c: Json) => c.id),
      [h.bc.companyId],
    );
    assert.equal(body.value[0].name, 'CRONUS');
  });

  it('serves a company-scoped set by path and by ?company= (id or name)', async () => {
    const byPath = await h.json(h.companyUrl('customers'));
    const byQuery = await h.json(`${h.bc.apiBase}/customers?company=${h.bc.companyId}`);
    const byName = await h.json(`${h.bc.apiBase}/customers?company=CRONUS`);
    assert.equal(byPath.status, 200);
    assert.equal(byPath.body.value.length, 3);
    assert.deepEqual(byQuery.body.value, byPath.body.value);
    assert.deepEqual(byName.body.value, byPath.body.value);
  });

  it('serves the environment form without a tenant segment', async () => {
    const { status, body } = await h.json(
      `${h.bc.url}/v2.0/production/api/v2.0/companies(${h.bc.companyId})/customers`,
    );
    assert.equal(status, 200);
    assert.equal(body.value.length, 3);
  });

  it('answers Internal_CompanyNotFound without a company and 404 for an unknown company', async () => {
    const none = await h.json(`${h.bc.apiBase}/customers`);
    assert.equal(none.status, 400);
    assert.equal(errorCode(none.body), 'Internal_CompanyNotFound');
    assert.match(none.body.error.message, /company=\[name\]/);
    const unknown = await h.json(`${h.bc.apiBase}/companies(11111111-2222-3333-4444-555555555555)/customers`);
    assert.equal(unknown.status, 404);
    assert.equal(errorCode(unknown.body), 'Internal_CompanyNotFound');
  });

  it('answers 404 BadRequest_ResourceNotFound for an unknown segment and for custom pages on the standard API', async () => {
    const unknown = await h.json(h.companyUrl('vendorsX'));
    assert.equal(unknown.status, 404);
    assert.equal(errorCode(unknown.body), 'BadRequest_ResourceNotFound');
    const wrongRoot = await h.json(h.companyUrl('resources'));
    assert.equal(wrongRoot.status, 404);
    const standardOnCustom = await h.json(h.customUrl('customers'));
    assert.equal(standardOnCustom.status, 404);
  });

  it('serves the custom API pages resources, customerPriceGroups and salesPrices', async () => {
    const resources = await h.json(h.customUrl('resources'));
    assert.equal(resources.status, 200);
    assert.deepEqual(Object.keys(resources.body.value[0]).sort(), [
      '@odata.etag',
      'baseUnitOfMeasureCode',
      'blocked',
      'capacity',
      'displayName',
      'id',
      'lastModifiedDateTime',
      'number',
      'type',
      'unitCost',
      'unitPrice',
      'vendorNumber',
    ]);
    const groups = await h.json(h.customUrl('customerPriceGroups'));
    assert.deepEqual(groups.body.value.map((g: Json) => g.code).sort(), ['EXPORT', 'RETAIL', 'WHOLESALE']);
    const prices = await h.json(h.customUrl('salesPrices'));
    assert.equal(prices.body.value.length, 30);
    for (const key of [
      'itemNumber',
      'salesType',
      'salesCode',
      'currencyCode',
      'startingDate',
      'endingDate',
      'unitOfMeasureCode',
      'minimumQuantity',
      'unitPrice',
      'lastModifiedDateTime',
    ])
      assert.ok(key in prices.body.value[0], key);
  });

  it('answers 404 for a missing record with the BC error shape', async () => {
    const { status, body } = await h.json(h.companyUrl('customers(11111111-2222-3333-4444-555555555555)'));
    assert.equal(status, 404);
    assert.equal(errorCode(body), 'BadRequest_NotFound');
  });

  it('rejects an unknown $-option', async () => {
    const { status, body } = await h.json(`${h.companyUrl('customers')}?$apply=groupby((city))`);
    assert.equal(status, 400);
    errorCode(body);
  });
});
