/**
 * CUSTPRCGRP-PRICE and SALESPRC-PRODPRICE end to end with the shipped defaults and every lookup on
 * (bc-sync-semantics §4.10, §8.10): the products' default price list (ITEM-PRODUCT runs first); price lists in the Dataverse base currency, matched by name; price list items with their
 * price list, product, unit and the price list's currency, created for uncoupled prices and matched by (price list, product, unit);
 * a price change; an idle run; a price whose unit is not in its product's unit group failing alone; a second price
 * for the same price list, product and unit answered by Dataverse's DuplicateProductPriceLevel and failing alone; a
 * price whose only change is its unit; the default price list renamed by an operator, and a product's default price
 * held by a price list item the sync did not add; a price group's change, and a group whose price list was deleted in
 * Dataverse failing alone.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DuplicateKeyError } from '../../connectors/http';
import { deleteCouplings, findCoupling } from '../../store/couplings';
import { listErrors } from '../../store/sync-errors';
import { assertCouplingsWhole } from '../support/coupling-integrity';
import { pass, runMatch, runSync } from '../support/sync-runs';
import { all, type Row, startSyncStack, type SyncStack } from '../support/sync-stack';

const PRICES = ['CUSTPRCGRP-PRICE', 'SALESPRC-PRODPRICE'];
const lower = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v)).toLowerCase();

describe('CUSTPRCGRP-PRICE and SALESPRC-PRODPRICE end to end', function () {
  this.timeout(180_000);
  let stack: SyncStack;
  let baseCurrency: string;
  let groups: Row[];
  let prices: Row[];
  let items: Row[];
  const existingList = randomUUID();
  const existingItem = randomUUID();

  const dvIdOf = async (mapping: string, bcId: unknown): Promise<string | undefined> => {
    const row = (await stack.store
      .knex('couplings')
      .where({ mapping, bc_id: lower(bcId) })
      .first()) as Row | undefined;
    return row ? String(row.dv_id) : undefined;
  };
  const priceItemOf = async (price: Row): Promise<Row | null> => {
    const id = await dvIdOf('SALESPRC-PRODPRICE', price.id);
    return id ? await stack.connectors.dv.get('productpricelevels', id) : null;
  };

  before(async () => {
    stack = await startSyncStack({
      seed: {
        customers: 1,
        contactsPerCustomer: 1,
        items: 4,
        customerPriceGroups: 2,
        salesPrices: 8,
        postedInvoices: 0,
        draftInvoices: 0,
      },
    });
    const [org] = await all(stack, 'dv', 'organizations');
    baseCurrency = lower(org._basecurrencyid_value);
    groups = (await all(stack, 'bc', 'customerPriceGroups')).sort((a, b) =>
      String(a.code).localeCompare(String(b.code)),
    );
    prices = await all(stack, 'bc', 'salesPrices');
    items = await all(stack, 'bc', 'items');
    assert.deepEqual(
      groups.map((g) => g.code),
      ['RETAIL', 'WHOLESALE'],
    );
    assert.ok(
      prices.some((p) => p.currencyCode === 'EUR'),
      'the demo has a price in a foreign currency',
    );
    // A price list someone made in Dynamics 365 Sales with a group's name: it is coupled, not doubled.
    await stack.connectors.dv.createWithId('pricelevels', existingList, {
      name: 'WHOLESALE',
      'transactioncurrencyid@odata.bind': `/transactioncurrencies(${baseCurrency})`,
    });
    // The dependencies, with every lookup on: currencies, units, products.
    await runSync(stack.taskQueue, { mapping: 'CURRENCY', mode: 'incremental' });
    for (const mapping of ['UNIT OF MEASURE', 'ITEM-PRODUCT']) {
      const r = await runMatch(stack.taskQueue, { mapping, createUnmatched: true });
      assert.equal(pass(r.sync!, 'to-dataverse').counts.failed, 0, mapping);
    }
  });
  after(async () => stack.close());

  it('puts every new product on the default price list, with its price for its default unit, which follows', async () => {
    const [list] = await all(stack, 'dv', 'pricelevels', "name eq 'Business Central Default Price List'");
    assert.ok(list, 'the default price list exists');
    assert.equal(lower(list._transactioncurrencyid_value), baseCurrency);
    const listItems = await all(
      stack,
      'dv',
      'productpricelevels',
      `_pricelevelid_value eq ${String(list.pricelevelid)}`,
    );
    const created = items.filter((i) => i.blocked !== true);
    assert.equal(listItems.length, created.length, 'one price per product');
    for (const item of created) {
      const product = (await stack.connectors.dv.get('products', (await dvIdOf('ITEM-PRODUCT', item.id))!))!;
      assert.equal(lower(product._pricelevelid_value), lower(list.pricelevelid), `${String(item.number)}'s price list`);
      const price = listItems.find((p) => lower(p._productid_value) === lower(product.productid));
      assert.deepEqual(
        [lower(price?._uomid_value), Number(price?.amount), price?.pricingmethodcode],
        [lower(product._defaultuomid_value), Number(item.unitPrice), 1],
        `${String(item.number)}'s default price`,
      );
    }

    // The default price follows the item's unit price.
    const item = created[0];
    await stack.connectors.bc.update('items', String(item.id), '*', { unitPrice: 321.5 });
    const run = pass(await runSync(stack.taskQueue, { mapping: 'ITEM-PRODUCT', mode: 'incremental' }), 'to-dataverse');
    assert.deepEqual([run.counts.modified, run.counts.failed], [1, 0]);
    const productId = await dvIdOf('ITEM-PRODUCT', item.id);
    const [price] = await all(
      stack,
      'dv',
      'productpricelevels',
      `_pricelevelid_value eq ${String(list.pricelevelid)} and _productid_value eq ${productId!}`,
    );
    assert.equal(Number(price.amount), 321.5);
  });

  it('keeps using the default price list after an operator renamed it, and moves a price to the item holding it', async () => {
    const [list] = await all(stack, 'dv', 'pricelevels', "name eq 'Business Central Default Price List'");
    const listId = lower(list.pricelevelid);
    // An operator replaced a product's default price list item by one of their own (same list, product and unit).
    const item = items.filter((i) => i.blocked !== true)[1];
    const productId = (await dvIdOf('ITEM-PRODUCT', item.id))!;
    const product = (await stack.connectors.dv.get('products', productId))!;
    const [added] = await all(
      stack,
      'dv',
      'productpricelevels',
      `_pricelevelid_value eq ${listId} and _productid_value eq ${productId}`,
    );
    await stack.connectors.dv.delete('productpricelevels', String(added.productpricelevelid));
    const replacement = randomUUID();
    await stack.connectors.dv.createWithId('productpricelevels', replacement, {
      amount: 1,
      'pricelevelid@odata.bind': `/pricelevels(${listId})`,
      'productid@odata.bind': `/products(${productId})`,
      'uomid@odata.bind': `/uoms(${String(product._defaultuomid_value)})`,
    });
    // … and renamed the default price list.
    await stack.connectors.dv.update('pricelevels', listId, { name: 'Standard prices' });
    await stack.connectors.bc.update('items', String(item.id), '*', { unitPrice: 77.25 });
    const newItem = await stack.connectors.bc.create('items', {
      displayName: 'Saddle bag',
      baseUnitOfMeasureCode: item.baseUnitOfMeasureCode,
      unitPrice: 19.5,
    });

    const run = pass(await runSync(stack.taskQueue, { mapping: 'ITEM-PRODUCT', mode: 'incremental' }), 'to-dataverse');
    assert.deepEqual(
      [run.counts.inserted, run.counts.modified, run.counts.failed],
      [1, 1, 0],
      JSON.stringify(await listErrors(stack.store.knex, { mapping: 'ITEM-PRODUCT', unresolvedOnly: true })),
    );
    assert.equal(Number((await stack.connectors.dv.get('productpricelevels', replacement))!.amount), 77.25);
    const newProduct = (await stack.connectors.dv.get('products', (await dvIdOf('ITEM-PRODUCT', newItem.id))!))!;
    assert.equal(lower(newProduct._pricelevelid_value), listId, 'the new product is on the renamed default price list');
    const newPrices = await all(
      stack,
      'dv',
      'productpricelevels',
      `_productid_value eq ${String(newProduct.productid)}`,
    );
    assert.deepEqual(
      newPrices.map((p) => [lower(p._pricelevelid_value), lower(p._uomid_value), Number(p.amount)]),
      [[listId, lower(newProduct._defaultuomid_value), 19.5]],
    );
    assert.deepEqual(
      (await all(stack, 'dv', 'pricelevels', "name eq 'Business Central Default Price List'")).length,
      0,
      'no second default price list',
    );
    await assertCouplingsWhole(stack, ['ITEM-PRODUCT']);
  });

  it('creates the price lists in the base currency, coupling the one Dataverse has by name', async () => {
    const result = await runMatch(stack.taskQueue, { mapping: 'CUSTPRCGRP-PRICE', createUnmatched: true });
    assert.equal(result.counts.coupled, 1, JSON.stringify(result));
    const counts = pass(result.sync!, 'to-dataverse').counts;
    assert.deepEqual(
      [counts.inserted, counts.failed],
      [1, 0],
      JSON.stringify(await listErrors(stack.store.knex, { mapping: 'CUSTPRCGRP-PRICE' })),
    );
    const lists = await all(stack, 'dv', 'pricelevels');
    for (const g of groups) {
      const id = await dvIdOf('CUSTPRCGRP-PRICE', g.id);
      const list = lists.find((l) => lower(l.pricelevelid) === id);
      assert.ok(list, `price list of ${String(g.code)}`);
      assert.deepEqual(
        [list.name, list.description, lower(list._transactioncurrencyid_value)],
        [g.code, g.description, baseCurrency],
        `price list ${String(g.code)}: name, description, base currency`,
      );
      assert.equal(lists.filter((l) => l.name === g.code).length, 1, `one price list named ${String(g.code)}`);
    }
    const wholesale = groups.find((g) => g.code === 'WHOLESALE')!;
    assert.equal(await dvIdOf('CUSTPRCGRP-PRICE', wholesale.id), existingList);
  });

  it('carries a price group change, idles, and fails a group whose price list was deleted in Dataverse alone', async () => {
    const vip = await stack.connectors.bc.create('customerPriceGroups', { code: 'VIP', description: 'Key accounts' });
    const run = async () =>
      pass(await runSync(stack.taskQueue, { mapping: 'CUSTPRCGRP-PRICE', mode: 'incremental' }), 'to-dataverse').counts;
    const created = await run();
    assert.deepEqual([created.inserted, created.modified, created.failed], [1, 0, 0]);
    const vipList = (await dvIdOf('CUSTPRCGRP-PRICE', vip.id))!;
    assert.equal((await stack.connectors.dv.get('pricelevels', vipList))?.name, 'VIP');

    const before = (await all(stack, 'dv', 'pricelevels')).map((r) => [r.pricelevelid, r.modifiedon]);
    const idle = await run();
    assert.deepEqual([idle.inserted, idle.modified, idle.failed], [0, 0, 0]);
    assert.deepEqual(
      (await all(stack, 'dv', 'pricelevels')).map((r) => [r.pricelevelid, r.modifiedon]),
      before,
      'nothing written',
    );

    const retail = groups.find((g) => g.code === 'RETAIL')!;
    await stack.connectors.bc.update('customerPriceGroups', String(retail.id), '*', {
      description: 'Shops and kiosks',
    });
    await stack.connectors.bc.update('customerPriceGroups', String(vip.id), '*', { description: 'Key accounts 2026' });
    await stack.connectors.dv.delete('pricelevels', vipList);
    const changed = await run();
    assert.deepEqual([changed.inserted, changed.modified, changed.failed], [0, 1, 1]);
    const retailList = (await stack.connectors.dv.get('pricelevels', (await dvIdOf('CUSTPRCGRP-PRICE', retail.id))!))!;
    assert.deepEqual([retailList.name, retailList.description], ['RETAIL', 'Shops and kiosks']);
    const errors = await listErrors(stack.store.knex, { mapping: 'CUSTPRCGRP-PRICE', unresolvedOnly: true });
    assert.deepEqual(
      errors.map((e) => e.sourceId),
      [lower(vip.id)],
    );
    assert.match(
      errors[0].message,
      new RegExp(
        `Customer price group.*VIP.* is coupled to a Dataverse price list that has been deleted \\(id ${vipList}\\);.*'bcsync uncouple CUSTPRCGRP-PRICE'`,
      ),
    );

    // Following the message: uncoupled, the group no longer fails and is created again.
    const row = (await findCoupling(stack.store.knex, 'CUSTPRCGRP-PRICE', { bcId: lower(vip.id) }))!;
    await deleteCouplings(stack.store.knex, [row.id]);
    await stack.connectors.bc.update('customerPriceGroups', String(vip.id), '*', { description: 'Key accounts 2027' });
    const after = await run();
    assert.deepEqual([after.inserted, after.modified, after.failed], [1, 0, 0]);
    const recreated = (await stack.connectors.dv.get('pricelevels', (await dvIdOf('CUSTPRCGRP-PRICE', vip.id))!))!;
    assert.deepEqual([recreated.name, recreated.description], ['VIP', 'Key accounts 2027']);
    await assertCouplingsWhole(stack, ['CUSTPRCGRP-PRICE']);
  });

  it('creates a price list item per price with its list, product, unit and currency, matching the existing one', async () => {
    // An uncoupled price list item Dynamics 365 Sales already has for one price's list, product and unit.
    const matched = prices.find((p) => p.salesCode === 'WHOLESALE' && p.currencyCode === '')!;
    const item = items.find((i) => i.number === matched.itemNumber)!;
    const product = await stack.connectors.dv.get('products', (await dvIdOf('ITEM-PRODUCT', item.id))!);
    await stack.connectors.dv.createWithId('productpricelevels', existingItem, {
      amount: 1,
      'pricelevelid@odata.bind': `/pricelevels(${existingList})`,
      'productid@odata.bind': `/products(${String(product!.productid)})`,
      'uomid@odata.bind': `/uoms(${String(product!._defaultuomid_value)})`,
    });
    // Dataverse keeps one price per price list, product and unit: a second one is refused with its documented code.
    await assert.rejects(
      stack.connectors.dv.createWithId('productpricelevels', randomUUID(), {
        amount: 2,
        'pricelevelid@odata.bind': `/pricelevels(${existingList})`,
        'productid@odata.bind': `/products(${String(product!.productid)})`,
        'uomid@odata.bind': `/uoms(${String(product!._defaultuomid_value)})`,
      }),
      (e: unknown) => e instanceof DuplicateKeyError && e.code.toLowerCase() === '0x80043b08',
    );

    const result = await runSync(stack.taskQueue, { mapping: 'SALESPRC-PRODPRICE', mode: 'incremental' });
    const c = pass(result, 'to-dataverse').counts;
    assert.deepEqual(
      [c.inserted, c.modified, c.failed],
      [prices.length - 1, 1, 0],
      JSON.stringify(await listErrors(stack.store.knex, { mapping: 'SALESPRC-PRODPRICE' })),
    );
    assert.equal(await dvIdOf('SALESPRC-PRODPRICE', matched.id), existingItem, 'matched, not doubled');

    const uoms = await all(stack, 'dv', 'uoms');
    for (const price of prices) {
      const dv = await priceItemOf(price);
      assert.ok(dv, `price list item of ${String(price.itemNumber)}/${String(price.salesCode)}`);
      const group = groups.find((g) => g.code === price.salesCode)!;
      const priceItem = items.find((i) => i.number === price.itemNumber)!;
      const productId = await dvIdOf('ITEM-PRODUCT', priceItem.id);
      // A price list item's currency is not valid for create: it is its price list's (the base currency), also for
      // a price in EUR.
      const currency = baseCurrency;
      const unit = uoms.find((u) => lower(u.uomid) === lower(dv._uomid_value));
      assert.deepEqual(
        [
          lower(dv._pricelevelid_value),
          lower(dv._productid_value),
          dv.productnumber,
          unit?.name,
          lower(unit?._uomscheduleid_value),
          lower(dv._transactioncurrencyid_value),
          dv.pricingmethodcode,
          Number(dv.amount),
        ],
        [
          await dvIdOf('CUSTPRCGRP-PRICE', group.id),
          productId,
          price.itemNumber,
          price.unitOfMeasureCode,
          lower((await stack.connectors.dv.get('products', productId!))!._defaultuomscheduleid_value),
          currency,
          1,
          Number(price.unitPrice),
        ],
        `price ${String(price.itemNumber)}/${String(price.salesCode)}: list, product, number, unit, currency, method, amount`,
      );
    }
    await assertCouplingsWhole(stack, PRICES);
  });

  it('carries a price change, then an idle run writes nothing', async () => {
    const price = prices[0];
    await stack.connectors.bc.update('salesPrices', String(price.id), '*', { unitPrice: 432.1 });
    const changed = pass(
      await runSync(stack.taskQueue, { mapping: 'SALESPRC-PRODPRICE', mode: 'incremental' }),
      'to-dataverse',
    ).counts;
    assert.deepEqual([changed.inserted, changed.modified, changed.failed], [0, 1, 0]);
    assert.equal(Number((await priceItemOf(price))!.amount), 432.1);

    const before = await all(stack, 'dv', 'productpricelevels');
    for (const mapping of PRICES) {
      const idle = pass(await runSync(stack.taskQueue, { mapping, mode: 'incremental' }), 'to-dataverse').counts;
      assert.deepEqual([idle.inserted, idle.modified, idle.failed], [0, 0, 0], mapping);
    }
    assert.deepEqual(
      (await all(stack, 'dv', 'productpricelevels')).map((r) => [r.productpricelevelid, r.modifiedon]),
      before.map((r) => [r.productpricelevelid, r.modifiedon]),
      'nothing written',
    );
  });

  it('fails a price whose unit is not in its product’s unit group, and a second price for the same list, product and unit, each alone', async () => {
    const item = items.find((i) => i.number === prices[2].itemNumber)!;
    const otherUnit = (await all(stack, 'bc', 'unitsOfMeasure')).find((u) => u.code !== item.baseUnitOfMeasureCode)!;
    const badUnit = await stack.connectors.bc.create('salesPrices', {
      itemNumber: item.number,
      salesType: 'Customer Price Group',
      salesCode: 'RETAIL',
      currencyCode: '',
      startingDate: '2025-06-01',
      unitOfMeasureCode: otherUnit.code,
      unitPrice: 10,
    });
    // Same price list, product and unit as prices[2], only a later starting date: Dataverse cannot hold both.
    const twin = await stack.connectors.bc.create('salesPrices', {
      itemNumber: prices[2].itemNumber,
      salesType: 'Customer Price Group',
      salesCode: prices[2].salesCode,
      currencyCode: prices[2].currencyCode,
      startingDate: '2026-01-01',
      unitOfMeasureCode: prices[2].unitOfMeasureCode,
      unitPrice: 11,
    });
    await stack.connectors.bc.update('salesPrices', String(prices[3].id), '*', { unitPrice: 55.5 });
    const countBefore = (await all(stack, 'dv', 'productpricelevels')).length;

    const result = await runSync(stack.taskQueue, { mapping: 'SALESPRC-PRODPRICE', mode: 'incremental' });
    const c = pass(result, 'to-dataverse').counts;
    assert.deepEqual([c.inserted, c.modified, c.failed], [0, 1, 2], JSON.stringify(result));
    assert.equal(Number((await priceItemOf(prices[3]))!.amount), 55.5, 'the good change is written');
    assert.equal((await all(stack, 'dv', 'productpricelevels')).length, countBefore, 'nothing created');

    const errors = await listErrors(stack.store.knex, { mapping: 'SALESPRC-PRODPRICE', unresolvedOnly: true });
    const bySource = new Map(errors.map((e) => [e.sourceId, e.message]));
    assert.equal(errors.length, 2, JSON.stringify(errors));
    assert.match(
      bySource.get(lower(badUnit.id)) ?? '',
      new RegExp(
        `unit of measure '${String(otherUnit.code)}' is not a unit of the unit group of item '${String(item.number)}''s product \\(its units: '${String(item.baseUnitOfMeasureCode)}'\\)`,
      ),
    );
    assert.match(
      bySource.get(lower(twin.id)) ?? '',
      /cannot be created: Dataverse price list item .* already holds pricelevelid .*, productid .*, uomid .* and is coupled to another record in SALESPRC-PRODPRICE/,
    );
    assert.equal(await dvIdOf('SALESPRC-PRODPRICE', badUnit.id), undefined);
    assert.equal(await dvIdOf('SALESPRC-PRODPRICE', twin.id), undefined);
    await assertCouplingsWhole(stack, PRICES);
  });

  it('carries a price whose only change is its unit, and matches by the new unit afterwards', async () => {
    const price = prices.find((p) => p.itemNumber !== prices[2].itemNumber && p !== prices[0] && p !== prices[3])!;
    const item = items.find((i) => i.number === price.itemNumber)!;
    const product = (await stack.connectors.dv.get('products', (await dvIdOf('ITEM-PRODUCT', item.id))!))!;
    // Not the unit the failed price of the test before uses (the items share unit groups: that price would pass too).
    const units = await all(stack, 'bc', 'unitsOfMeasure');
    const failedUnit = units.find(
      (u) => u.code !== items.find((i) => i.number === prices[2].itemNumber)!.baseUnitOfMeasureCode,
    )!;
    const otherUnit = units.find((u) => u.code !== price.unitOfMeasureCode && u.code !== failedUnit.code)!;
    // The product's unit group gets a second unit named like a Business Central unit of measure.
    const box = randomUUID();
    await stack.connectors.dv.createWithId('uoms', box, {
      name: otherUnit.code,
      quantity: 6,
      'uomscheduleid@odata.bind': `/uomschedules(${String(product._defaultuomscheduleid_value)})`,
    });
    const before = (await priceItemOf(price))!;
    await stack.connectors.bc.update('salesPrices', String(price.id), '*', { unitOfMeasureCode: otherUnit.code });
    const run = async () =>
      pass(await runSync(stack.taskQueue, { mapping: 'SALESPRC-PRODPRICE', mode: 'incremental' }), 'to-dataverse')
        .counts;

    const changed = await run();
    assert.deepEqual([changed.inserted, changed.modified], [0, 1], JSON.stringify(changed));
    const after = (await priceItemOf(price))!;
    assert.deepEqual(
      [after.productpricelevelid, lower(after._uomid_value), Number(after.amount)],
      [before.productpricelevelid, box, Number(before.amount)],
      'the same price list item, now for the new unit',
    );

    // The old unit is free again in that price list: a price for it is created, not refused as a duplicate.
    const again = await stack.connectors.bc.create('salesPrices', {
      itemNumber: price.itemNumber,
      salesType: 'Customer Price Group',
      salesCode: price.salesCode,
      currencyCode: price.currencyCode,
      startingDate: price.startingDate,
      unitOfMeasureCode: price.unitOfMeasureCode,
      unitPrice: 3.5,
    });
    const created = await run();
    assert.deepEqual([created.inserted, created.modified], [1, 0], JSON.stringify(created));
    const added = (await priceItemOf(again))!;
    assert.deepEqual(
      [
        lower(added._pricelevelid_value),
        lower(added._productid_value),
        lower(added._uomid_value),
        Number(added.amount),
      ],
      [lower(before._pricelevelid_value), lower(before._productid_value), lower(before._uomid_value), 3.5],
    );
    await assertCouplingsWhole(stack, PRICES);
  });
});
