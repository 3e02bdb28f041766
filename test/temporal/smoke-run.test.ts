import assert from 'node:assert/strict';
import type { Worker } from '@temporalio/worker';
import type { Store } from '../../store/database';
import { migrateLatest } from '../../store/migrate';
import { getJob } from '../../store/sync-jobs';
import { createSyncWorker } from '../../worker/create-worker';
import {
  BcSyncChanged,
  BcSyncFailed,
  BcSyncMapping,
  BcSyncOutcome,
  smokeProgressQuery,
} from '../../workflows/definitions';
import type { smokeRun } from '../../workflows';
import { eventually, testResources, uniqueName } from '../support/env';
import { openFreshStore } from '../support/stores';

describe('the smoke run on Temporal', function () {
  let store: Store;
  let worker: Worker;
  let taskQueue: string;
  let running: Promise<void>;

  before(async function () {
    store = await openFreshStore('mysql');
    await migrateLatest(store);
    taskQueue = uniqueName('smoke');
    const { temporal } = testResources();
    worker = await createSyncWorker({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace ?? 'default',
      taskQueue,
      knex: store.knex,
    });
    running = worker.run();
  });

  after(async () => {
    worker.shutdown();
    await running;
    await store.close();
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

    const job = await getJob(store.knex, result.jobId);
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
    const acts = createActivities({ knex: store.knex, now: () => new Date() });
    const a = await acts.openSmokeJob({ mapping: 'SMOKE', workflowId: 'wf-x', runId: 'run-x' });
    const b = await acts.openSmokeJob({ mapping: 'SMOKE', workflowId: 'wf-x', runId: 'run-x' });
    assert.equal(a.jobId, b.jobId);
  });
});
