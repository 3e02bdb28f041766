import assert from 'node:assert/strict';
import { BC_SALES_SYNC_NAMESPACE, bcCreateKeyFor, dataverseIdFor, uuidV5 } from '../../../engine/deterministic-ids';
import { BC_CUSTOMER_ID, DV_ACCOUNT_ID, mapping } from './fixtures';

describe('deterministic ids for idempotent creates', () => {
  it('derives RFC 4122 version 5 UUIDs (the published python.org vector)', () => {
    assert.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('gives the same Dataverse id for the same mapping and BC id, whatever the id’s letter case', () => {
    const a = dataverseIdFor('CUSTOMER', BC_CUSTOMER_ID);
    assert.equal(a, dataverseIdFor('CUSTOMER', BC_CUSTOMER_ID.toUpperCase()));
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(a, uuidV5(BC_SALES_SYNC_NAMESPACE, `CUSTOMER:${BC_CUSTOMER_ID}`));
  });

  it('gives different Dataverse ids for different mappings and different records', () => {
    const ids = new Set([
      dataverseIdFor('CUSTOMER', BC_CUSTOMER_ID),
      dataverseIdFor('CONTACT', BC_CUSTOMER_ID),
      dataverseIdFor('CUSTOMER', DV_ACCOUNT_ID),
    ]);
    assert.equal(ids.size, 3);
  });

  it('rejects a BC id that is not a GUID', () => {
    assert.throws(() => dataverseIdFor('CUSTOMER', '10000'), /not a Business Central id/);
  });

  it('derives a stable BC number that fits Code[20] from the Dataverse id', () => {
    const key = bcCreateKeyFor(mapping('CUSTOMER'), DV_ACCOUNT_ID);
    assert.ok(key);
    assert.equal(key.field, 'number');
    assert.match(key.value, /^DV[0-9A-HJKMNP-TV-Z]{10}$/);
    assert.ok(key.value.length <= 20);
    assert.deepEqual(bcCreateKeyFor(mapping('CUSTOMER'), DV_ACCOUNT_ID.toUpperCase()), key);
    assert.notEqual(bcCreateKeyFor(mapping('CONTACT'), DV_ACCOUNT_ID)!.value, key.value);
  });

  it('has no BC create key when the mapping lets BC assign numbers', () => {
    const m = mapping('CUSTOMER');
    assert.equal(bcCreateKeyFor({ ...m, bc: { ...m.bc, createKey: undefined } }, DV_ACCOUNT_ID), null);
  });

  it('spreads 20,000 derived BC numbers without a collision', () => {
    const m = mapping('CUSTOMER');
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const dvId = `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
      seen.add(bcCreateKeyFor(m, dvId)!.value);
    }
    assert.equal(seen.size, 20_000);
  });

  // Golden values: computed once (and cross-checked with Python's uuid.uuid5 and a hand-written Crockford base32) and
  // written literally. Ids already created in Dataverse and numbers already given in BC depend on these exact values:
  // a change to the namespace, the name format or the key derivation must fail here, never pass silently.
  describe('golden values (a change to the derivation breaks idempotent creates of existing installations)', () => {
    it('keeps the namespace', () => {
      assert.equal(BC_SALES_SYNC_NAMESPACE, '9bfe959f-bb81-4f26-8af7-ce749a0d2629');
    });

    it('derives the same Dataverse ids as every earlier version', () => {
      assert.equal(dataverseIdFor('CUSTOMER', BC_CUSTOMER_ID), '6d614546-e059-50a0-9de9-635ccf09805f');
      assert.equal(dataverseIdFor('CONTACT', BC_CUSTOMER_ID), '73da666d-a502-5688-8941-c5adec922780');
      assert.equal(
        dataverseIdFor('ITEM-PRODUCT', '00000000-0000-0000-0000-000000000001'),
        '69a2c8d3-d8cb-5983-9198-8b326a13f164',
      );
    });

    it('derives the same BC create keys as every earlier version', () => {
      assert.deepEqual(bcCreateKeyFor(mapping('CUSTOMER'), DV_ACCOUNT_ID), { field: 'number', value: 'DVRJJCBF18JC' });
      assert.deepEqual(bcCreateKeyFor(mapping('CONTACT'), DV_ACCOUNT_ID), { field: 'number', value: 'DV6MSP8KN49P' });
      assert.deepEqual(bcCreateKeyFor(mapping('SALESPEOPLE'), DV_ACCOUNT_ID), { field: 'code', value: 'SPVZJZACZ1S1' });
    });
  });
});
