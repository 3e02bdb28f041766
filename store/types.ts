/**
 * Words only the store uses (see DESIGN §4 for the meaning of each table). The run's nouns — `PassDirection`, `Side`,
 * `SyncRunMode`, `PassCounts` — live in engine/run-types.ts; store modules import them from there.
 */

/** What a `sync_jobs` row logs: a synchronization pass, a match-based coupling run, an uncoupling, statistics. */
export type JobType = 'sync' | 'coupling' | 'uncoupling' | 'statistics';
/**
 * `skipped`: a scheduled run did nothing on purpose because a mapping it depends on is running or has never completed
 * a run (the job's message names it); no record was looked at.
 */
export type JobStatus = 'running' | 'succeeded' | 'completed_with_errors' | 'failed' | 'abandoned' | 'skipped';
