/**
 * End to end: a scheduled run waits for the mappings it depends on (DESIGN §6). A scheduled CONTACT run while CUSTOMER
 * has never completed a run is logged as skipped and touches no record; once CUSTOMER has run, the same run proceeds.
 */
import assert from 'node:assert/strict';
import { applyMappingOverrides, defaultMappings, demoMappingOverrides } from '../../mappings';
import { listErrors } from '../../store/sync-errors';
import { listJobs } from '../../store/sync-jobs';
import { BcSyncOutcome } from '../../workflows/definitions';
import { startSyncStack, type SyncStack } from '../support/sync-stack';
import { runFullSync, runMatch, runSync, startSync } from '../support/sync-runs';

const seed = {
  customers: 4,
  contactsPerCustomer: 1,
  overlapFraction: 0,
  dataverseOnlyAccounts: 1,
  dataverseContactsPerAccount: 1,
};

describe('scheduled runs and their dependencies, end to end', function () {
  this.timeout(180_000);
  let stack: SyncStack;
  before(async () => {
    stack = await startSyncStack({ seed, mappings: applyMappingOverrides(defaultMappings(), demoMappingOverrides) });
  });
  after(async () => stack.close());

  it('skips a scheduled CONTACT run while CUSTOMER has never completed, logging why and failing nothing', async () => {
    const handle = await startSync(stack.taskQueue, { mapping: 'CONTACT', mode: 'incremental', scheduled: true });
    const result = await handle.result();
    assert.match(
      result.skippedReason ?? '',
      /^waiting for CUSTOMER, which has never completed a run; run 'bcsync full-sync' or 'bcsync run CUSTOMER' first$/,
    );
    assert.equal(result.failed, 0);
    assert.equal((await handle.describe()).typedSearchAttributes.get(BcSyncOutcome), 'skipped');

    const jobs = await listJobs(stack.store.knex, { mapping: 'CONTACT' });
    assert.deepEqual(jobs.map((j) => j.direction).sort(), ['to-bc', 'to-dataverse']);
    for (const j of jobs) {
      assert.equal(j.status, 'skipped');
      assert.equal(j.message, result.skippedReason);
      assert.equal(j.inserted + j.modified + j.unchanged + j.failed + j.skipped, 0);
      assert.equal(j.workflowId, handle.workflowId);
    }
    assert.deepEqual(await listErrors(stack.store.knex, { mapping: 'CONTACT' }), []);
    assert.equal((await stack.store.knex('couplings').where({ mapping: 'CONTACT' })).length, 0);
  });

  it('lets the same scheduled CONTACT run proceed once CUSTOMER has completed, despite an orphaned CUSTOMER job', async () => {
    // CUSTOMER's and CONTACT's owner and currency lookups resolve through SALESPEOPLE and CURRENCY, which run first
    // (CONTACT also waits for them).
    await runMatch(stack.taskQueue, { mapping: 'SALESPEOPLE', createUnmatched: true });
    await runFullSync(stack.taskQueue, ['CURRENCY']);
    const customer = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
    assert.equal(customer.outcome, 'succeeded', JSON.stringify(customer));
    // A job left "running" by a workflow that no longer exists does not hold CONTACT back.
    await stack.store.knex('sync_jobs').insert({
      idempotency_key: 'gone/gone/to-dataverse',
      mapping: 'CUSTOMER',
      direction: 'to-dataverse',
      type: 'sync',
      mode: 'incremental',
      workflow_id: 'a-workflow-that-never-existed',
      run_id: 'gone',
      started_at: new Date(),
      status: 'running',
    });

    const result = await runSync(stack.taskQueue, { mapping: 'CONTACT', mode: 'incremental', scheduled: true });
    assert.equal(result.skippedReason, undefined, JSON.stringify(result));
    assert.equal(result.outcome, 'succeeded', JSON.stringify(result));
    assert.equal(result.failed, 0);
    assert.ok(
      result.passes.every((p) => p.status === 'succeeded'),
      JSON.stringify(result.passes),
    );
    assert.ok(
      result.passes.some((p) => p.counts.inserted > 0),
      'contacts were created',
    );
  });
});
