import assert from 'node:assert/strict';
import { startHarness, type Harness } from './helpers';

describe('Dataverse emulator: queries and paging', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    const targets = Array.from({ length: 5001 }, (_, i) => ({
      '@odata.type': 'Microsoft.Dynamics.CRM.account',
      name: `Account ${String(i).padStart(5, '0')}`,
      accountnumber: `N${i}`,
      revenue: i,
    }));
    const r = await h.api('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { body: { Targets: targets } });
    assert.equal(r.status, 200, r.text);
    await h.api('POST', 'accounts', {
      body: { name: "Contoso O'Brien Ltd", accountnumber: 'SPECIAL', telephone1: '555' },
    });
  });
  after(async () => h.close());

  it('always returns the primary key with $select and rejects unknown columns', async () => {
    const r = await h.api('GET', "accounts?$select=telephone1&$filter=accountnumber eq 'SPECIAL'");
    assert.deepEqual(Object.keys(r.json.value[0]).sort(), ['@odata.etag', 'accountid', 'telephone1']);
    assert.equal((await h.api('GET', 'accounts?$select=nosuch')).status, 400);
  });

  it('compares strings case-insensitively, with doubled quotes, contains/startswith/endswith, and/or/not', async () => {
    const q = async (filter: string): Promise<string[]> => {
      const r = await h.api('GET', `accounts?$select=name&$filter=${encodeURIComponent(filter)}`);
      assert.equal(r.status, 200, r.text);
      return (r.json.value as { name: string }[]).map((v) => v.name);
    };
    assert.deepEqual(await q("name eq 'contoso o''brien ltd'"), ["Contoso O'Brien Ltd"]);
    assert.deepEqual(await q("contains(name,'O''BRIEN')"), ["Contoso O'Brien Ltd"]);
    assert.deepEqual(await q("startswith(name,'CONTOSO') and endswith(name,'ltd')"), ["Contoso O'Brien Ltd"]);
    assert.deepEqual((await q("accountnumber eq 'special' or accountnumber eq 'n7'")).sort(), [
      'Account 00007',
      "Contoso O'Brien Ltd",
    ]);
    assert.equal((await q("accountnumber eq 'special' or revenue eq 7")).length, 2);
    assert.equal((await q("not startswith(name,'Account')")).length, 1);
    assert.equal((await q('revenue ge 10 and revenue lt 13')).length, 3);
  });

  it('supports Microsoft.Dynamics.CRM.In and unquoted GUID and datetime literals', async () => {
    const inFilter = encodeURIComponent(
      "Microsoft.Dynamics.CRM.In(PropertyName='accountnumber',PropertyValues=['N1','n2','SPECIAL'])",
    );
    const r = await h.api('GET', `accounts?$select=accountnumber&$filter=${inFilter}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.value.length, 3);
    const one = (await h.api('GET', "accounts?$select=accountid&$filter=accountnumber eq 'N5'")).json.value[0]
      .accountid as string;
    const byGuid = await h.api('GET', `accounts?$select=accountnumber&$filter=accountid eq ${one.toUpperCase()}`);
    assert.equal(byGuid.json.value[0].accountnumber, 'N5');
    const recent = await h.api(
      'GET',
      `accounts?$select=name&$filter=${encodeURIComponent('modifiedon gt 2000-01-01T00:00:00Z')}&$top=3`,
    );
    assert.equal(recent.json.value.length, 3);
    assert.equal(
      (await h.api('GET', `accounts?$filter=${encodeURIComponent('modifiedon gt 2999-01-01T00:00:00Z')}`)).json.value
        .length,
      0,
    );
  });

  it('orders with $orderby and limits with $top when no page size is requested', async () => {
    const r = await h.api('GET', 'accounts?$select=revenue&$orderby=revenue desc&$top=3');
    assert.deepEqual(
      r.json.value.map((v: { revenue: number }) => v.revenue),
      [5000, 4999, 4998],
    );
    assert.equal(r.json['@odata.nextLink'], undefined);
  });

  it('answers 400 for $skip', async () => {
    const r = await h.api('GET', 'accounts?$skip=10');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, '0x80060888');
  });

  it('pages with odata.maxpagesize, echoes it in Preference-Applied, ignores $top and follows opaque nextLinks to the end', async () => {
    const prefer = { Prefer: 'odata.maxpagesize=1000' };
    let url: string | undefined = `${h.emulator.apiBase}/accounts?$select=name&$top=5`;
    const seen = new Set<string>();
    let pages = 0;
    while (url !== undefined) {
      const r = await h.api('GET', url, { headers: prefer });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('preference-applied'), 'odata.maxpagesize=1000');
      for (const v of r.json.value as { accountid: string }[]) seen.add(v.accountid);
      if (r.json['@odata.nextLink'] !== undefined) {
        assert.equal(r.json.value.length, 1000);
        assert.match(r.json['@odata.nextLink'], /\?\$select=name&\$top=5&\$skiptoken=%3Ccookie%20pagenumber/);
      }
      url = r.json['@odata.nextLink'];
      pages++;
    }
    assert.equal(seen.size, 5002);
    assert.equal(pages, 6);
  });

  it('uses 5,000 as the default and maximum page size', async () => {
    const first = await h.api('GET', 'accounts?$select=name');
    assert.equal(first.json.value.length, 5000);
    assert.ok(first.json['@odata.nextLink']);
    const big = await h.api('GET', 'accounts?$select=name', { headers: { Prefer: 'odata.maxpagesize=9000' } });
    assert.equal(big.json.value.length, 5000);
    assert.equal(big.headers.get('preference-applied'), 'odata.maxpagesize=5000');
  });

  it('keeps keyset paging stable while rows are inserted and deleted between pages', async () => {
    const prefer = { Prefer: 'odata.maxpagesize=2000' };
    const first = await h.api('GET', 'accounts?$select=name&$orderby=name', { headers: prefer });
    const firstNames = (first.json.value as { name: string }[]).map((v) => v.name);
    // Insert a row sorting before the cursor and delete one sorting on the first page: the next page must not shift.
    await h.api('POST', 'accounts', { body: { name: 'AAAA first' } });
    const victim = (first.json.value as { accountid: string }[])[5].accountid;
    assert.equal((await h.api('DELETE', `accounts(${victim})`)).status, 204);
    const second = await h.api('GET', first.json['@odata.nextLink'], { headers: prefer });
    const secondNames = (second.json.value as { name: string }[]).map((v) => v.name);
    assert.equal(secondNames[0], 'Account 02000');
    assert.ok(secondNames.every((n) => !firstNames.includes(n)));
    await h.api('POST', 'accounts', { body: { accountid: victim, name: firstNames[5] } });
  });

  it('caps $count at 5,000 and says when the limit was exceeded', async () => {
    const r = await h.api('GET', 'accounts?$select=name&$count=true', { headers: { Prefer: 'odata.maxpagesize=1' } });
    assert.equal(r.json['@odata.count'], 5000);
    assert.equal(r.json['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'], true);
    const small = await h.api(
      'GET',
      `accounts?$select=name&$count=true&$filter=${encodeURIComponent("startswith(name,'Account 0000')")}`,
    );
    assert.equal(small.json['@odata.count'], 10);
    assert.equal(small.json['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'], false);
    const plainCount = await h.api('GET', 'accounts/$count');
    assert.equal(plainCount.text, '5000');
  });

  it('adds formatted values for choices, money and dates when annotations are requested', async () => {
    const r = await h.api('GET', "accounts?$select=revenue,statecode,modifiedon&$filter=accountnumber eq 'N1234'", {
      headers: { Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' },
    });
    const row = r.json.value[0];
    assert.equal(row['statecode@OData.Community.Display.V1.FormattedValue'], 'Active');
    assert.equal(row['revenue@OData.Community.Display.V1.FormattedValue'], '$1,234.00');
    assert.match(
      row['modifiedon@OData.Community.Display.V1.FormattedValue'],
      /^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2} (AM|PM)$/,
    );
  });
});
