/**
 * `bcsync retry JOB_ID [--wait]`: a new `records` run of the job's mapping and direction that re-synchronizes only the
 * records that failed in that job, logged with `retry_of_job_id` (DESIGN §8.2).
 */
import { failedSourceIds } from '../../store/sync-errors';
import { getJob } from '../../store/sync-jobs';
import { findMapping } from '../../worker/load-mappings';
import type { SyncMappingInput } from '../../engine/run-types';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { effectiveMappings } from '../mapping-selection';
import type { SyncJob } from '../../store/sync-jobs';
import { ensureNoRunningSync, idTimestamp, reportRun, startRun, type StartedRun } from '../sync-runs';

/**
 * The most ids one retry carries in its workflow input (about 40 bytes each, far below the 2 MB payload limit).
 * Beyond that the next scheduled run is the better tool: it retries failed couplings first anyway.
 */
export const MAX_RETRY_IDS = 20_000;

/**
 * Starts a `records` run that re-synchronizes the records that failed in job `jobId`, logged as a retry of it. Throws
 * `CliError` when the job does not exist, is not a one-direction pass of a configured table mapping, has no failed
 * records or more than `MAX_RETRY_IDS`, or when a run of its mapping is under way. Used by `bcsync retry` and the
 * console's "Retry failed records".
 */
export async function startRetry(
  ctx: CommandContext,
  jobId: number,
): Promise<{ run: StartedRun; job: SyncJob; records: number }> {
  const store = await ctx.store();
  const job = await getJob(store.knex, jobId);
  if (!job) throw new CliError(`job ${jobId} not found`);
  const mapping = findMapping(effectiveMappings(ctx), job.mapping);
  if (!mapping) throw new CliError(`job ${jobId} belongs to ${job.mapping}, which is not a configured mapping`);
  if (mapping.kind === 'statistics') {
    throw new CliError(
      `job ${jobId} is a statistics job: its failed records are refreshed again by the next run of ${mapping.name}; run it now with bcsync run '${mapping.name}'`,
    );
  }
  if (!job.direction) throw new CliError(`job ${jobId} is not a synchronization pass in one direction`);
  const ids = [...new Set(await failedSourceIds(store.knex, jobId))];
  if (!ids.length) throw new CliError(`job ${jobId} has no failed records`);
  if (ids.length > MAX_RETRY_IDS) {
    throw new CliError(
      `job ${jobId} has ${ids.length} failed records, more than one retry carries (${MAX_RETRY_IDS}); the next run of ${mapping.name} retries them (bcsync run '${mapping.name}')`,
    );
  }
  const input: SyncMappingInput = {
    mapping: mapping.name,
    mode: 'records',
    direction: job.direction,
    records: [{ direction: job.direction, ids }],
    retryOfJobId: job.id,
  };
  await ensureNoRunningSync(await ctx.temporal(), mapping.name);
  const run = await startRun(ctx, {
    workflowId: `retry-job-${job.id}-${idTimestamp()}`,
    args: [input],
    mapping: mapping.name,
    startedBy: '`bcsync retry`',
    summary: `Retry of the ${ids.length} failed record(s) of job ${job.id} (${mapping.name}, records mode, ${job.direction})`,
  });
  return { run, job, records: ids.length };
}

export async function retryCommand(
  ctx: CommandContext,
  jobId: number,
  opts: { wait?: boolean; json?: boolean },
): Promise<void> {
  const { run, job, records } = await startRetry(ctx, jobId);
  if (!opts.json)
    console.log(`retrying ${records} failed record(s) of job ${job.id} (${job.mapping}, ${job.direction})`);
  await reportRun(run, opts);
}
