/**
 * `syncMapping`: one run of one integration table mapping (DESIGN §5). For each direction of the mapping, BC→Dataverse
 * first, it opens a pass (`startPass`), processes pages (`syncPage`) until the cursor says done, and closes the pass
 * (`finishPass`, which advances the watermark). Only ids, cursors and counters pass through here; records never enter
 * the history. The run continues as new when the server suggests it, carrying the pass state.
 */
import {
  allHandlersFinished,
  condition,
  ContinueAsNew,
  continueAsNew,
  getCurrentDetails,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createSyncActivities } from '../activities/sync-activities';
import { BcSyncChanged, BcSyncFailed, BcSyncMapping, BcSyncOutcome, syncProgressQuery } from './definitions';
import {
  addCounts,
  zeroCounts,
  type PassCursor,
  type PassDirection,
  type PassState,
  type SyncMappingInput,
  type SyncMappingResult,
  type SyncProgress,
  type SyncResumeState,
} from '../engine/run-types';
import {
  failedRunDetailsText,
  innermostMessage,
  runDetailsText,
  runVerdict,
  skippedRunDetailsText,
} from '../engine/run-outcome';
import { leaseWaitActivity, pageActivity, shortActivity } from './profiles';

type SyncActivities = ReturnType<typeof createSyncActivities>;

const { planRun, startPass, finishPass } = proxyActivities<SyncActivities>(shortActivity);
const { syncPage } = proxyActivities<SyncActivities>(pageActivity);
// startPass waits (by retrying) while another run of the mapping holds its lease: no overall retry limit.
const { startPass: startPassWhenFree } = proxyActivities<SyncActivities>(leaseWaitActivity);

/** Explicit records (records mode) per page. */
const RECORDS_PER_PAGE = 200;

function pageOfRecordIds(input: SyncMappingInput, direction: PassDirection, cursor: PassCursor): string[] | null {
  if (cursor.phase !== 'records') return null;
  const all = input.records?.find((r) => r.direction === direction)?.ids ?? [];
  const from = cursor.recordIndex ?? 0;
  return all.slice(from, from + RECORDS_PER_PAGE);
}

/** Pages per run before continuing as new even without the server's suggestion (keeps histories small). */
const MAX_PAGES_PER_RUN = 400;

export async function syncMapping(input: SyncMappingInput): Promise<SyncMappingResult> {
  try {
    return await runSync(input);
  } catch (err) {
    // continueAsNew() works by throwing: that is not a failure.
    if (err instanceof ContinueAsNew) throw err;
    // A run that gives up still says so where operators look (the job rows it left open are closed as abandoned by
    // the next run's planRun). The details text makes no command, so it is safe for every history.
    setCurrentDetails(failedRunDetailsText(getCurrentDetails(), innermostMessage(err)));
    upsertSearchAttributes([{ key: BcSyncOutcome, value: 'failed' }]);
    throw err;
  }
}

async function runSync(input: SyncMappingInput): Promise<SyncMappingResult> {
  const info = workflowInfo();
  const progress: SyncProgress = {
    mapping: input.mapping,
    mode: input.mode,
    phase: 'planning',
    passes: [],
    current: null,
  };
  setHandler(syncProgressQuery, () => progress);
  upsertSearchAttributes([{ key: BcSyncMapping, value: input.mapping }]);

  let state: SyncResumeState;
  if (input.resume) {
    state = input.resume;
  } else {
    const plan = await planRun({
      mapping: input.mapping,
      direction: input.direction,
      runId: info.runId,
      workflowId: info.workflowId,
      scheduled: input.scheduled,
    });
    // Runs recorded before dependency skipping never got a `skipped` plan; the patch marks the histories that can.
    if (plan.skipped && patched('dependency-skip')) {
      progress.phase = 'done';
      return skippedRun(input, plan.skipped);
    }
    state = { finished: [], current: null, remaining: plan.directions, consoleUrl: plan.consoleUrl };
  }
  const consoleUrl = state.consoleUrl;
  progress.phase = 'running';
  progress.passes = state.finished.map((p) => ({ ...p, pages: 0 }));
  let pagesThisRun = 0;

  const describe = (pass: PassState | null) => setCurrentDetails(runDetailsText(progress, pass, { consoleUrl }));

  for (;;) {
    let pass = state.current;
    if (!pass) {
      const direction = state.remaining.shift();
      if (!direction) break;
      // Runs recorded before mapping leases started their passes under the short profile (which would give up waiting
      // after 10 minutes) and released nothing between passes; the patch marks the histories that wait and keep it.
      const opened = await (patched('mapping-lease') ? startPassWhenFree : startPass)({
        mapping: input.mapping,
        direction,
        mode: input.mode,
        workflowId: info.workflowId,
        runId: info.runId,
        retryOfJobId: input.retryOfJobId ?? null,
        recordIds: null,
      });
      pass = {
        direction,
        jobId: opened.jobId,
        passStartedAt: opened.passStartedAt,
        cursor: opened.cursor,
        counts: opened.counts,
        pages: 0,
        maxModifiedAt: null,
      };
      state.current = pass;
    }
    const entry = {
      direction: pass.direction,
      jobId: pass.jobId,
      counts: pass.counts,
      pages: pass.pages,
      status: 'running',
    };
    progress.passes.push(entry);

    while (pass.cursor.phase !== 'done') {
      progress.current = { direction: pass.direction, phase: pass.cursor.phase, pages: pass.pages };
      describe(pass);
      const page = await syncPage({
        mapping: input.mapping,
        direction: pass.direction,
        mode: input.mode,
        jobId: pass.jobId,
        pageNo: pass.pages,
        passStartedAt: pass.passStartedAt,
        cursor: pass.cursor,
        // Only this page's ids travel with the call: a long retry list would otherwise repeat in every page's history.
        recordIds: pageOfRecordIds(input, pass.direction, pass.cursor),
        force: input.force ?? false,
        createUncoupled: input.createUncoupled ?? false,
      });
      pass.counts = addCounts(pass.counts, page.counts);
      pass.cursor = page.next;
      pass.pages += 1;
      if (page.maxModifiedAt && (!pass.maxModifiedAt || page.maxModifiedAt > pass.maxModifiedAt)) {
        pass.maxModifiedAt = page.maxModifiedAt;
      }
      entry.counts = pass.counts;
      entry.pages = pass.pages;
      pagesThisRun += 1;

      if (
        pass.cursor.phase !== 'done' &&
        (workflowInfo().continueAsNewSuggested || pagesThisRun >= MAX_PAGES_PER_RUN)
      ) {
        await condition(allHandlersFinished);
        return continueAsNew<typeof syncMapping>({ ...input, resume: state });
      }
    }

    const closed = await finishPass({
      mapping: input.mapping,
      direction: pass.direction,
      mode: input.mode,
      jobId: pass.jobId,
      passStartedAt: pass.passStartedAt,
      maxModifiedAt: pass.maxModifiedAt,
      counts: pass.counts,
      ...(state.remaining.length > 0 && patched('mapping-lease') ? { keepLease: true } : {}),
    });
    entry.status = closed.status;
    state.finished.push({ direction: pass.direction, jobId: pass.jobId, counts: pass.counts, status: closed.status });
    state.current = null;
  }

  progress.phase = 'done';
  progress.current = null;
  const verdict = runVerdict(state.finished);
  const { outcome, failed, changed } = verdict;
  // The end state in the Temporal UI: mapping, mode, outcome and totals, each pass's counts and its job's page.
  setCurrentDetails(runDetailsText(progress, null, { consoleUrl, verdict }));
  upsertSearchAttributes([
    { key: BcSyncOutcome, value: outcome },
    { key: BcSyncFailed, value: failed },
    { key: BcSyncChanged, value: changed },
  ]);
  return { mapping: input.mapping, outcome, passes: state.finished, failed, changed };
}

/**
 * The result of a scheduled run that waited on a dependency: its `skipped` job rows as passes with zero counts, the
 * reason in the result, the Temporal UI details and `BcSyncOutcome = skipped`.
 */
function skippedRun(
  input: SyncMappingInput,
  skipped: { reason: string; jobs: { direction: PassDirection; jobId: number }[] },
): SyncMappingResult {
  setCurrentDetails(skippedRunDetailsText(input.mapping, skipped.reason));
  upsertSearchAttributes([
    { key: BcSyncOutcome, value: 'skipped' },
    { key: BcSyncFailed, value: 0 },
    { key: BcSyncChanged, value: 0 },
  ]);
  return {
    mapping: input.mapping,
    outcome: 'succeeded',
    passes: skipped.jobs.map((j) => ({ ...j, counts: zeroCounts(), status: 'skipped' })),
    failed: 0,
    changed: 0,
    skippedReason: skipped.reason,
  };
}
