import assert from 'node:assert/strict';
import { errorCode, readAll, startHarness, type BcHarness, type Json } from './helpers';

describe('BC emulator: server-driven paging', () => {
  let h: BcHarness;
  beforeEach(async () => {
    h = await startHarness({ pageSize: 7, seed: { customers: 30, contactsPerCustomer: 0 } });
  });
  afterEach(() => h.close());

  it('pages with an absolute opaque @odata.nextLink carrying $skiptoken and returns every record once', async () => {
    const first = await h.json(h.companyUrl('customers'));
    assert.equal(first.body.value.length, 7);
    const next: string = first.body['@odata.nextLink'];
    assert.ok(next.startsWith(`${h.bc.apiBase}/companies(${h.bc.companyId})/customers?`), next);
    assert.match(next, /\$skiptoken=/);
    const { rows, pages } = await readAll(h, h.companyUrl('customers'));
    assert.equal(pages, 5);
    assert.equal(rows.length, 30);
    assert.equal(new Set(rows.map((r) => r.id)).size, 30);
  });

  it('keeps later pages stable while records are inserted, changed and deleted between pages', async () => {
    const orderBy = '?$orderby=number';
    const first = await h.json(h.companyUrl(`customers${orderBy}`));
    const seen: string[] = first.body.value.map((c: Json) => c.number);
    const all = (await readAll(h, h.companyUrl(`customers${orderBy}`))).rows;
    // Delete a record of the first page, change one on a later page, insert one sorting before the cursor.
    const onFirstPage = all[0];
    const later = all[20];
    const del = await h.call(h.companyUrl(`customers(${onFirstPage.id})`), {
      method: 'DELETE',
      headers: { 'if-match': '*' },
    });
    assert.equal(del.status, 204);
    const patch = await h.call(h.companyUrl(`customers(${later.id})`), {
      method: 'PATCH',
      body: { displayName: 'Renamed between pages' },
      headers: { 'if-match': later['@odata.etag'] },
    });
    assert.equal(patch.status, 200);
    const post = await h.call(h.companyUrl('customers'), {
      method: 'POST',
      body: { number: '00001', displayName: 'Sorts first' },
    });
    assert.equal(post.status, 201);
    const rest = await readAll(h, first.body['@odata.nextLink']);
    const numbers = [...seen, ...rest.rows.map((c: Json) => c.number)];
    assert.equal(numbers.length, 30, 'no record skipped or repeated');
    assert.equal(new Set(numbers).size, 30);
    assert.ok(!numbers.includes('00001'), 'an insert before the cursor does not shift later pages');
    assert.equal(rest.rows.find((c: Json) => c.id === later.id).displayName, 'Renamed between pages');
  });

  it('honours Prefer: odata.maxpagesize and echoes Preference-Applied', async () => {
    const { status, body, headers } = await h.json(h.companyUrl('customers'), {
      headers: { prefer: 'odata.maxpagesize=3' },
    });
    assert.equal(status, 200);
    assert.equal(body.value.length, 3);
    assert.equal(headers.get('preference-applied'), 'odata.maxpagesize=3');
    const { pages } = await readAll(h, h.companyUrl('customers'), { prefer: 'odata.maxpagesize=3' });
    assert.equal(pages, 10);
  });

  it('answers 413 when odata.maxpagesize exceeds 20,000', async () => {
    const ok = await h.json(h.companyUrl('customers'), { headers: { prefer: 'odata.maxpagesize=20000' } });
    assert.equal(ok.status, 200);
    const tooBig = await h.json(h.companyUrl('customers'), { headers: { prefer: 'odata.maxpagesize=20001' } });
    assert.equal(tooBig.status, 413);
    errorCode(tooBig.body);
  });

  it('applies $top across pages', async () => {
    const { rows, pages } = await readAll(h, h.companyUrl('customers?$top=10'));
    assert.equal(rows.length, 10);
    assert.equal(pages, 2);
  });

  it('counts with $count=true and skips with $skip', async () => {
    const counted = await h.json(h.companyUrl("customers?$count=true&$filter=city eq 'Oslo'"));
    const oslo = (await readAll(h, h.companyUrl("customers?$filter=city eq 'Oslo'"))).rows;
    assert.equal(counted.body['@odata.count'], oslo.length);
    const all = (await readAll(h, h.companyUrl('customers?$orderby=number'))).rows;
    const skipped = (await readAll(h, h.companyUrl('customers?$orderby=number&$skip=25'))).rows;
    assert.deepEqual(
      skipped.map((c: Json) => c.id),
      all.slice(25).map((c: Json) => c.id),
    );
  });

  it('rejects a tampered skiptoken with 400', async () => {
    const { status } = await h.json(h.companyUrl('customers?$skiptoken=not-a-token'));
    assert.equal(status, 400);
  });

  it('never offers a delta link and ignores Prefer: odata.track-changes', async () => {
    const { body, headers } = await h.json(h.companyUrl('customers'), { headers: { prefer: 'odata.track-changes' } });
    assert.equal(body['@odata.deltaLink'], undefined);
    assert.equal(headers.get('preference-applied'), null);
  });

  it('makes deletions invisible to lastModifiedDateTime polling', async () => {
    const all = (await readAll(h, h.companyUrl('customers'))).rows;
    const watermark = all
      .map((c: Json) => c.lastModifiedDateTime)
      .sort()
      .at(-1);
    const victim = all[3];
    assert.equal((await h.call(h.companyUrl(`customers(${victim.id})`), { method: 'DELETE' })).status, 204);
    const changed = await h.json(h.companyUrl(`customers?$filter=lastModifiedDateTime gt ${watermark}`));
    assert.deepEqual(changed.body.value, []);
  });
});

describe('BC emulator: $select, $expand, $orderby, $top', () => {
  let h: BcHarness;
  before(async () => {
    h = await startHarness({ seed: { customers: 12, postedInvoices: 6, draftInvoices: 2, linesPerInvoice: [2, 3] } });
  });
  after(() => h.close());

  it('returns only the $select-ed fields plus the etag', async () => {
    const { body } = await h.json(h.companyUrl('customers?$select=number,displayName'));
    // All 12 seeded customers: without a row, the loop below would assert nothing.
    assert.equal(body.value.length, 12);
    for (const row of body.value) assert.deepEqual(Object.keys(row), ['@odata.etag', 'number', 'displayName']);
  });

  it('rejects $select of an unknown property', async () => {
    const { status, body } = await h.json(h.companyUrl('customers?$select=number,nonsense'));
    assert.equal(status, 400);
    assert.match(body.error.message, /nonsense/);
  });

  it('orders by $orderby (desc, then ties by id) and limits with $top', async () => {
    const { body } = await h.json(h.companyUrl('customers?$orderby=displayName desc&$top=4&$select=displayName'));
    const names = body.value.map((c: Json) => c.displayName);
    assert.equal(names.length, 4);
    assert.deepEqual(names, [...names].sort().reverse());
    const all = (await h.json(h.companyUrl('customers?$select=displayName'))).body.value.map(
      (c: Json) => c.displayName,
    );
    assert.deepEqual(names, [...all].sort().reverse().slice(0, 4));
  });

  it('expands salesInvoices → salesInvoiceLines with nested $select and $orderby', async () => {
    const { status, body } = await h.json(
      h.companyUrl(
        "salesInvoices?$filter=status ne 'Draft'&$expand=salesInvoiceLines($select=sequence,quantity;$orderby=sequence desc)",
      ),
    );
    assert.equal(status, 200);
    assert.equal(body.value.length, 6);
    for (const invoice of body.value) {
      assert.ok(invoice.salesInvoiceLines.length >= 2);
      for (const line of invoice.salesInvoiceLines)
        assert.deepEqual(Object.keys(line), ['@odata.etag', 'sequence', 'quantity']);
      const seq = invoice.salesInvoiceLines.map((l: Json) => l.sequence);
      assert.deepEqual(
        seq,
        [...seq].sort((a: number, b: number) => b - a),
      );
    }
  });

  it('expands customers → customerFinancialDetail with the posted balance', async () => {
    const invoices = (await h.json(h.companyUrl("salesInvoices?$filter=status eq 'Open'"))).body.value;
    const customerId = invoices[0].customerId;
    const expected = invoices
      .filter((i: Json) => i.customerId === customerId)
      .reduce((sum: number, i: Json) => sum + i.remainingAmount, 0);
    const { body } = await h.json(h.companyUrl(`customers(${customerId})?$expand=customerFinancialDetail`));
    assert.equal(body.customerFinancialDetail.id, customerId);
    assert.ok(Math.abs(body.customerFinancialDetail.balance - expected) < 0.01);
    assert.ok(Math.abs(body.balanceDue - expected) < 0.01);
    for (const key of ['balance', 'totalSalesExcludingTax', 'overdueAmount'])
      assert.equal(typeof body.customerFinancialDetail[key], 'number');
  });

  it('serves customerFinancialDetails read-only (405 on writes)', async () => {
    const list = await h.json(h.companyUrl('customerFinancialDetails'));
    assert.equal(list.status, 200);
    assert.equal(list.body.value.length, 12);
    const write = await h.json(h.companyUrl('customerFinancialDetails'), { method: 'POST', body: { balance: 1 } });
    assert.equal(write.status, 405);
  });

  it('rejects $expand of an unknown navigation property', async () => {
    const { status } = await h.json(h.companyUrl('customers?$expand=nothingHere'));
    assert.equal(status, 400);
  });
});
