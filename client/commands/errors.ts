/** `bcsync errors [--job ID] [--mapping M] [--unresolved] [--limit N] [--json]`: the error log, newest first. */
import { listErrors } from '../../store/sync-errors';
import type { CommandContext } from '../context';
import { effectiveMappings, logMappingName } from '../mapping-selection';
import { printJson, printTable } from '../output';

export async function errorsCommand(
  ctx: CommandContext,
  opts: { job?: number; mapping?: string; unresolved?: boolean; limit: number; json?: boolean },
): Promise<void> {
  const store = await ctx.store();
  const errors = await listErrors(store.knex, {
    jobId: opts.job,
    mapping: opts.mapping === undefined ? undefined : logMappingName(effectiveMappings(ctx), opts.mapping),
    unresolvedOnly: opts.unresolved,
    limit: opts.limit,
  });
  if (opts.json) return printJson(errors);
  printTable(
    errors.map((e) => ({
      id: e.id,
      job: e.jobId,
      mapping: e.mapping,
      direction: e.direction,
      source: e.sourceId,
      destination: e.destinationId ?? '',
      at: e.createdAt,
      resolved: e.resolvedByJobId == null ? '' : `by job ${e.resolvedByJobId}`,
      message: e.message,
    })),
    ['id', 'job', 'mapping', 'direction', 'source', 'destination', 'at', 'resolved', 'message'],
  );
}
