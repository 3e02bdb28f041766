/** `bcsync jobs`: the synchronization job log, newest first. */
import { listJobs } from '../../store/sync-jobs';
import type { CommandContext } from '../context';
import { effectiveMappings, logMappingName } from '../mapping-selection';
import { printJson, printTable } from '../output';

export async function jobsCommand(
  ctx: CommandContext,
  opts: { mapping?: string; failed?: boolean; workflow?: string; limit: number; json?: boolean },
): Promise<void> {
  const store = await ctx.store();
  const jobs = await listJobs(store.knex, {
    mapping: opts.mapping === undefined ? undefined : logMappingName(effectiveMappings(ctx), opts.mapping),
    failed: opts.failed,
    workflowId: opts.workflow,
    limit: opts.limit,
  });
  if (opts.json) return printJson(jobs);
  printTable(
    jobs.map((j) => ({ ...j, direction: j.direction ?? '-', started: j.startedAt, finished: j.finishedAt })),
    [
      'id',
      'mapping',
      'direction',
      'type',
      'status',
      'started',
      'finished',
      'inserted',
      'modified',
      'deleted',
      'unchanged',
      'skipped',
      'failed',
      'message',
    ],
  );
}
