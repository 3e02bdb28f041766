/**
 * `npm run bench`: the product against a naive one-request-per-record loader and a bare pipe, side by side in one run
 * on the same emulators (seeded alike, `--latency` on every request, the real service-protection limits), plus the
 * product's requests per record, an idle incremental run's requests per side, cost against the number of changes,
 * workflow-history events per 1,000 records, the worker's peak memory at two sizes, two workers against one, and the
 * first full synchronization of every mapping that has data (the demo data times --demo-scale, lookups on).
 * Prints one table and writes the figures as JSON under bench/results/ (or `--out`). docs/performance.md explains
 * each figure and what bounds it.
 *
 * Options (defaults in brackets): --customers N [10000] --large N [100000] --small N [1000] --changes N [100]
 * --latency MS [20] --scale-latency MS [200] --scale-customers N [1000] --page N [200] --demo-scale N [10] --out FILE;
 * --quick (1,000 / 5,000 / 1,000, demo times 5, a few minutes) and --smoke (200 customers, demo times 1, no latency:
 * the test's form).
 * Needs MySQL (MYSQL_URL or root@127.0.0.1:3306) and the pinned Temporal CLI (installed into the cache like
 * `npm start` does).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Command } from 'commander';
import { DEFAULT_OVERLAP_MS } from '../activities/deps';
import { runBarePipe, type LoadResult } from '../bench/bare-pipe';
import { countDataverseAccounts, EmulatorPair, ProductStack, type ProductRun } from '../bench/harness';
import { runNaiveLoader } from '../bench/naive-loader';
import { childProcessEnv, loadConfig } from '../config';
import { applyMappingOverrides, defaultMappings, demoMappingOverrides, demoScheduledMappings } from '../mappings';
import { searchAttributeKeys } from '../workflows/definitions';
import { ensureTemporalCli } from './temporal/cli';

interface Options {
  customers: number;
  large: number;
  small: number;
  changes: number;
  latency: number;
  scaleLatency: number;
  scaleCustomers: number;
  page: number;
  out?: string;
  quick?: boolean;
  smoke?: boolean;
  demoScale: number;
}

/** Records per second, requests and requests per record of one loader or product run. */
interface Throughput {
  records: number;
  failed: number;
  seconds: number;
  recordsPerSecond: number;
  requests: number;
  requestsPerRecord: number;
}

const round = (n: number, digits = 0): number => Math.round(n * 10 ** digits) / 10 ** digits;

function throughput(records: number, failed: number, seconds: number, requests: number): Throughput {
  return {
    records,
    failed,
    seconds: round(seconds, 1),
    recordsPerSecond: round(records / seconds, 1),
    requests,
    requestsPerRecord: round(requests / Math.max(records, 1), 4),
  };
}

const log = (line: string): void => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** A loader (bare pipe or naive) on a fresh emulator pair. */
async function measureLoader(
  o: Options,
  name: string,
  load: (pair: EmulatorPair) => Promise<LoadResult>,
): Promise<Throughput> {
  const pair = await EmulatorPair.start(o.customers, o.latency);
  try {
    log(`${name}: ${o.customers} customers`);
    const before = await pair.requests();
    const started = Date.now();
    const r = await load(pair);
    const seconds = (Date.now() - started) / 1000;
    const after = await pair.requests();
    return throughput(r.records, r.failed, seconds, after.bc - before.bc + after.dv - before.dv);
  } finally {
    await pair.close();
  }
}

function productThroughput(run: ProductRun): Throughput {
  const pass = run.result.passes[0];
  return throughput(pass?.counts.inserted ?? 0, run.result.failed, run.seconds, run.requests.bc + run.requests.dv);
}

/** An incremental run after `changes` changed customers: its time and requests (both sides). */
interface ChangesRun {
  records: number;
  changes: number;
  written: number;
  seconds: number;
  requests: number;
}

async function changesRun(stack: ProductStack, records: number, changes: number): Promise<ChangesRun> {
  await stack.pair.changeCustomers(changes, '(changed)');
  const run = await stack.run({ mode: 'incremental', direction: 'to-dataverse' });
  return {
    records,
    changes,
    written: run.written,
    seconds: round(run.seconds, 2),
    requests: run.requests.bc + run.requests.dv,
  };
}

async function main(): Promise<void> {
  const program = new Command('bench')
    .option('--customers <n>', 'customers of the side-by-side runs', Number, 10_000)
    .option('--large <n>', 'customers of the large run (memory, cost of changes)', Number, 100_000)
    .option('--small <n>', 'customers of the small run (cost of changes)', Number, 1_000)
    .option('--changes <n>', 'changed customers in the incremental runs', Number, 100)
    .option('--latency <ms>', 'latency per request', Number, 20)
    .option('--scale-latency <ms>', 'latency per request of the one-vs-two-workers runs', Number, 200)
    .option('--scale-customers <n>', 'customers of the one-vs-two-workers runs', Number, 1_000)
    .option('--page <n>', 'records per page', Number, 200)
    .option('--demo-scale <n>', 'every mapping: the demo data times n (40 customers, 20 items, … each)', Number, 10)
    .option('--out <file>', 'where to write the JSON (Default: bench/results/<date>-<kind>.json)')
    .option('--quick', 'a few minutes: 1,000 customers, large 5,000, scale-out 1,000')
    .option('--smoke', 'the smallest form (the test): 200 customers, large 400, 20 changes, no latency')
    .parse(process.argv);
  const o = program.opts<Options>();
  if (o.quick) Object.assign(o, { customers: 1_000, large: 5_000, small: 1_000, scaleCustomers: 1_000, demoScale: 5 });
  if (o.smoke)
    Object.assign(o, {
      customers: 200,
      large: 400,
      small: 200,
      changes: 20,
      latency: 0,
      scaleLatency: 0,
      scaleCustomers: 200,
      demoScale: 1,
    });
  const kind = o.smoke ? 'smoke' : o.quick ? 'quick' : 'full';

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
  const startedAt = new Date().toISOString();
  const loadBefore = os.loadavg();
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli }, searchAttributes: [...searchAttributeKeys] },
  });
  const product = async (label: string, customers: number, latency: number, workers = 1) => {
    const pair = await EmulatorPair.start(customers, latency);
    try {
      return await ProductStack.start({ env, pair, mysqlServer, label, workers, pageSize: o.page });
    } catch (err) {
      await pair.close();
      throw err;
    }
  };
  const closeStack = async (stack: ProductStack) => {
    await stack.close();
    await stack.pair.close();
  };

  try {
    log(`${kind}: ${o.customers} customers, ${o.latency} ms latency, pages of ${o.page}; cores: ${os.cpus().length}`);
    // 1. Side by side on the same seed and latency: the naive loader, the bare pipe, the product.
    const naive = await measureLoader(o, 'naive loader', (pair) => {
      const c = pair.connectors();
      return runNaiveLoader({ ...c, pageSize: o.page });
    });
    const bare = await measureLoader(o, 'bare pipe (pipelined)', (pair) =>
      runBarePipe({ ...pair.connectors(), pageSize: o.page, pipelined: true }),
    );
    const bareSequential = await measureLoader(o, 'bare pipe (one page at a time)', (pair) =>
      runBarePipe({ ...pair.connectors(), pageSize: o.page, pipelined: false }),
    );

    log(`product: ${o.customers} customers`);
    const main = await product('main', o.customers, o.latency);
    let productRun: ProductRun;
    let idle: { bc: number; dv: number; seconds: number; written: number; bySet: ProductRun['bySet'] };
    let settle: { bc: number; dv: number; written: number; bySet: ProductRun['bySet'] }[];
    let small: ChangesRun | undefined;
    let peakAtCustomers: number;
    try {
      productRun = await main.run({ mode: 'full', direction: 'to-dataverse' });
      peakAtCustomers = Math.max(...main.peakRssMb());
      // A pass re-reads what was written in the safety overlap before the previous pass start (DESIGN §7.3): a run
      // that starts within it of the full run's last writes reads hundreds of accounts again. Idle means nothing was
      // written in it, as on a schedule of minutes, so the settling runs start once it has passed.
      await new Promise((resolve) => setTimeout(resolve, DEFAULT_OVERLAP_MS));
      // The first incremental run in both directions reads what the full run wrote (Dataverse has no watermark yet)
      // and may write (the Dataverse-only account becomes a BC customer); the run after a run that wrote something
      // reads that write back. Runs until one writes nothing (at most three): the run after it is the idle run.
      settle = [];
      for (let i = 0; i < 3 && (settle.length === 0 || settle[settle.length - 1].written > 0); i++) {
        const run = await main.run({ mode: 'incremental' });
        settle.push({ ...run.requests, written: run.written, bySet: run.bySet });
      }
      const idleRun = await main.run({ mode: 'incremental' });
      idle = {
        ...idleRun.requests,
        seconds: round(idleRun.seconds, 2),
        written: idleRun.written,
        bySet: idleRun.bySet,
      };
      if (o.small === o.customers) small = await changesRun(main, o.customers, o.changes);
    } finally {
      await closeStack(main);
    }
    if (!small) {
      log(`product: ${o.small} customers, ${o.changes} changes`);
      const stack = await product('small', o.small, o.latency);
      try {
        await stack.run({ mode: 'full', direction: 'to-dataverse' });
        small = await changesRun(stack, o.small, o.changes);
      } finally {
        await closeStack(stack);
      }
    }
    log(`product: ${o.large} customers, ${o.changes} changes`);
    const largeStack = await product('large', o.large, o.latency);
    let largeFull: ProductRun;
    let large: ChangesRun;
    let peakAtLarge: number;
    try {
      largeFull = await largeStack.run({ mode: 'full', direction: 'to-dataverse' });
      peakAtLarge = Math.max(...largeStack.peakRssMb());
      large = await changesRun(largeStack, o.large, o.changes);
    } finally {
      await closeStack(largeStack);
    }

    // 2. Scale-out: the same run with one worker process and with two on one task queue, nothing done twice.
    const scale = [];
    for (const workers of [1, 2]) {
      log(`scale-out: ${workers} worker(s), ${o.scaleCustomers} customers, ${o.scaleLatency} ms latency`);
      const stack = await product(`scale${workers}`, o.scaleCustomers, o.scaleLatency, workers);
      try {
        const accountsBefore = await countDataverseAccounts(stack.pair.connectors());
        const run = await stack.run({ mode: 'full', direction: 'to-dataverse' });
        const inserted = run.result.passes[0]?.counts.inserted ?? 0;
        const couplings = await stack.couplings();
        const accountsAfter = await countDataverseAccounts(stack.pair.connectors());
        const duplicates =
          couplings.rows -
          couplings.bcIds +
          (couplings.rows - couplings.dvIds) +
          (accountsAfter - accountsBefore - inserted);
        scale.push({
          workers,
          records: inserted,
          failed: run.result.failed,
          seconds: round(run.seconds, 1),
          recordsPerSecond: round(inserted / run.seconds, 1),
          couplings: couplings.rows,
          accountsCreated: accountsAfter - accountsBefore,
          duplicates,
          peakRssMb: stack.peakRssMb(),
        });
      } finally {
        await closeStack(stack);
      }
    }

    // 3. Every mapping that has data: the first full synchronization of the demo's mappings, lookups on.
    const k = o.demoScale;
    log(`every mapping: the demo data times ${k}, ${o.latency} ms latency`);
    const demo = await EmulatorPair.start(
      {
        customers: 40 * k,
        items: 20 * k,
        resources: 5 * k,
        salesPrices: 30 * k,
        postedInvoices: 15 * k,
        dataverseOnlyAccounts: 10 * k,
        // Every salesperson has a Dataverse user: no record fails on its owner.
        matchingSystemUsers: 6,
      },
      o.latency,
    );
    let everyMapping: Awaited<ReturnType<ProductStack['fullSync']>>;
    try {
      const stack = await ProductStack.start({
        env,
        pair: demo,
        mysqlServer,
        label: 'every-mapping',
        workers: 1,
        pageSize: o.page,
        overrides: demoMappingOverrides,
      });
      try {
        const mappings = applyMappingOverrides(defaultMappings(), demoMappingOverrides);
        const names = demoScheduledMappings(mappings);
        const isStatistics = (name: string) => mappings.find((m) => m.name === name)?.kind === 'statistics';
        everyMapping = await stack.fullSync(
          names.filter((n) => !isStatistics(n)),
          names.filter(isStatistics),
        );
      } finally {
        await stack.close();
      }
    } finally {
      await demo.close();
    }

    const p = productThroughput(productRun);
    const historyPer1000 = round((productRun.historyEvents / Math.max(p.records, 1)) * 1000, 1);
    const figures = {
      productRecordsPerSecond: p.recordsPerSecond,
      naiveRecordsPerSecond: naive.recordsPerSecond,
      barePipeRecordsPerSecond: bare.recordsPerSecond,
      barePipeSequentialRecordsPerSecond: bareSequential.recordsPerSecond,
      productVsNaive: round(p.recordsPerSecond / naive.recordsPerSecond, 2),
      productVsBarePipe: round(p.recordsPerSecond / bare.recordsPerSecond, 3),
      requestsPerRecord: p.requestsPerRecord,
      idleRequestsBc: idle.bc,
      idleRequestsDv: idle.dv,
      changesTimeRatio: round(large.seconds / small.seconds, 2),
      changesRequestRatio: round(large.requests / Math.max(small.requests, 1), 2),
      historyEventsPer1000Records: historyPer1000,
      peakRssMbAtCustomers: peakAtCustomers,
      peakRssMbAtLarge: peakAtLarge,
      twoWorkersSpeedup: round(scale[1].recordsPerSecond / scale[0].recordsPerSecond, 2),
      scaleOutDuplicates: scale[0].duplicates + scale[1].duplicates,
    };
    const goals = [
      {
        figure: 'product vs naive (× records/s)',
        value: figures.productVsNaive,
        goal: '≥ 50',
        met: figures.productVsNaive >= 50,
      },
      {
        figure: 'product vs bare pipe (share of records/s)',
        value: figures.productVsBarePipe,
        goal: '≥ 0.70',
        met: figures.productVsBarePipe >= 0.7,
      },
      {
        figure: 'HTTP requests per written record',
        value: figures.requestsPerRecord,
        goal: '≤ 0.02',
        met: figures.requestsPerRecord <= 0.02,
      },
      {
        figure: 'idle incremental run: BC requests',
        value: figures.idleRequestsBc,
        goal: '≤ 2',
        met: figures.idleRequestsBc <= 2,
      },
      {
        figure: 'idle incremental run: Dataverse requests',
        value: figures.idleRequestsDv,
        goal: '≤ 2',
        met: figures.idleRequestsDv <= 2,
      },
      {
        figure: `${o.changes} changes in ${o.large} vs in ${o.small}: time ratio`,
        value: figures.changesTimeRatio,
        goal: '≤ 2',
        met: figures.changesTimeRatio <= 2,
      },
      {
        figure: `${o.changes} changes in ${o.large} vs in ${o.small}: request ratio`,
        value: figures.changesRequestRatio,
        goal: '≤ 2',
        met: figures.changesRequestRatio <= 2,
      },
      {
        figure: 'workflow-history events per 1,000 records',
        value: figures.historyEventsPer1000Records,
        goal: '≤ 10',
        met: figures.historyEventsPer1000Records <= 10,
      },
      {
        figure: `worker peak RSS at ${o.customers} (MB)`,
        value: figures.peakRssMbAtCustomers,
        goal: '≤ 250',
        met: figures.peakRssMbAtCustomers <= 250,
      },
      {
        figure: `worker peak RSS at ${o.large} (MB)`,
        value: figures.peakRssMbAtLarge,
        goal: '≤ 250, flat',
        met: figures.peakRssMbAtLarge <= 250,
      },
      {
        figure: `two workers vs one at ${o.scaleLatency} ms (×)`,
        value: figures.twoWorkersSpeedup,
        goal: '≥ 1.6',
        met: figures.twoWorkersSpeedup >= 1.6,
      },
      {
        figure: 'records done twice (two workers)',
        value: figures.scaleOutDuplicates,
        goal: '0',
        met: figures.scaleOutDuplicates === 0,
      },
    ];
    const report = {
      kind,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        loadAverageBefore: loadBefore.map((l) => round(l, 2)),
        loadAverageAfter: os.loadavg().map((l) => round(l, 2)),
      },
      options: o,
      figures,
      goals,
      details: {
        naive,
        barePipe: bare,
        barePipeSequential: bareSequential,
        product: {
          ...p,
          historyEvents: productRun.historyEvents,
          outcome: productRun.result.outcome,
          requestsPerSide: productRun.requests,
          bySet: productRun.bySet,
        },
        settleRuns: settle,
        idleRun: idle,
        changes: { small, large },
        large: { ...productThroughput(largeFull), historyEvents: largeFull.historyEvents },
        scaleOut: { latencyMs: o.scaleLatency, runs: scale },
        everyMapping: { demoScale: o.demoScale, latencyMs: o.latency, ...everyMapping },
      },
    };
    console.log(
      `\n${kind} run, ${o.customers} customers (${p.records} in the mapping's filter), ${o.latency} ms latency, ` +
        `pages of ${o.page}: product ${p.recordsPerSecond} records/s, bare pipe ${bare.recordsPerSecond} ` +
        `(one page at a time ${bareSequential.recordsPerSecond}), naive ${naive.recordsPerSecond}`,
    );
    console.table(goals.map((g) => ({ ...g, met: g.met ? 'yes' : 'no' })));
    console.log(
      `\nevery mapping, the first full synchronization of the demo data times ${o.demoScale} ` +
        `(${round(everyMapping.seconds, 1)} s in all):`,
    );
    console.table(everyMapping.mappings);
    const out = o.out ?? path.join(__dirname, '..', 'bench', 'results', `${startedAt.slice(0, 10)}-${kind}.json`);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${out}`);
  } finally {
    await env.teardown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
