/**
 * The chaos matrix (issue 12, DESIGN §7.1 and §7.7): a first full synchronization of SALESPEOPLE, CURRENCY, CUSTOMER
 * and CONTACT runs on separate `bcsync worker` processes while one fault at a time strikes, and while records keep
 * changing on both sides. Every case ends with the same checks:
 * - the run converges: the full synchronization ends with every mapping done and no failed record but the demo's
 *   deliberate currency and contacts whose company customer changed while it ran (the next run's business), and
 *   incremental runs of CUSTOMER and CONTACT afterwards (faults over) fail nothing and leave no error unresolved;
 * - no duplicate on either side: one account per customer name and one customer per account name;
 * - no lost update: every phone number changed before or during the faults is on the other side;
 * - every record counted exactly once: each job's counters are the sum of its committed pages (a page retried after a
 *   fault is not counted twice), and the CUSTOMER pass to Dataverse counted each customer at most once, missing
 *   only customers changed after it started (a pass reads the records modified before its start);
 * - every coupling row whole, pointing at records that exist, one per record.
 *
 * `npm test` runs the quick scale (test/sync/chaos.test.ts); `npm run chaos` the full one (test/chaos/).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import knexFactory from 'knex';
import { DEFAULT_PRICE_LIST_ID, defaultPriceListItemIdFor } from '../../activities/entity-rules/default-price-list';
import { invoicePriceListIdFor } from '../../activities/entity-rules/posted-sales-invoice';
import { childProcessEnv } from '../../config';
import { SeededRandom } from '../../emulators/shared/random';
import {
  applyMappingOverrides,
  defaultMappings,
  demoMappingOverrides,
  demoScheduledMappings,
  type IntegrationTableMapping,
} from '../../mappings';
import { type RunningDevServer, startDevServer } from '../../scripts/temporal/dev-server';
import type { customerStatistics, fullSync, syncMapping } from '../../workflows';
import type { FullSyncResult } from '../../engine/full-sync-types';
import type { PassCounts, Side } from '../../engine/run-types';
import { freePort, spawnBcsync } from './cli';
import { assertCouplingsWhole } from './coupling-integrity';
import { testResources, uniqueName } from './env';
import { all, type Row, setFaults, startSyncStack, type SyncStack } from './sync-stack';
import { workerEnv } from './worker-env';

export interface ChaosScale {
  /** BC customers (half of them also in Dataverse by name) and Dataverse-only accounts. */
  customers: number;
  dataverseOnlyAccounts: number;
  pageSize: number;
  /** How many times the SIGKILL case kills a worker. */
  kills: number;
  /** How many rounds of `KILL` the MySQL case sends. */
  mysqlKillRounds: number;
  /** Seed of the random instants and changes (printed with every case, so a failure can be reproduced). */
  seed: number;
}

export const quickScale: ChaosScale = {
  customers: 24,
  dataverseOnlyAccounts: 6,
  pageSize: 5,
  kills: 3,
  mysqlKillRounds: 4,
  seed: 1201,
};

export const fullScale: ChaosScale = {
  customers: 120,
  dataverseOnlyAccounts: 30,
  pageSize: 10,
  kills: 20,
  mysqlKillRounds: 15,
  seed: 20261201,
};

/** What a case synchronizes: the customers' mappings, or every mapping the demo runs (items, prices, invoices, …). */
export type ChaosScope = 'customers' | 'every mapping';
const CUSTOMER_MAPPINGS = ['SALESPEOPLE', 'CURRENCY', 'CUSTOMER', 'CONTACT'];
const customerFilter = "blocked eq ' '";
const accountFilter = 'statecode eq 0 and customertypecode eq 3';

/** A `bcsync worker` process of a case. */
interface WorkerProcess {
  kill(): void;
  exited: Promise<void>;
  output(): string;
}

/** What a case's fault sees while the run goes on. */
export interface ChaosContext {
  stack: SyncStack;
  scale: ChaosScale;
  random: SeededRandom;
  /** The Temporal client of the run (the shared test server, or the case's own). */
  client: Client;
  /** Starts another worker process and resolves once it polls. */
  spawnWorker(): Promise<WorkerProcess>;
  /** The worker processes started so far (the last one is the live one unless a fault killed it). */
  workers: WorkerProcess[];
  /** True once the full synchronization has ended. */
  ended(): boolean;
  /** Sleeps `ms`, returning early (false) when the run ends first. */
  sleep(ms: number): Promise<boolean>;
  /** The case's own Temporal dev server, for the case that restarts it. */
  restartTemporal?: () => Promise<void>;
  /** Numbers the case reports (kills done, connections killed, …). */
  report: Record<string, number>;
}

export interface ChaosCase {
  name: string;
  /** Emulator fault rules on both services while the run goes on. */
  rules?: Array<Record<string, unknown>>;
  /** Runs the run on a Temporal dev server of its own (so it can be restarted). */
  ownTemporal?: boolean;
  /** Disturbs the run from the moment it starts; returns when it is done disturbing (or the run ended). */
  disturb?(ctx: ChaosContext): Promise<void>;
  /** The fault's effect that proves it struck (e.g. at least one kill), checked after the run. */
  struck(ctx: ChaosContext, faulted: number): string | undefined;
}

function faultStruck(faulted: number): string | undefined {
  return faulted > 0 ? undefined : 'no request was faulted';
}

/** Every case of the matrix; `npm test` runs the ones named in test/sync/chaos.test.ts. */
export const chaosCases: Record<string, ChaosCase> = {
  'worker SIGKILL': {
    name: 'a worker SIGKILLed at random instants',
    async disturb(ctx) {
      for (let i = 0; i < ctx.scale.kills && !ctx.ended(); i++) {
        // A random instant after the worker started polling: from at once to a few pages later.
        if (!(await ctx.sleep(ctx.random.int(0, 2500)))) break;
        const victim = ctx.workers[ctx.workers.length - 1];
        victim.kill();
        await victim.exited;
        ctx.report.kills = (ctx.report.kills ?? 0) + 1;
        await ctx.spawnWorker();
      }
    },
    struck: (ctx) => (ctx.report.kills ? undefined : 'no worker was killed before the run ended'),
  },
  'Temporal restart': {
    name: 'the Temporal dev server restarted mid-run',
    ownTemporal: true,
    async disturb(ctx) {
      if (!(await ctx.sleep(ctx.random.int(2000, 5000)))) return;
      await ctx.restartTemporal!();
      ctx.report.restarts = 1;
    },
    struck: (ctx) => (ctx.report.restarts ? undefined : 'the server was not restarted before the run ended'),
  },
  'MySQL KILL': {
    name: "the product's MySQL connections killed mid-page",
    async disturb(ctx) {
      const { database } = ctx.stack.store.knex.client.config.connection as { database: string };
      const admin = knexFactory({
        client: 'mysql2',
        connection: `${testResources().mysqlServerUrl}/`,
        pool: { min: 0, max: 1 },
      });
      try {
        for (let round = 0; round < ctx.scale.mysqlKillRounds && !ctx.ended(); round++) {
          if (!(await ctx.sleep(ctx.random.int(300, 1500)))) break;
          const [rows] = (await admin.raw(
            'SELECT id FROM information_schema.PROCESSLIST WHERE db = ? AND id <> CONNECTION_ID()',
            [database],
          )) as [Array<{ id: number }>];
          for (const { id } of rows) {
            try {
              await admin.raw(`KILL ${Number(id)}`);
              ctx.report.connectionsKilled = (ctx.report.connectionsKilled ?? 0) + 1;
            } catch {
              // it ended meanwhile
            }
          }
        }
      } finally {
        await admin.destroy();
      }
    },
    struck: (ctx) => (ctx.report.connectionsKilled ? undefined : 'no connection was killed before the run ended'),
  },
  '429 storm': {
    name: '30 % of requests throttled (429, Retry-After 1 s)',
    rules: [{ status: 429, rate: 0.3, retryAfterSeconds: 1 }],
    struck: (_ctx, faulted) => faultStruck(faulted),
  },
  '5xx': {
    name: '10 % of requests answered 500, 502, 503 or 504',
    rules: [
      { status: 500, rate: 0.026 },
      { status: 502, rate: 0.026 },
      { status: 503, rate: 0.026 },
      { status: 504, rate: 0.026 },
    ],
    struck: (_ctx, faulted) => faultStruck(faulted),
  },
  'connection resets': {
    name: '10 % of connections reset',
    rules: [{ resetConnection: true, rate: 0.1 }],
    struck: (_ctx, faulted) => faultStruck(faulted),
  },
  'latency spikes': {
    name: 'latency spikes of 1.5 s on 5 % of requests',
    rules: [{ latencyMs: 1500, rate: 0.05 }],
    struck: (ctx) => (ctx.report.delayed ? undefined : 'no request was delayed'),
  },
  'tokens revoked': {
    name: 'every access token revoked mid-run, again and again',
    async disturb(ctx) {
      while (!ctx.ended()) {
        if (!(await ctx.sleep(ctx.random.int(500, 2000)))) break;
        for (const url of [ctx.stack.emulators.bc.url, ctx.stack.emulators.dv.url]) {
          const res = await fetch(`${url}/__emulator/tokens/expire`, { method: 'POST' });
          assert.equal(res.status, 204);
        }
        ctx.report.revocations = (ctx.report.revocations ?? 0) + 1;
      }
    },
    struck: (ctx) => (ctx.report.revocations ? undefined : 'no token was revoked before the run ended'),
  },
  'two runs at once': {
    name: 'two runs of CUSTOMER started at once',
    async disturb(ctx) {
      // A second run of CUSTOMER beside the full synchronization's, started directly (as a schedule's tick and a
      // manual run may race past the CLI's check), once the full synchronization has reached CUSTOMER.
      const knex = ctx.stack.store.knex;
      while (!ctx.ended() && !(await knex('sync_jobs').where({ mapping: 'CUSTOMER' }).first())) await ctx.sleep(100);
      if (ctx.ended()) return;
      const second = await ctx.client.workflow.start<typeof syncMapping>('syncMapping', {
        taskQueue: ctx.stack.taskQueue,
        workflowId: uniqueName('chaos-second-customer'),
        args: [{ mapping: 'CUSTOMER', mode: 'full' }],
      });
      ctx.report.secondRuns = 1;
      const result = await second.result();
      ctx.report.secondRunFailed = result.failed;
    },
    struck: (ctx) =>
      ctx.report.secondRuns
        ? ctx.report.secondRunFailed
          ? `the second run failed ${ctx.report.secondRunFailed} record(s)`
          : undefined
        : 'the second run did not start before the run ended',
  },
};

/** Sum of the counters a pass looked at records with (each record lands in exactly one of them). */
const looked = (c: PassCounts) => c.inserted + c.modified + c.deleted + c.unchanged + c.skipped + c.failed;

const names = (rows: Row[], field: string): string[] => rows.map((r) => String(r[field]).trim().toLowerCase());

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  return [...new Set(values.filter((v) => (seen.has(v) ? true : (seen.add(v), false))))];
}

/** A record set a mapping's passes create records in: the destination side of each direction it writes. */
interface DestinationSet {
  side: 'bc' | 'dv';
  set: string;
  key: string;
  filter?: string;
}

function destinationSets(mappings: readonly IntegrationTableMapping[], names: readonly string[]): DestinationSet[] {
  const out = new Map<string, DestinationSet>();
  for (const m of mappings.filter((x) => names.includes(x.name))) {
    const writes =
      m.direction === 'bidirectional' ? ['bc', 'dataverse'] : [m.direction === 'to-bc' ? 'bc' : 'dataverse'];
    for (const side of writes.filter((w) => m.createsIn.includes(w as Side))) {
      const d: DestinationSet =
        side === 'bc'
          ? { side: 'bc', set: m.bc.entitySet, key: m.bc.key, filter: m.bc.filter ?? undefined }
          : { side: 'dv', set: m.dataverse.entitySet, key: m.dataverse.key, filter: m.dataverse.filter ?? undefined };
      out.set(`${d.side} ${d.set} ${d.filter ?? ''}`, d);
    }
  }
  return [...out.values()];
}

/** Defines one `it` per case of `cases` at `scale`, synchronizing the mappings of `scope`. (Default: customers) */
export function describeChaos(scale: ChaosScale, cases: readonly string[], scope: ChaosScope = 'customers'): void {
  for (const key of cases) {
    const c = chaosCases[key];
    assert.ok(c, `unknown chaos case ${key}`);
    const every = scope === 'every mapping' ? ' (every mapping)' : '';
    it(`${c.name}${every}: converges with no duplicate, no lost update, each record counted once and whole couplings`, async function () {
      const report = await runChaosCase(c, scale, scope);
      this.test!.title += ` [${Object.entries(report)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}]`;
    });
  }
}

/**
 * Runs one case at `scale` with its checks, synchronizing the mappings of `scope`; returns what it reports (kills,
 * faulted requests, changes, seconds).
 */
export async function runChaosCase(
  c: ChaosCase,
  scale: ChaosScale,
  scope: ChaosScope = 'customers',
): Promise<Record<string, number>> {
  const started = Date.now();
  const mappings = applyMappingOverrides(defaultMappings(), demoMappingOverrides);
  const every = scope === 'every mapping';
  const MAPPINGS = every ? demoScheduledMappings(mappings) : CUSTOMER_MAPPINGS;
  const isStatistics = (name: string) => mappings.find((m) => m.name === name)?.kind === 'statistics';
  const tableMappings = MAPPINGS.filter((name) => !isStatistics(name));
  const statisticsJobs = MAPPINGS.filter(isStatistics);
  const stack = await startSyncStack({
    mappings,
    pageSize: scale.pageSize,
    seed: {
      customers: scale.customers,
      contactsPerCustomer: 1,
      overlapFraction: 0.5,
      dataverseOnlyAccounts: scale.dataverseOnlyAccounts,
      dataverseContactsPerAccount: 0,
      matchingSystemUsers: 6,
      // Every mapping: items, resources, prices and posted invoices of the customers, a page or two of each.
      ...(every
        ? { items: 12, resources: 4, salesPrices: 16, postedInvoices: 8, draftInvoices: 1, linesPerInvoice: [1, 3] }
        : { postedInvoices: 0, draftInvoices: 0 }),
    },
  });
  // The run is the worker processes' alone.
  stack.worker.shutdown();
  const random = new SeededRandom(scale.seed + c.name.length);
  const report: Record<string, number> = {};
  const workers: WorkerProcess[] = [];
  let server: RunningDevServer | undefined;
  let ownConnection: Connection | undefined;
  let client = testResources().temporal.client;
  let runEnded = false;
  const stateDir = mkdtempSync(path.join(tmpdir(), 'bcsync-chaos-'));
  try {
    let temporalAddress = testResources().temporal.address;
    const serverOptions = async () => ({
      cliPath: testResources().temporalCli,
      port: await freePort(),
      dbFile: path.join(stateDir, 'temporal.db'),
      namespace: 'default',
      logFile: path.join(stateDir, 'temporal.log'),
      env: childProcessEnv(),
    });
    const own = c.ownTemporal ? await serverOptions() : undefined;
    if (own) {
      server = await startDevServer(own);
      temporalAddress = server.address;
      ownConnection = await Connection.connect({ address: temporalAddress });
      client = new Client({ connection: ownConnection });
    }
    const env = await workerEnv(stack, demoMappingOverrides, {
      TEMPORAL_ADDRESS: temporalAddress,
      LOG_LEVEL: 'info',
      CONSOLE_ENABLED: 'false',
      SYNC_PAGE_SIZE: String(scale.pageSize),
    });
    const spawnWorker = async (): Promise<WorkerProcess> => {
      const proc = spawnBcsync(['worker'], env);
      const exited = new Promise<void>((resolve) => proc.child.once('exit', () => resolve()));
      const w: WorkerProcess = { kill: () => proc.child.kill('SIGKILL'), exited, output: proc.output };
      workers.push(w);
      const deadline = Date.now() + 60_000;
      while (!/worker started/.test(proc.output())) {
        if (proc.child.exitCode !== null) throw new Error(`the worker exited before it started:\n${proc.output()}`);
        if (Date.now() > deadline) throw new Error(`the worker did not start within 60 s:\n${proc.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return w;
    };

    // Changes before the faults, on both sides (disjoint records: no both-sides conflict).
    const customers = await all(stack, 'bc', 'customers', customerFilter);
    const dvOnly = (await all(stack, 'dv', 'accounts', accountFilter)).filter(
      (a) => !names(customers, 'displayName').includes(String(a.name).trim().toLowerCase()),
    );
    const expectedNames = new Set([...names(customers, 'displayName'), ...names(dvOnly, 'name')]);
    // Every mapping: the records each destination set holds before the run (a record it holds afterwards that no
    // coupling names is a duplicate or an orphan of the run).
    const destinations = every ? destinationSets(mappings, MAPPINGS) : [];
    const idsOf = async (d: DestinationSet) =>
      new Set((await all(stack, d.side, d.set, d.filter)).map((r) => String(r[d.key]).toLowerCase()));
    const idsBefore = await Promise.all(destinations.map(idsOf));
    const bcPhones = new Map<string, string>(); // BC customer id → the phone number last written in BC
    const dvPhones = new Map<string, string>(); // account id → the phone number last written in Dataverse
    let changeNo = 0;
    let runStarted = false;
    const changedDuringRun = new Set<string>(); // BC customers changed while the run went on
    const change = async () => {
      changeNo++;
      const phone = `+47 ${String(10_000_000 + changeNo * 7919 + scale.seed).slice(-8)}`;
      if (changeNo % 2 === 1 || dvOnly.length === 0) {
        const id = String(random.pick(customers).id);
        await stack.connectors.bc.update('customers', id, '*', { phoneNumber: phone });
        bcPhones.set(id, phone);
        if (runStarted) changedDuringRun.add(id.toLowerCase());
      } else {
        const id = String(random.pick(dvOnly).accountid);
        await stack.connectors.dv.update('accounts', id, { telephone1: phone }, '*');
        dvPhones.set(id, phone);
      }
    };
    for (let i = 0; i < 4; i++) await change();

    await spawnWorker();
    for (const url of [stack.emulators.bc.url, stack.emulators.dv.url]) await setFaults(url, c.rules ?? []);
    const sleep = (ms: number) =>
      new Promise<boolean>((resolve) => {
        const until = Date.now() + ms;
        const tick = () => (runEnded ? resolve(false) : Date.now() >= until ? resolve(true) : setTimeout(tick, 50));
        tick();
      });
    const ctx: ChaosContext = {
      stack,
      scale,
      random,
      client,
      spawnWorker,
      workers,
      ended: () => runEnded,
      sleep,
      report,
      restartTemporal: own
        ? async () => {
            server!.kill();
            await new Promise<void>((resolve) => server!.process.once('exit', () => resolve()));
            await new Promise((r) => setTimeout(r, 2000));
            server = await startDevServer(own);
          }
        : undefined,
    };

    const runStartedAt = new Date(Date.now() - 1000);
    runStarted = true;
    const handle = await client.workflow.start<typeof fullSync>('fullSync', {
      taskQueue: stack.taskQueue,
      workflowId: uniqueName('chaos-full-sync'),
      args: [{ mappings: tableMappings }],
    });
    // Every mapping: the statistics job (not part of a full synchronization) runs next, under the faults too.
    const resultPromise = (async () => {
      const synced = await handle.result();
      for (const mapping of statisticsJobs) {
        const run = await client.workflow.execute<typeof customerStatistics>('customerStatistics', {
          taskQueue: stack.taskQueue,
          workflowId: uniqueName(`chaos-${mapping.toLowerCase().replace(/\W+/g, '-')}`),
          args: [{ mapping, mode: 'full' }],
        });
        assert.equal(run.outcome, 'succeeded', `${mapping} under the faults: ${JSON.stringify(run)}`);
      }
      return synced;
    })().finally(() => (runEnded = true));
    // Changes while the faults strike: one every few hundred milliseconds until the run ends.
    const changing = (async () => {
      while (await sleep(random.int(200, 600))) {
        try {
          await change();
        } catch {
          // The fault refused the change itself (retries spent): it was not made, so nothing is expected of it.
          report.changesRefused = (report.changesRefused ?? 0) + 1;
        }
      }
    })();
    const disturbing = c.disturb?.(ctx);
    let result: FullSyncResult;
    try {
      result = await resultPromise;
    } finally {
      runEnded = true;
      await Promise.allSettled([changing, disturbing]);
    }
    await disturbing; // its own failure (e.g. a restart that did not come up) fails the case
    const stats = await Promise.all([stack.emulators.bc.url, stack.emulators.dv.url].map(faultStats));
    const faulted = stats.reduce((n, x) => n + x.faulted, 0);
    const delayed = stats.reduce((n, x) => n + x.delayed, 0);
    if (delayed) report.delayed = delayed;
    for (const url of [stack.emulators.bc.url, stack.emulators.dv.url]) await setFaults(url, []);
    if (faulted) report.faulted = faulted;
    report.changes = changeNo;
    const notStruck = c.struck(ctx, faulted);
    assert.equal(notStruck, undefined, `the fault did not strike: ${notStruck}`);

    // Converges. The full synchronization ends with every mapping done and no failed record, but for two kinds the
    // run cannot avoid: the demo's currency with no exchange rate, and a contact whose company customer changed
    // during the run (a pass reads the records modified before it started; a later change waits for the next run, so
    // the customer was not coupled yet when CONTACT ran). Then, the faults over, incremental runs of CUSTOMER and
    // CONTACT fail nothing and leave no error unresolved but the currency.
    const knex = stack.store.knex;
    assert.ok(
      result.mappings.every((m) => m.state === 'done'),
      `full synchronization: ${JSON.stringify(result.mappings.map((m) => [m.mapping, m.state, m.reason]))}`,
    );
    const numberOf = new Map(customers.map((x) => [String(x.number), String(x.id).toLowerCase()]));
    const runErrors: Row[] = await knex('sync_errors')
      .whereIn('mapping', [...MAPPINGS])
      .select('mapping', 'message');
    const unexplained = runErrors.filter((e) => {
      const message = String(e.message);
      if (/has no exchange rate in Business Central/.test(message)) return false;
      const company = /its company customer '([^']+)'.*is not coupled.*run CUSTOMER first/.exec(message);
      return !(e.mapping === 'CONTACT' && company && changedDuringRun.has(numberOf.get(company[1]) ?? ''));
    });
    assert.deepEqual(unexplained, [], 'failed records of the full synchronization');
    const verifyStartedAt = new Date();
    // Every mapping in dependency order (CUSTOMER before CONTACT); only the currency without a rate fails again.
    for (const mapping of MAPPINGS.filter((name) => every || ['CUSTOMER', 'CONTACT'].includes(name))) {
      const verify = await client.workflow.execute<typeof syncMapping>(
        isStatistics(mapping) ? 'customerStatistics' : 'syncMapping',
        {
          taskQueue: stack.taskQueue,
          workflowId: uniqueName(`chaos-verify-${mapping.toLowerCase().replace(/\W+/g, '-')}`),
          args: [{ mapping, mode: 'incremental' }],
        },
      );
      // (Its failures are checked below: every error left unresolved must be that one.)
      const noRate = mapping === 'CURRENCY' ? 1 : 0;
      assert.ok(verify.failed <= noRate, `the incremental ${mapping} run after the faults: ${JSON.stringify(verify)}`);
    }
    const unresolved: Row[] = await knex('sync_errors')
      .whereIn('mapping', [...MAPPINGS])
      .whereNull('resolved_by_job_id')
      .select('mapping', 'message');
    assert.deepEqual(
      unresolved.filter((e) => !/has no exchange rate in Business Central/.test(String(e.message))),
      [],
      'unresolved errors',
    );

    // No duplicate on either side; every customer and account coupled one to one.
    const customersAfter = await all(stack, 'bc', 'customers', customerFilter);
    const accountsAfter = await all(stack, 'dv', 'accounts', accountFilter);
    assert.deepEqual(duplicates(names(accountsAfter, 'name')), [], 'Dataverse: one account per name');
    assert.deepEqual(duplicates(names(customersAfter, 'displayName')), [], 'Business Central: one customer per name');
    assert.deepEqual(new Set(names(accountsAfter, 'name')), expectedNames);
    assert.deepEqual(new Set(names(customersAfter, 'displayName')), expectedNames);
    const couplings: Row[] = await knex('couplings').where({ mapping: 'CUSTOMER' });
    assert.equal(couplings.length, expectedNames.size, 'one CUSTOMER coupling per record');
    const checked = await assertCouplingsWhole(stack, MAPPINGS, mappings);
    assert.equal(checked.CUSTOMER, expectedNames.size);
    const coupledIds = new Set(
      (
        await knex('couplings')
          .whereIn('mapping', [...MAPPINGS])
          .select('bc_id', 'dv_id')
      ).flatMap((r: Row) => [String(r.bc_id).toLowerCase(), String(r.dv_id).toLowerCase()]),
    );
    // The records the entity rules make by design, with ids of their own: the products' default price list with an
    // item per product, and a price list per invoice currency.
    const ruleMade = new Set([
      DEFAULT_PRICE_LIST_ID,
      ...(await all(stack, 'dv', 'products')).map((p) => defaultPriceListItemIdFor(String(p.productid))),
      ...(await all(stack, 'dv', 'transactioncurrencies')).map((c) =>
        invoicePriceListIdFor(String(c.transactioncurrencyid).toLowerCase()),
      ),
    ]);
    for (const [i, d] of destinations.entries()) {
      const orphans = [...(await idsOf(d))].filter(
        (id) => !idsBefore[i].has(id) && !coupledIds.has(id) && !ruleMade.has(id),
      );
      assert.deepEqual(
        orphans,
        [],
        `${d.side === 'bc' ? 'Business Central' : 'Dataverse'} ${d.set}: records the run made that no coupling names`,
      );
    }
    if (every) report.mappings = MAPPINGS.length;

    // No lost update: every phone number changed before or during the faults is on the other side.
    const dvOf = new Map(couplings.map((r) => [String(r.bc_id).toLowerCase(), String(r.dv_id).toLowerCase()]));
    const bcOf = new Map(couplings.map((r) => [String(r.dv_id).toLowerCase(), String(r.bc_id).toLowerCase()]));
    const accountById = new Map(accountsAfter.map((a) => [String(a.accountid).toLowerCase(), a]));
    const customerById = new Map(customersAfter.map((x) => [String(x.id).toLowerCase(), x]));
    const lost: string[] = [];
    for (const [id, phone] of bcPhones) {
      const account = accountById.get(dvOf.get(id.toLowerCase()) ?? '');
      if (account?.telephone1 !== phone) lost.push(`customer ${id}: ${phone} → ${String(account?.telephone1)}`);
    }
    for (const [id, phone] of dvPhones) {
      const customer = customerById.get(bcOf.get(id.toLowerCase()) ?? '');
      if (customer?.phoneNumber !== phone) lost.push(`account ${id}: ${phone} → ${String(customer?.phoneNumber)}`);
    }
    assert.deepEqual(lost, [], 'changes that did not reach the other side');

    // Every record counted exactly once: each job's counters are its committed pages' sum.
    const jobs: Row[] = await knex('sync_jobs')
      .where('started_at', '>=', runStartedAt)
      .andWhere('started_at', '<', verifyStartedAt)
      .whereIn('mapping', [...MAPPINGS]);
    assert.ok(jobs.length >= MAPPINGS.length, `jobs of the run: ${jobs.length}`);
    for (const job of jobs) {
      const pages: Array<{ result: string }> = await knex('sync_pages').where({ job_id: job.id }).select('result');
      if (job.type === 'coupling') {
        // A match job's pages count couples, ambiguities and unmatched records; its `coupled` is their couples.
        const couples = pages.reduce(
          (n, p) => n + (JSON.parse(p.result) as { counts: { coupled: number } }).counts.coupled,
          0,
        );
        assert.equal(
          Number(job.coupled),
          couples,
          `match job ${String(job.id)} (${String(job.mapping)}): couples against its pages`,
        );
        continue;
      }
      if (pages.length === 0) {
        assert.equal(looked(job as unknown as PassCounts), 0, `job ${String(job.id)} counted records without a page`);
        continue;
      }
      const sum = pages
        .map((p) => (JSON.parse(p.result) as { counts: PassCounts }).counts)
        .reduce(
          (a, b) =>
            Object.fromEntries(
              Object.keys(a).map((k) => [k, a[k as keyof PassCounts] + b[k as keyof PassCounts]]),
            ) as unknown as PassCounts,
        );
      const counted = Object.fromEntries(Object.keys(sum).map((k) => [k, Number(job[k])]));
      assert.deepEqual(
        counted,
        sum,
        `job ${String(job.id)} (${String(job.mapping)} ${String(job.direction)}): counters against its pages`,
      );
    }
    // (Not the customers an invoice synchronized on demand: a job of mode `records` of their own.)
    const toDataverse = jobs.filter(
      (j) => j.mapping === 'CUSTOMER' && j.direction === 'to-dataverse' && j.type === 'sync' && j.mode !== 'records',
    );
    // A pass that started after another run's Dataverse→BC pass (runs of one mapping take turns) also reads the
    // customers made from the Dataverse-only accounts.
    for (const job of toDataverse) {
      const n = looked(job as unknown as PassCounts);
      assert.ok(
        n <= customers.length + dvOnly.length && n >= customers.length - changedDuringRun.size,
        `CUSTOMER to Dataverse (job ${String(job.id)}) counted ${n} records; ${customers.length} customers, ${changedDuringRun.size} changed during the run`,
      );
    }
    report.seconds = Math.round((Date.now() - started) / 1000);
    return report;
  } finally {
    runEnded = true;
    for (const w of workers) w.kill();
    await Promise.all(workers.map((w) => w.exited));
    await stack.close();
    await ownConnection?.close();
    await server?.stop();
  }
}

async function faultStats(url: string): Promise<{ faulted: number; delayed: number }> {
  const res = await fetch(`${url}/__emulator/stats`);
  const stats = (await res.json()) as { faulted?: number; delayed?: number };
  return { faulted: stats.faulted ?? 0, delayed: stats.delayed ?? 0 };
}
