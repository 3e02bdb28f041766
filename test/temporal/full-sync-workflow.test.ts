/**
 * The fullSync workflow on the test's Temporal dev server with a stubbed planning activity and stubbed matchMapping
 * children (test/temporal/fixtures/full-sync-workflows.ts): layer order, failure isolation, progress and outcome.
 */
import assert from 'node:assert/strict';
import { Worker } from '@temporalio/worker';
import type { FullSyncPlan } from '../../engine/full-sync-types';
import { BcSyncMapping, BcSyncOutcome, fullSyncProgressQuery } from '../../workflows/definitions';
import type { fullSync } from '../../workflows';
import { testResources, uniqueName } from '../support/env';

const workflowsPath = require.resolve('./fixtures/full-sync-workflows');

describe('the fullSync workflow (stubbed children)', function () {
  this.timeout(120_000);
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueName('full-sync-wf');
  const plan: FullSyncPlan = {
    layers: [['A', 'FAIL-B'], ['C', 'D', 'ERR-E'], ['F']],
    dependsOn: { A: [], 'FAIL-B': [], C: ['FAIL-B'], D: ['A'], 'ERR-E': [], F: ['C'] },
    notRun: [{ mapping: 'STATS', reason: 'not run: STATS is a statistics job, not a table mapping' }],
    warnings: ['X depends on Y, which is not part of this full synchronization'],
  };
  const planned: string[][] = [];

  before(async () => {
    worker = await Worker.create({
      connection: testResources().temporal.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowsPath,
      activities: {
        planFullSync: async (input: { mappings: string[] }) => {
          planned.push(input.mappings);
          return plan;
        },
      },
    });
    running = worker.run();
  });
  after(async () => {
    worker.shutdown();
    await running;
  });

  async function start(dryRun: boolean) {
    return testResources().temporal.client.workflow.start<typeof fullSync>('fullSync', {
      taskQueue,
      workflowId: uniqueName('full-sync'),
      args: [{ mappings: ['A', 'FAIL-B', 'C', 'D', 'ERR-E', 'F', 'STATS'], dryRun }],
    });
  }

  it('runs independent mappings past a failure and does not run the dependents of the failed one', async () => {
    const handle = await start(false);
    const result = await handle.result();
    const state = Object.fromEntries(result.mappings.map((m) => [m.mapping, [m.state, m.reason]]));
    assert.deepEqual(state, {
      A: ['done', null],
      'FAIL-B': ['failed', 'FAIL-B: the Dataverse emulator refused the match query'],
      C: ['not-run', 'not run: FAIL-B failed'],
      D: ['done', null],
      'ERR-E': ['done', null],
      F: ['not-run', 'not run: C was not run'],
      STATS: ['not-run', 'not run: STATS is a statistics job, not a table mapping'],
    });
    assert.equal(result.outcome, 'failed');
    assert.deepEqual(result.warnings, plan.warnings);
    const a = result.mappings.find((m) => m.mapping === 'A')!;
    assert.equal(a.workflowId, `${handle.workflowId}-a`);
    assert.deepEqual(a.counts, {
      coupled: 2,
      ambiguous: 1,
      unmatched: 1,
      alreadyCoupled: 0,
      insertedToDataverse: 1,
      insertedToBc: 0,
      failed: 0,
      skipped: 0,
    });
    assert.equal(result.mappings.find((m) => m.mapping === 'ERR-E')!.counts!.failed, 3);

    const progress = await handle.query(fullSyncProgressQuery);
    assert.equal(progress.phase, 'done');
    assert.deepEqual(
      progress.mappings.map((m) => m.state),
      result.mappings.map((m) => m.state),
    );
    const sa = (await handle.describe()).typedSearchAttributes;
    assert.equal(sa.get(BcSyncMapping), 'FULL-SYNC');
    assert.equal(sa.get(BcSyncOutcome), 'failed');
  });

  it('passes the dry run to every child and asks for no creates', async () => {
    const result = await (await start(true)).result();
    assert.equal(result.dryRun, true);
    const a = result.mappings.find((m) => m.mapping === 'A')!;
    assert.equal(a.result?.dryRun, true);
    assert.equal(a.result?.sync, null, 'createUnmatched was false');
    assert.equal(a.counts?.insertedToDataverse, 0);
  });
});
