import assert from 'node:assert/strict';
import { priceListItemKey, priceListItemUnit } from '../../../engine/price-list-items';

const G1 = '11111111-1111-1111-1111-111111111111';
const G2 = '22222222-2222-2222-2222-222222222222';
const PCS = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
const BOX = 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb';
const OTHER_BOX = 'cccccccc-cccc-cccc-cccc-cccccccccccc';

const units = [
  { uomid: PCS.toUpperCase(), name: 'PCS', _uomscheduleid_value: G1 },
  { uomid: BOX, name: 'Box', _uomscheduleid_value: G1 },
  { uomid: OTHER_BOX, name: 'KG', _uomscheduleid_value: G2 },
];
const product = { unitGroupId: G1.toUpperCase(), defaultUnitId: PCS };

describe('engine: price list item rules (unit, key)', function () {
  it("finds the unit of the product's unit group named like the price's unit of measure, case-insensitively", () => {
    assert.deepEqual(priceListItemUnit('PCS', product, units, '1000'), { ok: true, unitId: PCS });
    assert.deepEqual(priceListItemUnit('BOX', product, units, '1000'), { ok: true, unitId: BOX });
  });

  it("takes the product's default unit when the price has no unit of measure", () => {
    assert.deepEqual(priceListItemUnit('', product, units, '1000'), { ok: true, unitId: PCS });
    assert.deepEqual(priceListItemUnit(null, product, units, '1000'), { ok: true, unitId: PCS });
    const none = priceListItemUnit(null, { unitGroupId: G1, defaultUnitId: null }, units, '1000');
    assert.equal(none.ok, false);
    assert.match(!none.ok ? none.reason : '', /item '1000' has no default unit; run ITEM-PRODUCT/);
  });

  it('refuses a unit of another unit group, naming the unit, the item and the units it could be', () => {
    const r = priceListItemUnit('KG', product, units, '1000');
    assert.equal(r.ok, false);
    assert.equal(
      !r.ok && r.reason,
      "its unit of measure 'KG' is not a unit of the unit group of item '1000''s product (its units: 'Box', 'PCS'); " +
        "give the price one of those units in Business Central, or add a unit 'KG' to that unit group in Dataverse",
    );
    const noGroup = priceListItemUnit('PCS', { unitGroupId: null, defaultUnitId: null }, units, '1000');
    assert.match(!noGroup.ok ? noGroup.reason : '', /\(its units: none\)/);
  });

  it('keys a price list item by price list, product and unit, case-insensitively', () => {
    assert.equal(priceListItemKey('A', 'B', 'C'), priceListItemKey('a', 'b', 'c'));
    assert.notEqual(priceListItemKey('a', 'b', 'c'), priceListItemKey('a', 'b', 'd'));
  });
});
