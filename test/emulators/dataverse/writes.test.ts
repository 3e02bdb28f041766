import assert from 'node:assert/strict';
import { createReferenceData, startHarness, type Harness } from './helpers';

describe('Dataverse emulator: writes, preconditions and validation', () => {
  let h: Harness;
  let ref: Awaited<ReturnType<typeof createReferenceData>>;
  let now = Date.parse('2026-01-01T10:00:00.000Z');
  before(async () => {
    h = await startHarness({
      clock: () => new Date(now),
      duplicateDetection: { rules: [{ entitySet: 'contacts', columns: ['emailaddress1'] }] },
    });
    ref = await createReferenceData(h);
  });
  after(async () => h.close());

  it('POST answers 204 with OData-EntityId, or 201 with the $select-ed body on return=representation', async () => {
    const plain = await h.api('POST', 'accounts', { body: { name: 'Plain' } });
    assert.equal(plain.status, 204);
    assert.equal(plain.text, '');
    assert.match(plain.headers.get('odata-entityid') ?? '', /\/api\/data\/v9\.2\/accounts\([0-9a-f-]{36}\)$/);
    const rep = await h.api('POST', 'accounts?$select=name', {
      headers: { Prefer: 'return=representation' },
      body: { name: 'Rep' },
    });
    assert.equal(rep.status, 201);
    assert.equal(rep.headers.get('odata-entityid'), null);
    assert.equal(rep.headers.get('preference-applied'), 'return=representation');
    assert.deepEqual(Object.keys(rep.json).sort(), ['@odata.context', '@odata.etag', 'accountid', 'name']);
    assert.match(rep.json['@odata.etag'], /^W\/"\d+"$/);
  });

  it('accepts a client-supplied primary key on POST and refuses a duplicate one', async () => {
    const id = '11111111-2222-3333-4444-555555555555';
    const first = await h.api('POST', 'accounts', { body: { accountid: id, name: 'Mine' } });
    assert.equal(first.status, 204);
    assert.equal(first.headers.get('odata-entityid')?.endsWith(`accounts(${id})`), true);
    const again = await h.api('POST', 'accounts', { body: { accountid: id, name: 'Mine again' } });
    assert.equal(again.status, 412);
    assert.equal(again.json.error.code, '0x80040237');
  });

  it('PATCH upserts: 204 for create and update, 201/200 with return=representation', async () => {
    const id = '22222222-0000-0000-0000-000000000001';
    assert.equal((await h.api('PATCH', `accounts(${id})`, { body: { name: 'Up 1' } })).status, 204);
    assert.equal((await h.api('PATCH', `accounts(${id})`, { body: { name: 'Up 2' } })).status, 204);
    const rep = { Prefer: 'return=representation' };
    const id2 = '22222222-0000-0000-0000-000000000002';
    const created = await h.api('PATCH', `accounts(${id2})?$select=name`, { headers: rep, body: { name: 'New' } });
    assert.equal(created.status, 201);
    const updated = await h.api('PATCH', `accounts(${id2})?$select=name`, { headers: rep, body: { name: 'Changed' } });
    assert.equal(updated.status, 200);
    assert.equal(updated.json.name, 'Changed');
  });

  it('If-Match: * updates only (404 when missing); If-None-Match: * creates only (412 when present)', async () => {
    const missing = await h.api('PATCH', 'accounts(33333333-0000-0000-0000-000000000001)', {
      headers: { 'If-Match': '*' },
      body: { name: 'x' },
    });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, '0x80040217');
    assert.equal((await h.api('GET', 'accounts(33333333-0000-0000-0000-000000000001)')).status, 404);
    const id = '33333333-0000-0000-0000-000000000002';
    assert.equal(
      (await h.api('PATCH', `accounts(${id})`, { headers: { 'If-None-Match': '*' }, body: { name: 'once' } })).status,
      204,
    );
    const twice = await h.api('PATCH', `accounts(${id})`, {
      headers: { 'If-None-Match': '*' },
      body: { name: 'twice' },
    });
    assert.equal(twice.status, 412);
    assert.equal(twice.json.error.message, 'A record with matching key values already exists.');
    assert.equal((await h.api('GET', `accounts(${id})?$select=name`)).json.name, 'once');
    assert.equal(
      (await h.api('PATCH', `accounts(${id})`, { headers: { 'If-Match': '*' }, body: { name: 'updated' } })).status,
      204,
    );
  });

  it('refuses PATCH and DELETE with a stale ETag (412 RowVersion) and accepts the current one', async () => {
    const id = '44444444-0000-0000-0000-000000000001';
    await h.api('PATCH', `accounts(${id})`, { body: { name: 'v1' } });
    const etag1 = (await h.api('GET', `accounts(${id})`)).json['@odata.etag'] as string;
    await h.api('PATCH', `accounts(${id})`, { body: { name: 'v2' } });
    const stale = await h.api('PATCH', `accounts(${id})`, { headers: { 'If-Match': etag1 }, body: { name: 'v3' } });
    assert.equal(stale.status, 412);
    assert.equal(stale.json.error.code, '0x80060882');
    assert.equal(
      stale.json.error.message,
      "The version of the existing record doesn't match the RowVersion property provided.",
    );
    const etag2 = (await h.api('GET', `accounts(${id})`)).json['@odata.etag'] as string;
    assert.equal(
      (await h.api('PATCH', `accounts(${id})`, { headers: { 'If-Match': etag2 }, body: { name: 'v3' } })).status,
      204,
    );
    assert.equal((await h.api('DELETE', `accounts(${id})`, { headers: { 'If-Match': etag2 } })).status, 412);
    const etag3 = (await h.api('GET', `accounts(${id})`)).json['@odata.etag'] as string;
    assert.equal((await h.api('DELETE', `accounts(${id})`, { headers: { 'If-Match': etag3 } })).status, 204);
    assert.equal((await h.api('DELETE', `accounts(${id})`)).status, 404);
  });

  it('alternate-key upsert copies URL key values on create and drops body key values on update', async () => {
    const created = await h.api('PATCH', "accounts(accountnumber='AK-1')?$select=name,accountnumber", {
      headers: { Prefer: 'return=representation' },
      body: { name: 'By key' },
    });
    assert.equal(created.status, 201);
    assert.equal(created.json.accountnumber, 'AK-1');
    const updated = await h.api('PATCH', "accounts(accountnumber='AK-1')?$select=name,accountnumber", {
      headers: { Prefer: 'return=representation' },
      body: { name: 'By key 2', accountnumber: 'AK-CHANGED' },
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.json.accountnumber, 'AK-1');
    assert.equal(updated.json.name, 'By key 2');
    assert.equal(updated.json.accountid, created.json.accountid);
    const bodyWins = await h.api('PATCH', "accounts(accountnumber='AK-2')?$select=accountnumber", {
      headers: { Prefer: 'return=representation' },
      body: { name: 'Body wins', accountnumber: 'AK-2B' },
    });
    assert.equal(bodyWins.json.accountnumber, 'AK-2B');
  });

  it('keeps alternate keys unique', async () => {
    await h.api('POST', 'accounts', { body: { name: 'U1', accountnumber: 'UNIQ' } });
    const dup = await h.api('POST', 'accounts', { body: { name: 'U2', accountnumber: 'uniq' } });
    assert.equal(dup.status, 412);
    assert.equal(dup.json.error.code, '0x80040237');
  });

  it('maintains versionnumber, ETag, createdon and strictly increasing modifiedon from the injected clock', async () => {
    const rep = { Prefer: 'return=representation' };
    const id = '55555555-0000-0000-0000-000000000001';
    const a = await h.api('PATCH', `accounts(${id})`, { headers: rep, body: { name: 'T1' } });
    const b = await h.api('PATCH', `accounts(${id})`, { headers: rep, body: { name: 'T2' } });
    now += 60_000;
    const c = await h.api('PATCH', `accounts(${id})`, { headers: rep, body: { name: 'T3' } });
    assert.ok(b.json.versionnumber > a.json.versionnumber);
    assert.equal(b.json['@odata.etag'], `W/"${b.json.versionnumber}"`);
    assert.equal(a.json.createdon, c.json.createdon);
    assert.ok(Date.parse(b.json.modifiedon) > Date.parse(a.json.modifiedon), 'same clock instant still increases');
    assert.equal(c.json.modifiedon, new Date(now).toISOString());
    assert.match(c.json.modifiedon, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('answers conditional GET with 304, except with $expand or annotations', async () => {
    const id = '66666666-0000-0000-0000-000000000001';
    await h.api('PATCH', `accounts(${id})`, { body: { name: 'Cond' } });
    const etag = (await h.api('GET', `accounts(${id})`)).json['@odata.etag'] as string;
    assert.equal((await h.api('GET', `accounts(${id})`, { headers: { 'If-None-Match': etag } })).status, 304);
    assert.equal(
      (await h.api('GET', `accounts(${id})?$expand=primarycontactid`, { headers: { 'If-None-Match': etag } })).status,
      200,
    );
    const annotated = await h.api('GET', `accounts(${id})`, {
      headers: { 'If-None-Match': etag, Prefer: 'odata.include-annotations="*"' },
    });
    assert.equal(annotated.status, 200);
    await h.api('PATCH', `accounts(${id})`, { body: { name: 'Cond 2' } });
    assert.equal((await h.api('GET', `accounts(${id})`, { headers: { 'If-None-Match': etag } })).status, 200);
  });

  it('validates required columns, lengths, read-only columns, unknown properties and choice values', async () => {
    const noName = await h.api('POST', 'accounts', { body: { accountnumber: 'N1' } });
    assert.equal(noName.status, 400);
    assert.match(noName.json.error.message, /'name'/);
    const tooLong = await h.api('POST', 'accounts', { body: { name: 'x'.repeat(161) } });
    assert.equal(tooLong.status, 400);
    assert.equal(tooLong.json.error.code, '0x80044331');
    assert.match(tooLong.json.error.message, /maximum allowed length of '160'/);
    assert.equal((await h.api('POST', 'accounts', { body: { name: 'x'.repeat(160) } })).status, 204);
    assert.equal((await h.api('POST', 'accounts', { body: { name: 'a', accountnumber: 'x'.repeat(21) } })).status, 400);
    assert.equal(
      (await h.api('POST', 'accounts', { body: { name: 'a', emailaddress1: 'x'.repeat(101) } })).status,
      400,
    );
    assert.equal(
      (await h.api('POST', 'accounts', { body: { name: 'a', address1_postalcode: 'x'.repeat(21) } })).status,
      400,
    );
    for (const readOnly of [
      { createdon: '2020-01-01T00:00:00Z' },
      { modifiedon: '2020-01-01T00:00:00Z' },
      { versionnumber: 5 },
    ]) {
      const r = await h.api('POST', 'accounts', { body: { name: 'ro', ...readOnly } });
      assert.equal(r.status, 400, JSON.stringify(readOnly));
    }
    assert.equal((await h.api('POST', 'contacts', { body: { lastname: 'L', fullname: 'Full' } })).status, 400);
    const unknown = await h.api('POST', 'accounts', { body: { name: 'a', nosuchcolumn: 1 } });
    assert.equal(unknown.status, 400);
    assert.match(
      unknown.json.error.message,
      /The property 'nosuchcolumn' does not exist on type 'Microsoft\.Dynamics\.CRM\.account'/,
    );
    const badChoice = await h.api('POST', 'accounts', { body: { name: 'a', customertypecode: 999 } });
    assert.equal(badChoice.status, 400);
    assert.equal(badChoice.json.error.code, '0x8004431a');
    const badType = await h.api('POST', 'accounts', { body: { name: 42 } });
    assert.equal(badType.status, 400);
    assert.equal((await h.api('POST', 'contacts', { body: { firstname: 'No last name' } })).status, 400);
  });

  it('computes read-only columns (contact fullname, invoice line amounts)', async () => {
    const c = await h.api('POST', 'contacts?$select=fullname', {
      headers: { Prefer: 'return=representation' },
      body: { firstname: 'Ada', lastname: 'Lovelace' },
    });
    assert.equal(c.json.fullname, 'Ada Lovelace');
  });

  it('applies product defaults (Draft) and the required lookups of products and invoices', async () => {
    const noUnits = await h.api('POST', 'products', { body: { name: 'P', productnumber: 'P-1' } });
    assert.equal(noUnits.status, 400);
    const p = await h.api('POST', 'products?$select=statecode,statuscode', {
      headers: { Prefer: 'return=representation' },
      body: {
        name: 'P',
        productnumber: 'P-1',
        'defaultuomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})`,
        'defaultuomid@odata.bind': `/uoms(${ref.uomId})`,
      },
    });
    assert.equal(p.status, 201);
    assert.equal(p.json.statecode, 2);
    assert.equal(p.json.statuscode, 0);
    const activate = await h.api('PATCH', `products(${p.json.productid})?$select=statecode,statuscode`, {
      headers: { Prefer: 'return=representation' },
      body: { statecode: 0 },
    });
    assert.equal(activate.json.statuscode, 1);
    const badPair = await h.api('PATCH', `products(${p.json.productid})`, { body: { statecode: 0, statuscode: 2 } });
    assert.equal(badPair.status, 400);
    const noCustomer = await h.api('POST', 'invoices', {
      body: {
        name: 'I',
        'pricelevelid@odata.bind': `/pricelevels(${ref.priceLevelId})`,
        'transactioncurrencyid@odata.bind': `/transactioncurrencies(${ref.currencyId})`,
      },
    });
    assert.equal(noCustomer.status, 400);
    assert.match(noCustomer.json.error.message, /customerid/);
    const account = await h.api('GET', "accounts(accountnumber='AK-1')");
    const inv = await h.api(
      'POST',
      'invoices?$select=statecode,statuscode&$expand=invoice_details($select=extendedamount,baseamount)',
      {
        headers: { Prefer: 'return=representation' },
        body: {
          name: 'I',
          'customerid_account@odata.bind': `/accounts(${account.json.accountid})`,
          'pricelevelid@odata.bind': `/pricelevels(${ref.priceLevelId})`,
          'transactioncurrencyid@odata.bind': `/transactioncurrencies(${ref.currencyId})`,
          invoice_details: [
            {
              quantity: 2,
              priceperunit: 10.5,
              manualdiscountamount: 1,
              ispriceoverridden: true,
              isproductoverridden: true,
              productdescription: 'Freight',
            },
          ],
        },
      },
    );
    assert.equal(inv.status, 201, inv.text);
    assert.equal(inv.json.statecode, 0);
    assert.equal(inv.json.statuscode, 1);
    assert.equal(inv.json.invoice_details.length, 1);
    assert.equal(inv.json.invoice_details[0].baseamount, 21);
    assert.equal(inv.json.invoice_details[0].extendedamount, 20);
    const lineWrite = await h.api('PATCH', `invoicedetails(${inv.json.invoice_details[0].invoicedetailid})`, {
      body: { extendedamount: 5 },
    });
    assert.equal(lineWrite.status, 400);
    assert.equal((await h.api('DELETE', `invoices(${inv.json.invoiceid})`)).status, 204);
    assert.equal((await h.api('GET', `invoicedetails(${inv.json.invoice_details[0].invoicedetailid})`)).status, 404);
  });

  it('computes invoice totals from the lines, refuses deep insert through PATCH, and locks paid invoices', async () => {
    const account = await h.api('GET', "accounts(accountnumber='AK-1')");
    const header = {
      name: 'T',
      'customerid_account@odata.bind': `/accounts(${account.json.accountid})`,
      'pricelevelid@odata.bind': `/pricelevels(${ref.priceLevelId})`,
      'transactioncurrencyid@odata.bind': `/transactioncurrencies(${ref.currencyId})`,
    };
    const writeIn = (description: string, quantity: number, price: number, extra: Record<string, unknown> = {}) => ({
      isproductoverridden: true,
      productdescription: description,
      quantity,
      priceperunit: price,
      ispriceoverridden: true,
      ...extra,
    });
    const id = 'abababab-0000-0000-0000-000000000001';
    const upsert = await h.api('PATCH', `invoices(${id})`, {
      body: { ...header, invoice_details: [writeIn('A', 1, 10)] },
    });
    assert.equal(upsert.status, 400, 'related rows only on POST');
    assert.equal((await h.api('GET', `invoices(${id})`)).status, 404);
    const noProduct = await h.api('POST', 'invoices', {
      body: { ...header, invoiceid: id, invoice_details: [writeIn('A', 1, 10), { quantity: 1, priceperunit: 1 }] },
    });
    assert.equal(noProduct.status, 400, 'a line needs a product or a write-in');
    assert.equal((await h.api('GET', `invoices(${id})`)).status, 404, 'the deep insert is one transaction');

    const created = await h.api('POST', 'invoices', {
      headers: { Prefer: 'return=representation' },
      body: {
        ...header,
        invoiceid: id,
        discountamount: 5,
        totalamount: 1, // the system calculation overwrites it
        invoice_details: [
          writeIn('A', 2, 10.5, { manualdiscountamount: 1, tax: 5 }),
          writeIn('B', 1, 30, { tax: 7.5 }),
        ],
      },
    });
    assert.equal(created.status, 201, created.text);
    const totals = (r: { json: Record<string, unknown> }) =>
      ['totallineitemamount', 'totaldiscountamount', 'totaltax', 'totalamountlessfreight', 'totalamount'].map((c) =>
        Number(r.json[c]),
      );
    assert.deepEqual(totals(created), [50, 5, 12.5, 45, 57.5]);
    const added = await h.api('POST', 'invoicedetails', {
      body: { ...writeIn('C', 1, 10), 'invoiceid@odata.bind': `/invoices(${id})` },
    });
    assert.equal(added.status, 204, added.text);
    assert.deepEqual(totals(await h.api('GET', `invoices(${id})`)), [60, 5, 12.5, 55, 67.5]);

    // Paid: read-only (header and lines) until reactivated by a state change alone.
    assert.equal((await h.api('PATCH', `invoices(${id})`, { body: { statecode: 2, statuscode: 100001 } })).status, 204);
    assert.equal((await h.api('PATCH', `invoices(${id})`, { body: { name: 'changed' } })).status, 400);
    const lineOnPaid = await h.api('POST', 'invoicedetails', {
      body: { ...writeIn('D', 1, 1), 'invoiceid@odata.bind': `/invoices(${id})` },
    });
    assert.equal(lineOnPaid.status, 400);
    // SetState alone works on a paid invoice: another paid status, or back to Active.
    assert.equal((await h.api('PATCH', `invoices(${id})`, { body: { statuscode: 100002 } })).status, 204);
    const mixed = await h.api('PATCH', `invoices(${id})`, { body: { statecode: 0, statuscode: 1, name: 'x' } });
    assert.equal(mixed.status, 400, 'reactivation alone');
    assert.equal((await h.api('PATCH', `invoices(${id})`, { body: { statecode: 0, statuscode: 1 } })).status, 204);
    assert.equal((await h.api('PATCH', `invoices(${id})`, { body: { name: 'changed' } })).status, 204);
  });

  it('detects duplicates only when MSCRM.SuppressDuplicateDetection is false, with the configured status', async () => {
    await h.api('POST', 'contacts', { body: { lastname: 'One', emailaddress1: 'dup@example.com' } });
    assert.equal(
      (await h.api('POST', 'contacts', { body: { lastname: 'Two', emailaddress1: 'DUP@example.com' } })).status,
      204,
    );
    const hit = await h.api('POST', 'contacts', {
      headers: { 'MSCRM.SuppressDuplicateDetection': 'false' },
      body: { lastname: 'Three', emailaddress1: 'dup@example.com' },
    });
    assert.equal(hit.status, 500);
    assert.equal(hit.json.error.code, '0x80040333');
    assert.equal(
      hit.json.error.message,
      'A record was not created or updated because a duplicate of the current record already exists.',
    );
    h.emulator.configure({ duplicateStatus: 412 });
    const hit412 = await h.api('POST', 'contacts', {
      headers: { 'MSCRM.SuppressDuplicateDetection': 'false' },
      body: { lastname: 'Four', emailaddress1: 'dup@example.com' },
    });
    assert.equal(hit412.status, 412);
    const unique = await h.api('POST', 'contacts', {
      headers: { 'MSCRM.SuppressDuplicateDetection': 'false' },
      body: { lastname: 'Five', emailaddress1: 'unique@example.com' },
    });
    assert.equal(unique.status, 204);
  });

  it('reads, sets and clears single properties', async () => {
    const id = '77777777-0000-0000-0000-000000000001';
    await h.api('PATCH', `accounts(${id})`, { body: { name: 'Prop', telephone1: '123' } });
    assert.equal((await h.api('GET', `accounts(${id})/telephone1`)).json.value, '123');
    assert.equal((await h.api('PUT', `accounts(${id})/telephone1`, { body: { value: '456' } })).status, 204);
    assert.equal((await h.api('GET', `accounts(${id})/telephone1`)).json.value, '456');
    assert.equal((await h.api('DELETE', `accounts(${id})/telephone1`)).status, 204);
    assert.equal((await h.api('GET', `accounts(${id})/telephone1`)).json.value, null);
  });
});
