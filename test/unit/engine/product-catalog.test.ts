import assert from 'node:assert/strict';
import {
  baseUnitsByGroup,
  boundId,
  needsPublishing,
  splitCreateState,
  unitGroupNeedingDefaultUnit,
} from '../../../engine/product-catalog';

const G1 = '11111111-1111-1111-1111-111111111111';
const G2 = '22222222-2222-2222-2222-222222222222';
const U1 = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
const U2 = 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb';
const U3 = 'cccccccc-cccc-cccc-cccc-cccccccccccc';

describe('engine: product catalog rules (units, default unit, publishing)', function () {
  it('reads the row id of a bind in the expected entity set only', () => {
    assert.equal(boundId(`/uomschedules(${G1.toUpperCase()})`, 'uomschedules'), G1);
    assert.equal(boundId(`https://org/api/data/v9.2/uomschedules(${G1})`, 'uomschedules'), G1);
    assert.equal(boundId(`/uoms(${G1})`, 'uomschedules'), null);
    assert.equal(boundId(`/uomschedules(name='NAV PCS')`, 'uomschedules'), null);
    assert.equal(boundId(null, 'uomschedules'), null);
  });

  it('finds the base unit of each group: based on no other unit, on itself, or flagged', () => {
    const bases = baseUnitsByGroup([
      { uomid: U2, _uomscheduleid_value: G1, _baseuom_value: U1, name: 'Dozen' },
      { uomid: U1, _uomscheduleid_value: G1, _baseuom_value: U1, name: 'PCS' },
      { uomid: U3, _uomscheduleid_value: G2, _baseuom_value: U2, isschedulebaseuom: true },
    ]);
    assert.deepEqual(
      [...bases.entries()],
      [
        [G1, U1],
        [G2, U3],
      ],
    );
    assert.equal(baseUnitsByGroup([{ uomid: U2, _uomscheduleid_value: G1, _baseuom_value: U1 }]).size, 0);
  });

  it('asks for a default unit when the write sets the group, or the product has none yet', () => {
    const bind = { 'defaultuomscheduleid@odata.bind': `/uomschedules(${G1})` };
    assert.equal(unitGroupNeedingDefaultUnit(bind, null), G1);
    assert.equal(unitGroupNeedingDefaultUnit(bind, { _defaultuomid_value: U1, _defaultuomscheduleid_value: G2 }), G1);
    assert.equal(
      unitGroupNeedingDefaultUnit({ price: 1 }, { _defaultuomid_value: U1, _defaultuomscheduleid_value: G1 }),
      null,
    );
    assert.equal(
      unitGroupNeedingDefaultUnit({ price: 1 }, { _defaultuomid_value: null, _defaultuomscheduleid_value: G2 }),
      G2,
    );
    assert.equal(unitGroupNeedingDefaultUnit({ price: 1 }, null), null);
  });

  it('publishes Draft and Under Revision products only', () => {
    assert.deepEqual([0, 1, 2, 3, null].map(needsPublishing), [false, false, true, true, false]);
  });

  it('takes the state out of a create and reports what the source asked for', () => {
    assert.deepEqual(splitCreateState({ name: 'Desk', statecode: 1, statuscode: 2 }), {
      payload: { name: 'Desk' },
      requestedState: 1,
    });
    assert.deepEqual(splitCreateState({ name: 'Desk' }), { payload: { name: 'Desk' }, requestedState: null });
  });
});
