/** Queries on `field_changes`: the audit trail of written fields and of values that lost a conflict. */
import { type Db, inChunks, toDate, toNumber } from './values';
import type { PassDirection } from '../engine/run-types';

export interface FieldChange {
  jobId: number;
  mapping: string;
  direction: PassDirection;
  sourceId: string;
  destinationId: string | null;
  field: string;
  /** `write`: the sync wrote new over old; `conflict-lost`: a conflict policy overwrote this value (kept here). */
  kind: 'write' | 'conflict-lost';
  oldValue: string | null;
  newValue: string | null;
  createdAt: Date;
}

/** Appends audit rows; a retried page does not duplicate them (identity: job, source id, field, kind). */
export async function recordFieldChanges(db: Db, changes: readonly FieldChange[]): Promise<void> {
  await inChunks(changes, 500, async (chunk) => {
    await db('field_changes')
      .insert(
        chunk.map((c) => ({
          job_id: c.jobId,
          mapping: c.mapping,
          direction: c.direction,
          source_id: c.sourceId,
          destination_id: c.destinationId,
          field: c.field,
          kind: c.kind,
          old_value: c.oldValue,
          new_value: c.newValue,
          created_at: c.createdAt,
        })),
      )
      .onConflict(['job_id', 'source_id', 'field', 'kind'])
      .ignore();
    return [];
  });
}

/** The audit trail of one record (by source or destination id), newest first. */
export async function listFieldChanges(
  db: Db,
  f: { mapping?: string; recordId?: string; jobId?: number; limit?: number },
): Promise<FieldChange[]> {
  const q = db('field_changes')
    .orderBy('id', 'desc')
    .limit(f.limit ?? 200);
  if (f.mapping) q.where({ mapping: f.mapping });
  if (f.jobId !== undefined) q.where({ job_id: f.jobId });
  if (f.recordId) q.where((w) => w.where({ source_id: f.recordId }).orWhere({ destination_id: f.recordId }));
  return (await q).map((r) => ({
    jobId: toNumber(r.job_id),
    mapping: r.mapping,
    direction: r.direction,
    sourceId: r.source_id,
    destinationId: r.destination_id ?? null,
    field: r.field,
    kind: r.kind,
    oldValue: r.old_value ?? null,
    newValue: r.new_value ?? null,
    createdAt: toDate(r.created_at)!,
  }));
}
