/** `bcsync run MAPPING [--full] [--direction to-dataverse|to-bc] [--wait]`: one run of one mapping, now. */
import type { PassDirection, SyncMappingInput } from '../../engine/run-types';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { workflowTypeOf } from '../../mappings';
import { effectiveMappings, resolveRunnableMapping } from '../mapping-selection';
import { mappingSlug } from '../schedules';
import { ensureNoRunningSync, idTimestamp, reportRun, startRun, type StartedRun } from '../sync-runs';

/**
 * Starts one run of the mapping named `name` now (incremental unless `full`; one direction of a bidirectional mapping
 * with `direction`). Throws `UsageError` for an unknown or unrunnable mapping or a direction it does not synchronize,
 * and `CliError` when a run of it is already under way. Used by `bcsync run` and the console's "Run now".
 */
export async function startMappingRun(
  ctx: CommandContext,
  name: string,
  opts: { full?: boolean; direction?: PassDirection },
): Promise<StartedRun> {
  const mapping = resolveRunnableMapping(effectiveMappings(ctx), name);
  if (opts.direction && mapping.direction !== 'bidirectional' && mapping.direction !== opts.direction) {
    throw new UsageError(
      `--direction ${opts.direction}: ${mapping.name} synchronizes ${mapping.direction} only (its direction is ${mapping.direction})`,
    );
  }
  const input: SyncMappingInput = { mapping: mapping.name, mode: opts.full ? 'full' : 'incremental' };
  if (opts.direction) input.direction = opts.direction;
  const workflowType = workflowTypeOf(mapping);
  await ensureNoRunningSync(await ctx.temporal(), mapping.name, workflowType);
  return startRun(ctx, {
    workflowType,
    workflowId: `run-${mappingSlug(mapping.name)}-${idTimestamp()}`,
    args: [input],
    mapping: mapping.name,
    startedBy: '`bcsync run`',
    summary: `Manual ${input.mode} ${workflowType === 'syncMapping' ? 'sync' : 'run'} of ${mapping.name}${opts.direction ? ` (${opts.direction} only)` : ''}`,
  });
}

export async function runCommand(
  ctx: CommandContext,
  name: string,
  opts: { full?: boolean; direction?: PassDirection; wait?: boolean; json?: boolean },
): Promise<void> {
  await reportRun(await startMappingRun(ctx, name, opts), opts);
}
