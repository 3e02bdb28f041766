/**
 * `customerStatistics`: one run of the Customer Statistics job (bc-sync-semantics §8.15), its own workflow type
 * because it is no table synchronization (no pages, no cursor, no conflict rules). It plans (a scheduled run waits for
 * CUSTOMER like any dependent mapping), refreshes the account statistics, then the invoice payment states, each part
 * one activity and one `statistics` job row. Only ids and counters enter the history. The result has the shape of
 * `syncMapping`'s, so `bcsync run --wait`, the search attributes and the Temporal UI read it the same way.
 */
import {
  getCurrentDetails,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { StatisticsActivities } from '../activities/statistics/customer-statistics';
import type { SyncMappingInput, SyncMappingResult, SyncProgress } from '../engine/run-types';
import { zeroCounts } from '../engine/run-types';
import {
  failedRunDetailsText,
  innermostMessage,
  runDetailsText,
  runVerdict,
  skippedRunDetailsText,
} from '../engine/run-outcome';
import { BcSyncChanged, BcSyncFailed, BcSyncMapping, BcSyncOutcome, syncProgressQuery } from './definitions';
import { pageActivity, shortActivity } from './profiles';

const { planStatistics } = proxyActivities<StatisticsActivities>(shortActivity);
const { refreshAccountStatistics, refreshInvoicePaymentStates } = proxyActivities<StatisticsActivities>(pageActivity);

export async function customerStatistics(input: SyncMappingInput): Promise<SyncMappingResult> {
  try {
    return await run(input);
  } catch (err) {
    setCurrentDetails(failedRunDetailsText(getCurrentDetails(), innermostMessage(err)));
    upsertSearchAttributes([{ key: BcSyncOutcome, value: 'failed' }]);
    throw err;
  }
}

async function run(input: SyncMappingInput): Promise<SyncMappingResult> {
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

  const plan = await planStatistics({
    mapping: input.mapping,
    runId: info.runId,
    workflowId: info.workflowId,
    scheduled: input.scheduled,
  });
  if (plan.skipped) {
    progress.phase = 'done';
    setCurrentDetails(skippedRunDetailsText(input.mapping, plan.skipped.reason));
    upsertSearchAttributes([
      { key: BcSyncOutcome, value: 'skipped' },
      { key: BcSyncFailed, value: 0 },
      { key: BcSyncChanged, value: 0 },
    ]);
    return {
      mapping: input.mapping,
      outcome: 'succeeded',
      passes: plan.skipped.jobs.map((j) => ({ ...j, counts: zeroCounts(), status: 'skipped' })),
      failed: 0,
      changed: 0,
      skippedReason: plan.skipped.reason,
    };
  }

  progress.phase = 'running';
  const part = { mapping: input.mapping, workflowId: info.workflowId, runId: info.runId, mode: input.mode };
  const passes: SyncMappingResult['passes'] = [];
  for (const refresh of [refreshAccountStatistics, refreshInvoicePaymentStates]) {
    const done = await refresh(part);
    passes.push({ direction: done.direction, jobId: done.jobId, counts: done.counts, status: done.status });
    progress.passes = passes.map((p) => ({ ...p, pages: 1 }));
    setCurrentDetails(runDetailsText(progress, null, { consoleUrl: plan.consoleUrl }));
  }

  progress.phase = 'done';
  const verdict = runVerdict(passes);
  const { outcome, failed, changed } = verdict;
  setCurrentDetails(runDetailsText(progress, null, { consoleUrl: plan.consoleUrl, verdict }));
  upsertSearchAttributes([
    { key: BcSyncOutcome, value: outcome },
    { key: BcSyncFailed, value: failed },
    { key: BcSyncChanged, value: changed },
  ]);
  return { mapping: input.mapping, outcome, passes, failed, changed };
}
