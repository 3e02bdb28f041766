import assert from 'node:assert/strict';
import { defaultMappings } from '../../../mappings/default-mappings';
import { DependencyCycleError, dependencyLevels, dependencyOrder } from '../../../mappings/dependency-order';

describe('dependency order', () => {
  it('gives the full-sync order of DESIGN §6 for the default mappings', () => {
    assert.deepEqual(
      dependencyOrder(defaultMappings()).map((m) => m.name),
      [
        'SALESPEOPLE',
        'CURRENCY',
        'UNIT OF MEASURE',
        'CUSTOMER',
        'ITEM-PRODUCT',
        'RESOURCE-PRODUCT',
        'CONTACT',
        'CUSTPRCGRP-PRICE',
        'CUSTOMER STATISTICS',
        'SALESPRC-PRODPRICE',
        'POSTEDSALESINV-INV',
      ],
    );
  });

  it('puts every mapping after all of its dependencies, whatever the input order', () => {
    const shuffled = defaultMappings().reverse();
    const order = dependencyOrder(shuffled).map((m) => m.name);
    for (const m of shuffled) {
      for (const d of m.dependencies) assert.ok(order.indexOf(d) < order.indexOf(m.name), `${d} before ${m.name}`);
    }
  });

  it('groups mappings that can run in parallel into levels', () => {
    assert.deepEqual(
      dependencyLevels(defaultMappings()).map((level) => level.map((m) => m.name)),
      [
        ['SALESPEOPLE', 'CURRENCY', 'UNIT OF MEASURE'],
        ['CUSTOMER', 'ITEM-PRODUCT', 'RESOURCE-PRODUCT'],
        ['CONTACT', 'CUSTPRCGRP-PRICE', 'CUSTOMER STATISTICS'],
        ['SALESPRC-PRODPRICE'],
        ['POSTEDSALESINV-INV'],
      ],
    );
  });

  it('detects a cycle and names it', () => {
    const cyclic = [
      { name: 'A', dependencies: ['C'] },
      { name: 'B', dependencies: ['A'] },
      { name: 'C', dependencies: ['B'] },
      { name: 'D', dependencies: [] },
    ];
    assert.throws(
      () => dependencyOrder(cyclic),
      (e: unknown) =>
        e instanceof DependencyCycleError && e.message === 'mapping dependencies form a cycle: A → C → B → A',
    );
  });

  it('rejects a dependency on an unknown mapping', () => {
    assert.throws(
      () => dependencyOrder([{ name: 'A', dependencies: ['NOPE'] }]),
      /mapping A, field 'dependencies': unknown mapping 'NOPE'/,
    );
  });
});
