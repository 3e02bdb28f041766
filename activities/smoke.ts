/**
 * The activities of the `smokeRun` workflow (`bcsync smoke`): the durable path from Temporal to the store checked end
 * to end — a `sync_jobs` row opened by one activity and closed by another — without touching either API. Kept apart
 * from the sync activities because no synchronization uses them.
 */
import { zeroCounts } from '../engine/run-types';
import { closeJob, openJob } from '../store/sync-jobs';
import type { SyncDeps } from './deps';

/** Builds the smoke run's activities; they need only the store and the clock of `deps`. */
export function createSmokeActivities(deps: Pick<SyncDeps, 'knex' | 'now'>) {
  return {
    /** Opens the smoke run's job row (idempotent per workflow run: the key is the workflow and run id). */
    async openSmokeJob(input: { mapping: string; workflowId: string; runId: string }): Promise<{ jobId: number }> {
      const job = await openJob(deps.knex, {
        idempotencyKey: `${input.workflowId}/${input.runId}/smoke`,
        mapping: input.mapping,
        direction: null,
        type: 'sync',
        mode: 'incremental',
        workflowId: input.workflowId,
        runId: input.runId,
        startedAt: deps.now(),
      });
      return { jobId: job.id };
    },

    /** Closes the smoke run's job row as succeeded with zero counts. */
    async closeSmokeJob(input: { jobId: number }): Promise<void> {
      await closeJob(deps.knex, input.jobId, {
        status: 'succeeded',
        counts: zeroCounts(),
        finishedAt: deps.now(),
        message: 'smoke run: the durable path from Temporal to the store works',
      });
    },
  };
}
