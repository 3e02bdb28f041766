/**
 * The first `npm start` runs the full synchronization of the demo's scheduled mappings before it creates their
 * schedules, so the first scheduled runs find every record coupled and no run fails records on dependency order.
 *
 * "First" = some of the mappings has no completed `coupling` job (the match run a full synchronization writes): a later
 * start finds them and skips it; a start interrupted during the full synchronization resumes following the run that is
 * still open in Temporal instead of starting a second one.
 */
import type { Knex } from 'knex';
import { hasCompletedJob } from '../store/sync-jobs';
import type { FullSyncResult } from '../engine/full-sync-types';
import type { CommandContext } from './context';
import { followFullSync, fullSyncExitError, fullSyncReport, runningFullSync, startFullSync } from './full-sync-runner';

/** The mappings of `names` that have never completed a full synchronization (no completed `coupling` job). */
export async function mappingsWithoutFullSync(knex: Knex, names: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const name of names) if (!(await hasCompletedJob(knex, name, 'coupling'))) out.push(name);
  return out;
}

/**
 * Runs (or resumes following) the full synchronization of `mappings` when one of them never completed one, with the
 * progress display and the closing report. Failures are reported, not thrown: the schedules are created either way
 * and wait for what did not complete. Returns the result, or undefined when nothing ran or `stop` came first.
 */
export async function firstStartFullSync(
  ctx: CommandContext,
  o: { knex: Knex; mappings: readonly string[]; say: (line: string) => void; stop: Promise<void> },
): Promise<FullSyncResult | undefined> {
  const missing = await mappingsWithoutFullSync(o.knex, o.mappings);
  if (!missing.length) {
    o.say(`Full synchronization: done on an earlier start (run it again with: npx bcsync full-sync --wait)`);
    return undefined;
  }
  const client = await ctx.temporal();
  let run = await runningFullSync(ctx, client);
  if (run) {
    o.say(`Full synchronization: following ${run.workflowId}, started by an earlier start`);
  } else {
    o.say(`First start: full synchronization of ${o.mappings.join(', ')} (couple matching records, create the rest)`);
    run = await startFullSync(ctx, { mappings: [...o.mappings] });
  }
  o.say(`  ${run.url}`);
  const result = await followFullSync(run, { stop: o.stop, say: o.say });
  if (!result) {
    o.say('Full synchronization: interrupted; the next npm start follows it to the end');
    return undefined;
  }
  for (const line of await fullSyncReport(ctx, result)) o.say(line);
  const problem = fullSyncExitError(result, run.workflowId);
  if (problem) o.say(`WARNING: ${problem.message}`);
  return result;
}
