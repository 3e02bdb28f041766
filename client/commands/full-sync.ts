/**
 * `bcsync full-sync [--mapping M…] [--dry-run] [--wait] [--json]`: the initial synchronization (bc-sync-semantics §6)
 * of the named mappings, or of every mapping, in dependency order. Each mapping first couples the records that match
 * (its match criteria), then creates and couples the rest on the other side. Exit codes: 0 everything succeeded,
 * 1 a mapping failed, 2 bad usage, 3 records failed (the report says which and what to run).
 */
import type { FullSyncInput } from '../../engine/full-sync-types';
import type { CommandContext } from '../context';
import { effectiveMappings, selectMappings } from '../mapping-selection';
import { printJson } from '../output';
import { CliError } from '../errors';
import { followFullSync, fullSyncExitError, fullSyncReport, runningFullSync, startFullSync } from '../full-sync-runner';

export async function fullSyncCommand(
  ctx: CommandContext,
  opts: { mapping?: string[]; dryRun?: boolean; wait?: boolean; json?: boolean },
): Promise<void> {
  const names = opts.mapping ?? [];
  // Every mapping when none is named; the worker reports the ones it cannot run (statistics jobs, incomplete ones).
  const mappings = selectMappings(effectiveMappings(ctx), names, names.length === 0).map((m) => m.name);
  const input: FullSyncInput = { mappings, dryRun: opts.dryRun ?? false };
  // Two full synchronizations would match and create the same records side by side.
  const other = await runningFullSync(ctx, await ctx.temporal());
  if (other) {
    throw new CliError(`a full synchronization is already running: ${other.workflowId} (${other.url}); wait for it`);
  }
  const run = await startFullSync(ctx, input);
  const started = { workflowId: run.workflowId, runId: run.runId, url: run.url };
  if (!opts.wait) {
    if (opts.json) printJson(started);
    else console.log(`started ${run.workflowId}${opts.dryRun ? ' (dry run)' : ''}\n${run.url}`);
    return;
  }
  if (!opts.json) console.log(`started ${run.workflowId}${opts.dryRun ? ' (dry run)' : ''}\n${run.url}`);
  const result = (await followFullSync(run, { quiet: opts.json }))!;
  if (opts.json) printJson({ ...started, result });
  else for (const line of await fullSyncReport(ctx, result)) console.log(line);
  const failure = fullSyncExitError(result, run.workflowId);
  if (failure) throw failure;
}
