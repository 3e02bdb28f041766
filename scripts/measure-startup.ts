/**
 * `npm run bench:startup`: start-up time and memory of `bcsync worker`, from the TypeScript sources (swc,
 * workflows bundled with webpack at start-up: how the product ran before the compiled runtime, BCSYNC_FROM_SOURCE=1)
 * against the compiled runtime (dist/ and the prebuilt dist/workflow-bundle.js), side by side in one run, alternating
 * the two so that the machine's load falls on both alike.
 *
 * Each round starts a worker on a store already migrated, measures the time from spawn to its "worker started" log
 * line and its peak resident set (VmHWM) at that moment, then runs the initial BC→Dataverse sync of --customers
 * customers through it (fresh emulators, 20 ms latency) and reads VmHWM again: the process's peak over start-up and
 * a sync. Options: --rounds N (Default: 3), --customers N (Default: 1000), --latency MS (Default: 20).
 * Needs MySQL (MYSQL_URL or root@127.0.0.1:3306), the pinned Temporal CLI and a current dist/ (the npm script
 * builds it first when stale).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Command } from 'commander';
import { freePort } from '../bench/harness';
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
const MODES = {
  source: { label: 'sources (swc, bundled at start-up)', env: { BCSYNC_FROM_SOURCE: '1' } },
  compiled: { label: 'compiled (dist/ + prebuilt bundle)', env: { BCSYNC_FROM_SOURCE: '0' } },
} as const;
type Mode = keyof typeof MODES;

interface Round {
  mode: Mode;
  startupMs: number;
  startPeakMb: number;
  syncPeakMb: number;
  syncSeconds: number;
  records: number;
}

/** Peak resident set size of a process in MB (Linux /proc VmHWM). */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmHWM for pid ${pid}`);
  return Math.round(Number(m[1]) / 1024);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function round(
  env: TestWorkflowEnvironment,
  mode: Mode,
  n: number,
  o: { customers: number; latency: number; mysqlServer: string },
): Promise<Round> {
  const seed = { customers: o.customers, contactsPerCustomer: 0, overlapFraction: 0, dataverseOnlyAccounts: 0 };
  const common = { tenant: TENANT, clientId: 'bcsync-demo', clientSecret: 'bcsync-demo-secret', seed };
  const bc = await startBusinessCentralEmulator(common);
  const dv = await startDataverseEmulator({ ...common, orgUrl: ORG_URL });
  const database = `bcsync_startup_${mode}_${n}_${process.pid}`;
  const store = await openMysqlStore(`${o.mysqlServer}/${database}`);
  // Migrated before the worker starts, so start-up measures the runtime, not the migrations.
  await migrateLatest(store);
  const dir = mkdtempSync(path.join(tmpdir(), 'bcsync-startup-'));
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
  const taskQueue = `startup-${mode}-${n}-${process.pid}`;
  try {
    for (const e of [bc, dv]) {
      await fetch(`${e.url}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules: [{ latencyMs: o.latency }] }),
      });
    }
    const spawned = Date.now();
    const worker = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'bcsync.js'), 'worker'], {
      env: childProcessEnv({
        ...MODES[mode].env,
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
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
        DATA_DIR: dir,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => worker.once('close', (code) => resolve(code)));
    let output = '';
    const startupMs = await new Promise<number>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output += d.toString();
        if (output.includes('"worker started"')) resolve(Date.now() - spawned);
      };
      worker.stdout.on('data', onData);
      worker.stderr.on('data', onData);
      void exited.then((code) => reject(new Error(`the ${mode} worker exited (${code}) before starting:\n${output}`)));
    });
    const startPeakMb = peakRssMb(worker.pid!);
    const started = Date.now();
    const handle = await env.client.workflow.start<typeof syncMapping>('syncMapping', {
      taskQueue,
      workflowId: `startup-${mode}-${n}-${Date.now()}`,
      args: [{ mapping: 'CUSTOMER', mode: 'full', direction: 'to-dataverse' }],
    });
    const result = await handle.result();
    const syncSeconds = (Date.now() - started) / 1000;
    const syncPeakMb = peakRssMb(worker.pid!);
    worker.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`the ${mode} worker exited with ${code}:\n${output}`);
    if (result.outcome !== 'succeeded') throw new Error(`the ${mode} sync ended ${result.outcome}`);
    const records = result.passes[0]?.counts.inserted ?? 0;
    return { mode, startupMs, startPeakMb, syncPeakMb, syncSeconds, records };
  } finally {
    await store.knex.raw('DROP DATABASE IF EXISTS ??', [database]);
    await store.close();
    await bc.close();
    await dv.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const program = new Command('measure-startup')
    .option('--rounds <n>', 'rounds per runtime', (v) => Number(v), 3)
    .option('--customers <n>', 'customers synchronized through each worker', (v) => Number(v), 1000)
    .option('--latency <ms>', 'latency per request', (v) => Number(v), 20)
    .parse(process.argv);
  const o = program.opts<{ rounds: number; customers: number; latency: number }>();
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
    const rounds: Round[] = [];
    for (let n = 0; n < o.rounds; n++) {
      // Alternate which runtime goes first, so neither always runs on a warmer page cache.
      const order: Mode[] = n % 2 === 0 ? ['source', 'compiled'] : ['compiled', 'source'];
      for (const mode of order) {
        const r = await round(env, mode, n, { ...o, mysqlServer });
        console.log(
          `round ${n + 1} ${mode}: start-up ${r.startupMs} ms, VmHWM ${r.startPeakMb} MB at start, ` +
            `${r.syncPeakMb} MB after syncing ${r.records} customers in ${r.syncSeconds.toFixed(1)} s`,
        );
        rounds.push(r);
      }
    }
    console.log(
      `\nbcsync worker, ${o.rounds} rounds each (median [min–max]); sync: initial BC→Dataverse of ${o.customers} ` +
        `customers, ${o.latency} ms latency\n`,
    );
    const fmt = (xs: number[], unit: string) => `${median(xs)} ${unit} [${Math.min(...xs)}–${Math.max(...xs)}]`;
    console.log(
      '| runtime | start-up (spawn → "worker started") | VmHWM at start | VmHWM after the sync | sync time |',
    );
    console.log('| --- | --- | --- | --- | --- |');
    for (const mode of Object.keys(MODES) as Mode[]) {
      const rs = rounds.filter((r) => r.mode === mode);
      console.log(
        `| ${MODES[mode].label} | ${fmt(
          rs.map((r) => r.startupMs),
          'ms',
        )} | ${fmt(
          rs.map((r) => r.startPeakMb),
          'MB',
        )} | ${fmt(
          rs.map((r) => r.syncPeakMb),
          'MB',
        )} | ${median(rs.map((r) => r.syncSeconds)).toFixed(1)} s |`,
      );
    }
  } finally {
    await env.teardown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
