/**
 * Building a Temporal worker for the product's task queue: the workflow bundle plus `createActivities(deps)`.
 * Used by `bcsync worker`, `npm start` and the tests (which pass their own connection and task queue).
 */
import { type NativeConnection, Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../activities';

export interface SyncWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  knex: Knex;
  /** Clock for activities (Default: `() => new Date()`). */
  now?: () => Date;
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
    activities: createActivities({ knex: o.knex, now: o.now ?? (() => new Date()) }),
    shutdownGraceTime: (o.shutdownGraceTime ?? '10s') as '10s',
  });
}
