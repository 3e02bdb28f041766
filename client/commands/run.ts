/** `bcsync run MAPPING [--full] [--direction to-dataverse|to-bc] [--wait]`: one run of one mapping, now. */
import type { PassDirection, SyncMappingInput } from '../../engine/run-types';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { workflowTypeOf } from '../../mappings';
import { effectiveMappings, resolveRunnableMapping } from '../mapping-selection';
import { mappingSlug } from '../schedules';
import { ensureNoRunningSync, idTimestamp, reportRun, startRun } from '../sync-runs';

export async function runCommand(
  ctx: CommandContext,
  name: string,
  opts: { full?: boolean; direction?: PassDirection; wait?: boolean; json?: boolean },
): Promise<void> {
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
  const run = await startRun(ctx, {
    workflowType,
    workflowId: `run-${mappingSlug(mapping.name)}-${idTimestamp()}`,
    args: [input],
    mapping: mapping.name,
    startedBy: '`bcsync run`',
    summary: `Manual ${input.mode} ${workflowType === 'syncMapping' ? 'sync' : 'run'} of ${mapping.name}${opts.direction ? ` (${opts.direction} only)` : ''}`,
  });
  await reportRun(run, opts);
}
