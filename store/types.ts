/** Vocabulary shared by the store modules (see DESIGN §4 for the meaning of each table). */

/** The direction of one pass: Business Central → Dataverse, or Dataverse → Business Central. */
export type { PassDirection as Direction } from '../engine/run-types';
/** One side of a mapping (watermarks are kept per side). */
export type { Side } from '../mappings/mapping-model';
export type JobType = 'sync' | 'coupling' | 'uncoupling' | 'statistics';
export type { SyncRunMode as SyncMode } from '../engine/run-types';
/**
 * `skipped`: a scheduled run did nothing on purpose because a mapping it depends on is running or has never completed
 * a run (the job's message names it); no record was looked at.
 */
export type JobStatus = 'running' | 'succeeded' | 'completed_with_errors' | 'failed' | 'abandoned' | 'skipped';

/** The counters of one pass (the run vocabulary's `PassCounts`). */
export type { PassCounts as JobCounts } from '../engine/run-types';
export { zeroCounts } from '../engine/run-types';
