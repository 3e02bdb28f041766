/**
 * `createActivities(deps)`: every side effect of a run happens here (DESIGN §3). Dependencies are built once by the
 * composition root (worker/) and passed in; activities return only ids, cursors and counts.
 */
import { closeJob, openJob } from '../store/sync-jobs';
import { zeroCounts } from '../engine/run-types';
import { createFullSyncActivities } from './full-sync-plan';
import { createMatchActivities } from './matching/match-activities';
import { configurationFailure, createSyncActivities, type SyncDeps } from './sync-activities';

export type ActivityDeps = SyncDeps;

export function createActivities(deps: ActivityDeps) {
  const mappingOf = (name: string) => {
    const m = deps.mappings.find((x) => x.name === name);
    if (!m) {
      throw configurationFailure(
        `mapping '${name}' does not exist; the mappings are ${deps.mappings.map((x) => x.name).join(', ')}`,
      );
    }
    return m;
  };
  return {
    ...createSyncActivities(deps),
    ...createFullSyncActivities(deps),
    ...createMatchActivities(deps, mappingOf),

    /** Opens the smoke run's job row (idempotent per workflow run). */
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

export type Activities = ReturnType<typeof createActivities>;
