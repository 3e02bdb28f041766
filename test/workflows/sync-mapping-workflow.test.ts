/**
 * The syncMapping workflow on the test's Temporal dev server with stubbed activities: what it asks of the activities
 * (passes in order, pages in cursor order, the pass state carried across continue-as-new), what it returns and the
 * outcome it publishes. No store, no emulators: a failure here names the workflow, not the activities.
 *
 * The dev server suggests continue-as-new after 80 history events (test/hooks/root.ts); a page costs 6 events, so a
 * pass of 40 pages continues as new at least twice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type {
  FinishPassInput,
  PassCounts,
  PassCursor,
  PassDirection,
  StartPassInput,
  SyncMappingInput,
  SyncPageInput,
  SyncPageResult,
} from '../../engine/run-types';
import { zeroCounts } from '../../engine/run-types';
import { RecordHistoryError, recordHistory } from '../../scripts/record-histories';
import type { syncMapping } from '../../workflows';
import { BcSyncChanged, BcSyncFailed, BcSyncOutcome, syncProgressQuery } from '../../workflows/definitions';
import { testResources, uniqueName } from '../support/env';

/** What the stubbed activities do for one mapping (each test uses its own mapping name). */
interface Script {
  directions: PassDirection[];
  /** The page result of page `pageNo` of a direction. */
  page(direction: PassDirection, pageNo: number): SyncPageResult;
  /** The job status finishPass reports. (Default: failed records → completed_with_errors, else succeeded) */
  status?: (direction: PassDirection) => 'succeeded' | 'completed_with_errors';
}

interface Call {
  activity: 'planRun' | 'startPass' | 'syncPage' | 'finishPass';
  runId: string;
  input: unknown;
}

const counts = (c: Partial<PassCounts>): PassCounts => ({ ...zeroCounts(), ...c });
const jobIdOf = (direction: PassDirection) => (direction === 'to-dataverse' ? 101 : 102);
const passStart = '2026-11-30T12:00:00.000Z';

/** `n` pages of the changed phase; page k modifies one record and fails the records listed in `failedOn`. */
function changedPages(n: number, failedOn: number[] = []): Script['page'] {
  return (_direction, k) => ({
    counts: counts({ modified: 1, failed: failedOn.includes(k) ? 1 : 0 }),
    next: k + 1 < n ? { phase: 'changed', afterModifiedAt: minute(k), afterIds: [`id-${k}`] } : { phase: 'done' },
    // Not monotonic on purpose: the pass keeps the newest it visited.
    maxModifiedAt: k === 2 ? minute(59) : minute(k),
  });
}

function minute(m: number): string {
  return `2026-11-30T11:${String(m).padStart(2, '0')}:00.000Z`;
}

describe('the syncMapping workflow (stubbed activities)', function () {
  this.timeout(120_000);
  const taskQueue = uniqueName('sync-mapping-wf');
  const scripts = new Map<string, Script>();
  const calls = new Map<string, Call[]>();
  let worker: Worker;
  let running: Promise<void>;

  const record = (mapping: string, activity: Call['activity'], input: unknown) => {
    const runId = Context.current().info.workflowExecution?.runId ?? '?';
    calls.set(mapping, [...(calls.get(mapping) ?? []), { activity, runId, input }]);
  };
  const scriptOf = (mapping: string): Script => {
    const s = scripts.get(mapping);
    if (!s) throw ApplicationFailure.create({ message: `no script for ${mapping}`, type: 'NonRetryable' });
    return s;
  };

  before(async () => {
    worker = await Worker.create({
      connection: testResources().temporal.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowsPath: require.resolve('../../workflows'),
      activities: {
        planRun: async (input: { mapping: string }) => {
          record(input.mapping, 'planRun', input);
          return { directions: scriptOf(input.mapping).directions };
        },
        startPass: async (input: StartPassInput) => {
          record(input.mapping, 'startPass', input);
          return {
            jobId: jobIdOf(input.direction),
            passStartedAt: passStart,
            cursor: { phase: 'retry', afterCouplingId: 0 } satisfies PassCursor,
            counts: zeroCounts(),
          };
        },
        syncPage: async (input: SyncPageInput) => {
          record(input.mapping, 'syncPage', input);
          return scriptOf(input.mapping).page(input.direction, input.pageNo);
        },
        finishPass: async (input: FinishPassInput) => {
          record(input.mapping, 'finishPass', input);
          const status = scriptOf(input.mapping).status?.(input.direction);
          return { status: status ?? (input.counts.failed > 0 ? 'completed_with_errors' : 'succeeded') };
        },
      },
    });
    running = worker.run();
  });

  after(async () => {
    worker.shutdown();
    await running;
  });

  /** Starts a run of a fresh mapping name following `script`. */
  async function start(script: Script, input: Partial<SyncMappingInput> = {}) {
    const mapping = uniqueName('M').toUpperCase();
    scripts.set(mapping, script);
    const handle = await testResources().temporal.client.workflow.start<typeof syncMapping>('syncMapping', {
      taskQueue,
      workflowId: uniqueName('sync-mapping'),
      args: [{ mapping, mode: 'incremental', ...input }],
    });
    return { mapping, handle, callsOf: () => calls.get(mapping) ?? [] };
  }

  it('carries the pass across continue-as-new: one job, pages in cursor order, totals and newest modified-on', async () => {
    const pages = 40;
    const { mapping, handle, callsOf } = await start({ directions: ['to-dataverse'], page: changedPages(pages, [7]) });
    const result = await handle.result();

    const first = await testResources()
      .temporal.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId)
      .describe();
    assert.equal(first.status.name, 'CONTINUED_AS_NEW');
    const all = callsOf();
    // Planned and opened once for the whole chain: the later runs resume the pass instead of opening a new one.
    assert.deepEqual(
      all.filter((c) => c.activity !== 'syncPage').map((c) => c.activity),
      ['planRun', 'startPass', 'finishPass'],
    );
    assert.ok(new Set(all.map((c) => c.runId)).size >= 2, 'pages ran in more than one run of the chain');
    const pageCalls = all.filter((c) => c.activity === 'syncPage').map((c) => c.input as SyncPageInput);
    assert.deepEqual(
      pageCalls.map((p) => p.pageNo),
      [...Array(pages).keys()],
    );
    // Each page starts where the one before it ended, also across the runs of the chain.
    const expectedCursors: PassCursor[] = [{ phase: 'retry', afterCouplingId: 0 }];
    for (let k = 0; k < pages - 1; k++) expectedCursors.push(changedPages(pages)('to-dataverse', k).next);
    assert.deepEqual(
      pageCalls.map((p) => p.cursor),
      expectedCursors,
    );
    assert.deepEqual([...new Set(pageCalls.map((p) => `${p.jobId} ${p.passStartedAt}`))], [`101 ${passStart}`]);

    const finish = all.find((c) => c.activity === 'finishPass')!.input as FinishPassInput;
    assert.deepEqual(finish, {
      mapping,
      direction: 'to-dataverse',
      mode: 'incremental',
      jobId: 101,
      passStartedAt: passStart,
      maxModifiedAt: minute(59),
      counts: counts({ modified: pages, failed: 1 }),
    });
    assert.deepEqual(result, {
      mapping,
      outcome: 'completed_with_errors',
      passes: [
        {
          direction: 'to-dataverse',
          jobId: 101,
          counts: counts({ modified: pages, failed: 1 }),
          status: 'completed_with_errors',
        },
      ],
      failed: 1,
      changed: pages,
    });
  });

  it('runs the remaining direction after a continue-as-new in the first one, and keeps the finished pass', async () => {
    const { mapping, handle, callsOf } = await start({
      directions: ['to-dataverse', 'to-bc'],
      page: (direction, k) =>
        direction === 'to-dataverse' ? changedPages(30)(direction, k) : changedPages(2)(direction, k),
    });
    const result = await handle.result();
    const all = callsOf();
    assert.deepEqual(
      all.filter((c) => c.activity === 'startPass').map((c) => (c.input as StartPassInput).direction),
      ['to-dataverse', 'to-bc'],
    );
    assert.ok(new Set(all.map((c) => c.runId)).size >= 2, 'the run continued as new');
    assert.deepEqual(
      result.passes.map((p) => [p.direction, p.jobId, p.counts.modified, p.status]),
      [
        ['to-dataverse', 101, 30, 'succeeded'],
        ['to-bc', 102, 2, 'succeeded'],
      ],
    );
    assert.equal(result.outcome, 'succeeded');
    assert.equal(result.changed, 32);
    const progress = await handle.query(syncProgressQuery);
    assert.equal(progress.phase, 'done');
    assert.equal(progress.mapping, mapping);
    assert.deepEqual(
      progress.passes.map((p) => [p.direction, p.status]),
      [
        ['to-dataverse', 'succeeded'],
        ['to-bc', 'succeeded'],
      ],
    );
  });

  it('resumes from a given resume state without planning again or reopening the pass under way', async () => {
    const finished = {
      direction: 'to-dataverse' as const,
      jobId: 7,
      counts: counts({ inserted: 4 }),
      status: 'succeeded',
    };
    const cursor: PassCursor = { phase: 'changed', afterModifiedAt: minute(30), afterIds: ['x'] };
    const { mapping, handle, callsOf } = await start(
      {
        directions: [],
        page: () => ({ counts: counts({ modified: 2 }), next: { phase: 'done' }, maxModifiedAt: minute(31) }),
      },
      {
        resume: {
          finished: [finished],
          current: {
            direction: 'to-bc',
            jobId: 8,
            passStartedAt: passStart,
            cursor,
            counts: counts({ modified: 5 }),
            pages: 12,
            maxModifiedAt: minute(40),
          },
          remaining: [],
        },
      },
    );
    const result = await handle.result();
    const all = callsOf();
    assert.deepEqual(
      all.map((c) => c.activity),
      ['syncPage', 'finishPass'],
    );
    const page = all[0].input as SyncPageInput;
    assert.deepEqual([page.jobId, page.pageNo, page.cursor], [8, 12, cursor]);
    const finish = all[1].input as FinishPassInput;
    assert.deepEqual([finish.jobId, finish.maxModifiedAt, finish.counts], [8, minute(40), counts({ modified: 7 })]);
    assert.deepEqual(result, {
      mapping,
      outcome: 'succeeded',
      passes: [finished, { direction: 'to-bc', jobId: 8, counts: counts({ modified: 7 }), status: 'succeeded' }],
      failed: 0,
      changed: 11,
    });
  });

  it('is recorded by scripts/record-histories.ts as a history that replays, and never over an existing one', async () => {
    const { handle } = await start({ directions: ['to-dataverse'], page: changedPages(2) });
    await handle.result();
    const dir = mkdtempSync(path.join(tmpdir(), 'bcsync-histories-'));
    const client = testResources().temporal.client;
    const file = await recordHistory({ client, name: 'stubbed-sync', workflowId: handle.workflowId, dir });
    assert.equal(file, path.join(dir, 'stubbed-sync.json'));
    const written = readFileSync(file, 'utf8');
    await Worker.runReplayHistory({ workflowsPath: require.resolve('../../workflows') }, JSON.parse(written));

    await assert.rejects(
      recordHistory({ client, name: 'stubbed-sync', workflowId: handle.workflowId, dir }),
      (err: unknown) => err instanceof RecordHistoryError && /is never re-recorded/.test(err.message),
    );
    assert.equal(readFileSync(file, 'utf8'), written, 'the existing history is left as it was');
  });

  describe('outcome rules', () => {
    it('publishes succeeded with the changed total when no record failed', async () => {
      const { handle } = await start({ directions: ['to-dataverse', 'to-bc'], page: changedPages(2) });
      const result = await handle.result();
      assert.deepEqual([result.outcome, result.failed, result.changed], ['succeeded', 0, 4]);
      const sa = (await handle.describe()).typedSearchAttributes;
      assert.deepEqual([sa.get(BcSyncOutcome), sa.get(BcSyncFailed), sa.get(BcSyncChanged)], ['succeeded', 0, 4]);
    });

    it('publishes completed_with_errors with the failed total when records failed', async () => {
      const { handle } = await start({ directions: ['to-dataverse', 'to-bc'], page: changedPages(3, [0, 2]) });
      const result = await handle.result();
      assert.deepEqual([result.outcome, result.failed, result.changed], ['completed_with_errors', 4, 6]);
      assert.deepEqual(
        result.passes.map((p) => p.status),
        ['completed_with_errors', 'completed_with_errors'],
      );
      const sa = (await handle.describe()).typedSearchAttributes;
      assert.deepEqual(
        [sa.get(BcSyncOutcome), sa.get(BcSyncFailed), sa.get(BcSyncChanged)],
        ['completed_with_errors', 4, 6],
      );
    });

    it('fails the run and publishes failed when a page fails for good', async () => {
      const { handle, callsOf } = await start({
        directions: ['to-dataverse', 'to-bc'],
        page: (_d, k) => {
          if (k === 1) throw ApplicationFailure.create({ message: 'the store refused the page', type: 'NonRetryable' });
          return changedPages(3)(_d, k);
        },
      });
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        assert.ok(err.cause instanceof ActivityFailure);
        assert.ok(err.cause.cause instanceof ApplicationFailure);
        assert.equal(err.cause.cause.message, 'the store refused the page');
        return true;
      });
      // Nothing after the failed page: the pass stays open for the next run's planRun to close as abandoned.
      assert.deepEqual(
        callsOf().map((c) => c.activity),
        ['planRun', 'startPass', 'syncPage', 'syncPage'],
      );
      const sa = (await handle.describe()).typedSearchAttributes;
      assert.equal(sa.get(BcSyncOutcome), 'failed');
    });
  });
});
