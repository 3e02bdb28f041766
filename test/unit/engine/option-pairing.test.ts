import assert from 'node:assert/strict';
import { OPTION_VALUE_BASE, optionValueFor, planOptionPairing } from '../../../engine/option-pairing';

const shipped = [
  { value: 1, label: 'Airborne' },
  { value: 2, label: 'DHL' },
  { value: 3, label: 'FedEx' },
  { value: 4, label: 'UPS' },
];

describe('option pairing (BC codes ↔ choice values)', () => {
  it('pairs codes with values labelled like them (any case), and plans a new value labelled with the code for the rest', () => {
    const plan = planOptionPairing(
      'SHIPPING AGENT',
      [
        { code: 'DHL', description: 'DHL Express' },
        { code: 'FEDEX', description: 'Federal Express' },
        { code: 'OWN LOG', description: 'Own logistics' },
      ],
      shipped,
      [],
    );
    assert.deepEqual(
      plan.pair.map((p) => [p.bcCode, p.dvValue, p.by]),
      [
        ['DHL', 2, 'code'],
        ['FEDEX', 3, 'code'],
      ],
    );
    assert.deepEqual(
      plan.create.map((c) => [c.bcCode, c.label]),
      [['OWN LOG', 'OWN LOG']],
    );
    assert.ok(plan.create[0].value >= OPTION_VALUE_BASE);
    assert.deepEqual(
      plan.unpaired.map((o) => o.value),
      [1, 4],
    );
  });

  it('recognises a value by the description when no label equals the code', () => {
    const plan = planOptionPairing('SHIPPING AGENT', [{ code: 'AIR', description: 'airborne ' }], shipped, []);
    assert.deepEqual(plan.pair, [{ bcCode: 'AIR', dvValue: 1, dvLabel: 'Airborne', by: 'description' }]);
    assert.equal(plan.create.length, 0);
  });

  it('keeps stored pairs, refreshing their label, and pairs nothing twice', () => {
    const plan = planOptionPairing(
      'SHIPPING AGENT',
      [
        { code: 'FAST', description: null },
        { code: 'DHL', description: null },
      ],
      shipped,
      [{ bcCode: 'FAST', dvValue: 2, dvLabel: 'old' }],
    );
    assert.deepEqual(plan.keep, [{ bcCode: 'FAST', dvValue: 2, dvLabel: 'DHL' }]);
    // DHL's label twin is taken by FAST: DHL gets a value of its own.
    assert.deepEqual(
      plan.create.map((c) => c.bcCode),
      ['DHL'],
    );
    assert.equal(plan.pair.length, 0);
  });

  it('drops stored pairs whose code or value is gone', () => {
    const plan = planOptionPairing(
      'PAYMENT TERMS',
      [{ code: '30 DAYS', description: null }],
      [{ value: 1, label: 'Net 30' }],
      [
        { bcCode: 'GONE', dvValue: 1, dvLabel: 'Net 30' },
        { bcCode: '30 DAYS', dvValue: 99, dvLabel: '30 DAYS' },
      ],
    );
    assert.equal(plan.drop.length, 2);
    assert.deepEqual(
      plan.create.map((c) => c.bcCode),
      ['30 DAYS'],
    );
  });

  it('reports a code whose label matches two values as ambiguous and creates nothing for it', () => {
    const plan = planOptionPairing(
      'PAYMENT TERMS',
      [{ code: 'NET', description: null }],
      [
        { value: 5, label: 'net' },
        { value: 6, label: 'NET' },
      ],
      [],
    );
    assert.deepEqual(plan.ambiguous, [{ bcCode: 'NET', values: [5, 6] }]);
    assert.equal(plan.create.length, 0);
  });

  it('chooses the same new value for a code on every attempt, moving past values already taken', () => {
    const first = optionValueFor('PAYMENT TERMS', '7 DAYS', new Set());
    assert.equal(optionValueFor('payment terms', '7 days', new Set()), first);
    assert.notEqual(optionValueFor('PAYMENT TERMS', '7 DAYS', new Set([first])), first);
    assert.notEqual(optionValueFor('SHIPMENT METHOD', '7 DAYS', new Set()), first);
  });
});
