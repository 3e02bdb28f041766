/** Queries on `sync_jobs`: one row per pass, opened idempotently and closed with its counters. */
import { type Db, toDate, toNumber } from './values';
import type { PassCounts, PassDirection, SyncRunMode } from '../engine/run-types';
import type { JobStatus, JobType } from './types';

export interface SyncJob extends PassCounts {
  id: number;
  idempotencyKey: string;
  mapping: string;
  direction: PassDirection | null;
  type: JobType;
  mode: SyncRunMode;
  workflowId: string | null;
  runId: string | null;
  retryOfJobId: number | null;
  startedAt: Date;
  finishedAt: Date | null;
  status: JobStatus;
  message: string | null;
}

const counterColumns = [
  'inserted',
  'modified',
  'deleted',
  'unchanged',
  'skipped',
  'failed',
  'coupled',
  'uncoupled',
] as const;

function fromRow(r: Record<string, unknown>): SyncJob {
  const job = {
    id: toNumber(r.id),
    idempotencyKey: r.idempotency_key as string,
    mapping: r.mapping as string,
    direction: (r.direction as PassDirection | null) ?? null,
    type: r.type as JobType,
    mode: r.mode as SyncRunMode,
    workflowId: (r.workflow_id as string | null) ?? null,
    runId: (r.run_id as string | null) ?? null,
    retryOfJobId: r.retry_of_job_id == null ? null : toNumber(r.retry_of_job_id),
    startedAt: toDate(r.started_at)!,
    finishedAt: toDate(r.finished_at),
    status: r.status as JobStatus,
    message: (r.message as string | null) ?? null,
  } as SyncJob;
  for (const c of counterColumns) job[c] = toNumber(r[c] ?? 0);
  return job;
}

export interface OpenJob {
  idempotencyKey: string;
  mapping: string;
  direction: PassDirection | null;
  type: JobType;
  mode: SyncRunMode;
  workflowId: string | null;
  runId: string | null;
  retryOfJobId?: number | null;
  startedAt: Date;
}

/**
 * Opens the job row for a pass, or returns the one already opened with the same idempotency key (an activity retry).
 */
export async function openJob(db: Db, j: OpenJob): Promise<SyncJob> {
  await db('sync_jobs')
    .insert({
      idempotency_key: j.idempotencyKey,
      mapping: j.mapping,
      direction: j.direction,
      type: j.type,
      mode: j.mode,
      workflow_id: j.workflowId,
      run_id: j.runId,
      retry_of_job_id: j.retryOfJobId ?? null,
      started_at: j.startedAt,
      status: 'running',
    })
    .onConflict('idempotency_key')
    .ignore();
  return fromRow(await db('sync_jobs').where({ idempotency_key: j.idempotencyKey }).first());
}

export async function getJob(db: Db, id: number): Promise<SyncJob | undefined> {
  const r = await db('sync_jobs').where({ id }).first();
  return r ? fromRow(r) : undefined;
}

/** Closes a job: final status, counters (totals, not increments: a retried close writes the same values) and message. */
export async function closeJob(
  db: Db,
  id: number,
  c: { status: Exclude<JobStatus, 'running'>; counts: PassCounts; finishedAt: Date; message?: string | null },
): Promise<void> {
  await db('sync_jobs')
    .where({ id })
    .update({ status: c.status, finished_at: c.finishedAt, message: c.message ?? null, ...c.counts });
}

/** The jobs of `mapping` still marked running, with the workflow run that opened them. */
export async function listRunningJobs(db: Db, mapping: string): Promise<SyncJob[]> {
  return (await db('sync_jobs').where({ mapping, status: 'running' }).orderBy('id')).map(fromRow);
}

/**
 * Closes a job whose workflow run ended without closing it (the orphan clean-up done at the start of each run) as
 * `abandoned`, with the counters its committed pages had reached. Returns 1 when it was still running, else 0.
 */
export async function abandonJob(db: Db, id: number, counts: PassCounts, now: Date, message: string): Promise<number> {
  return db('sync_jobs')
    .where({ id, status: 'running' })
    .update({ status: 'abandoned', finished_at: now, message, ...counts });
}

/**
 * Whether `mapping` has ever completed a run: a job of any type (sync or coupling) that ended `succeeded` or
 * `completed_with_errors` (only jobs of `type` when given: `coupling` = a full synchronization's match run). Scheduled
 * runs of its dependents wait until it has.
 */
export async function hasCompletedJob(db: Db, mapping: string, type?: JobType): Promise<boolean> {
  const q = db('sync_jobs').where({ mapping }).whereIn('status', ['succeeded', 'completed_with_errors']);
  if (type) q.where({ type });
  return (await q.first('id')) !== undefined;
}

export interface JobFilter {
  mapping?: string;
  /** Only jobs that failed or completed with errors. */
  failed?: boolean;
  /** Only jobs with this status. */
  status?: JobStatus;
  workflowId?: string;
  /** Only jobs started at or after this time. */
  since?: Date;
  /** Only jobs started before this time. */
  until?: Date;
  /**
   * The keyset cursor of the next page: only jobs after this one in the newest-first order (the last job of the page
   * before: its `startedAt` and `id`).
   */
  after?: { startedAt: Date; id: number };
  limit?: number;
}

/**
 * The job log, newest first by (started at, id) (Default limit: 50). Paged by keyset (`after`), so a page costs the
 * same at any depth: every filter combination has an index that ends in `started_at` (migration
 * 20261201000300-index-job-log-pages).
 */
export async function listJobs(db: Db, f: JobFilter = {}): Promise<SyncJob[]> {
  const q = db('sync_jobs').orderBy([
    { column: 'started_at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ]);
  if (f.mapping) q.where({ mapping: f.mapping });
  if (f.status) q.where({ status: f.status });
  if (f.workflowId) q.where({ workflow_id: f.workflowId });
  if (f.failed) q.where((w) => w.whereIn('status', ['failed', 'completed_with_errors']).orWhere('failed', '>', 0));
  if (f.since) q.where('started_at', '>=', f.since);
  if (f.until) q.where('started_at', '<', f.until);
  if (f.after) {
    // Spelled as a range on started_at plus a tie-break, not as a row comparison: MySQL uses an index range for this.
    const { startedAt, id } = f.after;
    q.where('started_at', '<=', startedAt).andWhere((w) =>
      w.where('started_at', '<', startedAt).orWhere('id', '<', id),
    );
  }
  return (await q.limit(f.limit ?? 50)).map(fromRow);
}

/** The newest job of each mapping (by id: jobs are opened in order), keyed by mapping. */
export async function lastJobPerMapping(db: Db): Promise<Map<string, SyncJob>> {
  const rows = await db('sync_jobs').whereIn('id', db('sync_jobs').max('id').groupBy('mapping'));
  return new Map(rows.map((r: Record<string, unknown>) => [r.mapping as string, fromRow(r)]));
}
