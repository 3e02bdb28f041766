/**
 * Building a Temporal worker for the product's task queue: the workflow bundle plus `createActivities(deps)`.
 * Used by `bcsync worker`, `npm start` and the tests (which pass their own connection, task queue and connectors).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
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
  /** Source pages one page activity handles (activities/sync-activities.ts). (Default: 5) */
  pagesPerActivity?: number;
  faults?: PageFaults;
  /** Where activities report what they committed (worker/sync-metrics.ts). (Default: nothing recorded) */
  metrics?: SyncMetricsRecorder;
  /** Base URL of the sync console, linked from each run's Temporal UI details. (Default: no links) */
  consoleUrl?: string;
  /** How long in-flight activities may finish after shutdown starts (Default: '10s'). */
  shutdownGraceTime?: string;
  /** Where the workflow code comes from (Default: `workflowCode()`). */
  workflowCode?: WorkflowCode;
}

/** The path of the workflow bundle's entry module (TypeScript under scripts/register.js, JS when compiled). */
export const workflowsPath = require.resolve('../workflows');

/**
 * True when this module is the compiled JavaScript in dist/ (`npm run build`), false when the TypeScript sources run
 * through scripts/register.js (the tests, the scripts).
 */
export const runningCompiled = path.extname(__filename) === '.js';

/** The workflow bundle `npm run build` writes next to the compiled code: dist/workflow-bundle.js. */
export const workflowBundlePath = path.join(__dirname, '..', 'workflow-bundle.js');

/** Thrown by `workflowCode()` when the compiled worker finds no prebuilt workflow bundle. */
export class WorkflowBundleMissingError extends Error {
  constructor(readonly bundlePath: string) {
    super(
      `The prebuilt workflow bundle ${bundlePath} is missing: run \`npm run build\` (npm install runs it) and start ` +
        'the worker again.',
    );
    this.name = 'WorkflowBundleMissingError';
  }
}

export type WorkflowCode = Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'>;

/**
 * The workflow code of the product's worker. Compiled, it is the bundle built ahead of time (no webpack at start-up);
 * it never falls back to bundling at start-up, so a worker cannot silently run workflow code other than the build's.
 * From the sources, the workflows are bundled from `workflowsPath` when the worker is created, so tests always run
 * the code they see. Throws `WorkflowBundleMissingError` when compiled and the bundle is missing.
 */
export function workflowCode(): WorkflowCode {
  if (!runningCompiled) return { workflowsPath };
  if (!existsSync(workflowBundlePath)) throw new WorkflowBundleMissingError(workflowBundlePath);
  return { workflowBundle: { codePath: workflowBundlePath } };
}

export async function createSyncWorker(o: SyncWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(o.workflowCode ?? workflowCode()),
    activities: createActivities({
      knex: o.knex,
      now: o.now ?? (() => new Date()),
      mappings: o.mappings,
      connectors: o.connectors,
      cache: new ReferenceCache(o.connectors),
      pageSize: o.pageSize,
      overlapMs: o.overlapMs,
      pagesPerActivity: o.pagesPerActivity,
      faults: o.faults,
      metrics: o.metrics,
      consoleUrl: o.consoleUrl,
    }),
    shutdownGraceTime: (o.shutdownGraceTime ?? '10s') as '10s',
  });
}
