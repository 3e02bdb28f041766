/**
 * Building a Temporal worker for the product's task queue: the workflow bundle plus `createActivities(deps)`.
 * Used by `bcsync worker`, `npm start` and the tests (which pass their own connection, task queue and connectors).
 */
import { type NativeConnection, Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../activities';
import { ReferenceCache } from '../activities/lookup-resolution';
import type { PageFaults, SyncMetricsRecorder } from '../activities/deps';
import type { Connectors } from '../activities/sides';
import type { IntegrationTableMapping } from '../mappings';

export interface SyncWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  knex: Knex;
  connectors: Connectors;
  mappings: readonly IntegrationTableMapping[];
  /** Clock for activities (Default: `() => new Date()`). */
  now?: () => Date;
  /** Records per page. (Default: 200) */
  pageSize?: number;
  /** Watermark safety overlap. (Default: 5000 ms) */
  overlapMs?: number;
  faults?: PageFaults;
  /** Where activities report what they committed (worker/sync-metrics.ts). (Default: nothing recorded) */
  metrics?: SyncMetricsRecorder;
  /** Base URL of the sync console, linked from each run's Temporal UI details. (Default: no links) */
  consoleUrl?: string;
  /** How long in-flight activities may finish after shutdown starts (Default: '10s'). */
  shutdownGraceTime?: string;
}

/** The path of the workflow bundle's entry module (TypeScript under ts-node, JS when compiled). */
export const workflowsPath = require.resolve('../workflows');

export async function createSyncWorker(o: SyncWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    workflowsPath,
    activities: createActivities({
      knex: o.knex,
      now: o.now ?? (() => new Date()),
      mappings: o.mappings,
      connectors: o.connectors,
      cache: new ReferenceCache(o.connectors),
      pageSize: o.pageSize,
      overlapMs: o.overlapMs,
      faults: o.faults,
      metrics: o.metrics,
      consoleUrl: o.consoleUrl,
    }),
    shutdownGraceTime: (o.shutdownGraceTime ?? '10s') as '10s',
  });
}
