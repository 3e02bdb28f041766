import assert from 'node:assert/strict';
import { getToken, startHarness, type Harness } from './helpers';

describe('Dataverse emulator: auth and protocol', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h.close());

  it('issues a bearer token for the org scope and refuses a wrong secret or scope', async () => {
    const form = (extra: Record<string, string>): string =>
      new URLSearchParams({ grant_type: 'client_credentials', client_id: 'bcsync-demo', ...extra }).toString();
    const post = (body: string): Promise<Response> =>
      fetch(h.emulator.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      });
    const ok = await post(
      form({ client_secret: 'bcsync-demo-secret', scope: 'https://bcsync.crm.dynamics.com/.default' }),
    );
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as Record<string, unknown>;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3599);
    const badSecret = await post(form({ client_secret: 'nope', scope: 'https://bcsync.crm.dynamics.com/.default' }));
    assert.equal(badSecret.status, 401);
    assert.equal(((await badSecret.json()) as Record<string, unknown>).error, 'invalid_client');
    const badScope = await post(
      form({ client_secret: 'bcsync-demo-secret', scope: 'https://other.crm.dynamics.com/.default' }),
    );
    assert.equal(badScope.status, 400);
    assert.equal(((await badScope.json()) as Record<string, unknown>).error, 'invalid_scope');
  });

  it('answers 401 without a bearer token and after the tokens were expired', async () => {
    const anonymous = await fetch(`${h.emulator.apiBase}/accounts`);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer authorization_uri=/);
    assert.equal((await h.api('GET', 'accounts')).status, 200);
    assert.equal((await h.control('POST', '/__emulator/tokens/expire')).status, 204);
    assert.equal((await h.api('GET', 'accounts')).status, 401);
    h.token = await getToken(h.emulator);
    assert.equal((await h.api('GET', 'accounts')).status, 200);
  });

  it('always sends OData-Version 4.0 and JSON with odata.metadata=minimal', async () => {
    const list = await h.api('GET', 'accounts');
    assert.equal(list.headers.get('odata-version'), '4.0');
    assert.equal(list.headers.get('content-type'), 'application/json; odata.metadata=minimal');
    assert.match(list.json['@odata.context'], /\/api\/data\/v9\.2\/\$metadata#accounts$/);
    const missing = await h.api('GET', 'nosuchset');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('odata-version'), '4.0');
    assert.equal(missing.json.error.code, '0x80060888');
    assert.match(missing.json.error.message, /Resource not found for the segment 'nosuchset'/);
  });

  it('adds the PowerApps error-detail annotations when annotations are requested', async () => {
    const r = await h.api('GET', 'accounts(00000000-0000-0000-0000-00000000abcd)', {
      headers: { Prefer: 'odata.include-annotations="*"' },
    });
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, '0x80040217');
    assert.ok(r.json.error['@Microsoft.PowerApps.CDS.ErrorDetails.OperationStatus']);
    assert.ok(r.json.error['@Microsoft.PowerApps.CDS.HelpLink']);
    const plain = await h.api('GET', 'accounts(00000000-0000-0000-0000-00000000abcd)');
    assert.deepEqual(Object.keys(plain.json.error).sort(), ['code', 'message']);
  });

  it('serves WhoAmI', async () => {
    const r = await h.api('GET', 'WhoAmI');
    assert.equal(r.status, 200);
    assert.match(r.json.UserId, /^[0-9a-f-]{36}$/);
  });
});
