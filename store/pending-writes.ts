/**
 * Queries on `pending_writes`: the intent log of non-idempotent creates. The intent (with the deterministic key the
 * destination record can be found by) is written before the create; after a crash the next attempt looks the key up
 * before creating again, so a source record never gets two destination records.
 */
import { type Db, inChunks, toDate, toNumber } from './values';
import type { PassDirection } from '../engine/run-types';

export interface PendingWrite {
  id: number;
  mapping: string;
  direction: PassDirection;
  sourceId: string;
  lookupKey: string;
  destinationId: string | null;
  state: 'intent' | 'done';
  jobId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

function fromRow(r: Record<string, unknown>): PendingWrite {
  return {
    id: toNumber(r.id),
    mapping: r.mapping as string,
    direction: r.direction as PassDirection,
    sourceId: r.source_id as string,
    lookupKey: r.lookup_key as string,
    destinationId: (r.destination_id as string | null) ?? null,
    state: r.state as PendingWrite['state'],
    jobId: r.job_id == null ? null : toNumber(r.job_id),
    createdAt: toDate(r.created_at)!,
    updatedAt: toDate(r.updated_at)!,
  };
}

/** Writes (or refreshes) the intent for one source record and returns the stored row. */
export async function recordIntent(
  db: Db,
  i: { mapping: string; direction: PassDirection; sourceId: string; lookupKey: string; jobId: number; now: Date },
): Promise<PendingWrite> {
  await db('pending_writes')
    .insert({
      mapping: i.mapping,
      direction: i.direction,
      source_id: i.sourceId,
      lookup_key: i.lookupKey,
      state: 'intent',
      job_id: i.jobId,
      created_at: i.now,
      updated_at: i.now,
    })
    .onConflict(['mapping', 'direction', 'source_id'])
    .merge(['lookup_key', 'job_id', 'updated_at']);
  return (await findIntents(db, i.mapping, i.direction, [i.sourceId])).get(i.sourceId)!;
}

/**
 * Writes (or refreshes) the intents of many source records of one mapping and direction in one statement per 500, as
 * `recordIntent` does for one. Call it before the creates are sent.
 */
export async function recordIntents(
  db: Db,
  mapping: string,
  direction: PassDirection,
  jobId: number,
  now: Date,
  intents: readonly { sourceId: string; lookupKey: string }[],
): Promise<void> {
  await inChunks(intents, 500, async (chunk) => {
    await db('pending_writes')
      .insert(
        chunk.map((i) => ({
          mapping,
          direction,
          source_id: i.sourceId,
          lookup_key: i.lookupKey,
          state: 'intent',
          job_id: jobId,
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict(['mapping', 'direction', 'source_id'])
      .merge(['lookup_key', 'job_id', 'updated_at']);
    return [];
  });
}

/** The pending intents for these source ids, keyed by source id. */
export async function findIntents(
  db: Db,
  mapping: string,
  direction: PassDirection,
  sourceIds: readonly string[],
): Promise<Map<string, PendingWrite>> {
  if (!sourceIds.length) return new Map();
  const rows = await db('pending_writes').where({ mapping, direction }).whereIn('source_id', sourceIds);
  return new Map(rows.map((r) => [r.source_id as string, fromRow(r)]));
}

/** The pending intents whose lookup key (`field=value`) is one of `lookupKeys`, keyed by lookup key. */
export async function findIntentsByKeys(
  db: Db,
  mapping: string,
  direction: PassDirection,
  lookupKeys: readonly string[],
): Promise<Map<string, PendingWrite>> {
  if (!lookupKeys.length) return new Map();
  const rows = await db('pending_writes').where({ mapping, direction }).whereIn('lookup_key', lookupKeys);
  return new Map(rows.map((r) => [r.lookup_key as string, fromRow(r)]));
}

/** Removes intents once their coupling is committed (the intent has done its job). */
export async function clearIntents(
  db: Db,
  mapping: string,
  direction: PassDirection,
  sourceIds: readonly string[],
): Promise<void> {
  if (sourceIds.length)
    await db('pending_writes').where({ mapping, direction }).whereIn('source_id', sourceIds).delete();
}
