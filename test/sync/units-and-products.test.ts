/**
 * UNIT OF MEASURE, ITEM-PRODUCT and RESOURCE-PRODUCT end to end with the shipped defaults (bc-sync-semantics §4.10,
 * §8.7–§8.9): unit groups `NAV <code>` with their base unit, matched by name; products with their unit group and
 * default unit, published, with the Item Card fields of the custom page `itemCards` (vendor no., vendor item no., unit
 * volume, gross weight); incremental changes; an idle run; a record that fails alone; blocked ⇒ retired.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { listErrors } from '../../store/sync-errors';
import { assertCouplingsWhole } from '../support/coupling-integrity';
import { pass, runMatch, runSync } from '../support/sync-runs';
import { all, type Row, startSyncStack, type SyncStack } from '../support/sync-stack';

const MAPPINGS = ['UNIT OF MEASURE', 'ITEM-PRODUCT', 'RESOURCE-PRODUCT'];
const lower = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v)).toLowerCase();

describe('UNIT OF MEASURE, ITEM-PRODUCT and RESOURCE-PRODUCT end to end', function () {
  this.timeout(180_000);
  let stack: SyncStack;
  let units: Row[];
  let items: Row[];
  let resources: Row[];
  let dvProductsBefore: Row[];
  const existingBoxGroup = randomUUID();

  const couplings = async (mapping: string): Promise<Row[]> =>
    stack.store.knex('couplings').where({ mapping }) as Promise<Row[]>;
  const groupOfUnit = async (code: string): Promise<string> => {
    const unit = units.find((u) => u.code === code)!;
    const row = (await couplings('UNIT OF MEASURE')).find((r) => r.bc_id === lower(unit.id));
    assert.ok(row, `unit ${code} is coupled`);
    return String(row.dv_id);
  };
  const productOf = async (mapping: string, bcId: unknown): Promise<Row | null> => {
    const row = (await couplings(mapping)).find((r) => r.bc_id === lower(bcId));
    return row ? await stack.connectors.dv.get('products', String(row.dv_id)) : null;
  };

  before(async () => {
    stack = await startSyncStack({ seed: { customers: 2, contactsPerCustomer: 1 } });
    units = await all(stack, 'bc', 'unitsOfMeasure');
    // ITEM-PRODUCT's page: the v2.0 items plus the Item Card fields.
    items = await all(stack, 'bc', 'itemCards');
    resources = await all(stack, 'bc', 'resources');
    dvProductsBefore = await all(stack, 'dv', 'products');
    // A unit group someone made in Dynamics 365 Sales by BC's naming, without a base unit: it is matched, not doubled.
    await stack.connectors.dv.createWithId('uomschedules', existingBoxGroup, { name: 'NAV BOX' });
  });
  after(async () => stack.close());

  it('UNIT OF MEASURE creates one group NAV <code> per unit with its base unit, matching the existing one', async () => {
    const result = await runMatch(stack.taskQueue, { mapping: 'UNIT OF MEASURE', createUnmatched: true });
    assert.equal(result.counts.coupled, 1, JSON.stringify(result));
    const counts = pass(result.sync!, 'to-dataverse').counts;
    assert.equal(counts.failed, 0, JSON.stringify(await listErrors(stack.store.knex, { mapping: 'UNIT OF MEASURE' })));
    assert.equal(counts.inserted, units.length - 1);
    const groups = await all(stack, 'dv', 'uomschedules');
    assert.deepEqual(
      groups.map((g) => g.name).sort(),
      ['Default Unit', ...units.map((u) => `NAV ${String(u.code)}`)].sort(),
      'one group per unit, the demo group left alone',
    );
    assert.equal(await groupOfUnit('BOX'), existingBoxGroup);
    const uoms = await all(stack, 'dv', 'uoms');
    for (const u of units) {
      const group = await groupOfUnit(String(u.code));
      const inGroup = uoms.filter((x) => lower(x._uomscheduleid_value) === group);
      assert.equal(inGroup.length, 1, `NAV ${String(u.code)} has exactly one unit`);
      assert.deepEqual(
        [inGroup[0].name, Number(inGroup[0].quantity)],
        [u.code, 1],
        `base unit of NAV ${String(u.code)}`,
      );
    }
    const defaultUnit = groups.find((g) => g.name === 'Default Unit')!;
    assert.ok(!(await couplings('UNIT OF MEASURE')).some((r) => r.dv_id === lower(defaultUnit.uomscheduleid)));
  });

  it('ITEM-PRODUCT and RESOURCE-PRODUCT create published products with their unit group and default unit', async () => {
    const uoms = await all(stack, 'dv', 'uoms');
    for (const [mapping, records, type] of [
      ['ITEM-PRODUCT', items, 1],
      ['RESOURCE-PRODUCT', resources, 3],
    ] as const) {
      const result = await runMatch(stack.taskQueue, { mapping, createUnmatched: true });
      const counts = pass(result.sync!, 'to-dataverse').counts;
      assert.equal(counts.failed, 0, JSON.stringify(await listErrors(stack.store.knex, { mapping })));
      const blocked = records.filter((r) => r.blocked === true);
      assert.equal(counts.inserted, records.length - blocked.length, mapping);
      for (const r of blocked)
        assert.equal(await productOf(mapping, r.id), null, `no product for blocked ${String(r.number)}`);
      for (const r of records.filter((x) => x.blocked !== true)) {
        const p = await productOf(mapping, r.id);
        assert.ok(p, `${mapping} ${String(r.number)} has a product`);
        const group = await groupOfUnit(String(r.baseUnitOfMeasureCode));
        const base = uoms.find((u) => lower(u._uomscheduleid_value) === group && u.name === r.baseUnitOfMeasureCode)!;
        assert.deepEqual(
          [p.productnumber, p.name, p.producttypecode, p.quantitydecimal, p.statecode, p.statuscode],
          [r.number, r.displayName, type, 2, 0, 1],
          `${mapping} ${String(r.number)}: number, name, type, decimals, Active`,
        );
        assert.equal(lower(p._defaultuomscheduleid_value), group);
        assert.equal(lower(p._defaultuomid_value), lower(base.uomid));
        assert.equal(Number(p.price), Number(r.unitPrice));
        assert.equal(Number(p.standardcost), Number(r.unitCost));
        assert.equal(Number(p.currentcost), Number(r.unitCost));
        const onHand = Number(mapping === 'ITEM-PRODUCT' ? r.inventory : r.capacity);
        assert.equal(Number(p.quantityonhand), Math.max(0, onHand));
        assert.equal(p.vendorid ?? '', r.vendorNumber ?? '');
        if (mapping === 'ITEM-PRODUCT') {
          assert.deepEqual(
            [p.vendorpartnumber ?? '', Number(p.stockvolume), Number(p.stockweight)],
            [r.vendorItemNumber, Number(r.unitVolume), Number(r.grossWeight)],
            `ITEM-PRODUCT ${String(r.number)}: vendor item no., volume, weight`,
          );
        }
      }
    }
    assert.equal((await all(stack, 'bc', 'items')).length, items.length, 'no item created from a Dataverse product');
    assert.equal((await all(stack, 'bc', 'resources')).length, resources.length, 'nor a resource');
    // The demo's inventory items carry the Item Card fields, so the assertions above compared real values.
    assert.ok(items.some((i) => i.blocked !== true && i.vendorNumber !== '' && Number(i.grossWeight) > 0));
    const products = await all(stack, 'dv', 'products');
    for (const p of dvProductsBefore) {
      assert.equal(products.filter((x) => x.productnumber === p.productnumber).length, 1, 'DV-only product untouched');
    }
    await assertCouplingsWhole(stack, MAPPINGS);
  });

  it('carries changes (a unit price; Item Card fields), then an idle run changes nothing', async () => {
    const [item, carded] = items.filter((i) => i.blocked !== true);
    await stack.connectors.bc.update('items', String(item.id), '*', { unitPrice: 777.5 });
    await stack.connectors.bc.update('itemCards', String(carded.id), '*', {
      vendorNumber: 'V90000',
      vendorItemNumber: 'ACME-77',
      grossWeight: 42.25,
    });
    const changed = await runSync(stack.taskQueue, { mapping: 'ITEM-PRODUCT', mode: 'incremental' });
    const c = pass(changed, 'to-dataverse').counts;
    assert.deepEqual([c.inserted, c.modified, c.failed], [0, 2, 0], JSON.stringify(changed));
    const product = await productOf('ITEM-PRODUCT', item.id);
    assert.equal(Number(product!.price), 777.5);
    assert.equal(product!.statecode, 0, 'still Active');
    const cardedProduct = (await productOf('ITEM-PRODUCT', carded.id))!;
    assert.deepEqual(
      [cardedProduct.vendorid, cardedProduct.vendorpartnumber, Number(cardedProduct.stockweight)],
      ['V90000', 'ACME-77', 42.25],
    );
    assert.equal(Number(cardedProduct.stockvolume), Number(carded.unitVolume), 'unchanged fields stay');
    for (const mapping of MAPPINGS) {
      const run = await runSync(stack.taskQueue, { mapping, mode: 'incremental' });
      for (const p of run.passes)
        assert.deepEqual(
          [p.counts.inserted, p.counts.modified, p.counts.failed],
          [0, 0, 0],
          `${mapping} ${p.direction}`,
        );
    }
  });

  it('retires the product of an item that becomes blocked', async () => {
    const item = items.filter((i) => i.blocked !== true)[1];
    await stack.connectors.bc.update('items', String(item.id), '*', { blocked: true });
    const result = await runSync(stack.taskQueue, { mapping: 'ITEM-PRODUCT', mode: 'incremental' });
    assert.equal(pass(result, 'to-dataverse').counts.modified, 1, JSON.stringify(result));
    assert.equal((await productOf('ITEM-PRODUCT', item.id))!.statecode, 1, 'Retired');
  });

  it('carries a product retired or renamed in Dataverse back to its item, and never creates an item from a product', async () => {
    const [retired, renamed] = items.filter((i) => i.blocked !== true).slice(4, 6);
    const retiredProduct = (await productOf('ITEM-PRODUCT', retired.id))!;
    const renamedProduct = (await productOf('ITEM-PRODUCT', renamed.id))!;
    await stack.connectors.dv.update(
      'products',
      String(retiredProduct.productid),
      { statecode: 1, statuscode: 2 },
      '*',
    );
    await stack.connectors.dv.update('products', String(renamedProduct.productid), { name: 'Renamed in Sales' }, '*');
    const itemsBefore = await all(stack, 'bc', 'items');

    const result = await runSync(stack.taskQueue, { mapping: 'ITEM-PRODUCT', mode: 'incremental' });
    const c = pass(result, 'to-bc').counts;
    assert.deepEqual([c.inserted, c.modified, c.failed], [0, 2, 0], JSON.stringify(result));
    assert.equal((await stack.connectors.bc.get('items', String(retired.id)))!.blocked, true, 'retired ⇒ blocked');
    assert.equal((await stack.connectors.bc.get('items', String(renamed.id)))!.displayName, 'Renamed in Sales');
    assert.equal((await all(stack, 'bc', 'items')).length, itemsBefore.length, 'no item from a Dataverse-only product');

    // The next run in either direction finds nothing to do: the item's block does not travel back and forth.
    const idle = await runSync(stack.taskQueue, { mapping: 'ITEM-PRODUCT', mode: 'incremental' });
    for (const direction of ['to-dataverse', 'to-bc'] as const) {
      const counts = pass(idle, direction).counts;
      assert.deepEqual([counts.inserted, counts.modified, counts.failed], [0, 0, 0], direction);
    }
    assert.equal((await productOf('ITEM-PRODUCT', retired.id))!.statecode, 1, 'still Retired');
  });

  it('fails an item whose base unit is not coupled alone, saying to run UNIT OF MEASURE first', async () => {
    await stack.connectors.bc.create('unitsOfMeasure', { code: 'SET', displayName: 'Set' });
    const [bad, other] = items.filter((i) => i.blocked !== true).slice(2, 4);
    await stack.connectors.bc.update('items', String(bad.id), '*', { baseUnitOfMeasureCode: 'SET' });
    await stack.connectors.bc.update('items', String(other.id), '*', { unitPrice: 12.25 });
    const result = await runSync(stack.taskQueue, { mapping: 'ITEM-PRODUCT', mode: 'incremental' });
    const c = pass(result, 'to-dataverse').counts;
    assert.deepEqual([c.modified, c.failed], [1, 1], JSON.stringify(result));
    const errors = await listErrors(stack.store.knex, { mapping: 'ITEM-PRODUCT', unresolvedOnly: true });
    assert.equal(errors.length, 1);
    assert.equal(errors[0].sourceId, lower(bad.id));
    assert.match(errors[0].message, /'SET'.*run UNIT OF MEASURE first/);
    assert.equal(Number((await productOf('ITEM-PRODUCT', other.id))!.price), 12.25);

    // The fix the message names: UNIT OF MEASURE creates the group, and the item's product moves to it.
    await runSync(stack.taskQueue, { mapping: 'UNIT OF MEASURE', mode: 'incremental' });
    const retried = pass(
      await runSync(stack.taskQueue, { mapping: 'ITEM-PRODUCT', mode: 'incremental' }),
      'to-dataverse',
    );
    assert.deepEqual([retried.counts.modified, retried.counts.failed], [1, 0]);
    const product = (await productOf('ITEM-PRODUCT', bad.id))!;
    const [set] = await all(stack, 'bc', 'unitsOfMeasure', "code eq 'SET'");
    const group = (await couplings('UNIT OF MEASURE')).find((r) => r.bc_id === lower(set.id));
    assert.equal(lower(product._defaultuomscheduleid_value), group?.dv_id);
    const [setUnit] = await all(stack, 'dv', 'uoms', `_uomscheduleid_value eq ${String(group?.dv_id)}`);
    assert.equal(lower(product._defaultuomid_value), lower(setUnit.uomid));
    await assertCouplingsWhole(stack, MAPPINGS);
  });
});
