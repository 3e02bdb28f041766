import assert from 'node:assert/strict';
import { getToken, startHarness, type Harness } from './helpers';

describe('Dataverse emulator: change tracking', () => {
  let h: Harness;
  let now = Date.parse('2026-03-01T12:00:00.000Z');
  const track = { Prefer: 'odata.track-changes' };
  before(async () => {
    h = await startHarness({ clock: () => new Date(now), changeTrackingDisabled: ['bcsync_accountstatistics'] });
  });
  beforeEach(async () => {
    await h.control('POST', '/__emulator/reset');
  });
  after(async () => h.close());

  it('answers the first tracked read with the full set, Preference-Applied and a deltaLink', async () => {
    await h.api('POST', 'accounts', { body: { name: 'A' } });
    const r = await h.api('GET', 'accounts?$select=name', { headers: track });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('preference-applied'), 'odata.track-changes');
    assert.equal(r.json.value.length, 1);
    assert.match(r.json['@odata.deltaLink'], /\/accounts\?\$select=name&\$deltatoken=\d+!/);
  });

  it('rejects $filter, $orderby, $expand and $top with change tracking', async () => {
    for (const option of ["$filter=name eq 'A'", '$orderby=name', '$expand=primarycontactid', '$top=1']) {
      const r = await h.api('GET', `accounts?$select=name&${option}`, { headers: track });
      assert.equal(r.status, 400, option);
      const name = option.slice(0, option.indexOf('='));
      assert.equal(
        r.json.error.message,
        `The "${name}" query parameter isn't supported when Change Tracking is enabled.`,
      );
    }
  });

  it('returns changed rows then $deletedEntity tombstones and a new deltaLink each time', async () => {
    const ids: string[] = [];
    for (const name of ['A', 'B', 'C']) {
      const r = await h.api('POST', 'accounts?$select=name', {
        headers: { Prefer: 'return=representation' },
        body: { name },
      });
      ids.push(r.json.accountid);
    }
    const initial = await h.api('GET', 'accounts?$select=name', { headers: track });
    const link1 = initial.json['@odata.deltaLink'] as string;
    const empty = await h.api('GET', link1);
    assert.equal(empty.json.value.length, 0);
    assert.match(empty.json['@odata.context'], /\$metadata#accounts\(name\)\/\$delta$/);
    await h.api('PATCH', `accounts(${ids[0]})`, { body: { name: 'A2' } });
    await h.api('DELETE', `accounts(${ids[1]})`);
    const created = await h.api('POST', 'accounts?$select=name', {
      headers: { Prefer: 'return=representation' },
      body: { name: 'Temp' },
    });
    await h.api('DELETE', `accounts(${created.json.accountid})`);
    const delta = await h.api('GET', link1);
    assert.equal(delta.status, 200);
    const value = delta.json.value as Record<string, unknown>[];
    assert.equal(value[0].name, 'A2');
    const tombstones = value.slice(1);
    assert.deepEqual(tombstones.map((t) => t.id).sort(), [ids[1], created.json.accountid].sort());
    for (const t of tombstones) {
      assert.equal(t.reason, 'deleted');
      assert.match(String(t['@odata.context']), /\$metadata#accounts\/\$deletedEntity$/);
    }
    const link2 = delta.json['@odata.deltaLink'] as string;
    assert.notEqual(link2, link1);
    assert.equal((await h.api('GET', link2)).json.value.length, 0);
  });

  it('pages inside a delta with maxpagesize and ends with a deltaLink', async () => {
    const initial = await h.api('GET', 'accounts?$select=name', { headers: track });
    const targets = Array.from({ length: 25 }, (_, i) => ({
      '@odata.type': 'Microsoft.Dynamics.CRM.account',
      name: `N${i}`,
    }));
    const created = await h.api('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', {
      body: { Targets: targets },
    });
    for (const id of (created.json.Ids as string[]).slice(0, 5)) await h.api('DELETE', `accounts(${id})`);
    let url: string | undefined = initial.json['@odata.deltaLink'];
    let rows = 0;
    let deleted = 0;
    let pages = 0;
    let deltaLink: string | undefined;
    while (url !== undefined) {
      const r = await h.api('GET', url, { headers: { Prefer: 'odata.maxpagesize=10' } });
      assert.equal(r.status, 200, r.text);
      for (const v of r.json.value as Record<string, unknown>[]) {
        if (v.reason === 'deleted') deleted++;
        else rows++;
      }
      pages++;
      url = r.json['@odata.nextLink'];
      deltaLink = r.json['@odata.deltaLink'];
    }
    assert.equal(rows, 20);
    assert.equal(deleted, 5);
    assert.equal(pages, 3);
    assert.ok(deltaLink);
  });

  it('refuses a token older than the retention with the documented message', async () => {
    const initial = await h.api('GET', 'accounts?$select=name', { headers: track });
    now += 8 * 24 * 3600 * 1000;
    h.token = await getToken(h.emulator); // the clock jump expired the bearer token too
    const r = await h.api('GET', initial.json['@odata.deltaLink']);
    assert.equal(r.status, 400);
    assert.equal(
      r.json.error.message,
      'Version stamp associated with the client has expired. Please perform a full sync.',
    );
    h.emulator.configure({ changeTrackingRetentionMs: 30 * 24 * 3600 * 1000 });
    assert.equal((await h.api('GET', initial.json['@odata.deltaLink'])).status, 200);
  });

  it('refuses change tracking on a set without it', async () => {
    const r = await h.api('GET', 'bcsync_accountstatistics?$select=bcsync_name', { headers: track });
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /not enabled for change tracking|Change tracking is not enabled/);
  });
});
