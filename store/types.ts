/** Vocabulary shared by the store modules (see DESIGN §4 for the meaning of each table). */

/** The direction of one pass: Business Central → Dataverse, or Dataverse → Business Central. */
export type Direction = 'to-dataverse' | 'to-bc';
/** One side of a mapping (watermarks are kept per side). */
export type Side = 'bc' | 'dataverse';
export type JobType = 'sync' | 'coupling' | 'uncoupling' | 'statistics';
export type SyncMode = 'incremental' | 'full' | 'records';
export type JobStatus = 'running' | 'succeeded' | 'completed_with_errors' | 'failed' | 'abandoned';

/** The counters of one pass; every record a pass looks at lands in exactly one of the first six. */
export interface JobCounts {
  inserted: number;
  modified: number;
  deleted: number;
  unchanged: number;
  skipped: number;
  failed: number;
  coupled: number;
  uncoupled: number;
}

export const zeroCounts = (): JobCounts => ({
  inserted: 0,
  modified: 0,
  deleted: 0,
  unchanged: 0,
  skipped: 0,
  failed: 0,
  coupled: 0,
  uncoupled: 0,
});
