/**
 * The sync metrics end to end: real runs on the real stack (Temporal dev server, MySQL, emulators over HTTP, a worker
 * whose activities and connectors feed the metrics as the worker process wires them), scraped over HTTP from the
 * metrics endpoint and compared with what MySQL and the emulators recorded. Also the end state of a run's details in
 * the Temporal UI (the workflow metadata query): outcome, counts and links to the console's job pages.
 */
import assert from 'node:assert/strict';
import { scheduleIdOf, upsertMappingSchedule } from '../../client/schedules';
import { serveMetrics, type MetricsServer } from '../../worker/metrics-server';
import { RECORD_OUTCOMES } from '../../worker/sync-metrics';
import { freePort, spawnBcsync } from '../support/cli';
import { eventually, testResources, uniqueName } from '../support/env';
import { workerEnv } from '../support/worker-env';
import { runSync, startSync } from '../support/sync-runs';
import { setFaults, startSyncStack, type SyncStack } from '../support/sync-stack';

const CONSOLE_URL = 'http://console.example.test:8080';

/** One sample of the text exposition: `name{labels} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus' text exposition format (the subset prom-client writes: no escapes in our label values). */
function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum of the samples named `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

/** The one sample named `name` with exactly these labels (undefined when absent). */
function sample(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const found = samples.filter(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  assert.ok(found.length <= 1, `one series ${name}${JSON.stringify(labels)}`);
  return found[0]?.value;
}

describe('sync metrics end to end', function () {
  this.timeout(240_000);
  let stack: SyncStack;
  let server: MetricsServer;

  before(async () => {
    stack = await startSyncStack({ seed: { customers: 2 }, metrics: true, consoleUrl: CONSOLE_URL });
    server = await serveMetrics(stack.metrics!.registry, { host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server?.close();
    await stack?.close();
  });

  const scrape = async () => {
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    return parseExposition(await res.text());
  };

  it('counts what real runs committed as their job rows do, and the API answers as the emulators saw them', async () => {
    // Three throttled answers on the Dataverse currencies: retried after Retry-After, counted, never a failed record.
    await setFaults(stack.emulators.dv.url, [
      { entitySet: 'transactioncurrencies', status: 429, retryAfterSeconds: 0, count: 3 },
    ]);
    const first = await runSync(stack.taskQueue, { mapping: 'CURRENCY', mode: 'incremental' });
    await setFaults(stack.emulators.dv.url, []);
    assert.equal(first.failed, 1, "the demo's currency without an exchange rate fails");
    await runSync(stack.taskQueue, { mapping: 'CURRENCY', mode: 'full' });
    await runSync(stack.taskQueue, { mapping: 'SALESPEOPLE', mode: 'incremental' });

    const samples = await scrape();
    const knex = stack.store.knex;
    const jobs: Array<Record<string, unknown>> = await knex('sync_jobs').where({ type: 'sync' });
    assert.ok(jobs.length >= 3);
    for (const job of jobs) assert.notEqual(job.status, 'running');

    // Records: every (mapping, direction, outcome) series equals the sum of the job rows' counters.
    const keys = new Set(jobs.map((j) => `${String(j.mapping)}|${String(j.direction)}`));
    for (const key of keys) {
      const [mapping, direction] = key.split('|');
      const rows = jobs.filter((j) => j.mapping === mapping && j.direction === direction);
      for (const outcome of RECORD_OUTCOMES) {
        const expected = rows.reduce((n, j) => n + Number(j[outcome]), 0);
        assert.equal(
          sample(samples, 'bcsync_records_total', { mapping, direction, outcome }),
          expected,
          `${mapping} ${direction} ${outcome}`,
        );
      }
      // Passes and their duration histogram: one per job row, by status.
      for (const status of new Set(rows.map((j) => String(j.status)))) {
        const n = rows.filter((j) => j.status === status).length;
        assert.equal(sample(samples, 'bcsync_passes_total', { mapping, direction, status }), n);
        assert.equal(sample(samples, 'bcsync_pass_duration_seconds_count', { mapping, direction, status }), n);
      }
    }
    assert.ok(total(samples, 'bcsync_records_total', { mapping: 'CURRENCY', outcome: 'inserted' }) >= 4);
    assert.equal(
      total(samples, 'bcsync_records_total'),
      jobs.reduce((n, j) => n + RECORD_OUTCOMES.reduce((m, o) => m + Number(j[o]), 0), 0),
    );

    // API: what the connectors sent is what the emulators answered (status by status), throttling and retries.
    for (const [service, emulator] of [
      ['business-central', stack.emulators.bc],
      ['dataverse', stack.emulators.dv],
    ] as const) {
      const stats = (await (await fetch(`${emulator.url}/__emulator/stats`)).json()) as {
        total: number;
        byStatus: Record<string, number>;
      };
      assert.equal(total(samples, 'bcsync_api_requests_total', { service }), stats.total, `${service} requests`);
      for (const [status, n] of Object.entries(stats.byStatus)) {
        assert.equal(total(samples, 'bcsync_api_requests_total', { service, status }), n, `${service} ${status}`);
      }
    }
    assert.equal(sample(samples, 'bcsync_api_throttled_total', { service: 'dataverse' }), 3);
    assert.equal(sample(samples, 'bcsync_api_throttled_total', { service: 'business-central' }), 0);
    assert.ok(sample(samples, 'bcsync_api_retries_total', { service: 'dataverse' })! >= 3);

    // Gauges read from MySQL at scrape time.
    const couplings: Array<{ mapping: string; n: number }> = await knex('couplings')
      .select('mapping')
      .count({ n: '*' })
      .groupBy('mapping');
    for (const c of couplings) {
      assert.equal(sample(samples, 'bcsync_couplings', { mapping: c.mapping }), Number(c.n), `${c.mapping} couplings`);
    }
    assert.equal(sample(samples, 'bcsync_couplings', { mapping: 'CONTACT' }), 0, 'a mapping never run reports 0');
    const skipped =
      Number((await knex('couplings').where({ mapping: 'CURRENCY', skipped: true }).count({ n: '*' }))[0].n) +
      Number((await knex('pending_failures').where({ mapping: 'CURRENCY', skipped: true }).count({ n: '*' }))[0].n);
    assert.equal(sample(samples, 'bcsync_skipped_records', { mapping: 'CURRENCY' }), skipped);

    const currencyJobs = jobs
      .filter((j) => j.mapping === 'CURRENCY')
      .sort((a, b) => (a.started_at as Date).getTime() - (b.started_at as Date).getTime());
    const newest = currencyJobs[currencyJobs.length - 1];
    assert.equal(
      sample(samples, 'bcsync_last_run_failed_records', { mapping: 'CURRENCY', direction: 'to-dataverse' }),
      Number(newest.failed),
    );
    assert.equal(
      sample(samples, 'bcsync_last_success_timestamp_seconds', { mapping: 'CURRENCY' }),
      (newest.finished_at as Date).getTime() / 1000,
    );
    assert.equal(
      sample(samples, 'bcsync_last_success_timestamp_seconds', { mapping: 'CONTACT' }),
      undefined,
      'absent for a mapping that never completed a run',
    );
  });

  it("reports a schedule's interval and paused state from Temporal, and its action carries the runs' static details", async () => {
    const { client } = testResources().temporal;
    // A schedule of its own (schedules are namespace-wide; other tests may hold the real mappings' ones).
    const mapping = uniqueName('METRICS-TEST');
    const { scheduleId } = await upsertMappingSchedule(client, {
      mapping,
      everyMs: 3_600_000,
      taskQueue: stack.taskQueue,
      note: 'metrics test',
    });
    assert.equal(scheduleId, scheduleIdOf(mapping));
    const handle = client.schedule.getHandle(scheduleId);
    try {
      const action = (await handle.describe()).action;
      assert.equal(action.staticSummary, `Scheduled incremental sync of ${mapping}`);
      assert.match(action.staticDetails ?? '', new RegExp(`^\\*\\*${mapping}\\*\\* — incremental run$`, 'm'));
      assert.match(action.staticDetails ?? '', new RegExp(`^- started by: the schedule ${scheduleId}$`, 'm'));

      // Schedule visibility lags a little behind the create: poll the endpoint with a deadline.
      const until = async (wanted: { every: number; paused: number }) => {
        const deadline = Date.now() + 30_000;
        let seen: Array<number | undefined> = [];
        while (Date.now() < deadline) {
          const samples = await scrape();
          seen = [
            sample(samples, 'bcsync_schedule_interval_seconds', { mapping }),
            sample(samples, 'bcsync_schedule_paused', { mapping }),
          ];
          if (seen[0] === wanted.every && seen[1] === wanted.paused) return;
          await new Promise((r) => setTimeout(r, 500));
        }
        assert.fail(`schedule gauges ${JSON.stringify(seen)}, wanted ${JSON.stringify(wanted)}`);
      };
      await until({ every: 3600, paused: 0 });
      await handle.pause('metrics test');
      await until({ every: 3600, paused: 1 });
    } finally {
      await handle.delete();
    }
  });

  it('is served by a `bcsync worker` process on SYNC_METRICS_PORT, counting the runs that process did', async () => {
    // The process, not the in-process worker, must do the run: stop the latter (the stack's close() copes).
    stack.worker.shutdown();
    const port = await freePort();
    const worker = spawnBcsync(
      ['worker'],
      await workerEnv(stack, { mappings: {} }, { SYNC_METRICS_PORT: String(port) }),
    );
    try {
      const url = `http://127.0.0.1:${port}/metrics`;
      await eventually(
        async () => (await fetch(url).catch(() => undefined))?.ok,
        'the worker to serve its metrics',
      ).catch((err: Error) => assert.fail(`${err.message}\n${worker.output()}`));
      const handle = await startSync(stack.taskQueue, { mapping: 'SALESPEOPLE', mode: 'full' });
      const result = await Promise.race([
        handle.result(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`the worker process did not finish the run:\n${worker.output()}`)), 60_000),
        ),
      ]);
      const jobId = result.passes[0].jobId;
      const job = (await stack.store.knex('sync_jobs').where({ id: jobId }).first()) as Record<string, number>;
      const samples = parseExposition(await (await fetch(url)).text());
      for (const outcome of RECORD_OUTCOMES) {
        // This process did only this run: its counters are this job's.
        assert.equal(
          sample(samples, 'bcsync_records_total', { mapping: 'SALESPEOPLE', direction: 'to-bc', outcome }),
          job[outcome],
          `${outcome}: ${worker.output()}`,
        );
      }
      assert.equal(
        sample(samples, 'bcsync_passes_total', {
          mapping: 'SALESPEOPLE',
          direction: 'to-bc',
          status: result.passes[0].status,
        }),
        1,
      );
      assert.ok(total(samples, 'bcsync_api_requests_total', { service: 'dataverse' }) > 0);
      const couplings = await stack.store.knex('couplings').where({ mapping: 'SALESPEOPLE' }).count({ n: '*' });
      assert.equal(sample(samples, 'bcsync_couplings', { mapping: 'SALESPEOPLE' }), Number(couplings[0].n));
    } finally {
      if (worker.child.exitCode === null && worker.child.signalCode === null) {
        const exited = new Promise((resolve) => worker.child.once('exit', resolve));
        worker.child.kill('SIGTERM');
        await exited;
      }
      await stack.restartWorker();
    }
  });

  it('answers 404 to anything but GET /metrics', async () => {
    assert.equal((await fetch(server.url.replace(/\/metrics$/, '/'))).status, 404);
    assert.equal((await fetch(server.url, { method: 'POST' })).status, 404);
  });

  it("ends a run's Temporal UI details with its outcome, counts and links to its jobs' console pages", async () => {
    const handle = await startSync(stack.taskQueue, { mapping: 'CURRENCY', mode: 'full' });
    const result = await handle.result();
    const jobId = result.passes[0].jobId;
    // Current details are served by the built-in metadata query (replayed by the worker for a closed run).
    const { client } = testResources().temporal;
    const metadata = await client.workflow
      .getHandle(handle.workflowId)
      .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    const details = metadata.currentDetails ?? '';
    assert.match(details, /^\*\*CURRENCY\*\* \(full\)$/m);
    assert.match(
      details,
      new RegExp(`^Outcome: \\*\\*${result.outcome}\\*\\* — ${result.failed} failed, 0 changed$`, 'm'),
    );
    const [p] = result.passes;
    const c = p.counts;
    assert.ok(
      details.includes(
        `- to-dataverse: ${p.status}, [job ${jobId}](${CONSOLE_URL}/jobs/${jobId}), 1 pages — inserted ${c.inserted}, modified ${c.modified}, unchanged ${c.unchanged}, skipped ${c.skipped}, failed ${c.failed}`,
      ),
      details,
    );
  });
});
