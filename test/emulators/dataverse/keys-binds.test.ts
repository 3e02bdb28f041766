import assert from 'node:assert/strict';
import { createReferenceData, startHarness, type Harness } from './helpers';

describe('Dataverse emulator: keys and lookups', () => {
  let h: Harness;
  let ref: Awaited<ReturnType<typeof createReferenceData>>;
  const accountId = 'bbbbbbbb-0000-0000-0000-000000000001';
  const contactId = 'bbbbbbbb-0000-0000-0000-000000000002';
  before(async () => {
    h = await startHarness();
    ref = await createReferenceData(h);
    assert.equal(
      (await h.api('PATCH', `accounts(${accountId})`, { body: { name: "O'Neil Bikes", accountnumber: 'C-100' } }))
        .status,
      204,
    );
    assert.equal(
      (await h.api('PATCH', `contacts(${contactId})`, { body: { firstname: 'Ann', lastname: 'Lee' } })).status,
      204,
    );
  });
  after(async () => h.close());

  it('reads a row by GUID and by each defined alternate key', async () => {
    const byId = await h.api('GET', `accounts(${accountId})?$select=name`);
    assert.equal(byId.status, 200);
    assert.equal(byId.json.name, "O'Neil Bikes");
    assert.equal(byId.json.accountid, accountId);
    const byNumber = await h.api('GET', "accounts(accountnumber='C-100')?$select=name");
    assert.equal(byNumber.json.accountid, accountId);
    const byIso = await h.api('GET', "transactioncurrencies(isocurrencycode='NOK')");
    assert.equal(byIso.json.transactioncurrencyid, ref.currencyId);
    const byComposite = await h.api('GET', `uoms(_uomscheduleid_value=${ref.scheduleId},name='PCS')`);
    assert.equal(byComposite.json.uomid, ref.uomId);
    const byName = await h.api('GET', "pricelevels(name='RETAIL')");
    assert.equal(byName.json.pricelevelid, ref.priceLevelId);
  });

  it('rejects a key that is not defined for the table', async () => {
    const r = await h.api('GET', "accounts(telephone1='123')");
    assert.equal(r.status, 400);
    assert.match(
      r.json.error.message,
      /^The key in the request URI is not valid for resource 'Microsoft\.Dynamics\.CRM\.account'/,
    );
  });

  it('rejects the named-key form for systemusers but accepts it for accounts', async () => {
    const userId = 'cccccccc-0000-0000-0000-000000000001';
    assert.equal(
      (await h.api('PATCH', `systemusers(${userId})`, { body: { firstname: 'Sam', lastname: 'Sales' } })).status,
      204,
    );
    assert.equal((await h.api('GET', `systemusers(${userId})`)).json.fullname, 'Sam Sales');
    const named = await h.api('GET', `systemusers(systemuserid=${userId})`);
    assert.equal(named.status, 400);
    assert.match(named.json.error.message, /The key in the request URI is not valid/);
    assert.equal((await h.api('GET', `accounts(accountid=${accountId})`)).status, 200);
  });

  it('writes lookups with @odata.bind in the /set(id), set(id) and alternate-key forms and reads them as _x_value', async () => {
    const r = await h.api(
      'POST',
      'accounts?$select=name,_transactioncurrencyid_value,_primarycontactid_value,_parentaccountid_value',
      {
        headers: { Prefer: 'return=representation' },
        body: {
          name: 'Child',
          'transactioncurrencyid@odata.bind': `/transactioncurrencies(${ref.currencyId})`,
          'primarycontactid@odata.bind': `contacts(${contactId})`,
          'parentaccountid@odata.bind': "/accounts(accountnumber='C-100')",
        },
      },
    );
    assert.equal(r.status, 201);
    assert.equal(r.json._transactioncurrencyid_value, ref.currencyId);
    assert.equal(r.json._primarycontactid_value, contactId);
    assert.equal(r.json._parentaccountid_value, accountId);
  });

  it('resolves polymorphic customer lookups to the right table and annotates them', async () => {
    const invoiceId = 'dddddddd-0000-0000-0000-000000000001';
    const common = {
      name: 'INV1',
      'pricelevelid@odata.bind': `/pricelevels(${ref.priceLevelId})`,
      'transactioncurrencyid@odata.bind': `/transactioncurrencies(${ref.currencyId})`,
    };
    assert.equal(
      (
        await h.api('PATCH', `invoices(${invoiceId})`, {
          body: { ...common, 'customerid_contact@odata.bind': `/contacts(${contactId})` },
        })
      ).status,
      204,
    );
    const read = await h.api('GET', `invoices(${invoiceId})?$select=_customerid_value`, {
      headers: { Prefer: 'odata.include-annotations="*"' },
    });
    assert.equal(read.json._customerid_value, contactId);
    assert.equal(read.json['_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'], 'contact');
    assert.equal(read.json['_customerid_value@OData.Community.Display.V1.FormattedValue'], 'Ann Lee');
    assert.equal(read.headers.get('preference-applied'), 'odata.include-annotations="*"');
    // A contact id bound through the account navigation does not exist as an account.
    const wrong = await h.api('PATCH', `invoices(${invoiceId})`, {
      body: { 'customerid_account@odata.bind': `/accounts(${contactId})` },
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error.code, '0x80040217');
    assert.equal(wrong.json.error.message, `account With Id = ${contactId} Does Not Exist`);
    const parented = await h.api('POST', 'contacts?$select=_parentcustomerid_value', {
      headers: { Prefer: 'return=representation,odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"' },
      body: { lastname: 'Kid', 'parentcustomerid_account@odata.bind': `/accounts(${accountId})` },
    });
    assert.equal(parented.json['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'], 'account');
    assert.equal(parented.json['_parentcustomerid_value@OData.Community.Display.V1.FormattedValue'], undefined);
  });

  it('answers 400 for a bind to a missing row, a wrong entity set, an unknown navigation or a _x_value write', async () => {
    const missing = await h.api('POST', 'accounts', {
      body: { name: 'X', 'primarycontactid@odata.bind': '/contacts(99999999-9999-9999-9999-999999999999)' },
    });
    assert.equal(missing.status, 400);
    assert.match(missing.json.error.message, /contact With Id = 99999999-9999-9999-9999-999999999999 Does Not Exist/);
    const missingAlt = await h.api('POST', 'accounts', {
      body: { name: 'X', 'parentaccountid@odata.bind': "/accounts(accountnumber='NOPE')" },
    });
    assert.equal(missingAlt.status, 400);
    assert.equal(missingAlt.json.error.code, '0x80040217');
    const wrongSet = await h.api('POST', 'accounts', {
      body: { name: 'X', 'primarycontactid@odata.bind': `/accounts(${accountId})` },
    });
    assert.equal(wrongSet.status, 400);
    const unknownNav = await h.api('POST', 'accounts', {
      body: { name: 'X', 'nosuchnav@odata.bind': `/accounts(${accountId})` },
    });
    assert.equal(unknownNav.status, 400);
    assert.match(unknownNav.json.error.message, /An undeclared property 'nosuchnav'/);
    const direct = await h.api('POST', 'accounts', { body: { name: 'X', _primarycontactid_value: contactId } });
    assert.equal(direct.status, 400);
    assert.match(direct.json.error.message, /Use Navigation properties instead/);
    const count = await h.api('GET', "accounts?$filter=name eq 'X'");
    assert.equal(count.json.value.length, 0);
  });

  it('clears a lookup with a null bind and with DELETE …/nav/$ref', async () => {
    const id = 'bbbbbbbb-0000-0000-0000-0000000000aa';
    await h.api('PATCH', `accounts(${id})`, {
      body: { name: 'Clear me', 'primarycontactid@odata.bind': `/contacts(${contactId})` },
    });
    assert.equal(
      (await h.api('PATCH', `accounts(${id})`, { body: { 'primarycontactid@odata.bind': null } })).status,
      204,
    );
    assert.equal(
      (await h.api('GET', `accounts(${id})?$select=_primarycontactid_value`)).json._primarycontactid_value,
      null,
    );
    assert.equal(
      (await h.api('PUT', `accounts(${id})/primarycontactid/$ref`, { body: { '@odata.id': `contacts(${contactId})` } }))
        .status,
      204,
    );
    assert.equal(
      (await h.api('GET', `accounts(${id})?$select=_primarycontactid_value`)).json._primarycontactid_value,
      contactId,
    );
    assert.equal((await h.api('DELETE', `accounts(${id})/primarycontactid/$ref`)).status, 204);
    assert.equal(
      (await h.api('GET', `accounts(${id})?$select=_primarycontactid_value`)).json._primarycontactid_value,
      null,
    );
  });
});
