/**
 * `npm start` / `bcsync start`: the main job on the embedded defaults. Locates or installs the pinned Temporal CLI,
 * starts the dev server with its UI, opens and migrates the store (MySQL, else SQLite with a notice), writes the demo's
 * mapping overrides to DATA_DIR (unless MAPPINGS_FILE is set), starts a worker and prints the URLs. Ctrl-C stops the worker (draining), the store and the dev server, in that order.
 */
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { childProcessEnv } from '../../config';
import { ensureTemporalCli } from '../../scripts/temporal/cli';
import { type RunningDevServer, startDevServer } from '../../scripts/temporal/dev-server';
import { ensureSearchAttributes } from '../../scripts/temporal/search-attributes';
import { demoScheduledMappings, workflowTypeOf } from '../../mappings';
import { describeMappingsSource, loadEffectiveMappings, writeDemoMappingsFile } from '../../worker/load-mappings';
import { openConfiguredStore } from '../../worker/open-store';
import { workflowCode } from '../../worker/create-worker';
import { startWorker } from '../../worker/run';
import { formatInterval, parseInterval, ensureMappingSchedule } from '../schedules';
import type { CommandContext } from '../context';
import { startEmulators } from '../emulators';
import { firstStartFullSync, mappingsWithoutFullSync } from '../first-full-sync';

export async function startCommand(ctx: CommandContext): Promise<void> {
  const config = ctx.config;
  const say = (line: string) => console.log(line);
  const cleanups: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (err) {
          console.error(`while stopping: ${(err as Error).message}`);
        }
      }
    })());

  let server: RunningDevServer | undefined;
  // If we die unexpectedly, never leave the detached dev server behind.
  const killServer = () => server?.kill();
  process.once('exit', killServer);

  try {
    // A compiled start without its prebuilt workflow bundle fails here, before a dev server or emulator is started.
    workflowCode();
    if (!config.temporal.address) {
      const cliPath = await ensureTemporalCli({
        cliPath: config.temporal.devServer.cliPath,
        cacheDir: config.temporal.devServer.cliCacheDir,
        log: say,
        env: childProcessEnv(),
      });
      say(`Temporal CLI: ${cliPath}`);
      server = await startDevServer({
        cliPath,
        port: config.temporal.devServer.port,
        uiPort: config.temporal.devServer.uiPort,
        dbFile: path.join(config.dataDir, 'temporal.db'),
        logFile: path.join(config.dataDir, 'temporal.log'),
        namespace: config.temporal.namespace,
        env: childProcessEnv(),
      });
      const s = server;
      cleanups.push(async () => {
        await s.stop();
        say('Temporal dev server stopped');
      });
      if (s.stoppedLeftovers.length)
        say(
          `Stopped a Temporal dev server left running by an earlier start on the same state (pid ${s.stoppedLeftovers.join(', ')})`,
        );
      say(`Temporal dev server: ${s.address} (state in ${path.join(config.dataDir, 'temporal.db')})`);
    } else {
      say(`Temporal cluster: ${config.temporal.address} (namespace ${config.temporal.namespace})`);
      // No dev server to pass --search-attribute to: register them through the operator service (idempotent).
      const client = await ctx.temporal();
      await ensureSearchAttributes(client.connection as Connection, config.temporal.namespace);
      say('Search attributes BcSyncMapping, BcSyncOutcome, BcSyncFailed, BcSyncChanged are registered');
    }

    if (config.emulators.enabled) {
      const emulators = await startEmulators(config);
      cleanups.push(async () => {
        await emulators.close();
        say('Emulators stopped');
      });
      say(`Business Central emulator: ${emulators.businessCentral.apiBase}`);
      say(`Dataverse emulator:        ${emulators.dataverse.apiBase}`);
    }

    const opened = await openConfiguredStore(config, 'migrate');
    const store = opened.store;
    cleanups.push(() => store.close());
    if (store.dialect === 'sqlite') say(`NOTICE: ${opened.reason}: ${store.description}`);
    else say(`Store: ${store.description} (${opened.reason})`);
    say(opened.applied.length ? `Migrations applied: ${opened.applied.join(', ')}` : 'Store schema is up to date');

    // The demo's overrides are a file in DATA_DIR, not a private choice of this process: the worker below, a later
    // `bcsync worker` and every `bcsync` command (`npx bcsync mappings`) find it while MAPPINGS_FILE is unset.
    const demoFile = config.mappingsFile ? undefined : writeDemoMappingsFile(config.dataDir);
    const mappings = loadEffectiveMappings(config);
    say(`Mappings: ${describeMappingsSource(mappings.source)}`);
    if (demoFile) {
      say(
        demoFile.written
          ? `  written now; edit it to change the demo, or set MAPPINGS_FILE to use your own (docs/mappings.md)`
          : `  kept from an earlier start; delete it to get the demo's overrides back, or set MAPPINGS_FILE`,
      );
    }
    const running = await startWorker(config, ctx.logger, { store, mappings });
    cleanups.push(async () => {
      await running.stop();
      say('Worker stopped');
    });

    // Ctrl-C from here on stops cleanly (also while the first full synchronization runs).
    let stopSignalled = false;
    const stopRequested = new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        stopSignalled = true;
        say(`\n${signal}: stopping…`);
        resolve();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      void running.done.then(
        () => resolve(),
        () => resolve(),
      );
    });

    // First start: the full synchronization in dependency order before any schedule runs, so that no scheduled run
    // fails records because a mapping it depends on has not coupled its records yet. Only against the emulators:
    // against real services the operator runs it deliberately (npx bcsync full-sync --dry-run first).
    const scheduled = demoScheduledMappings(mappings.mappings);
    if (config.emulators.enabled) {
      // The statistics job is no table mapping: it is not part of a full synchronization, only scheduled.
      const tables = scheduled.filter((name) => mappings.mappings.find((m) => m.name === name)?.kind === 'table');
      await firstStartFullSync(ctx, { knex: store.knex, mappings: tables, say, stop: stopRequested });
    } else if ((await mappingsWithoutFullSync(store.knex, scheduled)).length) {
      say('Full synchronization: not run automatically against real services; run npx bcsync full-sync --dry-run');
    }
    if (stopSignalled) return;

    // The demo's schedules: created on the first start; on later ones each is left as it is, so a schedule an operator
    // paused stays paused and an interval they changed stays changed.
    const client = await ctx.temporal();
    const everyMs = parseInterval(config.schedules.demoEvery);
    // Staggered in dependency order (each mapping a fraction of the interval after the one before), so a run rarely
    // finds a mapping it depends on under way and skips itself.
    for (const [i, mapping] of scheduled.entries()) {
      const { scheduleId, created, view } = await ensureMappingSchedule(client, {
        mapping,
        everyMs,
        offsetMs: Math.floor((everyMs * i) / scheduled.length),
        taskQueue: config.temporal.taskQueue,
        note: 'created by npm start (demo)',
        workflowType: workflowTypeOf(mappings.mappings.find((m) => m.name === mapping)!),
      });
      const every = view?.every ?? formatInterval(everyMs);
      say(
        created
          ? `Schedule ${scheduleId}: every ${every} (created)`
          : `Schedule ${scheduleId}: every ${every}${view?.paused ? ', paused' : ''} (kept as it was; bcsync schedule start|stop changes it)`,
      );
    }

    say('');
    say(
      `Temporal UI:  http://localhost:${config.temporal.devServer.uiPort}/namespaces/${config.temporal.namespace}/workflows`,
    );
    say(
      'reason' in running.console
        ? `Console:      ${running.console.reason}`
        : `Console:      ${running.console.url}${running.console.readOnly ? ' (read-only: set CONSOLE_OPERATOR_TOKEN to enable actions)' : ''}`,
    );
    say(`Metrics:      http://127.0.0.1:${config.metricsPort}/metrics`);
    say(`Task queue:   ${config.temporal.taskQueue}`);
    say(
      `Try:          npx bcsync mappings · npx bcsync jobs · npx bcsync errors · npx bcsync run CUSTOMER --wait   (in another terminal)`,
    );
    say('Press Ctrl-C to stop.');

    await stopRequested;
  } finally {
    await stopAll();
    process.removeListener('exit', killServer);
  }
}
