// Page reads cost the rows they return, not the table: both emulators walk their (modified-on, key) index for the
// queries the connectors send, so reading a page at 100,000 rows examines as many rows as at 1,000 and sorts none.
// Measured with the emulators' own counters (`pageReads` in /__emulator/stats), never with wall-clock time.
import assert from 'node:assert/strict';
import { startHarness as startBc, type BcHarness } from '../business-central/helpers';
import { startHarness as startDv, type Harness as DvHarness } from '../dataverse/helpers';

interface PageReads {
  count: number;
  rowsExamined: number;
  rowsSorted: number;
}

const PAGE = { prefer: 'odata.maxpagesize=200' };
const SINCE = '2000-01-01T00:00:00Z';

/** Stats of the reads a connector makes on a table of `size` customers: two pages, a read after a write, ids. */
async function businessCentralReads(size: number): Promise<{ reads: PageReads; unindexed: PageReads }> {
  const h: BcHarness = await startBc({
    seed: { customers: size, contactsPerCustomer: 0, postedInvoices: 0, draftInvoices: 0, overlapFraction: 0 },
  });
  try {
    await h.control('reset-stats');
    const first = await h.json(
      h.companyUrl(`customers?$filter=lastModifiedDateTime ge ${SINCE}&$orderby=lastModifiedDateTime,id`),
      { headers: PAGE },
    );
    assert.equal(first.status, 200);
    assert.equal(first.body.value.length, 200);
    const second = await h.json(first.body['@odata.nextLink'], { headers: PAGE });
    assert.equal(second.body.value.length, 200);
    // Pages follow each other in (lastModifiedDateTime, id) order.
    const stamps = [...first.body.value, ...second.body.value].map((c: { lastModifiedDateTime: string }) =>
      Date.parse(c.lastModifiedDateTime),
    );
    assert.deepEqual(
      stamps,
      [...stamps].sort((a, b) => a - b),
    );
    // A write moves the record to the end of the index: reading what changed since finds it alone.
    const target = second.body.value[0];
    const patched = await h.json(h.companyUrl(`customers(${target.id})`), {
      method: 'PATCH',
      body: { displayName: 'Moved to the end' },
      headers: { 'if-match': '*' },
    });
    assert.equal(patched.status, 200);
    const changed = await h.json(
      h.companyUrl(
        `customers?$filter=lastModifiedDateTime ge ${patched.body.lastModifiedDateTime}&$orderby=lastModifiedDateTime,id`,
      ),
    );
    assert.deepEqual(
      changed.body.value.map((c: { id: string }) => c.id),
      [target.id],
    );
    const ids = first.body.value.slice(0, 3).map((c: { id: string }) => c.id);
    const byId = await h.json(h.companyUrl(`customers?$filter=${ids.map((id: string) => `id eq ${id}`).join(' or ')}`));
    assert.equal(byId.body.value.length, 3);
    const reads = ((await (await fetch(`${h.bc.url}/__emulator/stats`)).json()) as { pageReads: PageReads }).pageReads;
    await h.control('reset-stats');
    await h.json(h.companyUrl(`customers?$orderby=displayName`), { headers: PAGE });
    const unindexed = ((await (await fetch(`${h.bc.url}/__emulator/stats`)).json()) as { pageReads: PageReads })
      .pageReads;
    return { reads, unindexed };
  } finally {
    await h.close();
  }
}

async function dataverseReads(size: number): Promise<{ reads: PageReads; unindexed: PageReads }> {
  const h: DvHarness = await startDv({
    seed: { customers: 1, overlapFraction: 0, dataverseOnlyAccounts: size, dataverseContactsPerAccount: 0 },
  });
  try {
    const total = (await h.api('GET', 'accounts/$count')).text;
    assert.ok(Number(total) >= Math.min(size, 5000));
    await h.control('POST', '/__emulator/reset-stats');
    const headers = { Prefer: 'odata.maxpagesize=200' };
    const first = await h.api(
      'GET',
      `accounts?$select=name,modifiedon&$filter=modifiedon ge ${SINCE}&$orderby=modifiedon,accountid`,
      { headers },
    );
    assert.equal(first.status, 200);
    assert.equal(first.json.value.length, 200);
    const second = await h.api('GET', first.json['@odata.nextLink'], { headers });
    assert.equal(second.json.value.length, 200);
    const target = second.json.value[0];
    const patched = await h.api('PATCH', `accounts(${target.accountid})`, {
      body: { name: 'Moved to the end' },
      headers: { Prefer: 'return=representation' },
    });
    assert.equal(patched.status, 200);
    const changed = await h.api(
      'GET',
      `accounts?$select=name&$filter=modifiedon ge ${patched.json.modifiedon}&$orderby=modifiedon,accountid`,
    );
    assert.deepEqual(
      changed.json.value.map((a: { accountid: string }) => a.accountid),
      [target.accountid],
    );
    const ids = first.json.value.slice(0, 3).map((a: { accountid: string }) => a.accountid);
    const byId = await h.api(
      'GET',
      `accounts?$select=name&$filter=${ids.map((id: string) => `accountid eq ${id}`).join(' or ')}`,
    );
    assert.equal(byId.json.value.length, 3);
    // A matching read (the product looks for uncoupled accounts by name): looked up, not scanned.
    const names = first.json.value.slice(0, 2).map((a: { name: string }) => `name eq '${a.name.replace(/'/g, "''")}'`);
    const byName = await h.api('GET', `accounts?$select=name&$filter=statecode eq 0 and (${names.join(' or ')})`);
    assert.equal(byName.status, 200);
    assert.ok(byName.json.value.length >= 2);
    const reads = (await h.control('GET', '/__emulator/stats')).json.pageReads as PageReads;
    await h.control('POST', '/__emulator/reset-stats');
    await h.api('GET', 'accounts?$select=name&$orderby=name', { headers });
    const unindexed = (await h.control('GET', '/__emulator/stats')).json.pageReads as PageReads;
    return { reads, unindexed };
  } finally {
    await h.close();
  }
}

describe('emulator page reads at scale', function () {
  this.timeout(180_000);

  for (const [name, measure] of [
    ['Business Central', businessCentralReads],
    ['Dataverse', dataverseReads],
  ] as const) {
    it(`${name}: a page read examines the same rows at 100,000 rows as at 1,000 and sorts none of the table`, async () => {
      const small = await measure(1_000);
      const large = await measure(100_000);
      // Two pages of 200 (each looks one row ahead), one changed record, three ids (and on Dataverse two names).
      const reads = name === 'Dataverse' ? 5 : 4;
      assert.equal(small.reads.count, reads);
      // Only the rows found by id or name are sorted (into key order); the page reads sort nothing.
      assert.ok(small.reads.rowsSorted <= 3 + (reads - 4) * 4, `sorted ${small.reads.rowsSorted}`);
      assert.ok(small.reads.rowsExamined <= 2 * 201 + 1 + 3 + 4, `examined ${small.reads.rowsExamined}`);
      assert.deepEqual(large.reads, small.reads);
      // The counters do see a whole-table read: an order the index does not serve scans and sorts every row.
      assert.ok(large.unindexed.rowsSorted >= 100_000, `sorted ${large.unindexed.rowsSorted}`);
      assert.ok(small.unindexed.rowsSorted < 2_000);
    });
  }
});
