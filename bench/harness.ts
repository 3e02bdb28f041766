/**
 * The benchmark's moving parts: an emulator pair seeded with N customers and a fixed latency on every request, the
 * product (its worker as one or more child processes on one task queue, each with its own MySQL database per stack)
 * and the request counters of each side. Used by scripts/bench.ts; every function cleans up what it started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { childProcessEnv, loadConfig } from '../config';
import { createConnectors } from '../worker/connectors';
import { createLogger } from '../worker/logger';
import type { Connectors } from '../activities/sides';
import { startBusinessCentralEmulator, type RunningBusinessCentralEmulator } from '../emulators/business-central';
import { startDataverseEmulator, type RunningDataverseEmulator } from '../emulators/dataverse';
import type { DemoDataOptions } from '../emulators/shared/demo-data';
import type { StatsSnapshot } from '../emulators/shared/stats';
import type { SyncMappingInput, SyncMappingResult } from '../engine/run-types';
import { openMysqlStore, type Store } from '../store/database';
import { migrateLatest } from '../store/migrate';
import { CUSTOMER_FILTER, DISABLED_BC_FIELDS } from './customer-to-account';

const TENANT = 'cronus';
const ORG_URL = 'https://bcsync.crm.dynamics.com';
const CLIENT = { clientId: 'bcsync-demo', clientSecret: 'bcsync-demo-secret' };

/** Requests per side since a baseline. */
export interface SideRequests {
  bc: number;
  dv: number;
}

/** A BC and a Dataverse emulator seeded with `customers` BC customers (and one Dataverse-only account). */
export class EmulatorPair {
  private constructor(
    readonly bc: RunningBusinessCentralEmulator,
    readonly dv: RunningDataverseEmulator,
  ) {}

  /**
   * Starts both emulators with the documented service-protection limits and `latencyMs` on every request, seeded with
   * `seed` BC customers only, or with the demo data `seed` describes (every mapping's records).
   */
  static async start(seed: number | DemoDataOptions, latencyMs: number): Promise<EmulatorPair> {
    const data: DemoDataOptions =
      typeof seed === 'number'
        ? {
            customers: seed,
            contactsPerCustomer: 0,
            overlapFraction: 0,
            dataverseOnlyAccounts: 1,
            dataverseContactsPerAccount: 0,
          }
        : seed;
    const common = { tenant: TENANT, ...CLIENT, seed: data };
    const bc = await startBusinessCentralEmulator(common);
    const dv = await startDataverseEmulator({ ...common, orgUrl: ORG_URL });
    const pair = new EmulatorPair(bc, dv);
    await pair.setLatency(latencyMs);
    return pair;
  }

  /** Sets the latency every request waits before it is answered. */
  async setLatency(latencyMs: number): Promise<void> {
    for (const e of [this.bc, this.dv]) {
      const response = await fetch(`${e.url}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules: latencyMs > 0 ? [{ latencyMs }] : [] }),
      });
      if (!response.ok) throw new Error(`setting latency: ${response.status} ${await response.text()}`);
    }
  }

  async stats(): Promise<{ bc: StatsSnapshot; dv: StatsSnapshot }> {
    const read = async (url: string) => (await (await fetch(`${url}/__emulator/stats`)).json()) as StatsSnapshot;
    return { bc: await read(this.bc.url), dv: await read(this.dv.url) };
  }

  /** API requests per side (a `$batch` counts once; token requests are not counted). */
  async requests(): Promise<SideRequests> {
    const s = await this.stats();
    return { bc: s.bc.total, dv: s.dv.total };
  }

  /** Requests per side and entity set since `before` (what a run asked for). */
  static requestsBySet(
    before: { bc: StatsSnapshot; dv: StatsSnapshot },
    after: { bc: StatsSnapshot; dv: StatsSnapshot },
  ): { bc: Record<string, number>; dv: Record<string, number> } {
    const diff = (a: StatsSnapshot, b: StatsSnapshot) => {
      const out: Record<string, number> = {};
      for (const [set, n] of Object.entries(b.byEntitySet)) {
        const d = n - (a.byEntitySet[set] ?? 0);
        if (d) out[set] = d;
      }
      return out;
    };
    return { bc: diff(before.bc, after.bc), dv: diff(before.dv, after.dv) };
  }

  /** The worker environment that points the product at this pair. */
  productEnv(): Record<string, string> {
    return {
      BC_API_URL: `${this.bc.url}/v2.0`,
      BC_AUTHORITY_HOST: this.bc.url,
      BC_TENANT_ID: TENANT,
      BC_COMPANY_ID: this.bc.companyId,
      DATAVERSE_URL: this.dv.url,
      DATAVERSE_AUTHORITY_HOST: this.dv.url,
      DATAVERSE_TENANT_ID: TENANT,
      EMULATOR_DV_ORG_URL: ORG_URL,
    };
  }

  /** The project's connectors, configured like the product's (for the bare pipe, the naive loader and checks). */
  connectors(): Connectors {
    const config = loadConfig({ ...childProcessEnv(), ...this.productEnv(), EMULATORS: 'false' });
    return createConnectors(config, createLogger('warn', 'bench'));
  }

  /** Changes the name of `count` customers inside the mapping's filter (not counted by callers that re-baseline). */
  async changeCustomers(count: number, tag: string): Promise<void> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      scope: 'https://api.businesscentral.dynamics.com/.default',
    });
    const token = (
      (await (await fetch(this.bc.tokenUrl, { method: 'POST', body: form })).json()) as {
        access_token: string;
      }
    ).access_token;
    const base = `${this.bc.apiBase}/companies(${this.bc.companyId})/customers`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': '*' };
    const query = new URLSearchParams({ $filter: CUSTOMER_FILTER, $top: String(count), $select: 'id,displayName' });
    const list = (await (await fetch(`${base}?${query.toString()}`, { headers })).json()) as {
      value: { id: string; displayName: string }[];
    };
    if (list.value.length < count) throw new Error(`only ${list.value.length} customers to change`);
    for (const c of list.value) {
      const response = await fetch(`${base}(${c.id})`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ displayName: `${c.displayName.slice(0, 80)} ${tag}` }),
      });
      if (!response.ok) throw new Error(`changing a customer: ${response.status} ${await response.text()}`);
    }
  }

  async close(): Promise<void> {
    await this.bc.close();
    await this.dv.close();
  }
}

/**
 * A free port below Linux's ephemeral range (32768–60999): a port the OS hands out for `listen(0)` is closed again
 * before the worker binds it, and in between an outgoing connection (a worker's MySQL or Temporal client) may take it
 * as its source port — which once made a second worker's metrics exporter fail with "Address already in use".
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(candidate, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
}

/** Peak resident set size of a process in MB (Linux /proc VmHWM), NaN when unknown. */
export function peakRssMb(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

/** One measured product run. */
export interface ProductRun {
  result: SyncMappingResult;
  seconds: number;
  requests: SideRequests;
  /** Workflow-history events of the run, summed over its continue-as-new chain. */
  historyEvents: number;
  /** Requests per side and entity set. */
  bySet: { bc: Record<string, number>; dv: Record<string, number> };
  /** Records the run wrote (inserted + modified over its passes). */
  written: number;
}

/** One mapping of a first full synchronization, from its jobs. */
export interface MappingFigures {
  mapping: string;
  /** Records created or updated, plus those coupled by matching. */
  records: number;
  inserted: number;
  coupledByMatching: number;
  failed: number;
  /** The time its jobs (match, then the create passes) took, summed. */
  seconds: number;
  recordsPerSecond: number;
}

/**
 * The product on an emulator pair: its own MySQL database, a mapping file (CUSTOMER, every direction, the lookups to
 * mappings not run here disabled) and `workers` worker processes (`bcsync worker`) on one task queue.
 */
export class ProductStack {
  private readonly workers: ChildProcess[] = [];
  private runs = 0;

  private constructor(
    private readonly env: TestWorkflowEnvironment,
    readonly pair: EmulatorPair,
    readonly store: Store,
    private readonly database: string,
    private readonly dir: string,
    readonly taskQueue: string,
  ) {}

  /**
   * Creates the database (dropped again by `close`) and starts the workers, with the mapping file `overrides`
   * (Default: CUSTOMER creating uncoupled records, its lookups to mappings not run here disabled).
   */
  static async start(o: {
    env: TestWorkflowEnvironment;
    pair: EmulatorPair;
    mysqlServer: string;
    label: string;
    workers: number;
    pageSize: number;
    overrides?: unknown;
  }): Promise<ProductStack> {
    const database = `bcsync_bench_${o.label.replace(/\W/g, '_')}_${process.pid}`;
    const store = await openMysqlStore(`${o.mysqlServer}/${database}`);
    await migrateLatest(store);
    const dir = mkdtempSync(path.join(tmpdir(), 'bcsync-bench-'));
    const mappingsFile = path.join(dir, 'mappings.json');
    const customerOnly = {
      mappings: {
        CUSTOMER: {
          onlyCoupled: false,
          fieldMappings: DISABLED_BC_FIELDS.map((bcField) => ({ bcField, enabled: false })),
        },
      },
    };
    writeFileSync(mappingsFile, JSON.stringify(o.overrides ?? customerOnly));
    const stack = new ProductStack(o.env, o.pair, store, database, dir, `bench-${o.label}-${process.pid}`);
    try {
      for (let i = 0; i < o.workers; i++) {
        const worker = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'bcsync.js'), 'worker'], {
          env: childProcessEnv({
            LOG_LEVEL: 'warn',
            TEMPORAL_ADDRESS: o.env.address,
            TEMPORAL_TASK_QUEUE: stack.taskQueue,
            MYSQL_URL: `${o.mysqlServer}/${database}`,
            ...o.pair.productEnv(),
            EMULATORS: 'false',
            MAPPINGS_FILE: mappingsFile,
            METRICS_PORT: String(await freePort()),
            SYNC_PAGE_SIZE: String(o.pageSize),
            DATA_DIR: dir,
          }),
          stdio: ['ignore', 'inherit', 'inherit'],
        });
        stack.workers.push(worker);
      }
      await stack.ready(o.workers);
    } catch (err) {
      await stack.close();
      throw err;
    }
    return stack;
  }

  /**
   * Waits until `count` workers poll the task queue for both workflow and activity tasks, so that a measured run
   * does not include a worker's start-up (loading the code, bundling the workflows). Throws after two minutes or
   * when a worker exits.
   */
  private async ready(count: number): Promise<void> {
    const deadline = Date.now() + 120_000;
    const { TaskQueueType } = temporal.api.enums.v1;
    for (;;) {
      for (const w of this.workers)
        if (w.exitCode !== null) throw new Error(`a worker exited with code ${w.exitCode} while starting`);
      const pollers = await Promise.all(
        [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY].map(
          async (taskQueueType) =>
            (
              await this.env.client.workflowService.describeTaskQueue({
                namespace: this.env.namespace ?? 'default',
                taskQueue: { name: this.taskQueue },
                taskQueueType,
              })
            ).pollers?.length ?? 0,
        ),
      );
      if (pollers.every((n) => n >= count)) return;
      if (Date.now() > deadline) throw new Error(`workers not polling after 2 minutes: ${pollers.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Runs one synchronization of CUSTOMER and measures it (requests of both sides, time, history). */
  async run(input: Omit<SyncMappingInput, 'mapping'>): Promise<ProductRun> {
    for (const w of this.workers)
      if (w.exitCode !== null) throw new Error(`a worker exited with code ${w.exitCode} before the run`);
    const before = await this.pair.stats();
    const workflowId = `${this.taskQueue}-${++this.runs}`;
    const started = Date.now();
    const handle = await this.env.client.workflow.start('syncMapping', {
      taskQueue: this.taskQueue,
      workflowId,
      args: [{ mapping: 'CUSTOMER', ...input } satisfies SyncMappingInput],
    });
    const result = (await handle.result()) as SyncMappingResult;
    const seconds = (Date.now() - started) / 1000;
    const after = await this.pair.stats();
    let historyEvents = 0;
    for await (const wf of this.env.client.workflow.list({ query: `WorkflowId = "${workflowId}"` }))
      historyEvents += wf.historyLength;
    return {
      result,
      seconds,
      requests: { bc: after.bc.total - before.bc.total, dv: after.dv.total - before.dv.total },
      historyEvents,
      bySet: EmulatorPair.requestsBySet(before, after),
      written: result.passes.reduce((n, p) => n + p.counts.inserted + p.counts.modified, 0),
    };
  }

  /**
   * Runs the first full synchronization of the table mappings `tables` (`fullSync`: match, then create what is left, in
   * dependency order), then a full run of each statistics job of `statistics` (not part of a full synchronization),
   * and measures each mapping from its jobs: records coupled or written, failed, and the time its jobs took.
   */
  async fullSync(
    tables: readonly string[],
    statistics: readonly string[],
  ): Promise<{ seconds: number; mappings: MappingFigures[] }> {
    const startedAt = new Date(Date.now() - 1000);
    const started = Date.now();
    const handle = await this.env.client.workflow.start('fullSync', {
      taskQueue: this.taskQueue,
      workflowId: `${this.taskQueue}-full-${++this.runs}`,
      args: [{ mappings: [...tables] }],
    });
    const result = (await handle.result()) as {
      mappings: Array<{ mapping: string; state: string; reason: string | null }>;
    };
    const notDone = result.mappings.filter((m) => m.state !== 'done');
    if (notDone.length) throw new Error(`the full synchronization left mappings undone: ${JSON.stringify(notDone)}`);
    for (const mapping of statistics) {
      await this.env.client.workflow.execute('customerStatistics', {
        taskQueue: this.taskQueue,
        workflowId: `${this.taskQueue}-statistics-${++this.runs}`,
        args: [{ mapping, mode: 'full' } satisfies SyncMappingInput],
      });
    }
    const seconds = (Date.now() - started) / 1000;
    const mappings = [...tables, ...statistics];
    const jobs: Array<Record<string, unknown>> = await this.store
      .knex('sync_jobs')
      .where('started_at', '>=', startedAt)
      .whereIn('mapping', [...mappings]);
    const out: MappingFigures[] = [];
    for (const mapping of mappings) {
      const own = jobs.filter((j) => j.mapping === mapping);
      const n = (k: string) => own.reduce((sum, j) => sum + Number(j[k] ?? 0), 0);
      // (The driver gives Date objects with their milliseconds; String() of one would drop them.)
      const at = (v: unknown) => (v instanceof Date ? v : new Date(String(v))).getTime();
      const jobSeconds = own.reduce((sum, j) => sum + (at(j.finished_at) - at(j.started_at)) / 1000, 0);
      // A match job's `coupled` are its couples; a sync job's inserts are coupled too (counted once, as written).
      const written = n('inserted') + n('modified');
      const coupled = own.filter((j) => j.type === 'coupling').reduce((sum, j) => sum + Number(j.coupled ?? 0), 0);
      const records = written + coupled;
      out.push({
        mapping,
        records,
        inserted: n('inserted'),
        coupledByMatching: coupled,
        failed: n('failed'),
        seconds: Math.round(jobSeconds * 100) / 100,
        recordsPerSecond: jobSeconds > 0 ? Math.round((records / jobSeconds) * 10) / 10 : 0,
      });
    }
    return { seconds, mappings: out };
  }

  /** Peak RSS of each worker process so far (MB). */
  peakRssMb(): number[] {
    return this.workers.map((w) => peakRssMb(w.pid));
  }

  /** CUSTOMER couplings: rows, distinct BC ids, distinct Dataverse ids. */
  async couplings(): Promise<{ rows: number; bcIds: number; dvIds: number }> {
    const [row] = await this.store
      .knex('couplings')
      .where({ mapping: 'CUSTOMER' })
      .select<{ n_rows: number; n_bc: number; n_dv: number }[]>(
        this.store.knex.raw('count(*) as n_rows'),
        this.store.knex.raw('count(distinct bc_id) as n_bc'),
        this.store.knex.raw('count(distinct dv_id) as n_dv'),
      );
    return { rows: Number(row.n_rows), bcIds: Number(row.n_bc), dvIds: Number(row.n_dv) };
  }

  /** Stops the workers, drops the database this stack created and removes its files. */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve(undefined);
            w.once('exit', resolve);
            w.kill('SIGTERM');
          }),
      ),
    );
    await this.store.knex.raw('DROP DATABASE IF EXISTS ??', [this.database]);
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Rows of a Dataverse table (read page by page through the connector: not capped at 5,000 like `$count`). */
export async function countDataverseAccounts(connectors: Connectors): Promise<number> {
  let n = 0;
  for await (const page of connectors.dv.listAll({ entitySet: 'accounts', select: ['accountid'] })) n += page.length;
  return n;
}
