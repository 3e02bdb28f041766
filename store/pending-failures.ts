/**
 * Queries on `pending_failures`: source records whose create on the other side failed, so they have no coupling yet.
 * One row per (mapping, direction, source id); removed when the record is created and coupled, goes out of scope,
 * or no longer exists.
 */
import { type Db, inChunks, toBool, toDate, toNumber, updateEach } from './values';
import type { PassDirection } from '../engine/run-types';

export interface PendingFailure {
  id: number;
  mapping: string;
  direction: PassDirection;
  sourceId: string;
  jobId: number | null;
  lastError: string | null;
  /** Consecutive failures. */
  errorCount: number;
  skipped: boolean;
  skippedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

function fromRow(r: Record<string, unknown>): PendingFailure {
  return {
    id: toNumber(r.id),
    mapping: r.mapping as string,
    direction: r.direction as PassDirection,
    sourceId: r.source_id as string,
    jobId: r.job_id == null ? null : toNumber(r.job_id),
    lastError: (r.last_error as string | null) ?? null,
    errorCount: toNumber(r.error_count ?? 0),
    skipped: toBool(r.skipped),
    skippedAt: toDate(r.skipped_at),
    createdAt: toDate(r.created_at)!,
    updatedAt: toDate(r.updated_at)!,
  };
}

/** The pending failures of these source ids (lower-case), keyed by source id. */
export async function findPendingFailures(
  db: Db,
  mapping: string,
  direction: PassDirection,
  sourceIds: readonly string[],
): Promise<Map<string, PendingFailure>> {
  const rows = await inChunks(sourceIds, 1000, (chunk) =>
    db('pending_failures').where({ mapping, direction }).whereIn('source_id', chunk),
  );
  return new Map(rows.map((r) => [r.source_id as string, fromRow(r)]));
}

/**
 * Records a failure of an uncoupled source record: inserts its row or updates the message, job and streak. With
 * `skip` (the engine's "same error twice" verdict) the record is also parked.
 */
export async function recordPendingFailure(
  db: Db,
  f: {
    mapping: string;
    direction: PassDirection;
    sourceId: string;
    jobId: number;
    message: string;
    skip: boolean;
    now: Date;
  },
): Promise<void> {
  const key = { mapping: f.mapping, direction: f.direction, source_id: f.sourceId };
  const updated = await db('pending_failures')
    .where(key)
    .update({
      job_id: f.jobId,
      last_error: f.message,
      error_count: db.raw('error_count + 1'),
      ...(f.skip ? { skipped: true, skipped_at: f.now } : {}),
      updated_at: f.now,
    });
  if (updated) return;
  await db('pending_failures').insert({
    ...key,
    job_id: f.jobId,
    last_error: f.message,
    error_count: 1,
    skipped: f.skip,
    skipped_at: f.skip ? f.now : null,
    created_at: f.now,
    updated_at: f.now,
  });
}

/** A failure of an uncoupled source record, as `recordPendingFailures` records it. */
export interface NewPendingFailure {
  sourceId: string;
  message: string;
  /** The engine's "same error twice" verdict: also park the record. */
  skip: boolean;
}

/**
 * Records many failures of uncoupled source records of one mapping and direction for job `jobId`, as
 * `recordPendingFailure` does for one: the existing rows are updated in one statement (message, job, streak + 1,
 * parked when `skip`), the missing ones inserted in another. Call it inside the transaction that read nothing else of
 * these rows; a row inserted concurrently between the two statements fails with the driver's duplicate-key error.
 */
export async function recordPendingFailures(
  db: Db,
  mapping: string,
  direction: PassDirection,
  jobId: number,
  now: Date,
  failures: readonly NewPendingFailure[],
): Promise<void> {
  if (!failures.length) return;
  const existing = await findPendingFailures(
    db,
    mapping,
    direction,
    failures.map((f) => f.sourceId),
  );
  const updates = failures.filter((f) => existing.has(f.sourceId));
  const inserts = failures.filter((f) => !existing.has(f.sourceId));
  await updateEach(
    db,
    'pending_failures',
    'source_id',
    updates.map((f) => ({
      key: f.sourceId,
      set: {
        job_id: jobId,
        last_error: f.message,
        error_count: db.raw('error_count + 1'),
        ...(f.skip ? { skipped: true, skipped_at: now } : {}),
        updated_at: now,
      },
    })),
    { mapping, direction },
  );
  await inChunks(inserts, 500, async (chunk) => {
    await db('pending_failures').insert(
      chunk.map((f) => ({
        mapping,
        direction,
        source_id: f.sourceId,
        job_id: jobId,
        last_error: f.message,
        error_count: 1,
        skipped: f.skip,
        skipped_at: f.skip ? now : null,
        created_at: now,
        updated_at: now,
      })),
    );
    return [];
  });
}

/** The next `limit` unskipped pending failures of a pass direction (by id, after `afterId`): part of the retry set. */
export async function listPendingRetry(
  db: Db,
  mapping: string,
  direction: PassDirection,
  options: { afterId?: number; limit: number },
): Promise<PendingFailure[]> {
  const rows = await db('pending_failures')
    .where({ mapping, direction, skipped: false })
    .andWhere('id', '>', options.afterId ?? 0)
    .orderBy('id')
    .limit(options.limit);
  return rows.map(fromRow);
}

/** Removes the pending failures of these source ids (created and coupled, out of scope, or gone). */
export async function clearPendingFailures(
  db: Db,
  mapping: string,
  direction: PassDirection,
  sourceIds: readonly string[],
): Promise<number> {
  let n = 0;
  for (let i = 0; i < sourceIds.length; i += 1000) {
    n += await db('pending_failures')
      .where({ mapping, direction })
      .whereIn('source_id', sourceIds.slice(i, i + 1000))
      .delete();
  }
  return n;
}

/** The skipped pending failures, optionally of one mapping, oldest first. */
export async function listSkippedPending(db: Db, mapping?: string, limit = 1000): Promise<PendingFailure[]> {
  const q = db('pending_failures').where({ skipped: true }).orderBy('skipped_at').limit(limit);
  if (mapping) q.andWhere({ mapping });
  return (await q).map(fromRow);
}

/** Restores skipped pending failures of `mapping` (all when `ids` is omitted); returns how many were restored. */
export async function restoreSkippedPending(
  db: Db,
  mapping: string,
  now: Date,
  ids?: readonly number[],
): Promise<number> {
  const q = db('pending_failures').where({ mapping, skipped: true });
  if (ids) q.whereIn('id', ids);
  return q.update({ skipped: false, skipped_at: null, error_count: 0, last_error: null, updated_at: now });
}
