/**
 * Determinism: the workflow code must replay the histories of runs it (or an earlier version) produced. A change to
 * workflow code that would break running workflows fails here. Replays (1) the committed histories in
 * test/histories/ — earlier versions' runs, including continued-as-new ones — and (2) every run the sync tests of this
 * test run started (mocha loads this file after them).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { testResources } from '../support/env';
import { startedRuns } from '../support/sync-runs';
import { sourceWorkflowCode } from '../support/workflow-code';

const historiesDir = path.join(__dirname, '..', 'histories');

describe('workflow determinism', function () {
  this.timeout(300_000);

  it('replays the committed histories of earlier versions', async () => {
    const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 2, 'committed histories exist');
    const histories = files.map((f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: JSON.parse(readFileSync(path.join(historiesDir, f), 'utf8')) as unknown,
    }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(await sourceWorkflowCode(), histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.deepEqual(failures, []);
  });

  it('replays every sync run of this test run', async () => {
    assert.ok(startedRuns.length > 0, 'the sync tests ran before this file');
    const { client } = testResources().temporal;
    const histories = [];
    for (const run of startedRuns) {
      const handle = client.workflow.getHandle(run.workflowId, run.runId);
      histories.push({ workflowId: run.workflowId, history: await handle.fetchHistory() });
    }
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(await sourceWorkflowCode(), histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.deepEqual(failures, []);
  });
});
