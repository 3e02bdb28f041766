/**
 * `bcsync match MAPPING [--dry-run] [--create-unmatched] [--json]`: match-based coupling as its own job
 * (bc-sync-semantics §7.4). Waits for the run and prints what was coupled, what is ambiguous (with every candidate)
 * and what is unmatched; `--dry-run` writes nothing and prints what it would do; `--create-unmatched` then creates and
 * couples what is left where the mapping allows it.
 */
import type { MatchMappingInput, MatchMappingResult } from '../../engine/run-types';
import { matchCriteriaOf } from '../../engine/matching';
import type { CommandContext } from '../context';
import { CliError, UsageError } from '../errors';
import { effectiveMappings, resolveRunnableMapping } from '../mapping-selection';
import { printJson } from '../output';
import { mappingSlug } from '../schedules';
import { ensureNoRunningSync, idTimestamp, startRun } from '../sync-runs';

export async function matchCommand(
  ctx: CommandContext,
  name: string,
  opts: { dryRun?: boolean; createUnmatched?: boolean; json?: boolean },
): Promise<void> {
  const mapping = resolveRunnableMapping(effectiveMappings(ctx), name);
  if (mapping.kind !== 'table') throw new UsageError(`${mapping.name} is a ${mapping.kind} job: it has no couplings`);
  if (!matchCriteriaOf(mapping).length) {
    throw new UsageError(
      `${mapping.name} has no match criteria; add 'matchCriteria' for it in your MAPPINGS_FILE (docs/coupling.md)`,
    );
  }
  if (opts.dryRun && opts.createUnmatched) throw new UsageError('--dry-run and --create-unmatched exclude each other');
  const input: MatchMappingInput = {
    mapping: mapping.name,
    dryRun: opts.dryRun ?? false,
    createUnmatched: opts.createUnmatched ?? false,
  };
  if (!input.dryRun) await ensureNoRunningSync(await ctx.temporal(), mapping.name);
  const run = await startRun(ctx, {
    workflowType: 'matchMapping',
    workflowId: `match-${mappingSlug(mapping.name)}-${idTimestamp()}`,
    args: [input],
    mapping: mapping.name,
    summary: `Match ${mapping.name}${input.dryRun ? ' (dry run)' : ''}${input.createUnmatched ? ', then create the unmatched' : ''}`,
  });
  if (!opts.json) console.log(`started ${run.workflowId}\n${run.url}`);
  let result: MatchMappingResult;
  try {
    result = (await run.handle.result()) as MatchMappingResult;
  } catch (err) {
    throw new CliError(`the match run ${run.workflowId} failed: ${(err as Error).message}`);
  }
  if (opts.json) printJson(result);
  else printReport(result);
  const failed = result.counts.ambiguous + (result.sync?.failed ?? 0);
  if (result.sync?.outcome === 'failed') throw new CliError(`the create run of ${mapping.name} failed`);
  if (failed > 0) {
    throw new CliError(
      `${mapping.name}: ${result.counts.ambiguous} ambiguous, ${result.sync?.failed ?? 0} failed to be created; see the report above`,
      3,
    );
  }
}

function printReport(r: MatchMappingResult): void {
  const c = r.counts;
  const verb = r.dryRun ? 'would couple' : 'coupled';
  console.log(
    `${r.mapping}${r.dryRun ? ' (dry run: nothing written)' : ` (job ${r.jobId})`}: ${verb} ${c.coupled}, ambiguous ${c.ambiguous}, unmatched ${c.unmatched}, already coupled ${c.alreadyCoupled}`,
  );
  for (const p of r.pairs)
    console.log(`  ${verb}: ${p.bcTitle} (${p.bcId}) ↔ ${p.dvTitle} (${p.dvId}) on ${p.criterion}`);
  for (const a of r.ambiguities) {
    console.log(`  ambiguous: ${a.sourceTitle} (${a.sourceId}) on ${a.criterion}, candidates:`);
    for (const x of a.candidates) console.log(`    - ${x.title} (${x.id})`);
  }
  if (r.unmatched.length) {
    console.log(
      `  unmatched (${r.dryRun ? "'--create-unmatched' would create them where the mapping allows" : 'no record on the other side looks the same'}):`,
    );
    for (const u of r.unmatched.slice(0, 20)) console.log(`    - ${u.title} (${u.id})`);
    if (r.unmatched.length > 20) console.log(`    … and ${c.unmatched - 20} more`);
  }
  if (r.ambiguities.length)
    console.log(`  couple ambiguous records by hand: bcsync couple ${r.mapping} --bc ID --dv ID`);
  if (r.sync) {
    for (const p of r.sync.passes) {
      console.log(
        `  created ${p.direction}: inserted ${p.counts.inserted}, failed ${p.counts.failed}, skipped ${p.counts.skipped} (job ${p.jobId})`,
      );
    }
  }
}
