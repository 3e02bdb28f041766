/** Queries on `sync_errors`: one row per failed record per job, with a message a user can act on. */
import type { Knex } from 'knex';
import { type Db, inChunks, toDate, toNumber } from './values';
import type { PassDirection } from '../engine/run-types';

export interface SyncError {
  id: number;
  jobId: number;
  mapping: string;
  direction: PassDirection;
  sourceId: string;
  destinationId: string | null;
  message: string;
  detail: string | null;
  createdAt: Date;
  resolvedByJobId: number | null;
}

function fromRow(r: Record<string, unknown>): SyncError {
  return {
    id: toNumber(r.id),
    jobId: toNumber(r.job_id),
    mapping: r.mapping as string,
    direction: r.direction as PassDirection,
    sourceId: r.source_id as string,
    destinationId: (r.destination_id as string | null) ?? null,
    message: r.message as string,
    detail: (r.detail as string | null) ?? null,
    createdAt: toDate(r.created_at)!,
    resolvedByJobId: r.resolved_by_job_id == null ? null : toNumber(r.resolved_by_job_id),
  };
}

export type NewSyncError = Omit<SyncError, 'id' | 'resolvedByJobId'>;

/** Records errors; a retried page rewrites the same (job, source id) row instead of adding a second one. */
export async function recordErrors(db: Db, errors: readonly NewSyncError[]): Promise<void> {
  if (!errors.length) return;
  await inChunks(errors, 500, async (chunk) => {
    await db('sync_errors')
      .insert(
        chunk.map((e) => ({
          job_id: e.jobId,
          mapping: e.mapping,
          direction: e.direction,
          source_id: e.sourceId,
          destination_id: e.destinationId,
          message: e.message,
          detail: e.detail,
          created_at: e.createdAt,
        })),
      )
      .onConflict(['job_id', 'source_id'])
      .merge(['destination_id', 'message', 'detail']);
    return [];
  });
}

export interface ErrorFilter {
  jobId?: number;
  mapping?: string;
  unresolvedOnly?: boolean;
  /**
   * The keyset cursor of the next page: only errors after this one in the newest-first order (the last error of the
   * page before: its `createdAt` and `id`).
   */
  after?: { createdAt: Date; id: number };
  limit?: number;
}

/**
 * The error log, newest first by (created at, id) (Default limit: 100). Paged by keyset (`after`); the errors of one
 * job and of one mapping each have an index ending in `created_at` (migration 20261201000400-index-error-log-pages).
 */
export async function listErrors(db: Db, f: ErrorFilter = {}): Promise<SyncError[]> {
  const q = db('sync_errors').orderBy([
    { column: 'created_at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ]);
  if (f.jobId !== undefined) q.where({ job_id: f.jobId });
  if (f.mapping) q.where({ mapping: f.mapping });
  if (f.unresolvedOnly) q.whereNull('resolved_by_job_id');
  if (f.after) {
    const { createdAt, id } = f.after;
    q.where('created_at', '<=', createdAt).andWhere((w) =>
      w.where('created_at', '<', createdAt).orWhere('id', '<', id),
    );
  }
  return (await q.limit(f.limit ?? 100)).map(fromRow);
}

/**
 * How many errors job `jobId` logged, and how many of them no later job has resolved, each counted up to `cap`
 * (Default: 10,000) so that a job with 100,000 failed records costs no more than one with 10,000: a count that reached
 * the cap means "at least".
 */
export async function countJobErrors(
  db: Db,
  jobId: number,
  cap = 10_000,
): Promise<{ total: number; unresolved: number; capped: boolean }> {
  const capped = (q: Knex.QueryBuilder) =>
    db
      .from(q.select(db.raw('1')).limit(cap).as('e'))
      .count({ n: '*' })
      .first() as Promise<{ n: unknown }>;
  const [total, unresolved] = await Promise.all([
    capped(db('sync_errors').where({ job_id: jobId })),
    capped(db('sync_errors').where({ job_id: jobId }).whereNull('resolved_by_job_id')),
  ]);
  const t = toNumber(total.n);
  return { total: t, unresolved: toNumber(unresolved.n), capped: t >= cap };
}

/** The source ids that failed in a job (the input of `bcsync retry`). */
export async function failedSourceIds(db: Db, jobId: number): Promise<string[]> {
  return (await db('sync_errors').where({ job_id: jobId }).orderBy('id').pluck('source_id')) as string[];
}

/** Marks errors of earlier jobs for these source ids as resolved by `resolvedByJobId`; returns how many. */
export async function resolveErrors(
  db: Db,
  r: { mapping: string; direction: PassDirection; sourceIds: readonly string[]; resolvedByJobId: number },
): Promise<number> {
  const counts = await inChunks(r.sourceIds, 1000, async (chunk) => [
    await db('sync_errors')
      .where({ mapping: r.mapping, direction: r.direction })
      .whereIn('source_id', chunk)
      .whereNull('resolved_by_job_id')
      .andWhere('job_id', '<>', r.resolvedByJobId)
      .update({ resolved_by_job_id: r.resolvedByJobId }),
  ]);
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * The messages of the errors of `jobIds` with their job and mapping, oldest first, at most `limit` (Default: 5000):
 * what the closing report of a full synchronization groups.
 */
export async function errorMessagesOfJobs(
  db: Db,
  jobIds: readonly number[],
  limit = 5000,
): Promise<{ jobId: number; mapping: string; message: string }[]> {
  if (!jobIds.length) return [];
  const rows: Record<string, unknown>[] = await db('sync_errors')
    .whereIn('job_id', [...jobIds])
    .orderBy('id')
    .limit(limit)
    .select('job_id', 'mapping', 'message');
  return rows.map((r) => ({ jobId: toNumber(r.job_id), mapping: r.mapping as string, message: r.message as string }));
}
