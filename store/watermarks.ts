/** Queries on `watermarks`: per mapping and side, the high-water mark that only ever moves forward. */
import { type Db, toDate, toNumber } from './values';
import type { Side } from '../engine/run-types';

export interface Watermark {
  mapping: string;
  side: Side;
  modifiedAt: Date | null;
  deltaToken: string | null;
  jobId: number | null;
  updatedAt: Date;
}

export async function getWatermark(db: Db, mapping: string, side: Side): Promise<Watermark | undefined> {
  const r = await db('watermarks').where({ mapping, side }).first();
  return r
    ? {
        mapping: r.mapping,
        side: r.side,
        modifiedAt: toDate(r.modified_at),
        deltaToken: r.delta_token ?? null,
        jobId: r.job_id == null ? null : toNumber(r.job_id),
        updatedAt: toDate(r.updated_at)!,
      }
    : undefined;
}

/**
 * Moves the watermark forward to `modifiedAt`; never backwards (an older value is ignored). Returns true when it moved.
 * Two concurrent callers are safe: the conditional UPDATE is atomic per row.
 */
export async function advanceWatermark(
  db: Db,
  w: { mapping: string; side: Side; modifiedAt: Date; jobId: number | null; now: Date },
): Promise<boolean> {
  await db('watermarks')
    .insert({ mapping: w.mapping, side: w.side, modified_at: null, job_id: null, updated_at: w.now })
    .onConflict(['mapping', 'side'])
    .ignore();
  const moved = await db('watermarks')
    .where({ mapping: w.mapping, side: w.side })
    .andWhere((q) => q.whereNull('modified_at').orWhere('modified_at', '<', w.modifiedAt))
    .update({ modified_at: w.modifiedAt, job_id: w.jobId, updated_at: w.now });
  return moved > 0;
}
