import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from '../support/env';
import { freePort, runBcsync, spawnBcsync } from '../support/cli';

/** PIDs of processes whose command line contains `needle`. */
function processesMatching(needle: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', '--', needle]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe('npm start (bcsync start)', function () {
  this.timeout(180_000);

  it('runs the stack on the embedded SQLite store, survives a restart with the same state, and leaves no process behind', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bcsync-start-'));
    const [grpc, ui, metrics, closedMysql] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const env = {
      DATA_DIR: dataDir,
      TEMPORAL_DEV_PORT: String(grpc),
      TEMPORAL_UI_PORT: String(ui),
      METRICS_PORT: String(metrics),
      // No MySQL answers here, so the embedded default must fall back to SQLite and say so.
      MYSQL_DEFAULT_URL: `mysql://root@127.0.0.1:${closedMysql}/bcsync`,
      EMULATORS: 'false',
    };

    const runOnce = async () => {
      const started = spawnBcsync(['start'], env);
      const exited = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)));
      try {
        await eventually(() => started.output().includes('Press Ctrl-C to stop.'), 'npm start to be ready', 120_000);
      } catch (err) {
        started.child.kill('SIGKILL');
        throw new Error(`${(err as Error).message}\n${started.output()}`);
      }
      return { ...started, exited };
    };

    const first = await runOnce();
    assert.match(
      first.output(),
      /NOTICE: MYSQL_URL is not set and no MySQL answers on 127\.0\.0\.1:\d+; using the embedded SQLite store/,
    );
    assert.match(first.output(), new RegExp(`Temporal UI:  http://localhost:${ui}/`));
    const page = await fetch(`http://localhost:${ui}/`);
    assert.equal(page.status, 200, 'the Temporal UI answers');
    const metricsText = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
    assert.match(metricsText, /temporal_/);

    const cliEnv = { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${grpc}` };
    const smoke = await runBcsync(['smoke', '--wait', '--json'], cliEnv);
    assert.equal(smoke.code, 0, smoke.stderr);
    const { workflowId, jobId } = JSON.parse(smoke.stdout);

    first.child.kill('SIGINT');
    assert.equal(await first.exited, 0, first.output());
    assert.match(first.output(), /Worker stopped[\s\S]*Temporal dev server stopped/);
    assert.deepEqual(processesMatching(`start-dev.*--port ${grpc}`), [], 'no temporal process is left');

    const second = await runOnce();
    assert.match(second.output(), /Store schema is up to date/);
    const jobs = await runBcsync(['jobs', '--json'], cliEnv);
    assert.equal(JSON.parse(jobs.stdout)[0].id, jobId, 'the store kept the first run');
    const show = await fetch(
      `http://localhost:${ui}/api/v1/namespaces/default/workflows/${encodeURIComponent(workflowId)}`,
    );
    assert.equal(show.status, 200, 'Temporal kept the first run across the restart');
    const body = (await show.json()) as {
      workflowExecutionInfo?: { execution?: { workflowId?: string }; status?: string };
    };
    assert.equal(body.workflowExecutionInfo?.execution?.workflowId, workflowId);
    assert.equal(body.workflowExecutionInfo?.status, 'WORKFLOW_EXECUTION_STATUS_COMPLETED');
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0, second.output());
    assert.deepEqual(processesMatching(`start-dev.*--port ${grpc}`), []);
  });
});
