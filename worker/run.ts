/**
 * The composition root of a worker process: config → store (migrated) → Temporal connection → worker. Installs the
 * Temporal runtime once (Prometheus metrics on METRICS_PORT), serves the sync metrics on SYNC_METRICS_PORT, runs until
 * `stop()`, then drains, and closes the worker, the metrics endpoint, the connection and the DB pool in that order.
 */
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { PageFaults } from '../activities/deps';
import type { Config } from '../config';
import type { Store } from '../store/database';
import { type RunningConsole, startConsole } from '../client/console/server';
import { CommandContext } from '../client/context';
import { temporalConnectionOptions } from './connection';
import { createConnectors } from './connectors';
import { createSyncWorker, workflowCode } from './create-worker';
import { type EffectiveMappings, loadEffectiveMappings } from './load-mappings';
import type { Logger } from './logger';
import { type MetricsServer, serveMetrics } from './metrics-server';
import { openConfiguredStore } from './open-store';
import { createSyncMetrics, listMappingSchedules } from './sync-metrics';

/**
 * Crash-test fault hooks from config (FAULT_KILL_AFTER_WRITE=MAPPING:direction): the process kills itself with
 * SIGKILL right after a page's destination writes, before the coupling commit — the instant DESIGN §7.1 must survive.
 */
function faultHooks(config: Config, logger: Logger): PageFaults | undefined {
  const spec = config.faults.killAfterWrite;
  if (!spec) return undefined;
  return {
    afterDestinationWrite: (info) => {
      if (`${info.mapping}:${info.direction}` !== spec) return;
      logger.warn(info, 'FAULT_KILL_AFTER_WRITE: killing the worker between destination write and coupling commit');
      // The line above is written synchronously (worker/logger.ts), so it is out before the kill.
      process.kill(process.pid, 'SIGKILL');
    },
  };
}

export interface RunningWorker {
  worker: Worker;
  store: Store;
  /** The sync metrics endpoint (`http://host:port/metrics`), or undefined when SYNC_METRICS_PORT is off. */
  metricsUrl: string | undefined;
  /** Resolves when the worker has stopped and every resource is closed. */
  done: Promise<void>;
  /** Starts a graceful shutdown (drain, then close); resolves with `done`. */
  stop(): Promise<void>;
  /** The sync console this process serves, or why it serves none (`CONSOLE_ENABLED=false`, port taken). */
  console: { url: string; readOnly: boolean } | { url: null; reason: string };
}

/**
 * Serves the sync console from this process (CONSOLE_ENABLED) on the worker's store. A taken port (a second worker on
 * the same machine) is logged and leaves the worker running without one: the console is a view, not part of the work.
 */
async function serveConsole(
  config: Config,
  logger: Logger,
  store: Store,
): Promise<{ running?: RunningConsole; ctx?: CommandContext; reason?: string }> {
  if (!config.console.enabled) return { reason: 'turned off (CONSOLE_ENABLED=false)' };
  const ctx = new CommandContext({ config, logger, store });
  try {
    const running = await startConsole({
      ctx,
      logger,
      operatorToken: config.console.operatorToken,
      host: config.console.host,
      port: config.console.port,
    });
    logger.info({ url: running.url, readOnly: running.readOnly }, 'console started');
    return { running, ctx };
  } catch (err) {
    await ctx.close();
    const reason = `not started: ${(err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? `port ${config.console.port} is taken (CONSOLE_PORT)` : (err as Error).message}`;
    logger.warn({ port: config.console.port, reason }, 'console not started');
    return { reason };
  }
}

let runtimeInstalled = false;

/** Installs the Temporal runtime once per process: metrics endpoint and log forwarding; signals are ours to handle. */
export function installRuntime(config: Config, logger: Logger): void {
  if (runtimeInstalled) return;
  Runtime.install({
    logger: new DefaultLogger(config.logLevel === 'debug' || config.logLevel === 'trace' ? 'DEBUG' : 'WARN', (entry) =>
      logger[entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : 'debug'](
        { ...entry.meta, component: 'temporal' },
        entry.message,
      ),
    ),
    telemetryOptions: {
      metrics: { prometheus: { bindAddress: `127.0.0.1:${config.metricsPort}` }, metricPrefix: 'temporal_' },
    },
    shutdownSignals: [],
  });
  runtimeInstalled = true;
}

/**
 * Starts a worker for the configured task queue. `store` and `mappings` may be passed in (npm start opens the store
 * and writes the demo's mappings first, to announce them); otherwise the configured store is opened and migrated here
 * (`openConfiguredStore`) and the mappings come from `loadEffectiveMappings(config)` — the same ones the CLI shows.
 * Throws `WorkflowBundleMissingError` before touching anything when the compiled worker has no workflow bundle,
 * `MappingsFileError` for a bad override file and the store errors of `openConfiguredStore`.
 */
export async function startWorker(
  config: Config,
  logger: Logger,
  o: { store?: Store; mappings?: EffectiveMappings } = {},
): Promise<RunningWorker> {
  const code = workflowCode();
  const { mappings, source } = o.mappings ?? loadEffectiveMappings(config);
  logger.info({ mappingsSource: source.kind, mappingsFile: source.file }, 'mappings loaded');
  installRuntime(config, logger);
  let store = o.store;
  let ownStore = false;
  if (!store) {
    const opened = await openConfiguredStore(config, 'migrate');
    logger.info({ store: opened.store.description, reason: opened.reason, applied: opened.applied }, 'store selected');
    store = opened.store;
    ownStore = true;
  }
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const scheduleClient = new Client({ connection, namespace: config.temporal.namespace });
  const metrics = createSyncMetrics({
    knex: store.knex,
    mappings,
    schedules: () => listMappingSchedules(scheduleClient),
    logger: logger.child({ component: 'sync-metrics' }),
  });
  const worker = await createSyncWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    knex: store.knex,
    mappings,
    connectors: createConnectors(config, logger, {
      bcBatchSize: config.writeBatchSize,
      dvBatchSize: config.writeBatchSize,
      onRequest: metrics.onRequest,
    }),
    pageSize: config.pageSize,
    faults: faultHooks(config, logger),
    workflowCode: code,
    metrics: metrics.recorder,
    consoleUrl: config.consoleUrl,
  });
  let metricsServer: MetricsServer | undefined;
  const metricsPort = config.syncMetrics.port;
  if (metricsPort !== null) {
    // Metrics must not stop the synchronization: a port already taken (a second worker on the same host with the
    // default port) leaves this worker without the endpoint, and says how to give it one.
    try {
      metricsServer = await serveMetrics(metrics.registry, {
        host: config.syncMetrics.host,
        port: metricsPort,
        logger,
      });
      logger.info({ url: metricsServer.url }, 'sync metrics endpoint listening');
    } catch (err) {
      logger.warn(
        { err, host: config.syncMetrics.host, port: metricsPort },
        'sync metrics endpoint not served: cannot listen there; set SYNC_METRICS_PORT to a free port (0 = any) or off',
      );
    }
  }
  const s = store;
  const served = await serveConsole(config, logger, s);
  const done = (async () => {
    try {
      await worker.run();
    } finally {
      await served.running?.close();
      await served.ctx?.close();
      await metricsServer?.close();
      await connection.close();
      if (ownStore) await s.close();
    }
  })();
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      namespace: config.temporal.namespace,
      // Which workflow code runs: the bundle built by `npm run build`, or the sources bundled at start-up.
      workflows: code.workflowBundle ? 'prebuilt bundle' : 'bundled at start-up from the sources',
    },
    'worker started',
  );
  return {
    worker,
    store: s,
    metricsUrl: metricsServer?.url,
    done,
    console: served.running
      ? { url: served.running.url, readOnly: served.running.readOnly }
      : { url: null, reason: served.reason ?? 'not started' },
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
