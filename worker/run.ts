/**
 * The composition root of a worker process: config → store (migrated) → Temporal connection → worker. Installs the
 * Temporal runtime once (Prometheus metrics on METRICS_PORT), runs until `stop()`, then drains, and closes the worker,
 * the connection and the DB pool in that order.
 */
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { PageFaults } from '../activities/deps';
import type { Config } from '../config';
import type { IntegrationTableMapping } from '../mappings';
import { openDefaultStore, type Store } from '../store/database';
import { migrateLatest } from '../store/migrate';
import { temporalConnectionOptions } from './connection';
import { createConnectors } from './connectors';
import { createSyncWorker } from './create-worker';
import { loadMappings } from './load-mappings';
import type { Logger } from './logger';

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
  /** Resolves when the worker has stopped and every resource is closed. */
  done: Promise<void>;
  /** Starts a graceful shutdown (drain, then close); resolves with `done`. */
  stop(): Promise<void>;
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
 * Starts a worker for the configured task queue. `store` may be passed in (npm start opens it first to announce it);
 * otherwise the default store is opened and migrated here.
 */
export async function startWorker(
  config: Config,
  logger: Logger,
  store?: Store,
  /** The mappings to run (Default: the defaults with MAPPINGS_FILE applied). */
  mappings: IntegrationTableMapping[] = loadMappings(config.mappingsFile),
): Promise<RunningWorker> {
  installRuntime(config, logger);
  let ownStore = false;
  if (!store) {
    const opened = await openDefaultStore({
      mysqlUrl: config.mysqlUrl,
      defaultUrl: config.mysqlDefaultUrl,
      dataDir: config.dataDir,
    });
    logger.info({ store: opened.store.description, reason: opened.reason }, 'store selected');
    store = opened.store;
    ownStore = true;
    await migrateLatest(store);
  }
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const worker = await createSyncWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    knex: store.knex,
    mappings,
    connectors: createConnectors(config, logger, {
      bcBatchSize: config.writeBatchSize,
      dvBatchSize: config.writeBatchSize,
    }),
    pageSize: config.pageSize,
    faults: faultHooks(config, logger),
  });
  const s = store;
  const done = (async () => {
    try {
      await worker.run();
    } finally {
      await connection.close();
      if (ownStore) await s.close();
    }
  })();
  logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker started');
  return {
    worker,
    store: s,
    done,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
