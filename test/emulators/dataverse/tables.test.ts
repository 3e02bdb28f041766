import assert from 'node:assert/strict';
import { createReferenceData, startHarness, type Harness } from './helpers';

describe('Dataverse emulator: mapping tables, $expand and lookup traversal', () => {
  let h: Harness;
  let ref: Awaited<ReturnType<typeof createReferenceData>>;
  const accountId = 'eeeeeeee-0000-0000-0000-000000000001';
  before(async () => {
    h = await startHarness();
    ref = await createReferenceData(h);
    await h.api('PATCH', `accounts(${accountId})`, {
      body: {
        name: 'Stats Co',
        accountnumber: 'C-STAT',
        'transactioncurrencyid@odata.bind': `/transactioncurrencies(${ref.currencyId})`,
      },
    });
  });
  after(async () => h.close());

  it('stores account statistics in bcsync_accountstatistics with a lookup to the account and an alternate key on it', async () => {
    const statsId = 'eeeeeeee-0000-0000-0000-0000000000a1';
    const created = await h.api('PATCH', `bcsync_accountstatistics(${statsId})`, {
      headers: { Prefer: 'return=representation' },
      body: {
        bcsync_name: 'C-STAT',
        'bcsync_accountid@odata.bind': `/accounts(${accountId})`,
        bcsync_balance: 1500.25,
        bcsync_totalsales: 10000,
        bcsync_overdueamount: 12.5,
        bcsync_outstandingorders: 300,
        bcsync_shippednotinvoiced: 0,
        bcsync_lastupdatedon: '2026-01-02T03:04:05Z',
      },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json._bcsync_accountid_value, accountId);
    assert.equal(created.json.bcsync_lastupdatedon, '2026-01-02T03:04:05Z');
    const byKey = await h.api(
      'GET',
      `bcsync_accountstatistics(_bcsync_accountid_value=${accountId})?$select=bcsync_balance`,
    );
    assert.equal(byKey.status, 200);
    assert.equal(byKey.json.bcsync_balance, 1500.25);
    const upsert = await h.api('PATCH', `bcsync_accountstatistics(_bcsync_accountid_value=${accountId})`, {
      body: { bcsync_balance: 99 },
    });
    assert.equal(upsert.status, 204);
    assert.equal((await h.api('GET', `bcsync_accountstatistics(${statsId})/bcsync_balance`)).json.value, 99);
    const expanded = await h.api(
      'GET',
      `accounts(${accountId})?$select=name&$expand=bcsync_account_bcsync_accountstatistics($select=bcsync_balance)`,
    );
    assert.equal(expanded.json.bcsync_account_bcsync_accountstatistics[0].bcsync_balance, 99);
  });

  it('expands invoice lines in a list query and single-valued lookups with nested $select', async () => {
    const invoiceId = 'eeeeeeee-0000-0000-0000-0000000000b1';
    const r = await h.api('PATCH', `invoices(${invoiceId})`, {
      body: {
        name: 'INV-1',
        invoicenumber: 'PS-INV-103001',
        'customerid_account@odata.bind': `/accounts(${accountId})`,
        'pricelevelid@odata.bind': `/pricelevels(${ref.priceLevelId})`,
        'transactioncurrencyid@odata.bind': `/transactioncurrencies(${ref.currencyId})`,
      },
    });
    assert.equal(r.status, 204, r.text);
    for (const [i, qty] of [3, 1].entries()) {
      const line = await h.api('POST', 'invoicedetails', {
        body: {
          'invoiceid@odata.bind': `/invoices(${invoiceId})`,
          'uomid@odata.bind': `/uoms(${ref.uomId})`,
          isproductoverridden: true,
          productdescription: `Line ${i}`,
          quantity: qty,
          priceperunit: 10,
          lineitemnumber: i + 1,
        },
      });
      assert.equal(line.status, 204, line.text);
    }
    const list = await h.api(
      'GET',
      `invoices?$select=invoicenumber&$expand=invoice_details($select=quantity,extendedamount;$orderby=lineitemnumber desc),pricelevelid($select=name)`,
    );
    assert.equal(list.status, 200, list.text);
    const inv = list.json.value[0];
    assert.deepEqual(
      inv.invoice_details.map((d: { quantity: number; extendedamount: number }) => [d.quantity, d.extendedamount]),
      [
        [1, 10],
        [3, 30],
      ],
    );
    assert.equal(inv.pricelevelid.name, 'RETAIL');
    assert.equal((await h.api('GET', `invoices(${invoiceId})/invoice_details`)).json.value.length, 2);
    assert.equal((await h.api('GET', 'invoices?$expand=nosuchnav')).status, 400);
  });

  it('filters through a lookup (nav/column) and on _x_value, and rejects bad filter syntax and unknown properties', async () => {
    const byNav = await h.api(
      'GET',
      `accounts?$select=name&$filter=${encodeURIComponent("transactioncurrencyid/isocurrencycode eq 'nok'")}`,
    );
    assert.equal(byNav.status, 200, byNav.text);
    assert.deepEqual(
      byNav.json.value.map((v: { name: string }) => v.name),
      ['Stats Co'],
    );
    const byValue = await h.api(
      'GET',
      `accounts?$select=name&$filter=_transactioncurrencyid_value eq ${ref.currencyId}`,
    );
    assert.equal(byValue.json.value.length, 1);
    const syntax = await h.api('GET', `accounts?$filter=${encodeURIComponent("name eq 'x")}`);
    assert.equal(syntax.status, 400);
    const unknown = await h.api('GET', `accounts?$filter=${encodeURIComponent("nosuch eq 'x'")}`);
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.error.message, /Could not find a property named 'nosuch'/);
  });

  it('returns _transactioncurrencyid_value with any selected money column', async () => {
    const r = await h.api('GET', `accounts(${accountId})?$select=revenue`);
    assert.deepEqual(Object.keys(r.json).sort(), [
      '@odata.context',
      '@odata.etag',
      '_transactioncurrencyid_value',
      'accountid',
      'revenue',
    ]);
  });

  it('serves every entity set of the mappings', async () => {
    for (const set of [
      'accounts',
      'contacts',
      'products',
      'transactioncurrencies',
      'uomschedules',
      'uoms',
      'pricelevels',
      'productpricelevels',
      'invoices',
      'invoicedetails',
      'systemusers',
      'bcsync_accountstatistics',
    ]) {
      const r = await h.api('GET', `${set}?$top=1`);
      assert.equal(r.status, 200, `${set}: ${r.text}`);
    }
  });

  it('creates price list items keyed by price list, product and unit', async () => {
    const productId = 'eeeeeeee-0000-0000-0000-0000000000c1';
    await h.api('PATCH', `products(${productId})`, {
      body: {
        name: 'Bicycle',
        productnumber: '1000',
        'defaultuomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})`,
        'defaultuomid@odata.bind': `/uoms(${ref.uomId})`,
      },
    });
    const key = `productpricelevels(_pricelevelid_value=${ref.priceLevelId},_productid_value=${productId},_uomid_value=${ref.uomId})`;
    const created = await h.api('PATCH', key, {
      headers: { Prefer: 'return=representation' },
      body: { amount: 4000, pricingmethodcode: 1 },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json._productid_value, productId);
    const byAltBind = await h.api('POST', 'productpricelevels', {
      body: {
        'pricelevelid@odata.bind': `/pricelevels(${ref.priceLevelId})`,
        'productid@odata.bind': "/products(productnumber='1000')",
        'uomid@odata.bind': `/uoms(${ref.uomId})`,
        amount: 1,
      },
    });
    // Microsoft's DuplicateProductPriceLevel, not the generic duplicate-key 412.
    assert.deepEqual(
      [byAltBind.status, byAltBind.json.error.code],
      [400, '0x80043b08'],
      'the same (price list, product, unit) key exists',
    );
  });

  it('refuses an alternate-key upsert whose lookup key part points at a missing row', async () => {
    const r = await h.api('PATCH', "uoms(_uomscheduleid_value=00000000-0000-0000-0000-0000000000ff,name='BOX')", {
      body: { quantity: 12 },
    });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, '0x80040217');
    const ok = await h.api(
      'PATCH',
      `uoms(_uomscheduleid_value=${ref.scheduleId},name='BOX')?$select=name,_uomscheduleid_value`,
      {
        headers: { Prefer: 'return=representation' },
        body: { quantity: 12 },
      },
    );
    assert.equal(ok.status, 201);
    assert.equal(ok.json._uomscheduleid_value, ref.scheduleId);
  });

  it('changes run-time settings through POST /__emulator/dataverse/settings', async () => {
    const r = await h.control('POST', '/__emulator/dataverse/settings', { bulkUnsupported: ['contacts'] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.bulkUnsupported, ['contacts']);
    const refused = await h.api('POST', 'contacts/Microsoft.Dynamics.CRM.CreateMultiple', {
      body: { Targets: [{ '@odata.type': 'Microsoft.Dynamics.CRM.contact', lastname: 'x' }] },
    });
    assert.equal(refused.status, 400);
    await h.control('POST', '/__emulator/dataverse/settings', { bulkUnsupported: [] });
  });
});
