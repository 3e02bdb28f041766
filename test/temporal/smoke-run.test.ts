import assert from 'node:assert/strict';
import { getJob } from '../../store/sync-jobs';
import {
  BcSyncChanged,
  BcSyncFailed,
  BcSyncMapping,
  BcSyncOutcome,
  smokeProgressQuery,
} from '../../workflows/definitions';
import type { smokeRun } from '../../workflows';
import { eventually, testResources, uniqueName } from '../support/env';
import { startSyncStack, type SyncStack } from '../support/sync-stack';

describe('the smoke run on Temporal', function () {
  let stack: SyncStack;
  let taskQueue: string;

  before(async function () {
    stack = await startSyncStack({ seed: false });
    taskQueue = stack.taskQueue;
  });

  after(async () => {
    await stack.close();
  });

  it('writes and closes a sync_jobs row in MySQL and sets the search attributes', async () => {
    const { client } = testResources().temporal;
    const workflowId = uniqueName('smoke-wf');
    const handle = await client.workflow.start<typeof smokeRun>('smokeRun', {
      taskQueue,
      workflowId,
      args: [{ mapping: 'SMOKE' }],
    });
    const result = await handle.result();
    assert.equal(result.outcome, 'succeeded');

    const job = await getJob(stack.store.knex, result.jobId);
    assert.ok(job, 'the job row exists');
    assert.equal(job.status, 'succeeded');
    assert.equal(job.workflowId, workflowId);
    assert.equal(job.runId, handle.firstExecutionRunId);
    assert.ok(job.finishedAt && job.finishedAt >= job.startedAt);

    const sa = (await handle.describe()).typedSearchAttributes;
    assert.equal(sa.get(BcSyncMapping), 'SMOKE');
    assert.equal(sa.get(BcSyncOutcome), 'succeeded');
    assert.equal(sa.get(BcSyncFailed), 0);
    assert.equal(sa.get(BcSyncChanged), 0);
    assert.deepEqual(await handle.query(smokeProgressQuery), { phase: 'done', jobId: result.jobId });
  });

  it('can be found by its mapping search attribute', async () => {
    const { client } = testResources().temporal;
    const workflowId = uniqueName('smoke-find');
    const handle = await client.workflow.start<typeof smokeRun>('smokeRun', {
      taskQueue,
      workflowId,
      args: [{ mapping: 'SMOKE-FIND' }],
    });
    await handle.result();
    const found = await eventually(async () => {
      for await (const wf of client.workflow.list({
        query: `BcSyncMapping = "SMOKE-FIND" AND BcSyncOutcome = "succeeded"`,
      })) {
        if (wf.workflowId === workflowId) return wf;
      }
      return undefined;
    }, 'the run in visibility');
    assert.equal(found.type, 'smokeRun');
  });

  it('opens only one job row when the opening activity is retried', async () => {
    // The idempotency key (workflow id, run id) makes a retried openSmokeJob return the same row.
    const { createActivities } = await import('../../activities');
    const { ReferenceCache } = await import('../../activities/lookup-resolution');
    const acts = createActivities({
      knex: stack.store.knex,
      now: () => new Date(),
      mappings: [],
      connectors: stack.connectors,
      cache: new ReferenceCache(stack.connectors),
    });
    const a = await acts.openSmokeJob({ mapping: 'SMOKE', workflowId: 'wf-x', runId: 'run-x' });
    const b = await acts.openSmokeJob({ mapping: 'SMOKE', workflowId: 'wf-x', runId: 'run-x' });
    assert.equal(a.jobId, b.jobId);
  });
});
