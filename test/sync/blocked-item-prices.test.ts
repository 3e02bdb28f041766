/**
 * Sales prices of blocked items, end to end with the shipped mappings (lookups on): ITEM-PRODUCT creates no product for
 * a blocked item (BC's filter `Blocked = false` for new products), so SALESPRC-PRODPRICE can never couple such a price.
 * Each of them fails alone with what to do instead — not "run ITEM-PRODUCT first", which could not help — and every
 * other price is written.
 */
import assert from 'node:assert/strict';
import { listErrors } from '../../store/sync-errors';
import { runFullSync } from '../support/sync-runs';
import { all, type Row, startSyncStack, type SyncStack } from '../support/sync-stack';

const lower = (v: unknown): string => String(v).toLowerCase();

describe('sales prices of blocked items', function () {
  this.timeout(180_000);
  let stack: SyncStack;
  before(async () => {
    // 20 items (the demo blocks the 19th) with three prices each, one per customer price group.
    stack = await startSyncStack({
      seed: {
        customers: 1,
        contactsPerCustomer: 0,
        items: 20,
        customerPriceGroups: 3,
        salesPrices: 60,
        postedInvoices: 0,
        draftInvoices: 0,
      },
    });
  });
  after(async () => stack?.close());

  it('fail alone, saying ITEM-PRODUCT creates no product for a blocked item and what to do; the others are written', async () => {
    const result = await runFullSync(stack.taskQueue, [
      'CURRENCY',
      'UNIT OF MEASURE',
      'ITEM-PRODUCT',
      'CUSTPRCGRP-PRICE',
      'SALESPRC-PRODPRICE',
    ]);
    for (const m of result.mappings) assert.equal(m.state, 'done', JSON.stringify(m));

    const items = await all(stack, 'bc', 'itemCards');
    const blocked = items.filter((i) => i.blocked === true);
    assert.ok(blocked.length > 0, 'the demo data has a blocked item');
    const blockedNumbers = new Set(blocked.map((i) => String(i.number)));
    const prices: Row[] = await all(stack, 'bc', 'salesPrices', "salesType eq 'Customer Price Group'");
    const ofBlocked = prices.filter((p) => blockedNumbers.has(String(p.itemNumber)));
    assert.ok(ofBlocked.length > 0, 'a blocked item has prices');

    const errors = await listErrors(stack.store.knex, { mapping: 'SALESPRC-PRODPRICE', limit: 1000 });
    assert.deepEqual(
      errors.map((e) => e.sourceId).sort(),
      ofBlocked.map((p) => lower(p.id)).sort(),
      'exactly the prices of blocked items fail',
    );
    for (const e of errors) {
      assert.match(
        e.message,
        /its item '\S+' .*is not coupled to a Dataverse product; ITEM-PRODUCT creates no product for a blocked item: unblock the item and run ITEM-PRODUCT, or couple it to an existing product with 'bcsync couple ITEM-PRODUCT --bc [0-9a-f-]{36} --dv <product id>'$/,
      );
      assert.doesNotMatch(e.message, /run ITEM-PRODUCT first/);
    }
    const coupled = new Set(
      (await stack.store.knex('couplings').where({ mapping: 'SALESPRC-PRODPRICE' })).map((r: Row) => lower(r.bc_id)),
    );
    const others = prices.filter((p) => !blockedNumbers.has(String(p.itemNumber)));
    assert.deepEqual(
      others.filter((p) => !coupled.has(lower(p.id))).map((p) => p.itemNumber),
      [],
      'every price of an unblocked item is coupled',
    );
  });
});
