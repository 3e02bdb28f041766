import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { recordErrors } from '../../store/sync-errors';
import { openJob } from '../../store/sync-jobs';
import { BcSyncMapping } from '../../workflows/definitions';
import type { PassDirection, SyncMappingInput } from '../../engine/run-types';
import { runBcsync, spawnBcsync } from '../support/cli';
import { eventually, testResources, uniqueName } from '../support/env';
import { openOperatorEnv, type OperatorEnv, terminateAll } from './operator-env';

/** The input a run started with, read back from the first event of its history. */
async function inputOf(client: Client, workflowId: string): Promise<unknown[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  return payloads.map((p) => client.options.loadedDataConverter.payloadConverter.fromPayload(p));
}

interface Started {
  workflowId: string;
  runId: string;
  url: string;
}

describe('bcsync run, retry and rerun', function () {
  this.timeout(120_000);
  let op: OperatorEnv;

  before(async () => {
    op = await openOperatorEnv();
  });

  // No worker polls the task queues here: every started run stays running until this terminates it (by id: the
  // visibility store may not list a run that started a moment ago).
  const started: string[] = [];
  const track = (workflowId: string) => {
    started.push(workflowId);
    return workflowId;
  };
  afterEach(async () => {
    for (const id of started.splice(0)) {
      await op.client.workflow
        .getHandle(id)
        .terminate('test clean-up')
        .catch(() => undefined); // already closed
    }
    await terminateAll(op.client);
  });

  after(async () => {
    await op.close();
  });

  const bcsync = (...args: string[]) => runBcsync(args, op.env);

  describe('run', function () {
    it('starts syncMapping with the mode, direction, search attribute and a run- workflow id, and prints the link', async () => {
      const r = await bcsync('run', 'customer', '--full', '--direction', 'to-bc', '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Started;
      track(out.workflowId);
      assert.match(out.workflowId, /^run-customer-20\d\d-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
      assert.equal(
        out.url,
        `http://localhost:8233/namespaces/${op.namespace}/workflows/${out.workflowId}/${out.runId}`,
      );
      const d = await op.client.workflow.getHandle(out.workflowId).describe();
      assert.equal(d.type, 'syncMapping');
      assert.equal(d.taskQueue, op.taskQueue);
      assert.equal(d.status.name, 'RUNNING');
      assert.equal(d.typedSearchAttributes.get(BcSyncMapping), 'CUSTOMER');
      assert.deepEqual(await inputOf(op.client, out.workflowId), [
        { mapping: 'CUSTOMER', mode: 'full', direction: 'to-bc' },
      ]);
    });

    it('starts an incremental run of every direction by default, naming the mapping by its slug', async () => {
      const r = await bcsync('run', 'unit-of-measure');
      assert.equal(r.code, 0, r.stderr);
      const [line, url] = r.stdout.trim().split('\n');
      const workflowId = track(line.replace(/^started /, ''));
      assert.match(workflowId, /^run-unit-of-measure-/);
      assert.match(url, new RegExp(`/workflows/${workflowId}/`));
      assert.deepEqual(await inputOf(op.client, workflowId), [{ mapping: 'UNIT OF MEASURE', mode: 'incremental' }]);
    });

    it('starts the statistics job as its own workflow type, and refuses a second one while it runs', async () => {
      const r = await bcsync('run', 'CUSTOMER STATISTICS', '--json');
      assert.equal(r.code, 0, r.stderr);
      const workflowId = track((JSON.parse(r.stdout) as Started).workflowId);
      assert.match(workflowId, /^run-customer-statistics-/);
      const d = await op.client.workflow.getHandle(workflowId).describe();
      assert.equal(d.type, 'customerStatistics');
      assert.equal(d.typedSearchAttributes.get(BcSyncMapping), 'CUSTOMER STATISTICS');
      assert.deepEqual(await inputOf(op.client, workflowId), [{ mapping: 'CUSTOMER STATISTICS', mode: 'incremental' }]);
      await eventually(
        async () => (await op.client.workflow.count(`WorkflowId = "${workflowId}"`)).count === 1,
        'visibility',
      );
      const second = await bcsync('run', 'customer-statistics');
      assert.equal(second.code, 1);
      assert.match(second.stderr, /^bcsync: CUSTOMER STATISTICS is already being synchronized by /m);
    });

    it('refuses a second run of a mapping while one is running', async () => {
      const first = await bcsync('run', 'CONTACT', '--json');
      assert.equal(first.code, 0, first.stderr);
      const workflowId = track((JSON.parse(first.stdout) as Started).workflowId);
      await eventually(
        async () => (await op.client.workflow.count(`WorkflowId = "${workflowId}"`)).count === 1,
        'visibility',
      );
      const second = await bcsync('run', 'CONTACT');
      assert.equal(second.code, 1);
      assert.match(second.stderr, new RegExp(`^bcsync: CONTACT is already being synchronized by ${workflowId};`, 'm'));
    });

    it('exits 2 for an unknown mapping, a bad --direction or one the mapping does not synchronize', async () => {
      const unknown = await bcsync('run', 'NOPE');
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /^bcsync: unknown mapping 'NOPE'; valid mappings: SALESPEOPLE, /m);
      const sideways = await bcsync('run', 'CUSTOMER', '--direction', 'sideways');
      assert.equal(sideways.code, 2);
      assert.match(sideways.stderr, /--direction/);
      const wrongWay = await bcsync('run', 'SALESPEOPLE', '--direction', 'to-dataverse');
      assert.equal(wrongWay.code, 2);
      assert.match(wrongWay.stderr, /^bcsync: --direction to-dataverse: SALESPEOPLE synchronizes to-bc only/m);
      const oneWay = await bcsync('run', 'CURRENCY', '--direction', 'to-bc');
      assert.equal(oneWay.code, 2);
      const { count } = await op.client.workflow.count('BcSyncMapping = "SALESPEOPLE" OR BcSyncMapping = "CURRENCY"');
      assert.equal(count, 0, 'nothing was started');
    });
  });

  describe('retry', function () {
    let seq = 0;
    const seedJob = async (mapping: string, direction: PassDirection, sourceIds: string[]) => {
      seq += 1;
      const job = await openJob(op.store.knex, {
        idempotencyKey: uniqueName('job'),
        mapping,
        direction,
        type: 'sync',
        mode: 'incremental',
        workflowId: `sync-test-${seq}`,
        runId: null,
        startedAt: new Date(),
      });
      await recordErrors(
        op.store.knex,
        sourceIds.map((sourceId) => ({
          jobId: job.id,
          mapping,
          direction,
          sourceId,
          destinationId: null,
          message: `record ${sourceId} failed`,
          detail: null,
          createdAt: new Date(),
        })),
      );
      return job;
    };

    it("starts a records run of the job's failed ids, logged as a retry of that job", async () => {
      const job = await seedJob('CONTACT', 'to-dataverse', ['bc-1', 'bc-2', 'bc-3']);
      const r = await bcsync('retry', String(job.id), '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Started;
      track(out.workflowId);
      assert.match(out.workflowId, new RegExp(`^retry-job-${job.id}-20\\d\\d-`));
      const d = await op.client.workflow.getHandle(out.workflowId).describe();
      assert.equal(d.type, 'syncMapping');
      assert.equal(d.typedSearchAttributes.get(BcSyncMapping), 'CONTACT');
      const expected: SyncMappingInput = {
        mapping: 'CONTACT',
        mode: 'records',
        direction: 'to-dataverse',
        records: [{ direction: 'to-dataverse', ids: ['bc-1', 'bc-2', 'bc-3'] }],
        retryOfJobId: job.id,
      };
      assert.deepEqual(await inputOf(op.client, out.workflowId), [expected]);
    });

    it('exits 1 for an unknown job or one without failures, and 2 for a job id that is not a number', async () => {
      const missing = await bcsync('retry', '987654');
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^bcsync: job 987654 not found$/m);
      const clean = await seedJob('CUSTOMER', 'to-bc', []);
      const none = await bcsync('retry', String(clean.id));
      assert.equal(none.code, 1);
      assert.match(none.stderr, new RegExp(`^bcsync: job ${clean.id} has no failed records$`, 'm'));
      const word = await bcsync('retry', 'latest');
      assert.equal(word.code, 2);
    });
  });

  describe('rerun', function () {
    const startDirect = async (input: SyncMappingInput, taskQueue: string) => {
      const workflowId = uniqueName('sync-original');
      await op.client.workflow.start('syncMapping', {
        taskQueue,
        workflowId,
        args: [input],
        typedSearchAttributes: [{ key: BcSyncMapping, value: input.mapping }],
      });
      return track(workflowId);
    };

    it('re-runs a terminated run with its original input on its task queue', async () => {
      const original: SyncMappingInput = {
        mapping: 'ITEM-PRODUCT',
        mode: 'records',
        direction: 'to-dataverse',
        records: [{ direction: 'to-dataverse', ids: ['a', 'b'] }],
        retryOfJobId: 7,
      };
      const queue = uniqueName('other-queue'); // not the CLI's configured queue: the rerun must keep the original's
      const workflowId = await startDirect(original, queue);
      await op.client.workflow.getHandle(workflowId).terminate('operator gave up');

      const r = await bcsync('rerun', workflowId, '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Started;
      track(out.workflowId);
      assert.match(out.workflowId, new RegExp(`^${workflowId}-rerun-20\\d\\d-`));
      assert.match(out.url, new RegExp(`/workflows/${out.workflowId}/${out.runId}$`));
      const d = await op.client.workflow.getHandle(out.workflowId).describe();
      assert.equal(d.type, 'syncMapping');
      assert.equal(d.taskQueue, queue);
      assert.equal(d.typedSearchAttributes.get(BcSyncMapping), 'ITEM-PRODUCT');
      assert.deepEqual(await inputOf(op.client, out.workflowId), await inputOf(op.client, workflowId));
      assert.deepEqual(await inputOf(op.client, out.workflowId), [original]);
    });

    it('drops the continue-as-new carry so the re-run starts fresh', async () => {
      const carried = {
        mapping: 'CUSTOMER',
        mode: 'incremental',
        resume: { finished: [], current: null, remaining: ['to-bc'] },
      } as SyncMappingInput;
      const workflowId = await startDirect(carried, op.taskQueue);
      await op.client.workflow.getHandle(workflowId).terminate('stuck');
      const r = await bcsync('rerun', workflowId, '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Started;
      track(out.workflowId);
      assert.deepEqual(await inputOf(op.client, out.workflowId), [{ mapping: 'CUSTOMER', mode: 'incremental' }]);
    });

    it('refuses a running run and an unknown workflow with exit 1', async () => {
      const workflowId = await startDirect({ mapping: 'CURRENCY', mode: 'incremental' }, op.taskQueue);
      const running = await bcsync('rerun', workflowId);
      assert.equal(running.code, 1);
      assert.match(
        running.stderr,
        new RegExp(`^bcsync: ${workflowId} is still running; cancel or terminate it first`, 'm'),
      );
      const missing = await bcsync('rerun', 'no-such-workflow');
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^bcsync: workflow no-such-workflow not found$/m);
      assert.equal((await op.client.workflow.count(`WorkflowId STARTS_WITH "${workflowId}-rerun"`)).count, 0);
    });
  });

  describe('--wait, with a stand-in syncMapping on a worker', function () {
    let worker: Worker;
    let running: Promise<void>;
    let env: Record<string, string>;

    before(async () => {
      const taskQueue = uniqueName('op-worker');
      worker = await Worker.create({
        connection: testResources().temporal.nativeConnection,
        namespace: op.namespace,
        taskQueue,
        workflowsPath: require.resolve('./fixtures/fake-sync-mapping'),
      });
      running = worker.run();
      env = { ...op.env, TEMPORAL_TASK_QUEUE: taskQueue };
    });

    after(async () => {
      worker.shutdown();
      await running;
    });

    const wait = (...args: string[]) => runBcsync(args, env);

    it('prints the outcome and the counts of each pass, and exits 0 when the run succeeded', async () => {
      const r = await wait('run', 'CURRENCY', '--wait');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^run-currency-\S+: succeeded \(3 changed, 0 failed\)$/m);
      assert.match(
        r.stdout,
        /^ {2}to-dataverse\s+job 40\s+succeeded\s+inserted 3\s+modified 0\s+deleted 0\s+unchanged 5/m,
      );
    });

    it('exits 3 on completed_with_errors and says so, pointing at the errors and retry of the job', async () => {
      const r = await wait('run', 'CUSTOMER', '--wait');
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /^bcsync: run-customer-\S+ completed with 2 failed record\(s\); see bcsync errors$/m);
      assert.match(r.stdout, /: completed_with_errors \(4 changed, 2 failed\)$/m);
      assert.match(r.stdout, /to-dataverse: see bcsync errors --job 41; re-sync only those records: bcsync retry 41/);
      assert.doesNotMatch(r.stdout, /--job 42/);
      const json = await wait('run', 'CUSTOMER', '--wait', '--json');
      assert.equal(json.code, 3, json.stderr);
      const out = JSON.parse(json.stdout) as { result: { outcome: string; passes: unknown[] } };
      assert.equal(out.result.outcome, 'completed_with_errors');
      assert.equal(out.result.passes.length, 2);
    });

    it('shows the progress while waiting, and Ctrl-C stops only the waiting: it says the run goes on and how to follow it', async () => {
      const waiting = spawnBcsync(['run', 'UNIT OF MEASURE', '--wait'], env);
      const exited = waiting.exited;
      await eventually(() => waiting.output().includes('waiting for the outcome'), 'the CLI to wait');
      // Not a terminal here: the progress comes as a plain line from the run's progress query.
      await eventually(
        () =>
          /^UNIT OF MEASURE: to-dataverse 200 records in 1 page, running page 2 \(\d+ records\/s\)$/m.test(
            waiting.output(),
          ),
        'a progress line',
      );
      const workflowId = /started (run-unit-of-measure-\S+)/.exec(waiting.output())![1];
      waiting.child.kill('SIGINT');
      assert.equal(await exited, 130, waiting.output());
      assert.match(
        waiting.output(),
        new RegExp(
          `^bcsync: stopped waiting; ${workflowId} goes on running\\. Follow it in http\\S+ or with bcsync jobs$`,
          'm',
        ),
      );
      const handle = op.client.workflow.getHandle(workflowId);
      assert.equal((await handle.describe()).status.name, 'RUNNING', 'the run goes on');
      await handle.terminate('test done');
    });

    it('exits 1 when the outcome is failed or the run itself fails', async () => {
      const failed = await wait('run', 'CONTACT', '--wait');
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /^bcsync: run-contact-\S+ ended with outcome failed \(http:/m);
      const thrown = await wait('run', 'ITEM-PRODUCT', '--wait');
      assert.equal(thrown.code, 1);
      assert.match(
        thrown.stderr,
        /^bcsync: run-item-product-\S+ did not complete: the Business Central API is unavailable/m,
      );
    });

    it('re-runs a failed run and a run whose outcome was failed, but a succeeded one only with --force', async () => {
      const started = async (mapping: string) => {
        const r = await wait('run', mapping, '--json');
        assert.equal(r.code, 0, r.stderr);
        const { workflowId } = JSON.parse(r.stdout) as Started;
        await op.client.workflow
          .getHandle(workflowId)
          .result()
          .catch(() => undefined);
        return workflowId;
      };
      const thrown = await started('ITEM-PRODUCT');
      const rerunThrown = await wait('rerun', thrown, '--wait');
      assert.equal(rerunThrown.code, 1, 'the re-run fails the same way');
      assert.match(rerunThrown.stdout, new RegExp(`^re-running ${thrown} \\(failed\\) with its original input$`, 'm'));
      assert.match(rerunThrown.stderr, /did not complete: the Business Central API is unavailable/);

      const outcomeFailed = await started('CONTACT');
      const rerunFailed = await wait('rerun', outcomeFailed, '--json');
      assert.equal(rerunFailed.code, 0, rerunFailed.stderr);

      const succeeded = await started('CURRENCY');
      const refused = await wait('rerun', succeeded);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        new RegExp(`^bcsync: ${succeeded} completed \\(succeeded\\); re-run it anyway with --force$`, 'm'),
      );
      const forced = await wait('rerun', succeeded, '--force', '--wait', '--json');
      assert.equal(forced.code, 0, forced.stderr);
      const out = JSON.parse(forced.stdout) as Started & { result: { outcome: string } };
      assert.match(out.workflowId, new RegExp(`^${succeeded}-rerun-`));
      assert.equal(out.result.outcome, 'succeeded');
    });
  });
});
