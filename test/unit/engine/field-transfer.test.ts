import assert from 'node:assert/strict';
import { transferFields } from '../../../engine/field-transfer';
import { lookupRequests } from '../../../engine/lookups';
import {
  BC_CUSTOMER_ID,
  DV_ACCOUNT_ID,
  DV_BASE_CURRENCY,
  DV_CURRENCY_NOK,
  DV_USER_ID,
  bcCustomer,
  customerLookups,
  dvAccount,
  mapping,
  resolver,
} from './fixtures';

describe('field transfer', () => {
  const customer = mapping('CUSTOMER');
  const contact = mapping('CONTACT');

  it('writes only the changed fields on update, with old and new values for the audit trail', () => {
    const result = transferFields({
      mapping: customer,
      direction: 'to-dataverse',
      source: bcCustomer({ city: 'Bergen', phoneNumber: '+47 55 00 00 00' }),
      destination: dvAccount(),
      lookups: customerLookups(),
    });
    assert.equal(result.outcome, 'ok');
    assert.deepEqual(result.payload, { address1_city: 'Bergen', telephone1: '+47 55 00 00 00' });
    assert.deepEqual(
      result.changes.map((c) => [c.field, c.sourceField, c.oldValue, c.newValue]),
      [
        ['address1_city', 'city', 'Oslo', 'Bergen'],
        ['telephone1', 'phoneNumber', '+47 22 00 00 00', '+47 55 00 00 00'],
      ],
    );
  });

  it('applies the Dataverse template, constants and every mapped value on create, with lookups as @odata.bind', () => {
    const result = transferFields({
      mapping: customer,
      direction: 'to-dataverse',
      source: bcCustomer(),
      destination: null,
      lookups: customerLookups(),
    });
    assert.equal(result.outcome, 'ok');
    assert.equal(result.payload.customertypecode, 3, 'template value');
    assert.equal(result.payload['ownerid@odata.bind'], `/systemusers(${DV_USER_ID})`);
    assert.equal(result.payload['transactioncurrencyid@odata.bind'], `/transactioncurrencies(${DV_CURRENCY_NOK})`);
    assert.equal(result.payload.name, 'Adatum Corporation');
    assert.equal(result.payload.creditlimit, 5000);
    assert.ok(!('address1_line2' in result.payload), 'empty values are not sent on create');
    assert.ok(!('statecode' in result.payload), 'a to-bc field is not written to Dataverse');
    assert.ok(result.changes.some((c) => c.origin === 'template' && c.field === 'customertypecode'));
  });

  it('applies templates only on create', () => {
    const result = transferFields({
      mapping: customer,
      direction: 'to-dataverse',
      source: bcCustomer(),
      destination: dvAccount({ customertypecode: 11 }),
      lookups: customerLookups(),
    });
    assert.equal(result.outcome, 'ok');
    assert.deepEqual(result.payload, {});
  });

  it('lets mapped values win over template values', () => {
    const m = {
      ...customer,
      dataverse: { ...customer.dataverse, template: { customertypecode: 3, name: 'Template name' } },
    };
    const result = transferFields({
      mapping: m,
      direction: 'to-dataverse',
      source: bcCustomer(),
      destination: null,
      lookups: customerLookups(),
    });
    assert.equal(result.outcome, 'ok');
    assert.equal(result.payload.name, 'Adatum Corporation');
  });

  it('honours per-field direction: one-way fields flow only their way', () => {
    // creditLimit is to-dataverse only: a DV credit limit change does not reach BC.
    const toBc = transferFields({
      mapping: customer,
      direction: 'to-bc',
      source: dvAccount({ creditlimit: 9999, name: 'Adatum Corp.' }),
      destination: bcCustomer(),
      lookups: customerLookups(),
    });
    assert.equal(toBc.outcome, 'ok');
    assert.deepEqual(toBc.payload, { displayName: 'Adatum Corp.' });
    // A field mapping switched to to-bc is no longer sent to Dataverse.
    const m = {
      ...customer,
      fieldMappings: customer.fieldMappings.map((f) =>
        f.bcField === 'city' ? { ...f, direction: 'to-bc' as const } : f,
      ),
    };
    const toDv = transferFields({
      mapping: m,
      direction: 'to-dataverse',
      source: bcCustomer({ city: 'Bergen' }),
      destination: dvAccount(),
      lookups: customerLookups(),
    });
    assert.equal(toDv.outcome, 'ok');
    assert.deepEqual(toDv.payload, {});
  });

  it('writes a BC-side constant only towards BC (contact type Person)', () => {
    const result = transferFields({
      mapping: contact,
      direction: 'to-bc',
      source: { contactid: DV_ACCOUNT_ID, firstname: 'Anna', lastname: 'Berg', _parentcustomerid_value: DV_ACCOUNT_ID },
      destination: null,
      lookups: resolver({
        [`CUSTOMER|dataverse|${DV_ACCOUNT_ID}`]: { status: 'resolved', value: 'CT000010' },
        // No currency on the Dataverse contact: the local currency (blank code).
        'CURRENCY|dataverse|': { status: 'resolved', value: '' },
      }),
    });
    assert.equal(result.outcome, 'ok');
    assert.equal(result.payload.type, 'Person');
    // The name travels as its parts (the contactCards page); BC composes the contact's Name from them.
    assert.equal(result.payload.firstName, 'Anna');
    assert.equal(result.payload.surname, 'Berg');
    assert.equal(result.payload.displayName, undefined);
    assert.equal(result.payload.companyNumber, 'CT000010');
  });

  it('fails a record whose lookup target is not coupled, naming the missing dependency', () => {
    const result = transferFields({
      mapping: contact,
      direction: 'to-dataverse',
      source: {
        id: BC_CUSTOMER_ID,
        number: 'CT000011',
        displayName: 'Anna Berg',
        type: 'Person',
        companyNumber: 'CT000010',
      },
      destination: null,
      lookups: resolver({
        'CUSTOMER|bc|CT000010': { status: 'not-coupled', targetNumber: '10000', targetName: 'Adatum' },
      }),
    });
    assert.deepEqual(result, {
      outcome: 'fail',
      message:
        "Contact 'Anna Berg' cannot be synchronized: its company customer '10000' (Adatum) is not coupled to a Dataverse account; run CUSTOMER first",
    });
  });

  it('resolves the contact’s parent account through the CUSTOMER coupling when it is coupled', () => {
    const result = transferFields({
      mapping: contact,
      direction: 'to-dataverse',
      source: {
        id: BC_CUSTOMER_ID,
        displayName: 'Anna Maria Berg',
        firstName: 'Anna',
        middleName: 'Maria',
        surname: 'Berg',
        type: 'Person',
        companyNumber: 'CT000010',
      },
      destination: null,
      lookups: resolver({
        'CUSTOMER|bc|CT000010': { status: 'resolved', value: DV_ACCOUNT_ID },
        'CURRENCY|bc|': { status: 'resolved', value: DV_BASE_CURRENCY },
      }),
    });
    assert.equal(result.outcome, 'ok');
    assert.equal(result.payload['parentcustomerid_account@odata.bind'], `/accounts(${DV_ACCOUNT_ID})`);
    assert.equal(result.payload.firstname, 'Anna');
    assert.equal(result.payload.middlename, 'Maria');
    assert.equal(result.payload.lastname, 'Berg');
  });

  it('ignores a person contact whose company is not a customer', () => {
    const result = transferFields({
      mapping: contact,
      direction: 'to-dataverse',
      source: { id: BC_CUSTOMER_ID, displayName: 'Anna Berg', companyNumber: 'CT000099' },
      destination: null,
      lookups: resolver({ 'CUSTOMER|bc|CT000099': { status: 'no-target' } }),
    });
    assert.equal(result.outcome, 'ignore');
  });

  it('names a missing salesperson coupling with the SALESPEOPLE dependency', () => {
    const result = transferFields({
      mapping: customer,
      direction: 'to-dataverse',
      source: bcCustomer({ salespersonCode: 'PS' }),
      destination: null,
      lookups: customerLookups(),
    });
    assert.equal(result.outcome, 'fail');
    assert.match(
      (result as { message: string }).message,
      /^Customer 'Adatum Corporation' cannot be synchronized: its salesperson 'PS' is not coupled to a Dataverse user; run SALESPEOPLE first$/,
    );
  });

  it('writes an empty value instead of failing when the field says clear value on failed sync', () => {
    const m = {
      ...customer,
      fieldMappings: customer.fieldMappings.map((f) =>
        f.bcField === 'currencyCode' ? { ...f, clearValueOnFailedSync: true } : f,
      ),
    };
    const result = transferFields({
      mapping: m,
      direction: 'to-dataverse',
      source: bcCustomer({ currencyCode: 'SEK' }),
      destination: dvAccount(),
      lookups: customerLookups(),
    });
    assert.equal(result.outcome, 'ok');
    assert.deepEqual(result.payload, { 'transactioncurrencyid@odata.bind': null });
  });

  it('does not write an empty owner (Not Null)', () => {
    const result = transferFields({
      mapping: customer,
      direction: 'to-dataverse',
      source: bcCustomer({ salespersonCode: '' }),
      destination: dvAccount(),
      lookups: customerLookups(),
    });
    assert.equal(result.outcome, 'ok');
    assert.deepEqual(result.payload, {});
  });

  it('maps a blank BC currency (LCY) to the Dataverse base currency and back', () => {
    const toDv = transferFields({
      mapping: customer,
      direction: 'to-dataverse',
      source: bcCustomer({ currencyCode: '' }),
      destination: dvAccount(),
      lookups: customerLookups(),
    });
    assert.equal(toDv.outcome, 'ok');
    assert.deepEqual(toDv.payload, {
      'transactioncurrencyid@odata.bind': `/transactioncurrencies(${DV_BASE_CURRENCY})`,
    });
    const toBc = transferFields({
      mapping: customer,
      direction: 'to-bc',
      source: dvAccount({ _transactioncurrencyid_value: DV_BASE_CURRENCY }),
      destination: bcCustomer(),
      lookups: customerLookups(),
    });
    assert.equal(toBc.outcome, 'ok');
    assert.deepEqual(toBc.payload, { currencyCode: '' }, 'BC has no null for codes: blank is an empty string');
  });

  it('lists each lookup a record needs once, for bulk pre-fetching', () => {
    const requests = lookupRequests(customer, 'to-dataverse', bcCustomer());
    assert.deepEqual(
      requests.map((r) => [r.kind, r.target, r.from, r.bcKey, r.value]),
      [
        ['coupling', 'SALESPEOPLE', 'bc', 'code', 'JR'],
        ['coupling', 'CURRENCY', 'bc', 'code', 'NOK'],
      ],
    );
    assert.equal(lookupRequests(customer, 'to-bc', dvAccount()).length, 1, 'ownerid is to-dataverse only');
  });

  it('leaves a customer blocked for shipping as it is when its account is active (transform keeps the value)', () => {
    const m = {
      ...customer,
      fieldMappings: customer.fieldMappings.map((f) => (f.bcField === 'blocked' ? { ...f, enabled: true } : f)),
    };
    const active = transferFields({
      mapping: m,
      direction: 'to-bc',
      source: dvAccount(),
      destination: bcCustomer({ blocked: 'Ship' }),
      lookups: customerLookups(),
    });
    assert.equal(active.outcome, 'ok');
    assert.deepEqual(active.payload, {});
    const inactive = transferFields({
      mapping: m,
      direction: 'to-bc',
      source: dvAccount({ statecode: 1 }),
      destination: bcCustomer(),
      lookups: customerLookups(),
    });
    assert.equal(inactive.outcome, 'ok');
    assert.deepEqual(inactive.payload, { blocked: 'All' });
  });
});
