/**
 * `npm run bench`: the initial BC→Dataverse sync of N customers (Default: 10,000) against the emulators with 20 ms of
 * latency per request, once with the product's batched writes and once with a naive one-request-per-record strategy,
 * side by side in one run. Reports records per second, HTTP requests per record, workflow-history events per run
 * (summed over continue-as-new) and the worker process's peak memory (VmHWM).
 *
 * Options: --customers N, --latency MS, --page N. Needs MySQL (MYSQL_URL or root@127.0.0.1:3306) and the pinned
 * Temporal CLI (installed into the cache like `npm start` does).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Command } from 'commander';
import { childProcessEnv, loadConfig } from '../config';
import { startBusinessCentralEmulator } from '../emulators/business-central';
import { startDataverseEmulator } from '../emulators/dataverse';
import { openMysqlStore } from '../store/database';
import { migrateLatest } from '../store/migrate';
import { searchAttributeKeys } from '../workflows/definitions';
import type { syncMapping } from '../workflows';
import { ensureTemporalCli } from './temporal/cli';

const TENANT = 'cronus';
const ORG_URL = 'https://bcsync.crm.dynamics.com';

interface Measurement {
  strategy: string;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  requests: number;
  requestsPerRecord: number;
  historyEvents: number;
  runs: number;
  peakRssMb: number;
  outcome: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Peak resident set size of a process in MB (Linux /proc VmHWM). */
function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

async function measure(
  env: TestWorkflowEnvironment,
  strategy: 'batched' | 'naive',
  o: { customers: number; latency: number; page: number; mysqlServer: string },
): Promise<Measurement> {
  const seed = { customers: o.customers, contactsPerCustomer: 1, overlapFraction: 0, dataverseOnlyAccounts: 1 };
  const common = { tenant: TENANT, clientId: 'bcsync-demo', clientSecret: 'bcsync-demo-secret', seed };
  const bc = await startBusinessCentralEmulator(common);
  const dv = await startDataverseEmulator({ ...common, orgUrl: ORG_URL });
  const database = `bcsync_bench_${strategy}_${process.pid}`;
  const store = await openMysqlStore(`${o.mysqlServer}/${database}`);
  await migrateLatest(store);
  const dir = mkdtempSync(path.join(tmpdir(), 'bcsync-bench-'));
  const mappingsFile = path.join(dir, 'mappings.json');
  writeFileSync(
    mappingsFile,
    JSON.stringify({
      mappings: {
        CUSTOMER: {
          direction: 'to-dataverse',
          onlyCoupled: false,
          fieldMappings: [
            { bcField: 'salespersonCode', enabled: false },
            { bcField: 'currencyCode', enabled: false },
            { bcField: 'blocked', enabled: false },
          ],
        },
      },
    }),
  );
  let worker: ChildProcess | undefined;
  try {
    for (const e of [bc, dv]) {
      await fetch(`${e.url}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules: [{ latencyMs: o.latency }] }),
      });
      await fetch(`${e.url}/__emulator/reset-stats`, { method: 'POST' }).catch(() => undefined);
    }
    const statsBefore = await Promise.all(
      [bc, dv].map(async (e) => (await (await fetch(`${e.url}/__emulator/stats`)).json()) as { total: number }),
    );
    const taskQueue = `bench-${strategy}-${process.pid}`;
    worker = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'bcsync.js'), 'worker'], {
      env: childProcessEnv({
        LOG_LEVEL: 'warn',
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        MYSQL_URL: `${o.mysqlServer}/${database}`,
        BC_API_URL: `${bc.url}/v2.0`,
        BC_AUTHORITY_HOST: bc.url,
        BC_TENANT_ID: TENANT,
        BC_COMPANY_ID: bc.companyId,
        DATAVERSE_URL: dv.url,
        DATAVERSE_AUTHORITY_HOST: dv.url,
        DATAVERSE_TENANT_ID: TENANT,
        EMULATOR_DV_ORG_URL: ORG_URL,
        MAPPINGS_FILE: mappingsFile,
        METRICS_PORT: String(await freePort()),
        SYNC_PAGE_SIZE: String(o.page),
        // The naive strategy: one HTTP request per written record (what hand-made scripts do).
        WRITE_BATCH_SIZE: strategy === 'naive' ? '1' : '100',
        DATA_DIR: dir,
      }),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const workflowId = `bench-${strategy}-${Date.now()}`;
    const started = Date.now();
    const handle = await env.client.workflow.start<typeof syncMapping>('syncMapping', {
      taskQueue,
      workflowId,
      args: [{ mapping: 'CUSTOMER', mode: 'full', direction: 'to-dataverse' }],
    });
    const result = await handle.result();
    const seconds = (Date.now() - started) / 1000;
    const peak = peakRssMb(worker.pid!);
    let historyEvents = 0;
    let runs = 0;
    for await (const wf of env.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
      historyEvents += wf.historyLength;
      runs += 1;
    }
    const statsAfter = await Promise.all(
      [bc, dv].map(async (e) => (await (await fetch(`${e.url}/__emulator/stats`)).json()) as { total: number }),
    );
    const requests = statsAfter.reduce((n, s, i) => n + s.total - statsBefore[i].total, 0);
    const records = result.passes[0]?.counts.inserted ?? 0;
    return {
      strategy,
      records,
      seconds: Math.round(seconds * 10) / 10,
      recordsPerSecond: Math.round(records / seconds),
      requests,
      requestsPerRecord: Math.round((requests / Math.max(records, 1)) * 1000) / 1000,
      historyEvents,
      runs,
      peakRssMb: peak,
      outcome: result.outcome,
    };
  } finally {
    worker?.kill('SIGTERM');
    await new Promise((r) => (worker ? worker.once('exit', r) : r(undefined)));
    await store.knex.raw('DROP DATABASE IF EXISTS ??', [database]);
    await store.close();
    await bc.close();
    await dv.close();
  }
}

async function main() {
  const program = new Command('bench')
    .option('--customers <n>', 'customers to synchronize', (v) => Number(v), 10_000)
    .option('--latency <ms>', 'latency per request', (v) => Number(v), 20)
    .option('--page <n>', 'records per page', (v) => Number(v), 200)
    .parse(process.argv);
  const o = program.opts<{ customers: number; latency: number; page: number }>();
  const config = loadConfig();
  const cli = await ensureTemporalCli({
    cliPath: config.temporal.devServer.cliPath,
    cacheDir: config.temporal.devServer.cliCacheDir,
    log: (l) => console.log(l),
    env: childProcessEnv(),
  });
  const server = new URL(config.mysqlUrl ?? config.mysqlDefaultUrl);
  server.pathname = '';
  const mysqlServer = server.toString().replace(/\/$/, '');
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli }, searchAttributes: [...searchAttributeKeys] },
  });
  try {
    console.log(
      `Initial BC→Dataverse sync of ${o.customers} customers, ${o.latency} ms latency per request, pages of ${o.page}`,
    );
    const rows: Measurement[] = [];
    for (const strategy of ['naive', 'batched'] as const) {
      console.log(`running ${strategy}…`);
      rows.push(await measure(env, strategy, { ...o, mysqlServer }));
    }
    console.table(rows);
    const [naive, batched] = rows;
    console.log(
      `batched vs naive: ${(batched.recordsPerSecond / naive.recordsPerSecond).toFixed(1)}× the throughput, ` +
        `${(naive.requestsPerRecord / batched.requestsPerRecord).toFixed(1)}× fewer requests per record`,
    );
  } finally {
    await env.teardown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
