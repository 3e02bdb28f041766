/**
 * Scheduled runs respect dependencies (bc-sync-semantics §6.3, DESIGN §6): a scheduled run of CONTACT does nothing
 * while CUSTOMER is being synchronized or has never completed a run, because every contact would fail its parent
 * account lookup. The run is then logged as one `skipped` job per direction whose message says what it waits for.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Knex } from 'knex';
import { activeDependencies, type IntegrationTableMapping } from '../mappings';
import { type PassDirection, zeroCounts } from '../engine/run-types';
import { closeJob, hasCompletedJob, listRunningJobs, openJob } from '../store/sync-jobs';

type TemporalClient = ReturnType<typeof Context.current>['client'];

function activityClient(): TemporalClient | undefined {
  try {
    return Context.current().client;
  } catch {
    return undefined;
  }
}

/**
 * Whether a job row marked running belongs to a workflow that is really running. A workflow Temporal no longer knows
 * is not; any other doubt (no client, a describe hiccup) counts as running, so the dependent run waits one more tick
 * rather than failing its records.
 */
async function reallyRunning(client: TemporalClient | undefined, workflowId: string | null): Promise<boolean> {
  if (!client || !workflowId) return true;
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (err) {
    return !(err instanceof WorkflowNotFoundError);
  }
}

/**
 * Why a scheduled run of `m` must wait, or null when every active dependency (`activeDependencies`) has completed a
 * run and none is running now. Dependencies that name no mapping of `mappings` are ignored (the cross-reference check
 * rejects them when the mappings are loaded).
 */
export async function dependencyWaitReason(
  knex: Knex,
  mappings: readonly IntegrationTableMapping[],
  m: IntegrationTableMapping,
): Promise<string | null> {
  const client = activityClient();
  for (const dep of activeDependencies(m)) {
    if (!mappings.some((x) => x.name === dep)) continue;
    for (const job of await listRunningJobs(knex, dep)) {
      if (await reallyRunning(client, job.workflowId)) {
        return `waiting for ${dep}, which is being synchronized by ${job.workflowId ?? 'another run'} (job ${job.id}); the next scheduled run of ${m.name} continues`;
      }
    }
    if (!(await hasCompletedJob(knex, dep))) {
      return `waiting for ${dep}, which has never completed a run; run 'bcsync full-sync' or 'bcsync run ${dep}' first`;
    }
  }
  return null;
}

/**
 * Writes one `skipped` job row per direction for a run that waits on a dependency, with `reason` as its message.
 * Idempotent per workflow run and direction (an activity retry rewrites the same rows). Returns the job ids.
 */
export async function logSkippedRun(
  knex: Knex,
  r: {
    mapping: string;
    directions: readonly PassDirection[];
    workflowId: string;
    runId: string;
    reason: string;
    now: Date;
  },
): Promise<{ direction: PassDirection; jobId: number }[]> {
  return knex.transaction(async (trx) => {
    const out: { direction: PassDirection; jobId: number }[] = [];
    for (const direction of r.directions) {
      const job = await openJob(trx, {
        idempotencyKey: `${r.workflowId}/${r.runId}/${direction}`,
        mapping: r.mapping,
        direction,
        type: 'sync',
        mode: 'incremental',
        workflowId: r.workflowId,
        runId: r.runId,
        startedAt: r.now,
      });
      await closeJob(trx, job.id, { status: 'skipped', counts: zeroCounts(), finishedAt: r.now, message: r.reason });
      out.push({ direction, jobId: job.id });
    }
    return out;
  });
}
