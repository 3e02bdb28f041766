/** The coupling queries behind `bcsync couple` and `bcsync couplings`, on both dialects. */
import assert from 'node:assert/strict';
import type { Store } from '../../store/database';
import { migrateLatest } from '../../store/migrate';
import * as couplings from '../../store/couplings';
import { recordPendingFailure } from '../../store/pending-failures';
import { openFreshStore } from '../support/stores';

const t0 = new Date('2026-11-24T10:00:00.123Z');
const guid = (n: number) => `0000000a-0000-4000-8000-${String(n).padStart(12, '0')}`;
/** The same id as `guid(n)`, upper-cased as some tools print GUIDs. */
const GUID = (n: number) => guid(n).toUpperCase();

for (const dialect of ['mysql', 'sqlite'] as const) {
  describe(`manual coupling queries on ${dialect}`, function () {
    let store: Store;
    before(async () => {
      store = await openFreshStore(dialect);
      await migrateLatest(store);
    });
    after(async () => {
      await store.close();
    });

    const rows = (mapping: string) => store.knex('couplings').where({ mapping }).orderBy('id');

    it('couples two records in one whole row with lower-case ids and null hashes', async () => {
      const r = await couplings.coupleRecords(store.knex, {
        mapping: 'CUSTOMER',
        bcId: GUID(1),
        dvId: GUID(101),
        now: t0,
      });
      assert.equal(r.outcome, 'coupled');
      const [row] = await rows('CUSTOMER');
      assert.equal(row.bc_id, GUID(1).toLowerCase());
      assert.equal(row.dv_id, GUID(101).toLowerCase());
      assert.equal(row.bc_hash, null);
      assert.equal(row.dv_hash, null);
      assert.equal(row.to_dv_result, null);
      assert.equal(row.to_bc_result, null);
    });

    it('finds a coupling by either id in any case, scoped by mapping', async () => {
      const byBc = await couplings.findCoupling(store.knex, 'CUSTOMER', { bcId: GUID(1) });
      assert.equal(byBc?.dvId, GUID(101).toLowerCase());
      const byDv = await couplings.findCoupling(store.knex, 'CUSTOMER', { dvId: GUID(101).toLowerCase() });
      assert.equal(byDv?.id, byBc?.id);
      assert.equal(await couplings.findCoupling(store.knex, 'CONTACT', { bcId: GUID(1) }), undefined);
      assert.equal(await couplings.findCoupling(store.knex, 'CUSTOMER', { dvId: GUID(1) }), undefined);
    });

    it('refuses a record coupled to another one, from either side, and leaves the rows alone', async () => {
      const first = (await couplings.findCoupling(store.knex, 'CUSTOMER', { bcId: GUID(1) }))!;
      const bcTaken = await couplings.coupleRecords(store.knex, {
        mapping: 'CUSTOMER',
        bcId: GUID(1),
        dvId: guid(102),
        now: t0,
      });
      assert.deepEqual(
        [bcTaken.outcome, 'side' in bcTaken && bcTaken.side, bcTaken.coupling.id],
        ['conflict', 'bc', first.id],
      );
      const dvTaken = await couplings.coupleRecords(store.knex, {
        mapping: 'CUSTOMER',
        bcId: guid(2),
        dvId: guid(101),
        now: t0,
      });
      assert.deepEqual(
        [dvTaken.outcome, 'side' in dvTaken && dvTaken.side, dvTaken.coupling.id],
        ['conflict', 'dv', first.id],
      );
      const same = await couplings.coupleRecords(store.knex, {
        mapping: 'CUSTOMER',
        bcId: guid(1),
        dvId: GUID(101),
        now: t0,
      });
      assert.deepEqual([same.outcome, same.coupling.id], ['already-coupled', first.id]);
      assert.equal((await rows('CUSTOMER')).length, 1);
    });

    it('clears the pending failures of creates that never succeeded on either side', async () => {
      const failure = { mapping: 'CONTACT', jobId: 1, message: 'refused', skip: false, now: t0 };
      await recordPendingFailure(store.knex, { ...failure, direction: 'to-dataverse', sourceId: guid(3) });
      await recordPendingFailure(store.knex, { ...failure, direction: 'to-bc', sourceId: guid(103) });
      const r = await couplings.coupleRecords(store.knex, {
        mapping: 'CONTACT',
        bcId: guid(3),
        dvId: guid(103),
        now: t0,
      });
      assert.equal(r.outcome, 'coupled');
      assert.equal(r.outcome === 'coupled' && r.clearedFailures, 2);
      assert.equal((await store.knex('pending_failures').where({ mapping: 'CONTACT' })).length, 0);
      assert.deepEqual(
        (await rows('CONTACT')).map((x: { bc_id: string; dv_id: string }) => [x.bc_id, x.dv_id]),
        [[guid(3), guid(103)]],
      );
    });

    it('lets exactly one of two concurrent couples of the same record win; the other is refused, no half row', async () => {
      const [a, b] = await Promise.all([
        couplings.coupleRecords(store.knex, { mapping: 'ITEM-PRODUCT', bcId: guid(4), dvId: guid(104), now: t0 }),
        couplings.coupleRecords(store.knex, { mapping: 'ITEM-PRODUCT', bcId: guid(4), dvId: guid(105), now: t0 }),
      ]);
      assert.deepEqual([a.outcome, b.outcome].sort(), ['conflict', 'coupled']);
      const loser = a.outcome === 'conflict' ? a : b;
      const winner = a.outcome === 'coupled' ? a : b;
      assert.equal(loser.coupling.id, winner.coupling.id, 'the refusal names the winning coupling');
      const all = await rows('ITEM-PRODUCT');
      assert.equal(all.length, 1);
      assert.ok(all[0].bc_id && all[0].dv_id);
    });

    it('lists the couplings of a mapping newest first, in pages', async () => {
      for (let n = 10; n < 15; n += 1) {
        await couplings.coupleRecords(store.knex, { mapping: 'CURRENCY', bcId: guid(n), dvId: guid(100 + n), now: t0 });
      }
      const first = await couplings.listCouplings(store.knex, 'CURRENCY', { limit: 3 });
      assert.deepEqual(
        first.map((c) => c.bcId),
        [guid(14), guid(13), guid(12)],
      );
      const next = await couplings.listCouplings(store.knex, 'CURRENCY', { limit: 3, beforeId: first[2].id });
      assert.deepEqual(
        next.map((c) => c.bcId),
        [guid(11), guid(10)],
      );
      assert.deepEqual(await couplings.listCouplings(store.knex, 'UNIT OF MEASURE', { limit: 3 }), []);
    });
  });
}
