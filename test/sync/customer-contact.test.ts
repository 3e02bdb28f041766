/**
 * End to end on the real Temporal dev server, MySQL and both emulators over HTTP: incremental, bidirectional runs of
 * CUSTOMER and CONTACT with couplings, conflicts, lookups, bad records, and the job and error log.
 */
import assert from 'node:assert/strict';
import { zeroCounts } from '../../engine/run-types';
import type { IntegrationTableMapping } from '../../mappings';
import { listFieldChanges } from '../../store/field-changes';
import { listErrors } from '../../store/sync-errors';
import { getJob, listJobs } from '../../store/sync-jobs';
import { listSkipped } from '../../store/couplings';
import { listSkippedPending } from '../../store/pending-failures';
import { syncProgressQuery } from '../../workflows/definitions';
import {
  all,
  mappingsWith,
  type Row,
  startSyncStack,
  type SyncStack,
  type SyncStackOptions,
} from '../support/sync-stack';
import { pass, runSync, startSync } from '../support/sync-runs';

/**
 * A small demo company whose every salesperson has a Dataverse user. Each stack brings SALESPEOPLE and CURRENCY to a
 * synchronized state first (`startStack`), so CUSTOMER runs with its shipped owner and currency lookups.
 */
const seed = {
  customers: 6,
  contactsPerCustomer: 1,
  overlapFraction: 0,
  dataverseOnlyAccounts: 2,
  dataverseContactsPerAccount: 1,
  salespeople: 3,
  matchingSystemUsers: 3,
};

/** A stack on which SALESPEOPLE and CURRENCY have run, as a full synchronization runs them before CUSTOMER. */
async function startStack(o: SyncStackOptions): Promise<SyncStack> {
  return startSyncStack({ ...o, prerequisites: ['SALESPEOPLE', 'CURRENCY'] });
}

function overrides(
  extra: Record<string, unknown> = {},
  contact: Record<string, unknown> = {},
): IntegrationTableMapping[] {
  return mappingsWith({
    mappings: {
      CUSTOMER: { onlyCoupled: false, ...extra },
      CONTACT: { onlyCoupled: false, ...contact },
    },
  });
}

async function couplings(stack: SyncStack, mapping: string): Promise<Row[]> {
  return stack.store.knex('couplings').where({ mapping }).orderBy('id');
}

const customerFilter = "blocked eq ' '";
const accountFilter = 'statecode eq 0 and customertypecode eq 3';

describe('syncMapping CUSTOMER and CONTACT, end to end', function () {
  this.timeout(180_000);

  describe('the initial run with "synchronize only coupled records" off', function () {
    // Each test starts from its own fresh stack, so none depends on what an earlier one left behind.
    let stack: SyncStack;
    beforeEach(async () => {
      stack = await startStack({ seed, mappings: overrides() });
    });
    afterEach(async () => stack.close());

    /** The first run of CUSTOMER, which creates and couples every record (what the first test checks in detail). */
    async function initialRun(): Promise<void> {
      const first = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      assert.equal(first.outcome, 'succeeded', JSON.stringify(first));
    }

    it('creates and couples every record on both sides, BC→Dataverse first, and echoes nothing back', async () => {
      const customers = await all(stack, 'bc', 'customers', customerFilter);
      const accounts = await all(stack, 'dv', 'accounts', accountFilter);
      assert.ok(customers.length >= 6 && accounts.length >= 1, 'the demo data has records on both sides');

      const result = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      assert.equal(result.outcome, 'succeeded', JSON.stringify(result));
      assert.deepEqual(
        result.passes.map((p) => p.direction),
        ['to-dataverse', 'to-bc'],
      );
      const toDv = pass(result, 'to-dataverse');
      const toBc = pass(result, 'to-bc');
      assert.equal(toDv.counts.inserted, customers.length);
      assert.equal(toDv.counts.failed, 0);
      assert.equal(toBc.counts.inserted, accounts.length);
      // The accounts the first pass created are read back by the second and recognised as its own writes.
      assert.equal(toBc.counts.unchanged, customers.length);
      assert.equal(toBc.counts.modified, 0);

      const rows = await couplings(stack, 'CUSTOMER');
      assert.equal(rows.length, customers.length + accounts.length);
      assert.ok(rows.every((r) => r.bc_id && r.dv_id));
      const dvAfter = await all(stack, 'dv', 'accounts', accountFilter);
      const bcAfter = await all(stack, 'bc', 'customers', customerFilter);
      assert.equal(dvAfter.length, accounts.length + customers.length);
      assert.equal(bcAfter.length, customers.length + accounts.length);
      for (const c of customers) {
        const row = rows.find((r) => r.bc_id === c.id)!;
        const account = dvAfter.find((a) => a.accountid === row.dv_id)!;
        assert.equal(account.name, c.displayName);
        assert.equal(account.address1_city, c.city);
      }
      const jobs = await listJobs(stack.store.knex, { mapping: 'CUSTOMER' });
      const [toBcJob, toDvJob] = jobs;
      assert.equal(toDvJob.direction, 'to-dataverse');
      assert.ok(toDvJob.finishedAt! <= toBcJob.startedAt, 'BC→Dataverse finished before Dataverse→BC started');
    });

    it('touches only changed records on the next run, and an idle run changes nothing', async () => {
      await initialRun();
      const [customer] = await all(stack, 'bc', 'customers', customerFilter);
      await stack.connectors.bc.update('customers', customer.id as string, '*', { displayName: 'Renamed in BC AS' });

      const second = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      // Work is proportional to the changes, not the table: the renamed customer, plus the customers the first run's
      // Dataverse→BC pass created after this direction's watermark (re-read, recognised as unchanged).
      assert.deepEqual(pass(second, 'to-dataverse').counts, { ...zeroCounts(), modified: 1, unchanged: 2 });
      const row = (await couplings(stack, 'CUSTOMER')).find((r) => r.bc_id === customer.id)!;
      const account = await stack.connectors.dv.get('accounts', row.dv_id as string);
      assert.equal(account!.name, 'Renamed in BC AS');

      const idle = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      assert.deepEqual(
        idle.passes.map((p) => p.direction),
        ['to-dataverse', 'to-bc'],
      );
      for (const p of idle.passes) {
        assert.equal(p.counts.inserted + p.counts.modified + p.counts.deleted + p.counts.failed, 0, JSON.stringify(p));
      }
      assert.equal(idle.changed, 0);
    });

    it('carries a change on each side of different records in one run', async () => {
      await initialRun();
      const rows = await couplings(stack, 'CUSTOMER');
      const [a, b] = rows;
      await stack.connectors.bc.update('customers', a.bc_id as string, '*', { city: 'Bergen' });
      await stack.connectors.dv.update('accounts', b.dv_id as string, { telephone1: '+47 5555 1234' }, '*');
      const result = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      assert.equal(pass(result, 'to-dataverse').counts.modified, 1);
      assert.equal(pass(result, 'to-bc').counts.modified, 1);
      assert.equal((await stack.connectors.dv.get('accounts', a.dv_id as string))!.address1_city, 'Bergen');
      assert.equal((await stack.connectors.bc.get('customers', b.bc_id as string))!.phoneNumber, '+47 5555 1234');
      const audit = await listFieldChanges(stack.store.knex, { recordId: a.dv_id as string });
      assert.ok(audit.some((c) => c.field === 'address1_city' && c.newValue === 'Bergen' && c.kind === 'write'));
    });
  });

  describe('a long pass', function () {
    let stack: SyncStack;
    before(async () => {
      // One record per activity, so the history grows until the server suggests continuing as new.
      stack = await startStack({ seed, mappings: overrides(), pageSize: 1, pagesPerActivity: 1 });
    });
    after(async () => stack.close());

    it('continues as new when the server suggests it and keeps its counters and cursor', async () => {
      const customers = await all(stack, 'bc', 'customers', customerFilter);
      const accounts = await all(stack, 'dv', 'accounts', accountFilter);
      const handle = await startSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      const result = await handle.result();
      assert.equal(pass(result, 'to-dataverse').counts.inserted, customers.length);
      assert.equal(pass(result, 'to-bc').counts.inserted, accounts.length);
      const latest = await handle.client.getHandle(handle.workflowId).describe();
      assert.notEqual(latest.runId, handle.firstExecutionRunId, 'the run continued as new');
      const progress = await handle.client.getHandle(handle.workflowId).query(syncProgressQuery);
      assert.equal(progress.phase, 'done');
      assert.deepEqual(
        progress.passes.map((p) => [p.direction, p.status]),
        [
          ['to-dataverse', 'succeeded'],
          ['to-bc', 'succeeded'],
        ],
      );
      assert.equal((await couplings(stack, 'CUSTOMER')).length, customers.length + accounts.length);
      const jobs = await listJobs(stack.store.knex, { mapping: 'CUSTOMER' });
      assert.equal(jobs.length, 2, 'one job row per pass across the continued runs');
    });
  });

  describe('match before create', function () {
    let stack: SyncStack;
    before(async () => {
      stack = await startStack({
        seed: { ...seed, overlapFraction: 0.5 },
        mappings: overrides({ matchOn: [{ bcField: 'displayName', dvField: 'name' }] }),
      });
    });
    after(async () => stack.close());

    it('couples records that exist on both sides by name instead of duplicating them, and refuses ambiguous matches', async () => {
      const customers = await all(stack, 'bc', 'customers', customerFilter);
      const accounts = await all(stack, 'dv', 'accounts', accountFilter);
      const shared = customers.filter((c) => accounts.some((a) => a.name === c.displayName));
      assert.ok(shared.length >= 2, 'the demo data overlaps');
      // A look-alike makes one of the shared names ambiguous in Dataverse.
      const ambiguous = shared[0];
      await stack.connectors.dv.createWithId('accounts', '6f1b7d7e-0000-4000-8000-000000000001', {
        name: ambiguous.displayName,
        customertypecode: 3,
      });

      const result = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      const toDv = pass(result, 'to-dataverse').counts;
      assert.equal(toDv.failed, 1, JSON.stringify(result));
      assert.equal(toDv.coupled, customers.length - 1);
      assert.equal(toDv.inserted, customers.length - shared.length);
      const errors = await listErrors(stack.store.knex, { mapping: 'CUSTOMER' });
      const toDvError = errors.find((e) => e.direction === 'to-dataverse');
      assert.match(toDvError!.message, /matches 2 uncoupled Dataverse account\(s\) on displayName = name/);
      // …and in the other direction the two look-alike accounts both refuse to pick the one customer.
      assert.equal(pass(result, 'to-bc').counts.failed, 2);
      assert.ok(
        errors
          .filter((e) => e.direction === 'to-bc')
          .every((e) => /other CUSTOMER record\(s\) of this page look the same/.test(e.message)),
      );

      const namesDv = (await all(stack, 'dv', 'accounts', accountFilter)).map((a) => a.name as string);
      for (const c of customers) {
        const expected = c.id === ambiguous.id ? 2 : 1;
        assert.equal(
          namesDv.filter((n) => n === c.displayName).length,
          expected,
          `accounts named ${String(c.displayName)}`,
        );
      }
      const namesBc = (await all(stack, 'bc', 'customers', customerFilter)).map((c) => c.displayName as string);
      for (const name of new Set(namesBc)) {
        const twins = namesBc.filter((n) => n === name).length;
        // The ambiguous name's two Dataverse accounts are uncoupled; the to-bc pass matches them to the one customer
        // and refuses both, so no customer is duplicated either.
        assert.equal(twins, 1, `customers named ${name}`);
      }
    });
  });

  describe('with "synchronize only coupled records" on', function () {
    let stack: SyncStack;
    before(async () => {
      stack = await startStack({
        seed,
        mappings: mappingsWith(),
      });
    });
    after(async () => stack.close());

    it('ignores uncoupled records and does not count them', async () => {
      const before = (await all(stack, 'dv', 'accounts')).length;
      const result = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      for (const p of result.passes) {
        const c = p.counts;
        assert.equal(c.inserted + c.modified + c.deleted + c.unchanged + c.skipped + c.failed, 0, JSON.stringify(c));
      }
      assert.equal((await couplings(stack, 'CUSTOMER')).length, 0);
      assert.equal((await all(stack, 'dv', 'accounts')).length, before);
    });
  });

  for (const policy of ['fail', 'bc-wins', 'dataverse-wins'] as const) {
    describe(`an update conflict under policy ${policy}`, function () {
      let stack: SyncStack;
      before(async () => {
        stack = await startStack({ seed, mappings: overrides({ updateConflictPolicy: policy }) });
        await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      });
      after(async () => stack.close());

      it(
        policy === 'fail' ? 'fails the record and keeps both values' : 'lets the winner overwrite and audits the loser',
        async () => {
          const [row] = await couplings(stack, 'CUSTOMER');
          await stack.connectors.bc.update('customers', row.bc_id as string, '*', { displayName: 'Name from BC' });
          await stack.connectors.dv.update('accounts', row.dv_id as string, { name: 'Name from Dataverse' }, '*');
          const result = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
          const bc = await stack.connectors.bc.get('customers', row.bc_id as string);
          const dv = await stack.connectors.dv.get('accounts', row.dv_id as string);
          const audit = await listFieldChanges(stack.store.knex, { recordId: row.bc_id as string });
          const auditDv = await listFieldChanges(stack.store.knex, { recordId: row.dv_id as string });
          const lost = [...audit, ...auditDv].filter((c) => c.kind === 'conflict-lost');
          if (policy === 'fail') {
            assert.equal(result.outcome, 'completed_with_errors');
            assert.equal(pass(result, 'to-dataverse').counts.failed, 1);
            assert.equal(bc!.displayName, 'Name from BC');
            assert.equal(dv!.name, 'Name from Dataverse');
            const [error] = await listErrors(stack.store.knex, { mapping: 'CUSTOMER' });
            assert.match(error.message, /changed in both Business Central and Dataverse/);
            assert.match(error.detail ?? '', /Name from BC[\s\S]*Name from Dataverse/);
          } else if (policy === 'bc-wins') {
            assert.equal(dv!.name, 'Name from BC');
            assert.equal(bc!.displayName, 'Name from BC');
            assert.ok(
              lost.some((c) => c.oldValue === 'Name from Dataverse'),
              JSON.stringify(lost),
            );
          } else {
            assert.equal(bc!.displayName, 'Name from Dataverse');
            assert.equal(dv!.name, 'Name from Dataverse');
            assert.ok(
              lost.some((c) => c.oldValue === 'Name from BC'),
              JSON.stringify(lost),
            );
          }
        },
      );
    });
  }

  for (const policy of ['fail', 'restore', 'uncouple'] as const) {
    describe(`a deletion conflict under policy ${policy}`, function () {
      let stack: SyncStack;
      before(async () => {
        stack = await startStack({ seed, mappings: overrides({ deletionConflictPolicy: policy }) });
        await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      });
      after(async () => stack.close());

      it(`handles a coupled account deleted in Dataverse (${policy})`, async () => {
        const [row] = await couplings(stack, 'CUSTOMER');
        await stack.connectors.dv.delete('accounts', row.dv_id as string);
        await stack.connectors.bc.update('customers', row.bc_id as string, '*', { city: 'Trondheim' });
        const result = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
        const toDv = pass(result, 'to-dataverse').counts;
        const after = (await couplings(stack, 'CUSTOMER')).find((r) => r.bc_id === row.bc_id);
        if (policy === 'fail') {
          assert.equal(toDv.failed, 1);
          const [error] = await listErrors(stack.store.knex, { mapping: 'CUSTOMER' });
          assert.match(error.message, /deleted/);
          assert.equal(await stack.connectors.dv.get('accounts', row.dv_id as string), null);
        } else if (policy === 'restore') {
          assert.equal(toDv.inserted, 1);
          const restored = await stack.connectors.dv.get('accounts', after!.dv_id as string);
          assert.equal(restored!.address1_city, 'Trondheim');
        } else {
          assert.equal(toDv.deleted, 1);
          assert.equal(toDv.uncoupled, 1);
          assert.equal(after, undefined, 'the customer is no longer coupled to the deleted account');
        }
      });
    });
  }

  describe('lookups through another mapping', function () {
    let stack: SyncStack;
    before(async () => {
      stack = await startStack({ seed, mappings: overrides() });
    });
    after(async () => stack.close());

    it('fails a contact whose company customer is not coupled, naming it, and succeeds once it is', async () => {
      const persons = await all(stack, 'bc', 'contacts', "type eq 'Person'");
      assert.ok(persons.length >= 6, 'the demo data has a person contact per customer');
      const first = await runSync(stack.taskQueue, { mapping: 'CONTACT', mode: 'incremental' });
      const toDv = pass(first, 'to-dataverse').counts;
      assert.equal(toDv.failed, persons.length, JSON.stringify(first));
      assert.equal(toDv.inserted, 0);
      const errors = await listErrors(stack.store.knex, { jobId: pass(first, 'to-dataverse').jobId });
      assert.deepEqual(errors.map((e) => e.sourceId).sort(), persons.map((p) => p.id as string).sort());
      assert.match(errors[0].message, /is not coupled[\s\S]*run CUSTOMER first/);

      await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      const second = await runSync(stack.taskQueue, { mapping: 'CONTACT', mode: 'incremental' });
      assert.equal(pass(second, 'to-dataverse').counts.failed, 0, JSON.stringify(second));
      assert.equal(pass(second, 'to-dataverse').counts.inserted, persons.length);
      const contacts = await all(stack, 'dv', 'contacts');
      const rows = await couplings(stack, 'CONTACT');
      const customerRows = await couplings(stack, 'CUSTOMER');
      for (const r of rows.filter((x) => x.dv_id)) {
        const contact = contacts.find((c) => c.contactid === r.dv_id);
        assert.ok(contact, 'coupled contact exists');
        assert.ok(
          customerRows.some((c) => c.dv_id === contact._parentcustomerid_value),
          'parent account is a coupled customer',
        );
      }
      const resolved = await listErrors(stack.store.knex, { mapping: 'CONTACT', unresolvedOnly: true });
      assert.equal(resolved.length, 0, 'the earlier errors are resolved by the run that fixed them');

      // CONTACT's entity rule: an account that had no primary contact gets the first contact created under it.
      const accountsNow = await all(stack, 'dv', 'accounts');
      const contactsNow = await all(stack, 'dv', 'contacts');
      const parents = new Set(
        rows.map((r) => contactsNow.find((c) => c.contactid === r.dv_id)?._parentcustomerid_value),
      );
      assert.ok(parents.size > 0);
      for (const accountId of parents) {
        const account = accountsNow.find((a) => a.accountid === accountId)!;
        const primary = contactsNow.find((c) => c.contactid === account._primarycontactid_value);
        assert.ok(primary, `account ${String(account.name)} has a primary contact`);
        assert.equal(primary._parentcustomerid_value, accountId, 'the primary contact is one of its own contacts');
      }
    });
  });

  describe('bad records', function () {
    let stack: SyncStack;
    before(async () => {
      stack = await startStack({ seed, mappings: overrides() });
    });
    after(async () => stack.close());

    it('fail alone with actionable messages, the rest is written, and a record failing twice the same way is skipped', async () => {
      const accounts = await all(stack, 'dv', 'accounts', accountFilter);
      const tooLong = 'N'.repeat(150);
      await stack.connectors.dv.update('accounts', accounts[0].accountid as string, { name: tooLong }, '*');

      const first = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      const toBc = pass(first, 'to-bc').counts;
      assert.equal(toBc.failed, 1);
      assert.equal(toBc.inserted, accounts.length - 1, 'the rest of the page is written');
      const [error] = await listErrors(stack.store.knex, { mapping: 'CUSTOMER' });
      assert.equal(error.sourceId, accounts[0].accountid);
      assert.match(error.message, /displayName|longer|100/);

      const second = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      assert.equal(pass(second, 'to-bc').counts.failed, 1, 'retried first, fails the same way');
      // Never coupled (its create in Business Central was refused): parked as a pending failure, not as a half coupling.
      assert.deepEqual(await listSkipped(stack.store.knex, 'CUSTOMER'), []);
      const skipped = await listSkippedPending(stack.store.knex, 'CUSTOMER');
      assert.deepEqual(
        skipped.map((p) => [p.direction, p.sourceId]),
        [['to-bc', accounts[0].accountid]],
      );
      const errors = await listErrors(stack.store.knex, { mapping: 'CUSTOMER' });
      assert.match(errors[0].message, /skipped/);

      const third = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      assert.equal(pass(third, 'to-bc').counts.failed, 0, 'a skipped record is not retried');
    });
  });

  describe('retrying the failures of a job', function () {
    let stack: SyncStack;
    before(async () => {
      stack = await startStack({ seed, mappings: overrides() });
    });
    after(async () => stack.close());

    it('synchronizes only the failed records once the cause is fixed and marks the old errors resolved', async () => {
      const accounts = await all(stack, 'dv', 'accounts', accountFilter);
      await stack.connectors.dv.update('accounts', accounts[0].accountid as string, { name: 'X'.repeat(120) }, '*');
      const first = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      const failedJob = pass(first, 'to-bc').jobId;
      assert.equal(pass(first, 'to-bc').counts.failed, 1);

      await stack.connectors.dv.update('accounts', accounts[0].accountid as string, { name: 'Fixed Name AS' }, '*');
      const [error] = await listErrors(stack.store.knex, { jobId: failedJob });
      const retry = await runSync(stack.taskQueue, {
        mapping: 'CUSTOMER',
        mode: 'records',
        direction: 'to-bc',
        records: [{ direction: 'to-bc', ids: [error.sourceId] }],
        retryOfJobId: failedJob,
      });
      assert.deepEqual(
        retry.passes.map((p) => p.direction),
        ['to-bc'],
      );
      const c = pass(retry, 'to-bc').counts;
      assert.equal(c.inserted + c.modified, 1);
      assert.equal(c.unchanged + c.failed + c.skipped, 0, 'only the failed record was synchronized');
      const job = await getJob(stack.store.knex, pass(retry, 'to-bc').jobId);
      assert.equal(job!.retryOfJobId, failedJob);
      assert.equal(job!.mode, 'records');
      const [old] = await listErrors(stack.store.knex, { jobId: failedJob });
      assert.equal(old.resolvedByJobId, job!.id);
      const customers = await all(stack, 'bc', 'customers', "displayName eq 'Fixed Name AS'");
      assert.equal(customers.length, 1);
    });
  });
});
