import assert from 'node:assert/strict';
import { normalizeValue, canonicalJson } from '../../../engine/normalize-value';
import { hashAfterWrite, hashRecord, mappedValues } from '../../../engine/record-hash';
import { transferFields } from '../../../engine/field-transfer';
import { lookupRequests } from '../../../engine/lookups';
import { integrationTableMappingSchema } from '../../../mappings/mapping-model';
import { bcCustomer, dvAccount, mapping, resolver } from './fixtures';

describe('record hashing and value normalisation', () => {
  const customer = mapping('CUSTOMER');

  it('hashes the same values in any property order to the same hash', () => {
    const record = bcCustomer();
    const reversed = Object.fromEntries(Object.entries(record).reverse());
    assert.equal(hashRecord(customer, 'bc', reversed), hashRecord(customer, 'bc', record));
    assert.equal(canonicalJson({ b: 1, a: { d: 2, c: 3 } }), canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
  });

  it('ignores properties that are not mapped (etag, timestamps, unmapped fields)', () => {
    const a = bcCustomer();
    const b = bcCustomer({ '@odata.etag': 'W/"other"', lastModifiedDateTime: '2026-11-25T00:00:00Z', balanceDue: 99 });
    assert.equal(hashRecord(customer, 'bc', b), hashRecord(customer, 'bc', a));
  });

  it('ignores disabled field mappings', () => {
    // accountnumber (from BC number) is a disabled extra mapping in CUSTOMER.
    assert.equal(
      hashRecord(customer, 'dataverse', dvAccount({ accountnumber: 'X' })),
      hashRecord(customer, 'dataverse', dvAccount()),
    );
  });

  it('does not register API formatting differences as changes', () => {
    const plain = dvAccount();
    const formatted = dvAccount({
      name: '  Adatum Corporation ',
      creditlimit: '5000.0000',
      _transactioncurrencyid_value: (plain._transactioncurrencyid_value as string).toUpperCase(),
      address1_line2: '',
      address1_stateorprovince: undefined,
    });
    assert.equal(hashRecord(customer, 'dataverse', formatted), hashRecord(customer, 'dataverse', plain));
  });

  it('registers a real value change', () => {
    assert.notEqual(
      hashRecord(customer, 'bc', bcCustomer({ city: 'Bergen' })),
      hashRecord(customer, 'bc', bcCustomer()),
    );
    assert.notEqual(
      hashRecord(customer, 'bc', bcCustomer({ displayName: 'adatum corporation' })),
      hashRecord(customer, 'bc', bcCustomer()),
      'text is case-sensitive',
    );
  });

  it('normalises each value type', () => {
    assert.equal(normalizeValue(' x ', 'text'), 'x');
    assert.equal(normalizeValue('', 'text'), null);
    assert.equal(normalizeValue('nok', 'code'), 'NOK');
    assert.equal(normalizeValue('1000.0000', 'number'), 1000);
    assert.equal(normalizeValue(0.1 + 0.2, 'number'), 0.3);
    assert.equal(normalizeValue(-0, 'number'), 0);
    assert.equal(normalizeValue('true', 'boolean'), true);
    assert.equal(normalizeValue(0, 'boolean'), false);
    assert.equal(normalizeValue('2026-01-05T00:00:00Z', 'date'), '2026-01-05');
    assert.equal(normalizeValue('0001-01-01', 'date'), null);
    assert.equal(normalizeValue('2026-01-05T10:20:30.456Z', 'datetime'), '2026-01-05T10:20:30Z');
    assert.equal(normalizeValue('2026-01-05T12:20:30+02:00', 'datetime'), '2026-01-05T10:20:30Z');
    assert.equal(normalizeValue('00000000-0000-0000-0000-000000000000', 'guid'), null);
    assert.equal(
      normalizeValue('{AB000000-0000-0000-0000-000000000000}', 'guid'),
      'ab000000-0000-0000-0000-000000000000',
    );
    assert.equal(normalizeValue('e\u0301', 'text'), '\u00e9', 'Unicode NFC');
    assert.equal(normalizeValue('abc', 'number'), 'abc', 'unreadable values are kept as text');
  });

  it('reads Dataverse lookups through their _<name>_value column', () => {
    const values = mappedValues(customer, 'dataverse', dvAccount());
    assert.equal(values._transactioncurrencyid_value, dvAccount()._transactioncurrencyid_value);
    assert.ok(!('transactioncurrencyid' in values));
  });

  it('predicts the hash after a write, turning @odata.bind values into lookup ids', () => {
    const before = dvAccount({ _ownerid_value: null, name: 'Old' });
    const predicted = hashAfterWrite(customer, 'dataverse', before, {
      name: 'Adatum Corporation',
      'ownerid@odata.bind': `/systemusers(${dvAccount()._ownerid_value as string})`,
    });
    assert.equal(predicted, hashRecord(customer, 'dataverse', dvAccount()));
  });

  it('counts an entity-rule lookup (a price’s unit) in the hash on both sides, and leaves it to the rule to write', () => {
    const prices = mapping('SALESPRC-PRODPRICE');
    const price = { id: '1', salesCode: 'RETAIL', itemNumber: '1000', currencyCode: '', unitPrice: 5 };
    assert.notEqual(
      hashRecord(prices, 'bc', { ...price, unitOfMeasureCode: 'BOX' }),
      hashRecord(prices, 'bc', { ...price, unitOfMeasureCode: 'PCS' }),
    );
    const row = { productpricelevelid: 'a', amount: 5, pricingmethodcode: 1 };
    assert.equal(mappedValues(prices, 'dataverse', { ...row, _uomid_value: 'U1' })._uomid_value, 'u1');
    assert.notEqual(
      hashRecord(prices, 'dataverse', { ...row, _uomid_value: 'u1' }),
      hashRecord(prices, 'dataverse', { ...row, _uomid_value: 'u2' }),
    );
    // No lookup request, nothing in the payload: the entity rule resolves and writes `uomid@odata.bind`.
    const source = { ...price, unitOfMeasureCode: 'BOX' };
    assert.deepEqual(
      lookupRequests(prices, 'to-dataverse', source).map((r) => r.target),
      ['CUSTPRCGRP-PRICE', 'ITEM-PRODUCT'],
    );
    const lookups = resolver({
      'CUSTPRCGRP-PRICE|bc|RETAIL': { status: 'resolved', value: 'l1' },
      'ITEM-PRODUCT|bc|1000': { status: 'resolved', value: 'p1' },
    });
    const result = transferFields({ mapping: prices, direction: 'to-dataverse', source, destination: null, lookups });
    assert.equal(result.outcome, 'ok');
    assert.deepEqual(Object.keys(result.outcome === 'ok' ? result.payload : {}).sort(), [
      'amount',
      'pricelevelid@odata.bind',
      'pricingmethodcode',
      'productid@odata.bind',
    ]);
    // Written to Dataverse only.
    const field = prices.fieldMappings.find((f) => f.dvField === 'uomid')!;
    const bidirectional = { ...prices, fieldMappings: [{ ...field, direction: 'bidirectional' }] };
    assert.equal(integrationTableMappingSchema.safeParse(bidirectional).success, false);
  });
});
