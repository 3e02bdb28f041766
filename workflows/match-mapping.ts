/**
 * `matchMapping`: match-based coupling of one mapping as its own job (bc-sync-semantics §7.4): `startMatch` opens the
 * coupling job, `matchPage` walks the uncoupled source records page by page, `finishMatch` closes the job. With
 * `createUnmatched`, what is still uncoupled is then created and coupled by a full synchronization run of the mapping
 * (a child `syncMapping` with `createUncoupled`), as Business Central's full synchronization does. Only counts,
 * cursors and capped report lists pass through here.
 */
import {
  executeChild,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { MatchActivities, MatchPageResult } from '../activities/matching/match-activities';
import type { MatchCounts, MatchMappingInput, MatchMappingResult } from '../engine/run-types';
import { BcSyncMapping, BcSyncOutcome, matchProgressQuery, type MatchProgress } from './definitions';
import { leaseWaitActivity, pageActivity, shortActivity } from './profiles';
import { syncMapping } from './sync-mapping';

const { startMatch, finishMatch } = proxyActivities<MatchActivities>(shortActivity);
// startMatch waits (by retrying) while another run of the mapping holds its lease: no overall retry limit.
const { startMatch: startMatchWhenFree } = proxyActivities<MatchActivities>(leaseWaitActivity);
const { matchPage } = proxyActivities<MatchActivities>(pageActivity);

/** Entries kept per report list. */
const LIST_CAP = 200;

export async function matchMapping(input: MatchMappingInput): Promise<MatchMappingResult> {
  const info = workflowInfo();
  const dryRun = input.dryRun ?? false;
  const counts: MatchCounts = { coupled: 0, ambiguous: 0, unmatched: 0, alreadyCoupled: 0 };
  const progress: MatchProgress = { mapping: input.mapping, phase: 'matching', pages: 0, counts, sync: null };
  setHandler(matchProgressQuery, () => progress);
  upsertSearchAttributes([{ key: BcSyncMapping, value: input.mapping }]);

  // Matches recorded before mapping leases started under the short profile (giving up a wait after 10 minutes).
  const start = !dryRun && patched('mapping-lease') ? startMatchWhenFree : startMatch;
  const started = await start({ mapping: input.mapping, dryRun, workflowId: info.workflowId, runId: info.runId });
  const result: MatchMappingResult = {
    mapping: input.mapping,
    dryRun,
    jobId: started.jobId,
    counts,
    pairs: [],
    ambiguities: [],
    unmatched: [],
    sync: null,
  };
  let after: MatchPageResult['next'] = null;
  for (let pageNo = 0; ; pageNo++) {
    setCurrentDetails(
      `**${input.mapping}** match${dryRun ? ' (dry run)' : ''}: page ${pageNo + 1} — ${counts.coupled} coupled, ${counts.ambiguous} ambiguous, ${counts.unmatched} unmatched`,
    );
    const page: MatchPageResult = await matchPage({
      mapping: input.mapping,
      dryRun,
      jobId: started.jobId,
      pageNo,
      until: started.until,
      after,
    });
    counts.coupled += page.counts.coupled;
    counts.ambiguous += page.counts.ambiguous;
    counts.unmatched += page.counts.unmatched;
    counts.alreadyCoupled += page.counts.alreadyCoupled;
    result.pairs.push(...page.pairs.slice(0, LIST_CAP - result.pairs.length));
    result.ambiguities.push(...page.ambiguities.slice(0, LIST_CAP - result.ambiguities.length));
    result.unmatched.push(...page.unmatched.slice(0, LIST_CAP - result.unmatched.length));
    progress.pages = pageNo + 1;
    after = page.next;
    if (!after) break;
  }
  if (started.jobId !== null) await finishMatch({ jobId: started.jobId, counts });

  if (input.createUnmatched && !dryRun) {
    progress.phase = 'creating';
    setCurrentDetails(`**${input.mapping}**: ${counts.coupled} coupled by matching; creating what is left`);
    // The child's static summary travels in its start command's user metadata: histories recorded before it had none.
    const summary = patched('child-run-summary')
      ? { staticSummary: `Full sync of ${input.mapping} creating the unmatched records (after matching)` }
      : {};
    result.sync = await executeChild(syncMapping, {
      args: [{ mapping: input.mapping, mode: 'full', createUncoupled: true }],
      workflowId: `${info.workflowId}-create`,
      ...summary,
    });
    progress.sync = result.sync;
  }
  progress.phase = 'done';
  const failed = (result.sync?.failed ?? 0) + counts.ambiguous;
  upsertSearchAttributes([{ key: BcSyncOutcome, value: failed > 0 ? 'completed_with_errors' : 'succeeded' }]);
  setCurrentDetails(
    `**${input.mapping}** match done: ${counts.coupled} coupled, ${counts.ambiguous} ambiguous, ${counts.unmatched} unmatched, ${counts.alreadyCoupled} already coupled` +
      (result.sync
        ? `; created ${result.sync.passes.map((p) => `${p.counts.inserted} ${p.direction}`).join(', ')}`
        : ''),
  );
  return result;
}
