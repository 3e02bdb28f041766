/**
 * `smokeRun`: the first durable path end to end. One activity opens a `sync_jobs` row, a second closes it; the run
 * sets the four search attributes so it can be found in the Temporal UI like any sync run.
 */
import { proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createSmokeActivities } from '../activities/smoke';
import {
  BcSyncChanged,
  BcSyncFailed,
  BcSyncMapping,
  BcSyncOutcome,
  type SmokeProgress,
  type SmokeRunInput,
  type SmokeRunResult,
  smokeProgressQuery,
} from './definitions';
import { shortActivity } from './profiles';

const { openSmokeJob, closeSmokeJob } = proxyActivities<ReturnType<typeof createSmokeActivities>>(shortActivity);

export async function smokeRun(input: SmokeRunInput): Promise<SmokeRunResult> {
  const progress: SmokeProgress = { phase: 'starting', jobId: null };
  setHandler(smokeProgressQuery, () => progress);
  const info = workflowInfo();
  upsertSearchAttributes([{ key: BcSyncMapping, value: input.mapping }]);

  progress.phase = 'writing';
  const { jobId } = await openSmokeJob({ mapping: input.mapping, workflowId: info.workflowId, runId: info.runId });
  progress.jobId = jobId;
  await closeSmokeJob({ jobId });

  progress.phase = 'done';
  upsertSearchAttributes([
    { key: BcSyncOutcome, value: 'succeeded' },
    { key: BcSyncFailed, value: 0 },
    { key: BcSyncChanged, value: 0 },
  ]);
  return { jobId, outcome: 'succeeded' };
}
