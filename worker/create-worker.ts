/**
 * Building a Temporal worker for the product's task queue: the workflow bundle plus `createActivities(deps)`.
 * Used by `bcsync worker`, `npm start` and the tests (which pass their own connection, task queue and connectors).
 */
import { type NativeConnection, Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../activities';
import { ReferenceCache } from '../activities/lookup-resolution';
import type { PageFaults } from '../activities/deps';
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
    }),
    shutdownGraceTime: (o.shutdownGraceTime ?? '10s') as '10s',
  });
}
