import assert from 'node:assert/strict';
import type { Store } from '../../store/database';
import { migrateLatest } from '../../store/migrate';
import * as couplings from '../../store/couplings';
import * as watermarks from '../../store/watermarks';
import * as jobs from '../../store/sync-jobs';
import * as errors from '../../store/sync-errors';
import * as pending from '../../store/pending-writes';
import * as pendingFailures from '../../store/pending-failures';
import * as audit from '../../store/field-changes';
import * as options from '../../store/option-mappings';
import * as pages from '../../store/sync-pages';
import * as leases from '../../store/sync-leases';
import { zeroCounts } from '../../engine/run-types';
import { openFreshStore } from '../support/stores';

const t0 = new Date('2026-11-24T10:00:00.123Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
/** Every table the migrations create. */
const tables = [
  'couplings',
  'watermarks',
  'sync_jobs',
  'sync_errors',
  'pending_writes',
  'field_changes',
  'option_mappings',
  'sync_pages',
  'pending_failures',
  'sync_leases',
  'sync_page_reads',
];

for (const dialect of ['mysql', 'sqlite'] as const) {
  describe(`store queries on ${dialect}`, function () {
    let store: Store;
    before(async () => {
      store = await openFreshStore(dialect);
      await migrateLatest(store);
    });
    after(async () => {
      await store.close();
    });
    // Every test starts from empty tables and creates the rows it needs: none depends on what another left behind.
    beforeEach(async () => {
      for (const table of tables) await store.knex(table).del();
    });

    /** Couples BC record `guid(n)` with Dataverse row `guid(100 + n)`. */
    const couple = (n: number, mapping = 'CUSTOMER') =>
      couplings.insertCoupling(store.knex, { mapping, bcId: guid(n), dvId: guid(100 + n), now: t0 });
    const fail = (c: { id: number }, jobId: number, message: string, skip = false) =>
      couplings.recordFailure(store.knex, c.id, 'to-dataverse', { jobId, message, skip, now: t0 });
    /** How many couplings each mapping has, straight from the table. */
    const couplingsPerMapping = async (): Promise<Record<string, number>> => {
      const rows = await store.knex('couplings').select('mapping').count({ n: '*' }).groupBy('mapping');
      return Object.fromEntries((rows as Array<{ mapping: string; n: unknown }>).map((r) => [r.mapping, Number(r.n)]));
    };
    const failedIds = async (o: { afterId?: number; limit: number }) =>
      (await couplings.listFailed(store.knex, 'CUSTOMER', 'to-dataverse', o)).map((f) => f.id);
    /** Opens a CUSTOMER to-dataverse job (idempotency key `<workflow>/<run>/to-dataverse`) unless told otherwise. */
    const openJob = (o: Partial<jobs.OpenJob> = {}) =>
      jobs.openJob(store.knex, {
        idempotencyKey: `${o.workflowId ?? 'wf-1'}/${o.runId ?? 'run-1'}/${o.direction ?? 'to-dataverse'}`,
        mapping: 'CUSTOMER',
        direction: 'to-dataverse',
        type: 'sync',
        mode: 'incremental',
        workflowId: 'wf-1',
        runId: 'run-1',
        startedAt: t0,
        ...o,
      });

    describe('couplings', function () {
      it('inserts a coupling and finds it by either id, with millisecond UTC timestamps', async () => {
        const c = await couplings.insertCoupling(store.knex, {
          mapping: 'CUSTOMER',
          bcId: guid(1),
          dvId: guid(101),
          bcModifiedAt: at(1),
          dvModifiedAt: at(2),
          bcHash: 'h-bc',
          dvHash: 'h-dv',
          now: t0,
        });
        assert.equal(c.bcModifiedAt?.toISOString(), '2026-11-24T10:00:00.124Z');
        assert.equal(c.skipped, false);
        assert.equal((await couplings.findByBcIds(store.knex, 'CUSTOMER', [guid(1)])).get(guid(1))?.dvId, guid(101));
        assert.equal((await couplings.findByDvIds(store.knex, 'CUSTOMER', [guid(101)])).get(guid(101))?.bcId, guid(1));
        assert.equal((await couplings.findByBcIds(store.knex, 'CONTACT', [guid(1)])).size, 0, 'scoped by mapping');
      });

      it('refuses to couple one record twice in a mapping, from either side', async () => {
        await couple(1);
        await assert.rejects(
          couplings.insertCoupling(store.knex, { mapping: 'CUSTOMER', bcId: guid(1), dvId: guid(999), now: t0 }),
        );
        await assert.rejects(
          couplings.insertCoupling(store.knex, { mapping: 'CUSTOMER', bcId: guid(998), dvId: guid(101), now: t0 }),
        );
        assert.deepEqual(await couplingsPerMapping(), { CUSTOMER: 1 });
      });

      it('refuses a coupling row that holds one id only (couplings are whole)', async () => {
        await assert.rejects(
          couplings.insertCoupling(store.knex, {
            mapping: 'CUSTOMER',
            bcId: guid(4),
            dvId: null as unknown as string,
            now: t0,
          }),
        );
        assert.deepEqual(await couplingsPerMapping(), {});
      });

      it('records failures with their message, counts them, and parks the coupling when told to skip', async () => {
        const c = await couple(2);
        const other = await couple(3);
        assert.equal(await fail(c, 7, 'name too long'), 1);
        assert.equal(await fail(c, 9, 'currency not coupled'), 2);
        const failed = await couplings.listFailed(store.knex, 'CUSTOMER', 'to-dataverse', { limit: 10 });
        assert.deepEqual(
          failed.map((f) => f.bcId),
          [guid(2)],
        );
        assert.equal(failed[0].toDataverse.jobId, 9);
        assert.equal(failed[0].toDataverse.lastError, 'currency not coupled');
        assert.deepEqual(await couplings.listFailed(store.knex, 'CUSTOMER', 'to-bc', { limit: 10 }), []);
        await couplings.recordFailure(store.knex, other.id, 'to-bc', { jobId: 9, message: 'x', skip: true, now: t0 });
        assert.equal((await couplings.getCoupling(store.knex, other.id))!.skipped, true);
        await couplings.restoreSkipped(store.knex, 'CUSTOMER', t0, [other.id]);
        const restored = (await couplings.getCoupling(store.knex, other.id))!;
        assert.deepEqual([restored.skipped, restored.toBc.errorCount, restored.toBc.lastError], [false, 0, null]);
      });

      it('clears the failure when the record later succeeds and stores what was synchronized', async () => {
        const c = await couple(2);
        await fail(c, 9, 'currency not coupled');
        await couplings.recordSuccess(store.knex, c.id, 'to-dataverse', {
          jobId: 10,
          dvModifiedAt: at(5),
          bcHash: 'b2',
          dvHash: 'd2',
          now: at(6),
        });
        const after = (await couplings.getCoupling(store.knex, c.id))!;
        assert.equal(after.dvId, guid(102));
        assert.equal(after.toDataverse.result, 'success');
        assert.equal(after.toDataverse.errorCount, 0);
        assert.equal(after.dvHash, 'd2');
        assert.equal(after.updatedAt.toISOString(), at(6).toISOString());
        assert.deepEqual(await failedIds({ limit: 10 }), [], 'out of the retry set');
      });

      it('replaces side hashes only while they still are the ones read (compare-and-set)', async () => {
        const withHashes = (n: number) =>
          couplings.insertCoupling(store.knex, {
            mapping: 'CUSTOMER',
            bcId: guid(n),
            dvId: guid(100 + n),
            bcHash: `b${n}`,
            dvHash: `d${n}`,
            now: t0,
          });
        const [a, b] = [await withHashes(4), await withHashes(5)];
        const replace = (changes: couplings.HashReplacement[], now: Date) =>
          couplings.replaceSideHashes(store.knex, changes, now);
        const replaced = await replace(
          [
            { id: a.id, side: 'dataverse', from: 'd4', to: 'd4+' },
            { id: a.id, side: 'bc', from: 'b4', to: 'b4+' },
            { id: b.id, side: 'dataverse', from: 'd5', to: 'd5+' },
          ],
          at(1),
        );
        assert.equal(replaced, 3);
        // A second writer that read the old hashes loses: the newer state stays, other rows are untouched.
        assert.equal(await replace([{ id: a.id, side: 'dataverse', from: 'd4', to: 'dx' }], at(2)), 0);
        const [a1, b1] = [
          (await couplings.getCoupling(store.knex, a.id))!,
          (await couplings.getCoupling(store.knex, b.id))!,
        ];
        assert.deepEqual([a1.bcHash, a1.dvHash, b1.bcHash, b1.dvHash], ['b4+', 'd4+', 'b5', 'd5+']);
        assert.equal(a1.updatedAt.toISOString(), at(1).toISOString());
      });

      it('parks skipped couplings out of the retry set and restores them', async () => {
        const c = await couple(3);
        await fail(c, 11, 'x');
        await couplings.markSkipped(store.knex, [c.id], at(7));
        assert.deepEqual(await failedIds({ limit: 10 }), []);
        assert.deepEqual(
          (await couplings.listSkipped(store.knex, 'CUSTOMER')).map((s) => s.id),
          [c.id],
        );
        assert.equal(await couplings.restoreSkipped(store.knex, 'CUSTOMER', at(8)), 1);
        assert.deepEqual(await failedIds({ limit: 10 }), [c.id]);
      });

      it('pages the retry set by id', async () => {
        const [a, b, c] = [await couple(1), await couple(2), await couple(3)];
        await couple(4); // succeeded: not in the retry set
        for (const x of [c, a, b]) await fail(x, 1, 'x');
        assert.deepEqual(await failedIds({ limit: 2 }), [a.id, b.id]);
        assert.deepEqual(await failedIds({ afterId: b.id, limit: 2 }), [c.id]);
        assert.deepEqual(await failedIds({ afterId: c.id, limit: 2 }), []);
      });

      it('counts couplings per mapping and uncouples', async () => {
        await couple(1);
        await couple(2);
        const c = await couple(3);
        await couple(1, 'CONTACT');
        assert.deepEqual(await couplingsPerMapping(), { CUSTOMER: 3, CONTACT: 1 });
        assert.equal(await couplings.deleteCouplings(store.knex, [c.id]), 1);
        assert.deepEqual(await couplingsPerMapping(), { CUSTOMER: 2, CONTACT: 1 });
      });

      it('records the outcomes of a page of couplings in bulk, each as its single-row function would', async () => {
        const ok = await couple(1);
        const failing = await couple(2);
        const parked = await couple(3);
        const cleared = await couple(4);
        const touched = await couple(5);
        const untouched = await couple(6);
        await fail(failing, 7, 'first');
        await fail(cleared, 7, 'out of scope later');
        await couplings.recordSuccess(store.knex, touched.id, 'to-dataverse', { jobId: 7, bcHash: 'keep', now: t0 });
        await couplings.recordOutcomes(store.knex, 'to-dataverse', 12, at(9), [
          { id: ok.id, kind: 'success', bcModifiedAt: at(1), dvHash: 'd1' },
          { id: failing.id, kind: 'failure', message: 'second', skip: false },
          { id: parked.id, kind: 'failure', message: 'same twice', skip: true },
          { id: cleared.id, kind: 'cleared' },
          { id: touched.id, kind: 'touched' },
          { id: 999_999, kind: 'touched' },
        ]);
        const get = async (c: { id: number }) => (await couplings.getCoupling(store.knex, c.id))!;
        const a = await get(ok);
        assert.deepEqual(
          [a.toDataverse.result, a.toDataverse.jobId, a.bcModifiedAt?.toISOString(), a.dvHash, a.bcHash],
          ['success', 12, at(1).toISOString(), 'd1', null],
        );
        assert.equal(a.updatedAt.toISOString(), at(9).toISOString());
        const b = await get(failing);
        assert.deepEqual(
          [b.toDataverse.result, b.toDataverse.lastError, b.toDataverse.errorCount, b.skipped],
          ['failure', 'second', 2, false],
        );
        const c = await get(parked);
        assert.deepEqual(
          [c.toDataverse.errorCount, c.skipped, c.skippedAt?.toISOString()],
          [1, true, at(9).toISOString()],
        );
        const d = await get(cleared);
        assert.deepEqual([d.toDataverse.result, d.toDataverse.lastError, d.toDataverse.errorCount], [null, null, 0]);
        const e = await get(touched);
        assert.deepEqual([e.toDataverse.result, e.toDataverse.jobId, e.bcHash], ['success', 12, 'keep']);
        const f = await get(untouched);
        assert.deepEqual([f.toDataverse.jobId, f.updatedAt.toISOString()], [null, t0.toISOString()]);
        assert.deepEqual([b.toBc.result, b.toBc.errorCount], [null, 0], 'the other direction is left alone');
      });

      it('inserts written couplings in bulk, finds who holds an id, and refuses the whole statement on a collision', async () => {
        const existing = await couple(1);
        const fresh = (n: number) => ({
          mapping: 'CUSTOMER',
          bcId: guid(n),
          dvId: guid(100 + n),
          direction: 'to-bc' as const,
          jobId: 3,
          dvModifiedAt: at(n),
          bcHash: `b${n}`,
        });
        await couplings.insertWrittenCouplings(store.knex, [fresh(2), fresh(3)], at(4));
        const row = (await couplings.findByBcIds(store.knex, 'CUSTOMER', [guid(3)])).get(guid(3))!;
        assert.deepEqual(
          [row.dvId, row.toBc.result, row.toBc.jobId, row.toBc.errorCount, row.toDataverse.result, row.bcHash],
          [guid(103), 'success', 3, 0, null, 'b3'],
        );
        assert.deepEqual(
          [row.dvModifiedAt?.toISOString(), row.bcModifiedAt, row.createdAt.toISOString(), row.skipped],
          [at(3).toISOString(), null, at(4).toISOString(), false],
        );
        const holders = await couplings.findHolders(
          store.knex,
          'CUSTOMER',
          [guid(1), guid(50)],
          [guid(102), guid(150)],
        );
        const second = (await couplings.findByBcIds(store.knex, 'CUSTOMER', [guid(2)])).get(guid(2))!;
        assert.deepEqual(
          holders.map((h) => h.id).sort((x, y) => x - y),
          [existing.id, second.id].sort((x, y) => x - y),
          'one by its BC id, one by its Dataverse id',
        );
        await assert.rejects(
          couplings.insertWrittenCouplings(store.knex, [fresh(7), { ...fresh(8), dvId: guid(101) }], t0),
          'the Dataverse id of coupling 1 is taken',
        );
        assert.deepEqual(await couplingsPerMapping(), { CUSTOMER: 3 }, 'nothing of the refused statement is kept');
      });
    });

    describe('watermarks', function () {
      it('starts empty, then only moves forward', async () => {
        assert.equal(await watermarks.getWatermark(store.knex, 'CUSTOMER', 'bc'), undefined);
        assert.equal(
          await watermarks.advanceWatermark(store.knex, {
            mapping: 'CUSTOMER',
            side: 'bc',
            modifiedAt: at(100),
            jobId: 1,
            now: t0,
          }),
          true,
        );
        assert.equal(
          await watermarks.advanceWatermark(store.knex, {
            mapping: 'CUSTOMER',
            side: 'bc',
            modifiedAt: at(50),
            jobId: 2,
            now: t0,
          }),
          false,
        );
        const w = (await watermarks.getWatermark(store.knex, 'CUSTOMER', 'bc'))!;
        assert.equal(w.modifiedAt?.toISOString(), at(100).toISOString());
        assert.equal(w.jobId, 1);
        assert.equal(await watermarks.getWatermark(store.knex, 'CUSTOMER', 'dataverse'), undefined, 'per side');
      });
    });

    describe('sync jobs, errors and audit', function () {
      /** A CUSTOMER job closed with one failed record. */
      const closedFailedJob = async () => {
        const job = await openJob();
        await jobs.closeJob(store.knex, job.id, {
          status: 'completed_with_errors',
          counts: { ...zeroCounts(), inserted: 1, modified: 3, failed: 1 },
          finishedAt: at(1000),
          message: '1 record failed',
        });
        return job.id;
      };
      const laterContactJob = () =>
        openJob({ mapping: 'CONTACT', direction: 'to-bc', mode: 'full', workflowId: 'wf-2', startedAt: at(2000) });

      it('opens one job row per pass even when the opening is retried', async () => {
        const a = await openJob();
        const b = await openJob();
        assert.equal(a.id, b.id);
        assert.equal(a.status, 'running');
        assert.equal((await jobs.listJobs(store.knex)).length, 1);
      });

      it('closes with final counters', async () => {
        const jobId = (await openJob()).id;
        await jobs.closeJob(store.knex, jobId, {
          status: 'completed_with_errors',
          counts: { ...zeroCounts(), inserted: 1, modified: 3, failed: 1 },
          finishedAt: at(1000),
          message: '1 record failed',
        });
        const j = (await jobs.getJob(store.knex, jobId))!;
        assert.deepEqual([j.status, j.inserted, j.modified, j.failed], ['completed_with_errors', 1, 3, 1]);
        assert.equal(j.finishedAt?.toISOString(), at(1000).toISOString());
      });

      it('lists jobs newest first, filtered by mapping and by failures', async () => {
        const jobId = await closedFailedJob();
        const later = await laterContactJob();
        assert.deepEqual(
          (await jobs.listJobs(store.knex)).map((j) => j.id),
          [later.id, jobId],
        );
        assert.deepEqual(
          (await jobs.listJobs(store.knex, { mapping: 'CUSTOMER' })).map((j) => j.id),
          [jobId],
        );
        assert.deepEqual(
          (await jobs.listJobs(store.knex, { failed: true })).map((j) => j.id),
          [jobId],
        );
        assert.deepEqual(
          (await jobs.listJobs(store.knex, { limit: 1 })).map((j) => j.id),
          [later.id],
        );
      });

      it('lists running jobs and closes orphans as abandoned, leaving closed jobs alone', async () => {
        const jobId = await closedFailedJob();
        await laterContactJob();
        const running = await jobs.listRunningJobs(store.knex, 'CONTACT');
        assert.equal(running.length, 1);
        assert.equal(running[0].runId, 'run-1');
        assert.equal(
          await jobs.abandonJob(store.knex, running[0].id, { ...zeroCounts(), modified: 4 }, at(3000), 'run ended'),
          1,
        );
        assert.equal(await jobs.abandonJob(store.knex, jobId, zeroCounts(), at(3000), 'run ended'), 0);
        const abandoned = (await jobs.listJobs(store.knex, { mapping: 'CONTACT' }))[0];
        assert.deepEqual([abandoned.status, abandoned.message, abandoned.modified], ['abandoned', 'run ended', 4]);
        assert.equal((await jobs.getJob(store.knex, jobId))!.status, 'completed_with_errors', 'closed jobs stay');
      });

      /** The error row of BC record guid(2) in `jobId`. */
      const errorOf = (jobId: number) => ({
        jobId,
        mapping: 'CUSTOMER',
        direction: 'to-dataverse' as const,
        sourceId: guid(2),
        destinationId: null,
        message: "Account 'Fabrikam' cannot be created: name is longer than 160 characters",
        detail: '400 0x80044331',
        createdAt: t0,
      });

      it('records one error row per failed record per job, even when the page is retried', async () => {
        const jobId = (await openJob()).id;
        const e = errorOf(jobId);
        await errors.recordErrors(store.knex, [e]);
        await errors.recordErrors(store.knex, [{ ...e, detail: 'second attempt' }]);
        const rows = await errors.listErrors(store.knex, { jobId });
        assert.equal(rows.length, 1);
        assert.equal(rows[0].detail, 'second attempt');
        assert.deepEqual(await errors.failedSourceIds(store.knex, jobId), [guid(2)]);
      });

      it('marks earlier errors resolved by the job that retried them', async () => {
        const jobId = (await openJob()).id;
        await errors.recordErrors(store.knex, [errorOf(jobId)]);
        assert.equal(
          await errors.resolveErrors(store.knex, {
            mapping: 'CUSTOMER',
            direction: 'to-dataverse',
            sourceIds: [guid(2)],
            resolvedByJobId: 999,
          }),
          1,
        );
        assert.equal((await errors.listErrors(store.knex, { jobId }))[0].resolvedByJobId, 999);
        assert.deepEqual(await errors.listErrors(store.knex, { mapping: 'CUSTOMER', unresolvedOnly: true }), []);
      });

      it('keeps the audit trail without duplicates on retry', async () => {
        const jobId = (await openJob()).id;
        const change = {
          jobId,
          mapping: 'CUSTOMER',
          direction: 'to-dataverse' as const,
          sourceId: guid(1),
          destinationId: guid(101),
          field: 'name',
          kind: 'write' as const,
          oldValue: 'Fabrikam',
          newValue: 'Fabrikam Inc.',
          createdAt: t0,
        };
        await audit.recordFieldChanges(store.knex, [change, { ...change, kind: 'conflict-lost', oldValue: 'Fab DV' }]);
        await audit.recordFieldChanges(store.knex, [change]);
        const trail = await audit.listFieldChanges(store.knex, { recordId: guid(101) });
        assert.deepEqual(trail.map((c) => c.kind).sort(), ['conflict-lost', 'write']);
        assert.equal((await audit.listFieldChanges(store.knex, { recordId: guid(1), jobId })).length, 2);
      });
    });

    describe('pending writes', function () {
      it('records an intent before a create, refreshes it on retry and clears it after coupling', async () => {
        const i = {
          mapping: 'CUSTOMER',
          direction: 'to-bc' as const,
          sourceId: guid(201),
          lookupKey: 'number=DV-000201',
          jobId: 1,
          now: t0,
        };
        const a = await pending.recordIntent(store.knex, i);
        const b = await pending.recordIntent(store.knex, { ...i, jobId: 2, now: at(1) });
        assert.equal(a.id, b.id);
        assert.equal(b.jobId, 2);
        assert.equal(b.state, 'intent');
        assert.equal(
          (await pending.findIntents(store.knex, 'CUSTOMER', 'to-bc', [guid(201)])).get(guid(201))?.lookupKey,
          'number=DV-000201',
        );
        await pending.clearIntents(store.knex, 'CUSTOMER', 'to-bc', [guid(201)]);
        assert.equal((await pending.findIntents(store.knex, 'CUSTOMER', 'to-bc', [guid(201)])).size, 0);
      });

      it('records the intents of a page in one statement, refreshing the ones an earlier attempt left', async () => {
        await pending.recordIntent(store.knex, {
          mapping: 'CUSTOMER',
          direction: 'to-bc',
          sourceId: guid(201),
          lookupKey: 'number=OLD',
          jobId: 1,
          now: t0,
        });
        await pending.recordIntents(store.knex, 'CUSTOMER', 'to-bc', 2, at(1), [
          { sourceId: guid(201), lookupKey: 'number=DV-000201' },
          { sourceId: guid(202), lookupKey: 'number=DV-000202' },
        ]);
        const found = await pending.findIntents(store.knex, 'CUSTOMER', 'to-bc', [guid(201), guid(202)]);
        assert.deepEqual([...found.values()].map((i) => [i.sourceId, i.lookupKey, i.jobId, i.state]).sort(), [
          [guid(201), 'number=DV-000201', 2, 'intent'],
          [guid(202), 'number=DV-000202', 2, 'intent'],
        ]);
      });
    });

    describe('pending failures', function () {
      it('records a page of failures of uncoupled records in bulk: streaks go on, new ones start, skip parks', async () => {
        await pendingFailures.recordPendingFailure(store.knex, {
          mapping: 'CUSTOMER',
          direction: 'to-dataverse',
          sourceId: guid(1),
          jobId: 1,
          message: 'name too long',
          skip: false,
          now: t0,
        });
        await pendingFailures.recordPendingFailures(store.knex, 'CUSTOMER', 'to-dataverse', 2, at(5), [
          { sourceId: guid(1), message: 'name too long', skip: true },
          { sourceId: guid(2), message: 'currency not coupled', skip: false },
        ]);
        await pendingFailures.recordPendingFailures(store.knex, 'CUSTOMER', 'to-bc', 2, at(5), [
          { sourceId: guid(1), message: 'other direction', skip: false },
        ]);
        const found = await pendingFailures.findPendingFailures(store.knex, 'CUSTOMER', 'to-dataverse', [
          guid(1),
          guid(2),
        ]);
        const one = found.get(guid(1))!;
        const two = found.get(guid(2))!;
        assert.deepEqual(
          [one.jobId, one.errorCount, one.skipped, one.skippedAt?.toISOString(), one.createdAt.toISOString()],
          [2, 2, true, at(5).toISOString(), t0.toISOString()],
        );
        assert.deepEqual(
          [two.jobId, two.lastError, two.errorCount, two.skipped, two.skippedAt],
          [2, 'currency not coupled', 1, false, null],
        );
        const other = await pendingFailures.findPendingFailures(store.knex, 'CUSTOMER', 'to-bc', [guid(1)]);
        assert.equal(other.get(guid(1))?.errorCount, 1, 'each direction keeps its own streak');
      });
    });

    describe('option mappings', function () {
      it('maps a BC code to one Dataverse value and replaces either side on change', async () => {
        await options.setOptionMapping(
          store.knex,
          { optionSet: 'PAYMENT TERMS', bcCode: '14 DAYS', dvValue: 1, dvLabel: 'Net 14' },
          t0,
        );
        await options.setOptionMapping(
          store.knex,
          { optionSet: 'PAYMENT TERMS', bcCode: '30 DAYS', dvValue: 2, dvLabel: 'Net 30' },
          t0,
        );
        await options.setOptionMapping(
          store.knex,
          { optionSet: 'PAYMENT TERMS', bcCode: 'NET30', dvValue: 2, dvLabel: 'Net 30' },
          t0,
        );
        assert.deepEqual(
          (await options.listOptionMappings(store.knex, 'PAYMENT TERMS')).map((m) => [m.bcCode, m.dvValue]),
          [
            ['14 DAYS', 1],
            ['NET30', 2],
          ],
        );
      });

      it('lists every option set in order and deletes the pairs of codes that are gone', async () => {
        await options.setOptionMapping(
          store.knex,
          { optionSet: 'SHIPPING AGENT', bcCode: 'UPS', dvValue: 4, dvLabel: 'UPS' },
          t0,
        );
        await options.setOptionMapping(
          store.knex,
          { optionSet: 'PAYMENT TERMS', bcCode: 'COD', dvValue: 7, dvLabel: null },
          t0,
        );
        await options.setOptionMapping(
          store.knex,
          { optionSet: 'PAYMENT TERMS', bcCode: '14 DAYS', dvValue: 1, dvLabel: 'Net 14' },
          t0,
        );
        assert.deepEqual(
          (await options.listOptionMappings(store.knex)).map((m) => [m.optionSet, m.bcCode, m.dvValue, m.dvLabel]),
          [
            ['PAYMENT TERMS', '14 DAYS', 1, 'Net 14'],
            ['PAYMENT TERMS', 'COD', 7, null],
            ['SHIPPING AGENT', 'UPS', 4, 'UPS'],
          ],
        );
        assert.equal(await options.deleteOptionMappings(store.knex, 'PAYMENT TERMS', ['COD', 'UPS']), 1);
        assert.equal(await options.deleteOptionMappings(store.knex, 'PAYMENT TERMS', []), 0);
        assert.deepEqual(
          (await options.listOptionMappings(store.knex)).map((m) => m.bcCode),
          ['14 DAYS', 'UPS'],
        );
      });
    });

    describe('sync pages', function () {
      it('stores a page result once and returns it to a retried page', async () => {
        assert.equal(await pages.getPageResult(store.knex, 1, 0), undefined);
        await pages.savePageResult(store.knex, 1, 0, { counts: { inserted: 2 }, next: { phase: 'done' } }, t0);
        assert.deepEqual(await pages.getPageResult(store.knex, 1, 0), {
          counts: { inserted: 2 },
          next: { phase: 'done' },
        });
        await assert.rejects(pages.savePageResult(store.knex, 1, 0, {}, t0), 'a page commits once');
        await pages.savePageResult(store.knex, 1, 1, { counts: { inserted: 3 } }, t0);
        assert.deepEqual(await pages.listPageResults(store.knex, 1), [
          { counts: { inserted: 2 }, next: { phase: 'done' } },
          { counts: { inserted: 3 } },
        ]);
      });

      it('replaces a page result part by part, and refuses a part whose attempt read an older result', async () => {
        const first = await pages.replacePageResult(store.knex, 1, 0, null, { inserted: 2, parts: 1 }, t0);
        await assert.rejects(pages.replacePageResult(store.knex, 1, 0, null, { inserted: 9, parts: 1 }, t0));
        const second = await pages.replacePageResult(store.knex, 1, 0, first, { inserted: 5, parts: 2 }, at(1));
        assert.deepEqual(await pages.readPageResult(store.knex, 1, 0), {
          result: { inserted: 5, parts: 2 },
          text: second,
        });
        await assert.rejects(
          pages.replacePageResult(store.knex, 1, 0, first, { inserted: 7, parts: 2 }, at(2)),
          pages.PageResultConflictError,
        );
        assert.deepEqual(await pages.listPageResults(store.knex, 1), [{ inserted: 5, parts: 2 }]);
      });

      it('stores the read and the plans of a page of 5,000 records whole', async () => {
        // SYNC_PAGE_SIZE allows 5,000: 5,000 ids and three attempts' plans are far more than a TEXT column holds.
        const key = { jobId: 11, pageNo: 0, part: 1 };
        const ids = Array.from(
          { length: 5000 },
          (_, i) => `0000${String(i).padStart(4, '0')}-7a1b-4c2d-8e3f-${'a'.repeat(12)}`,
        );
        const read = { sourceIds: ids, next: { phase: 'done' }, maxModifiedAt: null };
        await pages.recordPageRead(store.knex, key, read, t0);
        for (const attempt of [1, 2, 3]) {
          const plan = Object.fromEntries(ids.map((id) => [id, `${attempt}`.repeat(64)]));
          await pages.recordPlannedHashes(store.knex, key, plan);
        }
        const stored = await pages.getPageRead(store.knex, key);
        assert.equal(stored?.sourceIds.length, 5000);
        assert.deepEqual(
          stored?.plannedHashes?.[ids[4999]],
          ['1', '2', '3'].map((d) => d.repeat(64)),
        );
        // A page result names up to 200 pairs, ambiguities and unmatched records each (match pages).
        const big = { pairs: Array.from({ length: 600 }, (_, i) => ({ id: ids[i], title: 'x'.repeat(200) })) };
        await pages.savePageResult(store.knex, 11, 0, big, t0);
        assert.deepEqual(await pages.getPageResult(store.knex, 11, 0), big);
      });

      it("keeps a part's first read and every attempt's plan for the attempt that redoes it, until the pass is closed", async () => {
        const key = { jobId: 7, pageNo: 0, part: 2 };
        assert.equal(await pages.getPageRead(store.knex, key), undefined);
        const read = { sourceIds: ['a', 'b'], next: { phase: 'done' }, maxModifiedAt: '2026-12-01T10:00:00.000Z' };
        await pages.recordPageRead(store.knex, key, read, t0);
        await pages.recordPageRead(store.knex, key, { ...read, sourceIds: ['c'] }, at(1));
        assert.deepEqual(await pages.getPageRead(store.knex, key), read, 'a redo does not replace the first read');
        await pages.recordPlannedHashes(store.knex, key, { a: 'h1', b: 'h3' });
        await pages.recordPlannedHashes(store.knex, key, { a: 'h2', b: 'h3' });
        await pages.recordPlannedHashes(store.knex, key, { a: 'h1' });
        assert.deepEqual(
          await pages.getPageRead(store.knex, key),
          { ...read, plannedHashes: { a: ['h1', 'h2'], b: ['h3'] } },
          "a redo's plan is added to the first one's",
        );
        await Promise.all(['h4', 'h5', 'h6'].map((h) => pages.recordPlannedHashes(store.knex, key, { b: h })));
        assert.deepEqual(
          [...((await pages.getPageRead(store.knex, key))?.plannedHashes?.b ?? [])].sort(),
          ['h3', 'h4', 'h5', 'h6'],
          'plans recorded at once are all kept',
        );
        await pages.recordPageRead(store.knex, { ...key, jobId: 8 }, read, t0);
        await pages.recordPlannedHashes(store.knex, { ...key, jobId: 9 }, { a: 'h1' });
        assert.equal(await pages.getPageRead(store.knex, { ...key, jobId: 9 }), undefined, 'no plan without a read');
        await pages.clearPageReads(store.knex, 7);
        assert.equal(await pages.getPageRead(store.knex, key), undefined);
        assert.ok(await pages.getPageRead(store.knex, { ...key, jobId: 8 }), 'other jobs keep theirs');
      });
    });

    describe('sync leases', function () {
      const ttlMs = 60_000;
      const claim = (workflowId: string, now: Date, mapping = 'CUSTOMER') =>
        leases.claimLease(store.knex, { mapping, workflowId, runId: `${workflowId}-run`, now, ttlMs });

      it('gives a mapping to one of several runs claiming it at once, and refuses the others naming the holder', async () => {
        const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => claim(`wf-${i}`, t0)));
        const won = outcomes.filter((o) => o.acquired);
        assert.equal(won.length, 1, 'exactly one run holds the mapping');
        const holder = (await leases.getLease(store.knex, 'CUSTOMER'))!;
        for (const o of outcomes) if (!o.acquired) assert.equal(o.holder.ownerWorkflowId, holder.ownerWorkflowId);
        assert.deepEqual([holder.acquiredAt, holder.expiresAt], [t0, at(ttlMs)]);
        assert.deepEqual(await claim('wf-x', t0, 'CONTACT'), { acquired: true }, 'another mapping is free');
      });

      it('renews the lease for its owner (keeping its start), and hands an expired one to another run', async () => {
        assert.deepEqual(await claim('wf-a', t0), { acquired: true });
        assert.deepEqual(await claim('wf-a', at(1000)), { acquired: true });
        let lease = (await leases.getLease(store.knex, 'CUSTOMER'))!;
        assert.deepEqual([lease.acquiredAt, lease.expiresAt], [t0, at(1000 + ttlMs)]);
        const refused = await claim('wf-b', at(ttlMs));
        assert.equal(refused.acquired, false, 'not expired yet');
        assert.deepEqual(await claim('wf-b', at(1000 + ttlMs)), { acquired: true }, 'expired: taken over');
        lease = (await leases.getLease(store.knex, 'CUSTOMER'))!;
        assert.deepEqual([lease.ownerWorkflowId, lease.acquiredAt], ['wf-b', at(1000 + ttlMs)]);
        assert.equal((await claim('wf-a', at(2000 + ttlMs))).acquired, false, 'the old owner lost it');
      });

      it('releases only its own lease, and takes over only the lease of the run named as ended', async () => {
        await claim('wf-a', t0);
        await leases.releaseLease(store.knex, 'CUSTOMER', 'wf-b');
        assert.equal((await leases.getLease(store.knex, 'CUSTOMER'))?.ownerWorkflowId, 'wf-a');
        const b = { mapping: 'CUSTOMER', workflowId: 'wf-b', runId: 'b', now: at(1), ttlMs };
        assert.equal(await leases.takeOverLease(store.knex, b, 'wf-c'), false);
        assert.equal(await leases.takeOverLease(store.knex, b, 'wf-a'), true);
        await leases.releaseLease(store.knex, 'CUSTOMER', 'wf-b');
        assert.equal(await leases.getLease(store.knex, 'CUSTOMER'), null);
      });
    });
  });
}
