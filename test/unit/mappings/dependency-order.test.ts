import assert from 'node:assert/strict';
import { applyMappingOverrides, demoMappingOverrides, type IntegrationTableMapping } from '../../../mappings';
import { defaultMappings } from '../../../mappings/default-mappings';
import {
  activeDependencies,
  DependencyCycleError,
  dependencyLevels,
  dependencyOrder,
  fullSyncLayers,
} from '../../../mappings/dependency-order';

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

describe('active dependencies and full-sync layers', () => {
  const demo = () => applyMappingOverrides(defaultMappings(), demoMappingOverrides);
  const named = (ms: IntegrationTableMapping[], name: string) => ms.find((m) => m.name === name)!;

  it('keeps the declared dependencies an enabled lookup points at', () => {
    assert.deepEqual(activeDependencies(named(defaultMappings(), 'CUSTOMER')), ['SALESPEOPLE', 'CURRENCY']);
    assert.deepEqual(activeDependencies(named(defaultMappings(), 'CONTACT')), ['CUSTOMER', 'SALESPEOPLE', 'CURRENCY']);
  });

  it('drops a dependency whose every lookup an override switched off (CUSTOMER without its currency lookup)', () => {
    const withoutCurrency = applyMappingOverrides(defaultMappings(), {
      mappings: { CUSTOMER: { fieldMappings: [{ bcField: 'currencyCode', enabled: false }] } },
    });
    assert.deepEqual(activeDependencies(named(withoutCurrency, 'CUSTOMER')), ['SALESPEOPLE']);
    assert.deepEqual(activeDependencies(named(demo(), 'CUSTOMER')), ['SALESPEOPLE', 'CURRENCY']);
    assert.deepEqual(activeDependencies(named(demo(), 'CONTACT')), ['CUSTOMER', 'SALESPEOPLE', 'CURRENCY']);
  });

  it('keeps a declared dependency no field looks up through, and adds an undeclared lookup target', () => {
    const m = {
      name: 'X',
      dependencies: ['A'],
      fieldMappings: [
        { enabled: true, lookup: { kind: 'coupling', mapping: 'B' } },
        { enabled: true, lookup: { kind: 'coupling', mapping: 'X' } },
        { enabled: true, lookup: { kind: 'option' } },
      ],
    };
    assert.deepEqual(activeDependencies(m), ['A', 'B']);
    assert.deepEqual(activeDependencies(named(defaultMappings(), 'CUSTOMER STATISTICS')), ['CUSTOMER']);
  });

  it('layers the demo mappings SALESPEOPLE and CURRENCY before CUSTOMER before CONTACT', () => {
    assert.deepEqual(fullSyncLayers(demo(), ['CONTACT', 'CUSTOMER', 'SALESPEOPLE', 'CURRENCY']), {
      layers: [['SALESPEOPLE', 'CURRENCY'], ['CUSTOMER'], ['CONTACT']],
      outside: [],
    });
  });

  it('runs a mapping whose dependency is outside the selection, and says so', () => {
    const { layers, outside } = fullSyncLayers(demo(), ['CONTACT']);
    assert.deepEqual(layers, [['CONTACT']]);
    assert.deepEqual(
      outside.map((o) => o.dependency),
      ['CUSTOMER', 'SALESPEOPLE', 'CURRENCY'],
    );
    assert.match(outside[0].message, /CONTACT depends on CUSTOMER, which is not part of this full synchronization/);
  });

  it('puts independent mappings in one layer and follows the active dependencies of the defaults', () => {
    const { layers } = fullSyncLayers(defaultMappings(), ['CONTACT', 'CUSTOMER', 'CURRENCY', 'SALESPEOPLE']);
    assert.deepEqual(layers, [['CURRENCY', 'SALESPEOPLE'], ['CUSTOMER'], ['CONTACT']]);
  });

  it('names the mappings of a cycle within the selection', () => {
    const lookup = (mapping: string) => ({ enabled: true, lookup: { kind: 'coupling', mapping } });
    const ms = [
      { name: 'A', dependencies: [], fieldMappings: [lookup('B')] },
      { name: 'B', dependencies: [], fieldMappings: [lookup('A')] },
    ];
    assert.throws(() => fullSyncLayers(ms, ['A', 'B']), /cycle: A → B → A/);
  });

  it('rejects a selected name that is no mapping', () => {
    assert.throws(() => fullSyncLayers(defaultMappings(), ['NOPE']), /unknown mapping 'NOPE'/);
  });
});
