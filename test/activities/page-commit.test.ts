/**
 * The page commit (activities/page/commit.ts) on its own, on both store dialects: pages of records decided by hand
 * are committed, and the test reads back what a user would see — counters, coupling rows, pending failures, error and
 * audit rows — and how many statements the commit sent (set-based: a handful per page, not several per record). On
 * MySQL, a coupling whose id a concurrent transaction takes after the commit checked it fails that record alone.
 */
import assert from 'node:assert/strict';
import { commitPage } from '../../activities/page/commit';
import type { Item, PageWork } from '../../activities/page/work';
import type { RecordDecision } from '../../engine';
import type { PassDirection } from '../../engine/run-types';
import type { IntegrationTableMapping } from '../../mappings';
import * as couplings from '../../store/couplings';
import type { Store } from '../../store/database';
import { listFieldChanges } from '../../store/field-changes';
import { migrateLatest } from '../../store/migrate';
import { findPendingFailures, recordPendingFailure } from '../../store/pending-failures';
import { listErrors } from '../../store/sync-errors';
import { openJob } from '../../store/sync-jobs';
import { eventually } from '../support/env';
import { mappingsWith } from '../support/sync-stack';
import { openFreshStore } from '../support/stores';

const t0 = new Date('2026-12-01T10:00:00.000Z');
const bcId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const dvId = (n: number) => `11111111-0000-4000-8000-${String(n).padStart(12, '0')}`;
const mapping: IntegrationTableMapping = mappingsWith().find((m) => m.name === 'CUSTOMER')!;
const direction: PassDirection = 'to-dataverse';

/** BC customer `n` as the source of a page. */
const source = (n: number) => ({ id: bcId(n), displayName: `Customer ${n}`, lastModifiedDateTime: t0.toISOString() });

/** Customer `n` created as account `dvId(dest)` (Dataverse answered with the row), with one audit row. */
function created(n: number, dest = n): Item {
  const decision = {
    kind: 'insert',
    counter: 'inserted',
    couplingResult: 'success',
    write: {
      operation: 'create',
      destinationId: dvId(dest),
      createKey: null,
      payload: { name: `Customer ${n}` },
      changes: [
        { fieldIndex: 0, field: 'name', sourceField: 'displayName', oldValue: null, newValue: `Customer ${n}` },
      ],
    },
    hashes: { bcHash: `b${n}`, dvHash: `d${n}` },
  } as unknown as RecordDecision;
  return {
    sourceId: bcId(n),
    source: source(n),
    row: undefined,
    pending: undefined,
    decision,
    destination: null,
    written: { accountid: dvId(dest), modifiedon: t0.toISOString() },
  };
}

/** Coupled customer `row` updated, or failed by the engine with `failure`. */
function coupled(row: couplings.Coupling, n: number, failure?: string): Item {
  const decision = failure
    ? ({
        kind: 'fail',
        counter: 'failed',
        failure: { message: failure, normalizedMessage: failure, skip: false },
      } as const)
    : ({
        kind: 'update',
        counter: 'modified',
        couplingResult: 'success',
        write: {
          operation: 'update',
          destinationId: row.dvId,
          createKey: null,
          payload: { name: `Renamed ${n}` },
          changes: [
            { fieldIndex: 0, field: 'name', sourceField: 'displayName', oldValue: 'x', newValue: `Renamed ${n}` },
          ],
        },
        hashes: { bcHash: `b${n}'` },
        bothChanged: false,
      } as const);
  return {
    sourceId: row.bcId,
    source: source(n),
    row,
    pending: undefined,
    decision: decision as unknown as RecordDecision,
    destination: null,
    written: failure ? undefined : { accountid: row.dvId, modifiedon: t0.toISOString() },
  };
}

for (const dialect of ['mysql', 'sqlite'] as const) {
  describe(`the page commit on ${dialect}`, function () {
    this.timeout(60_000);
    let store: Store;
    let statements = 0;
    let jobs = 0;
    before(async () => {
      store = await openFreshStore(dialect);
      await migrateLatest(store);
      store.knex.on('query', () => void (statements += 1));
    });
    after(async () => store.close());
    beforeEach(async () => {
      for (const table of ['couplings', 'pending_failures', 'sync_errors', 'field_changes', 'sync_pages']) {
        await store.knex(table).del();
      }
    });

    async function page(records: Item[], requestedIds: string[] | null = null): Promise<PageWork> {
      jobs += 1;
      const job = await openJob(store.knex, {
        idempotencyKey: `page-commit/${jobs}`,
        mapping: mapping.name,
        direction,
        type: 'sync',
        mode: 'incremental',
        workflowId: 'wf',
        runId: String(jobs),
        startedAt: t0,
      });
      return {
        mapping,
        direction,
        mode: 'incremental',
        jobId: job.id,
        pageNo: 0,
        passStartedAt: t0.toISOString(),
        recordIds: null,
        records: records.map((i) => i.source),
        requestedIds,
        phase: requestedIds ? 'retry' : 'changed',
        next: { phase: 'done' },
        maxModifiedAt: null,
        progress: null,
      };
    }

    const couple = (n: number) =>
      couplings.insertCoupling(store.knex, { mapping: mapping.name, bcId: bcId(n), dvId: dvId(n), now: t0 });

    it('commits a page of 200 creates and a mix of updates and failures with a few statements, not several per record', async () => {
      const creates = Array.from({ length: 200 }, (_, n) => created(n + 1));
      const work = await page(creates);
      statements = 0;
      const result = await commitPage(store.knex, work, creates, 'id', t0);
      assert.equal(result.total.counts.inserted, 200);
      assert.equal(result.total.counts.coupled, 200);
      assert.ok(statements <= 12, `${statements} statements for a page of 200 creates`);
      const row = (await couplings.findByBcIds(store.knex, mapping.name, [bcId(7)])).get(bcId(7))!;
      assert.deepEqual(
        [row.dvId, row.toDataverse.result, row.toDataverse.jobId, row.bcHash, row.dvHash, row.toBc.result],
        [dvId(7), 'success', work.jobId, 'b7', 'd7', null],
      );
      assert.equal(row.dvModifiedAt?.toISOString(), t0.toISOString());
      assert.equal((await listFieldChanges(store.knex, { mapping: mapping.name, recordId: dvId(7) })).length, 1);

      // The next page: 100 updates, 99 engine failures of coupled records and one gone record, on the same couplings.
      const rows = [
        ...(
          await couplings.findByBcIds(
            store.knex,
            mapping.name,
            creates.map((i) => i.sourceId),
          )
        ).values(),
      ];
      rows.sort((a, b) => a.bcId.localeCompare(b.bcId));
      const mixed = rows
        .slice(0, 199)
        .map((r, n) => (n < 100 ? coupled(r, n + 1) : coupled(r, n + 1, 'currency not coupled')));
      const second = await page(mixed, [...mixed.map((i) => i.sourceId), rows[199].bcId]);
      statements = 0;
      const next = await commitPage(store.knex, second, mixed, 'id', t0);
      assert.deepEqual(
        [next.total.counts.modified, next.total.counts.failed, next.total.counts.inserted],
        [100, 100, 0],
      );
      assert.ok(statements <= 16, `${statements} statements for a mixed page of 200`);
      const after = await couplings.findByBcIds(store.knex, mapping.name, [bcId(1), bcId(150), bcId(200)]);
      assert.deepEqual([after.get(bcId(1))!.toDataverse.result, after.get(bcId(1))!.bcHash], ['success', "b1'"]);
      const failed = after.get(bcId(150))!;
      assert.deepEqual(
        [failed.toDataverse.result, failed.toDataverse.lastError, failed.toDataverse.errorCount, failed.dvHash],
        ['failure', 'currency not coupled', 1, 'd150'],
      );
      const gone = after.get(bcId(200))!;
      assert.deepEqual([gone.toDataverse.result, gone.toDataverse.lastError], ['failure', 'source record not found']);
      assert.equal((await listErrors(store.knex, { jobId: second.jobId, limit: 1000 })).length, 100);
    });

    it('fails a record whose account is already coupled, in the store or earlier in the same page, and couples the rest', async () => {
      await couple(1); // customer 1 ↔ account 1
      await recordPendingFailure(store.knex, {
        mapping: mapping.name,
        direction,
        sourceId: bcId(3),
        jobId: 1,
        message: 'an earlier failure',
        skip: false,
        now: t0,
      });
      // Customer 2 wants account 1 (held in the store), customer 3 account 4, customer 4 account 4 (taken by 3).
      const items = [created(2, 1), created(3, 4), created(4, 4), created(5)];
      const result = await commitPage(store.knex, await page(items), items, 'id', t0);
      assert.deepEqual(
        [result.total.counts.inserted, result.total.counts.failed, result.total.counts.coupled],
        [2, 2, 2],
      );
      const rows = await couplings.findByBcIds(store.knex, mapping.name, [bcId(1), bcId(2), bcId(3), bcId(4), bcId(5)]);
      assert.deepEqual([...rows.values()].map((r) => [r.bcId, r.dvId]).sort(), [
        [bcId(1), dvId(1)],
        [bcId(3), dvId(4)],
        [bcId(5), dvId(5)],
      ]);
      const pending = await findPendingFailures(store.knex, mapping.name, direction, [bcId(2), bcId(3), bcId(4)]);
      assert.deepEqual([...pending.keys()].sort(), [bcId(2), bcId(4)], 'the coupled record leaves the retry set');
      assert.match(pending.get(bcId(4))!.lastError!, /already coupled to another record in CUSTOMER/);
      const audit = await listFieldChanges(store.knex, { mapping: mapping.name, recordId: dvId(4) });
      assert.deepEqual(
        audit.map((a) => a.sourceId),
        [bcId(3)],
        'no audit row for a record that was not coupled',
      );
    });

    if (dialect === 'mysql') {
      it('fails only the record whose account a concurrent transaction coupled after the check', async function () {
        // Another writer couples customer 90 to account 2 and holds its transaction open: the page's check cannot see
        // that row yet, so its bulk insert waits on the unique key and then collides.
        const other = await store.knex.transaction();
        let committed: Promise<unknown> | undefined;
        try {
          await other('couplings').insert({
            mapping: mapping.name,
            bc_id: bcId(90),
            dv_id: dvId(2),
            created_at: t0,
            updated_at: t0,
          });
          const items = [created(1), created(2), created(3)];
          const work = await page(items);
          const committing = commitPage(store.knex, work, items, 'id', t0);
          committed = committing.catch(() => undefined);
          const database = (await store.knex.raw('SELECT DATABASE() AS db'))[0][0].db as string;
          await eventually(async () => {
            const [waiting] = await store.knex.raw(
              `SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX t
                 JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
                WHERE t.trx_state = 'LOCK WAIT' AND p.DB = ?`,
              [database],
            );
            return Number((waiting as Array<{ n: unknown }>)[0].n) > 0;
          }, 'the page commit to wait on the other transaction');
          await other.commit();
          const result = await committing;
          assert.deepEqual([result.total.counts.inserted, result.total.counts.failed], [2, 1]);
          const rows = await couplings.findByDvIds(store.knex, mapping.name, [dvId(1), dvId(2), dvId(3)]);
          assert.deepEqual(
            [...rows.values()].map((r) => [r.bcId, r.dvId]).sort(),
            [
              [bcId(90), dvId(2)],
              [bcId(1), dvId(1)],
              [bcId(3), dvId(3)],
            ].sort(),
          );
          const pending = await findPendingFailures(store.knex, mapping.name, direction, [bcId(2)]);
          assert.match(pending.get(bcId(2))!.lastError!, /already coupled to another record/);
        } finally {
          if (!other.isCompleted()) await other.rollback();
          await committed;
        }
      });
    }
  });
}
