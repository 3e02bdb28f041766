/**
 * The mapping lease seen through the activities (MockActivityEnvironment, SQLite, emulators): one run per mapping at a
 * time — a second run's start is refused with a retryable failure naming the first, the run itself passes freely
 * from pass to pass, an expired lease is taken over, and the run's last finishPass (or finishMatch) frees the mapping.
 */
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { holdMappingLease, MAPPING_BUSY, releaseMappingLease } from '../../activities/mapping-lease';
import type { PassDirection } from '../../engine/run-types';
import { zeroCounts } from '../../engine/run-types';
import { getLease } from '../../store/sync-leases';
import { type ActivityFixture, customerMappings, openCustomerPass, startActivityFixture } from './support';

const seed = { customers: 2, contactsPerCustomer: 0, overlapFraction: 0, dataverseOnlyAccounts: 2 };

describe('the mapping lease (MockActivityEnvironment, SQLite, emulators)', function () {
  this.timeout(60_000);
  let f: ActivityFixture;

  beforeEach(async () => {
    f = await startActivityFixture({
      seed,
      mappings: customerMappings({ matchOn: [{ bcField: 'displayName', dvField: 'name' }] }),
    });
  });
  afterEach(async () => f.close());

  /** Opens a CUSTOMER pass of run `runId` of workflow `workflowId`, and the input of its first page. */
  const startPass = (workflowId: string, direction: PassDirection = 'to-dataverse', runId = `${workflowId}-1`) =>
    openCustomerPass(f, { direction, workflowId, runId });

  const finishPass = (pass: Awaited<ReturnType<typeof startPass>>, keepLease?: boolean) =>
    f.call('finishPass', {
      mapping: 'CUSTOMER',
      direction: pass.page.direction,
      mode: pass.page.mode,
      jobId: pass.jobId,
      passStartedAt: pass.passStartedAt,
      maxModifiedAt: null,
      counts: zeroCounts(),
      ...(keepLease === undefined ? {} : { keepLease }),
    });

  /** Asserts that `p` fails with the retryable MappingBusy failure naming workflow `holder`. */
  async function assertBusy(p: Promise<unknown>, holder: string) {
    await assert.rejects(p, (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure, String(err));
      assert.equal(err.type, MAPPING_BUSY);
      assert.equal(err.nonRetryable, false, 'the retry policy is the wait');
      assert.match(err.message, new RegExp(`CUSTOMER is being synchronized by workflow ${holder} `));
      return true;
    });
  }

  const jobCount = async () => (await f.store.knex('sync_jobs').where({ mapping: 'CUSTOMER' })).length;

  it("refuses a second run's start with a retryable failure naming the run that holds the mapping", async () => {
    await startPass('wf-schedule');
    await assertBusy(startPass('wf-manual'), 'wf-schedule');
    assert.equal(await jobCount(), 1, 'the refused run opened no job');
    assert.equal((await getLease(f.store.knex, 'CUSTOMER'))?.ownerWorkflowId, 'wf-schedule');
  });

  it('lets the holder retry its start, run its pages and open its second pass', async () => {
    const first = await startPass('wf-a');
    const retried = await startPass('wf-a');
    assert.equal(retried.jobId, first.jobId, 'a retried start opens no second job');
    await f.call('syncPage', first.page);
    await finishPass(first, true);
    assert.equal((await getLease(f.store.knex, 'CUSTOMER'))?.ownerWorkflowId, 'wf-a', 'kept for the next pass');
    await assertBusy(startPass('wf-b'), 'wf-a');
    // The run continued as new before its second pass: a new run id of the same workflow is the same owner.
    const second = await startPass('wf-a', 'to-bc', 'wf-a-2');
    await f.call('syncPage', second.page);
    await finishPass(second);
    assert.equal(await getLease(f.store.knex, 'CUSTOMER'), null, 'the last pass freed the mapping');
    await startPass('wf-b');
  });

  it('renews the lease with every page, and takes over the lease of a run that stopped renewing it', async () => {
    const first = await startPass('wf-a');
    const lapse = new Date(Date.now() + 60_000);
    await f.store.knex('sync_leases').update({ expires_at: lapse });
    await f.call('syncPage', first.page);
    const renewed = (await getLease(f.store.knex, 'CUSTOMER'))!;
    assert.ok(renewed.expiresAt > lapse, 'the page moved the expiry forward');

    // wf-a's worker stalls past the expiry: another run takes the mapping over, and wf-a waits for it.
    await f.store.knex('sync_leases').update({ expires_at: new Date(Date.now() - 1000) });
    const other = await startPass('wf-b');
    assert.equal((await getLease(f.store.knex, 'CUSTOMER'))?.ownerWorkflowId, 'wf-b');
    await assertBusy(f.call('syncPage', { ...first.page, pageNo: 1, cursor: { phase: 'done' } }), 'wf-b');
    await finishPass(first);
    assert.equal((await getLease(f.store.knex, 'CUSTOMER'))?.ownerWorkflowId, 'wf-b', "wf-a's finish left it alone");
    await finishPass(other);
    assert.equal(await getLease(f.store.knex, 'CUSTOMER'), null);
  });

  it('makes a coupling match wait for a running sync, and a sync wait for the match (a dry run takes no lease)', async () => {
    const pass = await startPass('wf-sync');
    const dry = await f.call('startMatch', { mapping: 'CUSTOMER', dryRun: true, workflowId: 'wf-dry', runId: 'r' });
    assert.equal(dry.jobId, null);
    await assertBusy(
      f.call('startMatch', { mapping: 'CUSTOMER', dryRun: false, workflowId: 'wf-match', runId: 'r' }),
      'wf-sync',
    );
    await finishPass(pass);

    const match = await f.call('startMatch', {
      mapping: 'CUSTOMER',
      dryRun: false,
      workflowId: 'wf-match',
      runId: 'r',
    });
    await assertBusy(startPass('wf-sync-2'), 'wf-match');
    const page = await f.call('matchPage', {
      mapping: 'CUSTOMER',
      dryRun: false,
      jobId: match.jobId,
      pageNo: 0,
      until: match.until,
      after: null,
    });
    await f.call('finishMatch', { jobId: match.jobId!, counts: page.counts });
    assert.equal(await getLease(f.store.knex, 'CUSTOMER'), null);
    await startPass('wf-sync-2');
  });

  it("holds CUSTOMER's lease for a CONTACT run (its fix-ups write CUSTOMER pairs), taking both or neither", async () => {
    const contact = { mapping: 'CONTACT', workflowId: 'wf-contact', runId: 'r' };
    await holdMappingLease(f.store.knex, contact, new Date());
    assert.equal((await getLease(f.store.knex, 'CUSTOMER'))?.ownerWorkflowId, 'wf-contact');
    await assertBusy(startPass('wf-customer'), 'wf-contact');
    await releaseMappingLease(f.store.knex, 'CONTACT', 'wf-contact');
    assert.equal(await getLease(f.store.knex, 'CONTACT'), null);
    assert.equal(await getLease(f.store.knex, 'CUSTOMER'), null);

    // CUSTOMER is busy: the CONTACT run waits, and gives back the CONTACT lease it took meanwhile.
    const pass = await startPass('wf-customer');
    await assert.rejects(holdMappingLease(f.store.knex, contact, new Date()), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure, String(err));
      assert.equal(err.type, MAPPING_BUSY);
      assert.match(
        err.message,
        /^CUSTOMER is being synchronized by workflow wf-customer .*this CONTACT run writes CUSTOMER couplings/,
      );
      return true;
    });
    assert.equal(await getLease(f.store.knex, 'CONTACT'), null, 'neither lease is held while it waits');
    await finishPass(pass);
    await holdMappingLease(f.store.knex, contact, new Date());
    assert.equal((await getLease(f.store.knex, 'CONTACT'))?.ownerWorkflowId, 'wf-contact');
  });
});
