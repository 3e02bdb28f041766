/**
 * One run per mapping (DESIGN §5): two `syncMapping` runs of CUSTOMER started at once — a schedule's tick and a
 * manual run racing past the CLI's check — do not work side by side. The mapping lease makes the second wait (its
 * `startPass` retried on a retryable "being synchronized by workflow …" failure) until the first has finished both
 * passes; then it runs and finds nothing left to do. Real Temporal worker, MySQL store, emulators.
 */
import assert from 'node:assert/strict';
import { testResources } from '../support/env';
import { assertCouplingsWhole } from '../support/coupling-integrity';
import { all, mappingsWith, setFaults, startSyncStack } from '../support/sync-stack';
import { startSync } from '../support/sync-runs';

const seed = { customers: 8, contactsPerCustomer: 0, overlapFraction: 0, dataverseOnlyAccounts: 4 };
/** CUSTOMER creating uncoupled records both ways, with its shipped lookups (SALESPEOPLE and CURRENCY run first). */
const mappings = mappingsWith({ mappings: { CUSTOMER: { onlyCoupled: false } } });

interface JobRow {
  workflow_id: string;
  direction: string;
  started_at: Date;
  finished_at: Date | null;
  status: string;
}

describe('two runs of one mapping at once', function () {
  this.timeout(240_000);

  it('run one after the other: the second waits for the first to finish both passes, and nothing fails', async () => {
    const stack = await startSyncStack({ seed, prerequisites: ['SALESPEOPLE', 'CURRENCY'], mappings, pageSize: 4 });
    try {
      // Slow Dataverse writes a little, so the first run is still working when the second asks for the mapping.
      await setFaults(stack.emulators.dv.url, [{ entitySet: '$batch', latencyMs: 300 }]);
      const customersBefore = await all(stack, 'bc', 'customers');
      const accountsBefore = await all(stack, 'dv', 'accounts');
      const runs = await Promise.all([
        startSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'full' }),
        startSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'full' }),
      ]);
      const results = await Promise.all(runs.map((r) => r.result()));
      for (const r of results) assert.equal(r.outcome, 'succeeded', JSON.stringify(r));

      const jobs: JobRow[] = await stack.store
        .knex('sync_jobs')
        .where({ mapping: 'CUSTOMER', type: 'sync' })
        .orderBy('started_at')
        .orderBy('id');
      assert.equal(jobs.length, 4, 'two passes per run');
      for (const j of jobs) assert.equal(j.status, 'succeeded');
      const first = jobs[0].workflow_id;
      const [firstJobs, secondJobs] = [
        jobs.filter((j) => j.workflow_id === first),
        jobs.filter((j) => j.workflow_id !== first),
      ];
      assert.deepEqual(
        [...firstJobs, ...secondJobs].map((j) => j.direction),
        ['to-dataverse', 'to-bc', 'to-dataverse', 'to-bc'],
        "the first run's passes, then the second's: none in between",
      );
      const firstFinished = Math.max(...firstJobs.map((j) => new Date(j.finished_at!).getTime()));
      const secondStarted = Math.min(...secondJobs.map((j) => new Date(j.started_at).getTime()));
      assert.ok(secondStarted >= firstFinished, 'the second run started its passes after the first had finished');

      // The second run did ask while the first held the mapping: its startPass was refused, naming the first run.
      const second = runs.find((r) => r.workflowId !== first)!;
      const { client } = testResources().temporal;
      const history = await client.workflow.getHandle(second.workflowId).fetchHistory();
      const starts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes?.lastFailure?.message);
      assert.ok(
        starts.some((e) =>
          e.activityTaskStartedEventAttributes!.lastFailure!.message!.includes(
            `CUSTOMER is being synchronized by workflow ${first} `,
          ),
        ),
        'the second run waited on the lease held by the first',
      );

      assert.deepEqual(
        await stack.store.knex('sync_errors').where({ mapping: 'CUSTOMER' }).select('message'),
        [],
        'no record failed',
      );
      assert.deepEqual(await stack.store.knex('sync_leases').select('mapping'), [], 'both runs released the mapping');
      const checked = await assertCouplingsWhole(stack, ['CUSTOMER'], mappings);
      const names = (rows: Array<Record<string, unknown>>, f: string) => rows.map((r) => String(r[f])).sort();
      const expected = [...names(customersBefore, 'displayName'), ...names(accountsBefore, 'name')].sort();
      assert.deepEqual(names(await all(stack, 'dv', 'accounts'), 'name'), expected, 'one account per customer');
      assert.deepEqual(names(await all(stack, 'bc', 'customers'), 'displayName'), expected, 'one customer per account');
      assert.equal(checked.CUSTOMER, expected.length);
    } finally {
      await stack.close();
    }
  });
});
