/**
 * The sync activities called directly (MockActivityEnvironment) against a fresh SQLite store and in-process
 * emulators over HTTP: what one page commits, what a retried page returns, and where finishPass leaves the watermark.
 * No Temporal server: a failure here names the activity layer.
 */
import assert from 'node:assert/strict';
import type { SyncMetricsRecorder } from '../../activities/deps';
import type { PassCursor, PassDirection } from '../../engine/run-types';
import { zeroCounts } from '../../engine/run-types';
import { listErrors } from '../../store/sync-errors';
import { getJob } from '../../store/sync-jobs';
import { getPageResult } from '../../store/sync-pages';
import { getWatermark } from '../../store/watermarks';
import { eventually } from '../support/env';
import { setFaults } from '../support/sync-stack';
import {
  accountFilter,
  type ActivityFixture,
  allOf,
  customerMappings,
  openCustomerPass,
  startActivityFixture,
} from './support';

/** Dataverse-only accounts and no overlap: every account is new to Business Central. */
const seed = { customers: 2, contactsPerCustomer: 0, overlapFraction: 0, dataverseOnlyAccounts: 4 };

describe('the sync activities (MockActivityEnvironment, SQLite, emulators)', function () {
  this.timeout(60_000);
  let f: ActivityFixture;
  let n = 0;
  /** What the activities reported to the sync metrics in this test. */
  let reported: {
    records: Parameters<SyncMetricsRecorder['recordsCommitted']>[0][];
    passes: Parameters<SyncMetricsRecorder['passClosed']>[0][];
  };

  beforeEach(async () => {
    reported = { records: [], passes: [] };
    const metrics: SyncMetricsRecorder = {
      recordsCommitted: (e) => reported.records.push(e),
      passClosed: (e) => reported.passes.push(e),
    };
    f = await startActivityFixture({ seed, mappings: customerMappings(), overlapMs: 5000, metrics });
  });
  afterEach(async () => f.close());

  /**
   * Opens a pass of CUSTOMER in `direction` (a fresh run of workflow `wf` each time, so the previous run has ended and
   * its mapping lease is the new run's) and the input of its first page.
   */
  async function openPass(direction: PassDirection, mode: 'incremental' | 'records' = 'incremental') {
    return openPassOn(f, direction, mode);
  }

  /** `openPass` on fixture `fx`. */
  async function openPassOn(
    fx: ActivityFixture,
    direction: PassDirection,
    mode: 'incremental' | 'records' = 'incremental',
  ) {
    n += 1;
    return openCustomerPass(fx, { direction, mode, workflowId: 'wf', runId: `run-${n}` });
  }

  describe('syncPage', () => {
    it('commits the good records of a page and one error row for the bad one', async () => {
      const accounts = await allOf(f, 'dv', 'accounts', accountFilter);
      assert.equal(accounts.length, 4);
      const bad = accounts[1];
      await f.connectors.dv.update('accounts', bad.accountid as string, { name: 'N'.repeat(150) }, '*');

      const { jobId, page } = await openPass('to-bc');
      const result = await f.call('syncPage', page);

      assert.deepEqual(result.counts, { ...zeroCounts(), inserted: 3, failed: 1, coupled: 3 });
      assert.deepEqual(result.next, { phase: 'done' } satisfies PassCursor);

      const customers = await allOf(f, 'bc', 'customers');
      const rows = await f.store.knex('couplings').where({ mapping: 'CUSTOMER' }).orderBy('id');
      const good = accounts.filter((a) => a !== bad);
      assert.deepEqual(rows.map((r) => r.dv_id as string).sort(), good.map((a) => a.accountid as string).sort());
      for (const row of rows) {
        // Whole couplings: both ids, each naming a record that exists, with the names carried over.
        const account = good.find((a) => a.accountid === row.dv_id)!;
        const customer = customers.find((c) => c.id === row.bc_id);
        assert.ok(customer, `the customer ${String(row.bc_id)} of the coupling exists`);
        assert.equal(customer.displayName, account.name);
        assert.equal(row.to_bc_result, 'success');
      }
      assert.equal(customers.filter((c) => String(c.displayName).startsWith('NNN')).length, 0);

      const errors = await listErrors(f.store.knex, { jobId });
      assert.deepEqual(
        errors.map((e) => [e.mapping, e.direction, e.sourceId, e.destinationId]),
        [['CUSTOMER', 'to-bc', bad.accountid, null]],
      );
      assert.equal(
        errors[0].message,
        `Dataverse account '${'N'.repeat(150)}' cannot be synchronized to Business Central: name is 150 characters long ` +
          `('${'N'.repeat(40)}…'), but the customer field displayName allows at most 100; shorten it in the source record`,
      );
      assert.deepEqual(await getPageResult(f.store.knex, jobId, 0), { ...result, parts: 1 });
    });

    it('returns the stored result when a committed page is retried, without reading or writing again', async () => {
      const { page } = await openPass('to-bc');
      const first = await f.call('syncPage', page);
      assert.equal(first.counts.inserted, 4);
      const customersAfterFirst = (await allOf(f, 'bc', 'customers')).length;
      // A change that a re-processed page would pick up and write.
      const [account] = await allOf(f, 'dv', 'accounts', accountFilter);
      await f.connectors.dv.update('accounts', account.accountid as string, { name: 'Changed after the page' }, '*');

      const before = f.requests();
      const retried = await f.call('syncPage', page);
      assert.deepEqual(retried, first);
      assert.equal(f.requests(), before, 'the retry sent no request');
      assert.equal((await allOf(f, 'bc', 'customers')).length, customersAfterFirst);
      // The metrics count what was committed: the first attempt's page, once.
      assert.deepEqual(reported.records, [{ mapping: 'CUSTOMER', direction: 'to-bc', counts: first.counts }]);
    });
  });

  describe('a Dataverse→BC create whose commit never happened', () => {
    it('is coupled to its Dataverse row by the next BC→Dataverse pass, which writes nothing over the row', async () => {
      // The attempt creates the customers, then dies before its commit; the pass is not retried (its accounts changed
      // meanwhile, so a retry reading up to the pass start would not see them again).
      let died = false;
      const dying = await startActivityFixture({
        seed,
        mappings: customerMappings(),
        sync: {
          faults: {
            afterDestinationWrite: () => {
              if (died) return;
              died = true;
              throw new Error('worker died after the creates');
            },
          },
        },
      });
      try {
        const { page } = await openPassOn(dying, 'to-bc');
        await assert.rejects(dying.call('syncPage', page), /worker died/);
        const orphans = (await allOf(dying, 'bc', 'customers')).filter((c) => String(c.number).startsWith('DV'));
        assert.equal(orphans.length, 4, 'the attempt created the four customers');
        const [account] = await allOf(dying, 'dv', 'accounts', accountFilter);
        await dying.connectors.dv.update('accounts', account.accountid as string, { telephone1: '+47 55501234' }, '*');

        // The next run: BC→Dataverse first.
        const toDv = await openPassOn(dying, 'to-dataverse');
        await dying.call('syncPage', toDv.page);
        const after = (await allOf(dying, 'dv', 'accounts', accountFilter)).find(
          (a) => a.accountid === account.accountid,
        );
        assert.equal(after?.telephone1, '+47 55501234', "the account's newer phone number is not overwritten");
        const rows = await dying.store.knex('couplings').where({ mapping: 'CUSTOMER' });
        const row = rows.find((r) => r.dv_id === account.accountid);
        assert.ok(
          row && orphans.some((c) => c.id === row.bc_id),
          'the orphan is coupled to the account it was made from',
        );

        // Then Dataverse→BC carries the account's current values to its customer.
        const toBc = await openPassOn(dying, 'to-bc');
        assert.equal((await dying.call('syncPage', toBc.page)).counts.failed, 0);
        const customers = await allOf(dying, 'bc', 'customers');
        assert.equal(customers.find((c) => c.id === row.bc_id)?.phoneNumber, '+47 55501234');
        assert.equal(customers.length, 2 + 4, 'no customer created twice');
        assert.deepEqual(await dying.store.knex('pending_writes').select('source_id'), [], 'no intent left open');
      } finally {
        await dying.close();
      }
    });
  });

  describe('a forced records page (bcsync sync-record)', () => {
    it('wins an update conflict for the chosen side, where a scheduled page reports it', async () => {
      const first = await openPass('to-bc');
      assert.equal((await f.call('syncPage', first.page)).counts.inserted, 4);
      const [account] = await allOf(f, 'dv', 'accounts', accountFilter);
      const row = await f.store.knex('couplings').where({ mapping: 'CUSTOMER', dv_id: account.accountid }).first();
      // Both sides change the name: a conflict under the default policy.
      await f.connectors.dv.update('accounts', account.accountid as string, { name: 'Renamed in Dataverse' }, '*');
      await f.connectors.bc.update('customers', row.bc_id as string, '*', { displayName: 'Renamed in BC' });

      const scheduled = await openPass('to-bc');
      assert.equal((await f.call('syncPage', scheduled.page)).counts.failed, 1);
      const forced = await openPass('to-bc', 'records');
      const result = await f.call('syncPage', {
        ...forced.page,
        cursor: { phase: 'records', recordIndex: 0 },
        recordIds: [account.accountid as string],
        force: true,
      });
      assert.deepEqual(result.counts, { ...zeroCounts(), modified: 1 });
      const customer = (await allOf(f, 'bc', 'customers')).find((c) => c.id === row.bc_id);
      assert.equal(customer?.displayName, 'Renamed in Dataverse');
    });
  });

  /** A finished to-bc pass that couples the fixture's four accounts to new customers. */
  async function coupleAccountsToNewCustomers() {
    const first = await openPass('to-bc');
    assert.equal((await f.call('syncPage', first.page)).counts.inserted, 4);
    await f.call('finishPass', {
      mapping: 'CUSTOMER',
      direction: 'to-bc',
      mode: 'incremental',
      jobId: first.jobId,
      passStartedAt: first.passStartedAt,
      maxModifiedAt: null,
      counts: zeroCounts(),
    });
  }

  describe('an update whose answer was lost', () => {
    it('is done, not failed, when Business Central applied it before the connection reset', async () => {
      await coupleAccountsToNewCustomers();
      // Then change two of them in Dataverse.
      const accounts = await allOf(f, 'dv', 'accounts', accountFilter);
      const changed = accounts.slice(0, 2);
      for (const [i, a] of changed.entries()) {
        await f.connectors.dv.update('accounts', a.accountid as string, { name: `Renamed account ${i}` }, '*');
      }
      // The emulator applies the batch's updates, then drops the connection instead of answering: the retry's
      // If-Match no longer matches (409 "Another user has already changed the record").
      await setFaults(f.emulators.bc.url, [{ method: 'PATCH', resetConnection: true, count: 1 }]);

      const { jobId, page } = await openPass('to-bc');
      const result = await f.call('syncPage', page);

      const faults = (await (await fetch(`${f.emulators.bc.url}/__emulator/stats`)).json()) as { faulted: number };
      assert.equal(faults.faulted, 1, `the reset struck: ${JSON.stringify({ result, faults })}`);
      assert.equal(result.counts.failed, 0, JSON.stringify(await listErrors(f.store.knex, { jobId })));
      assert.equal(result.counts.modified, 2);
      const customers = await allOf(f, 'bc', 'customers');
      const rows = await f.store.knex('couplings').where({ mapping: 'CUSTOMER' });
      for (const [i, a] of changed.entries()) {
        const row = rows.find((r) => r.dv_id === a.accountid)!;
        assert.equal(customers.find((c) => c.id === row.bc_id)?.displayName, `Renamed account ${i}`);
        assert.equal(row.to_bc_result, 'success');
      }
    });
  });

  describe('an update whose answer was lost, and a user change made after it', () => {
    it("keeps that change pending: the next pass carries it back instead of taking it for the sync's own write", async () => {
      await coupleAccountsToNewCustomers();
      const [account] = await allOf(f, 'dv', 'accounts', accountFilter);
      await f.connectors.dv.update('accounts', account.accountid as string, { name: 'Renamed account' }, '*');
      const row = (await f.store.knex('couplings').where({ mapping: 'CUSTOMER', dv_id: account.accountid }))[0];
      // Business Central applies the batch and drops the connection; the connector reads the customer back, and a
      // user changes its phone just before that read is answered (every read of customer cards takes 1.5 s from here).
      await setFaults(f.emulators.bc.url, [
        { method: 'PATCH', resetConnection: true, count: 1 },
        { method: 'GET', entitySet: 'customerCards', latencyMs: 1500 },
      ]);
      const { page } = await openPass('to-bc');
      const syncing = f.call('syncPage', page);
      const stats = async () =>
        (await (await fetch(`${f.emulators.bc.url}/__emulator/stats`)).json()) as { faulted: number; delayed: number };
      await eventually(async () => (await stats()).faulted === 1, 'the reset to strike', 30_000);
      await f.connectors.bc.update('customers', row.bc_id, '*', { phoneNumber: '+47 99 00 00 09' });
      const result = await syncing;
      await setFaults(f.emulators.bc.url, []);
      assert.deepEqual([result.counts.modified, result.counts.failed], [1, 0]);

      // The next BC→Dataverse pass finds the phone changed and carries it; nothing is lost, nothing conflicts.
      const next = await openPass('to-dataverse');
      const carried = await f.call('syncPage', next.page);
      assert.deepEqual([carried.counts.modified, carried.counts.failed], [1, 0]);
      const after = (await f.connectors.dv.get('accounts', account.accountid as string))!;
      assert.deepEqual([after.name, after.telephone1], ['Renamed account', '+47 99 00 00 09']);
    });
  });

  describe('match before create in the Dataverse→BC pass', () => {
    it('couples a look-alike customer without writing over it, and the next BC→Dataverse pass gives the account its values', async () => {
      const g = await startActivityFixture({
        seed: { customers: 2, contactsPerCustomer: 0, overlapFraction: 1, dataverseOnlyAccounts: 0 },
        mappings: customerMappings({ matchOn: [{ bcField: 'displayName', dvField: 'name' }] }),
      });
      try {
        const customers = await allOf(g, 'bc', 'customers');
        const accounts = await allOf(g, 'dv', 'accounts', accountFilter);
        const pairs = customers.flatMap((c) => {
          const a = accounts.find((x) => x.name === c.displayName);
          return a ? [{ c, a }] : [];
        });
        assert.ok(pairs.length >= 1, 'the seed has look-alikes');
        // The customer changed after the BC→Dataverse pass read its records: it differs from its look-alike.
        const { c, a } = pairs[0];
        await g.connectors.bc.update('customers', c.id as string, '*', { phoneNumber: '+47 99 00 00 07' });

        const toBc = await openCustomerPass(g, { direction: 'to-bc', workflowId: 'wf', runId: 'r1' });
        const coupled = await g.call('syncPage', toBc.page);
        assert.deepEqual(
          [coupled.counts.coupled, coupled.counts.modified, coupled.counts.inserted],
          [pairs.length, 0, 0],
        );
        const customer = (await allOf(g, 'bc', 'customers')).find((x) => x.id === c.id)!;
        assert.equal(customer.phoneNumber, '+47 99 00 00 07', 'nothing was written over the customer');
        const row = (await g.store.knex('couplings').where({ mapping: 'CUSTOMER', bc_id: c.id }))[0];
        assert.equal(row.dv_id, a.accountid);

        const toDv = await openCustomerPass(g, { direction: 'to-dataverse', workflowId: 'wf', runId: 'r2' });
        const carried = await g.call('syncPage', toDv.page);
        assert.equal(carried.counts.failed, 0);
        const account = (await g.connectors.dv.get('accounts', a.accountid as string))!;
        assert.equal(account.telephone1, '+47 99 00 00 07');
      } finally {
        await g.close();
      }
    });
  });

  describe('finishPass', () => {
    const at = (iso: string) => new Date(iso);
    const finish = async (
      opened: Awaited<ReturnType<typeof openPass>>,
      passStartedAt: string,
      maxModifiedAt: string | null,
      failed = 0,
    ) =>
      f.call('finishPass', {
        mapping: 'CUSTOMER',
        direction: opened.page.direction,
        mode: opened.page.mode,
        jobId: opened.jobId,
        passStartedAt,
        maxModifiedAt,
        counts: { ...zeroCounts(), modified: 2, failed },
      });
    const watermark = async () => (await getWatermark(f.store.knex, 'CUSTOMER', 'bc'))?.modifiedAt ?? null;

    it('moves the watermark to the newest modified-on visited when that is before the pass start minus the overlap', async () => {
      const opened = await openPass('to-dataverse');
      await finish(opened, '2026-11-30T12:00:00.000Z', '2026-11-30T11:00:00.000Z');
      assert.deepEqual(await watermark(), at('2026-11-30T11:00:00.000Z'));
    });

    it('never moves the watermark past the pass start minus the overlap', async () => {
      const opened = await openPass('to-dataverse');
      await finish(opened, '2026-11-30T12:00:00.000Z', '2026-11-30T12:00:00.000Z');
      assert.deepEqual(await watermark(), at('2026-11-30T11:59:55.000Z'));
    });

    it('never moves the watermark backwards', async () => {
      await finish(await openPass('to-dataverse'), '2026-11-30T12:00:00.000Z', '2026-11-30T11:30:00.000Z');
      await finish(await openPass('to-dataverse'), '2026-11-30T13:00:00.000Z', '2026-11-30T10:00:00.000Z');
      assert.deepEqual(await watermark(), at('2026-11-30T11:30:00.000Z'));
    });

    it('leaves the watermark alone for a records run', async () => {
      await finish(await openPass('to-dataverse', 'records'), '2026-11-30T12:00:00.000Z', '2026-11-30T11:00:00.000Z');
      assert.equal(await watermark(), null);
    });

    it('closes the job with its counters and completed_with_errors when records failed', async () => {
      const opened = await openPass('to-dataverse');
      const closed = await finish(opened, '2026-11-30T12:00:00.000Z', null, 1);
      assert.deepEqual(closed, { status: 'completed_with_errors' });
      const job = await getJob(f.store.knex, opened.jobId);
      assert.deepEqual(
        [job!.status, job!.modified, job!.failed, job!.message],
        ['completed_with_errors', 2, 1, '2 modified, 1 failed'],
      );
      assert.ok(job!.finishedAt);
    });

    it('reports a closed pass to the metrics once, also when finishPass is retried', async () => {
      const opened = await openPass('to-dataverse');
      await finish(opened, '2026-11-30T12:00:00.000Z', null, 1);
      await finish(opened, '2026-11-30T12:00:00.000Z', null, 1);
      assert.equal(reported.passes.length, 1);
      const [p] = reported.passes;
      assert.deepEqual([p.mapping, p.direction, p.status], ['CUSTOMER', 'to-dataverse', 'completed_with_errors']);
      const job = await getJob(f.store.knex, opened.jobId);
      // From the job's start to the first close (the retried close rewrote finished_at a little later).
      assert.ok(p.durationSeconds !== null && p.durationSeconds >= 0);
      assert.ok(p.durationSeconds <= (job!.finishedAt!.getTime() - job!.startedAt.getTime()) / 1000);
    });
  });
});
