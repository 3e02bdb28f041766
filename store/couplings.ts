/**
 * Queries on `couplings`. A coupling links one Business Central record (SystemId) to one Dataverse row per mapping;
 * both ids are NOT NULL, and (mapping, bc_id) and (mapping, dv_id) are each unique, so couplings are inserted and
 * updated by id, never upserted. Records that failed before they were coupled live in `pending_failures`.
 */
import { type Db, inChunks, insertedId, type RowUpdate, toBool, toDate, toNumber, updateEach } from './values';
import { clearPendingFailures } from './pending-failures';
import type { PassDirection, Side } from '../engine/run-types';

/**
 * The stored state of a coupling in one direction (the `to_dv_*` / `to_bc_*` columns). The engine's narrower view of
 * it is `DirectionState` (engine/record-types.ts).
 */
export interface CouplingDirectionState {
  result: 'success' | 'failure' | null;
  jobId: number | null;
  /** The message of the last failure (cleared on success); the engine compares it for "same error twice". */
  lastError: string | null;
  /** Consecutive failures in this direction (0 after a success). */
  errorCount: number;
}

export interface Coupling {
  id: number;
  mapping: string;
  bcId: string;
  dvId: string;
  bcModifiedAt: Date | null;
  dvModifiedAt: Date | null;
  bcHash: string | null;
  dvHash: string | null;
  toDataverse: CouplingDirectionState;
  toBc: CouplingDirectionState;
  skipped: boolean;
  skippedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const prefix = (d: PassDirection) => (d === 'to-dataverse' ? 'to_dv' : 'to_bc');

function fromRow(r: Record<string, unknown>): Coupling {
  const dir = (p: string): CouplingDirectionState => ({
    result: (r[`${p}_result`] as CouplingDirectionState['result']) ?? null,
    jobId: r[`${p}_job_id`] == null ? null : toNumber(r[`${p}_job_id`]),
    lastError: (r[`${p}_last_error`] as string | null) ?? null,
    errorCount: toNumber(r[`${p}_error_count`] ?? 0),
  });
  return {
    id: toNumber(r.id),
    mapping: r.mapping as string,
    bcId: r.bc_id as string,
    dvId: r.dv_id as string,
    bcModifiedAt: toDate(r.bc_modified_at),
    dvModifiedAt: toDate(r.dv_modified_at),
    bcHash: (r.bc_hash as string | null) ?? null,
    dvHash: (r.dv_hash as string | null) ?? null,
    toDataverse: dir('to_dv'),
    toBc: dir('to_bc'),
    skipped: toBool(r.skipped),
    skippedAt: toDate(r.skipped_at),
    createdAt: toDate(r.created_at)!,
    updatedAt: toDate(r.updated_at)!,
  };
}

export interface NewCoupling {
  mapping: string;
  /** Both ids are required: a coupling always names two records that exist (DESIGN §7.6). */
  bcId: string;
  dvId: string;
  bcModifiedAt?: Date | null;
  dvModifiedAt?: Date | null;
  bcHash?: string | null;
  dvHash?: string | null;
  now: Date;
}

/** Inserts a coupling and returns it. Throws the driver's duplicate-key error when either id is already coupled. */
export async function insertCoupling(db: Db, c: NewCoupling): Promise<Coupling> {
  const id = insertedId(
    await db('couplings').insert({
      mapping: c.mapping,
      bc_id: c.bcId,
      dv_id: c.dvId,
      bc_modified_at: c.bcModifiedAt ?? null,
      dv_modified_at: c.dvModifiedAt ?? null,
      bc_hash: c.bcHash ?? null,
      dv_hash: c.dvHash ?? null,
      created_at: c.now,
      updated_at: c.now,
    }),
  );
  return (await getCoupling(db, id))!;
}

export async function getCoupling(db: Db, id: number): Promise<Coupling | undefined> {
  const row = await db('couplings').where({ id }).first();
  return row ? fromRow(row) : undefined;
}

/** The couplings of `mapping` for these Business Central ids, keyed by bc id. */
export async function findByBcIds(db: Db, mapping: string, bcIds: readonly string[]): Promise<Map<string, Coupling>> {
  const rows = await inChunks(bcIds, 1000, (chunk) => db('couplings').where({ mapping }).whereIn('bc_id', chunk));
  return new Map(rows.map((r) => [r.bc_id as string, fromRow(r)]));
}

/** The couplings of `mapping` for these Dataverse ids, keyed by dv id. */
export async function findByDvIds(db: Db, mapping: string, dvIds: readonly string[]): Promise<Map<string, Coupling>> {
  const rows = await inChunks(dvIds, 1000, (chunk) => db('couplings').where({ mapping }).whereIn('dv_id', chunk));
  return new Map(rows.map((r) => [r.dv_id as string, fromRow(r)]));
}

/**
 * The next `limit` couplings (by id, after `afterId`) whose last result in `direction` is a failure and that are not
 * skipped: the retry set a pass processes first.
 */
export async function listFailed(
  db: Db,
  mapping: string,
  direction: PassDirection,
  options: { afterId?: number; limit: number },
): Promise<Coupling[]> {
  const rows = await db('couplings')
    .where({ mapping, [`${prefix(direction)}_result`]: 'failure', skipped: false })
    .andWhere('id', '>', options.afterId ?? 0)
    .orderBy('id')
    .limit(options.limit);
  return rows.map(fromRow);
}

export interface SuccessUpdate {
  jobId: number;
  bcModifiedAt?: Date | null;
  dvModifiedAt?: Date | null;
  bcHash?: string | null;
  dvHash?: string | null;
  now: Date;
}

/** Records a successful write in `direction`: ids, timestamps and hashes as last synchronized; clears the error streak. */
export async function recordSuccess(db: Db, id: number, direction: PassDirection, u: SuccessUpdate): Promise<void> {
  const p = prefix(direction);
  const patch: Record<string, unknown> = {
    [`${p}_result`]: 'success',
    [`${p}_job_id`]: u.jobId,
    [`${p}_last_error`]: null,
    [`${p}_error_count`]: 0,
    updated_at: u.now,
  };
  if (u.bcModifiedAt !== undefined) patch.bc_modified_at = u.bcModifiedAt;
  if (u.dvModifiedAt !== undefined) patch.dv_modified_at = u.dvModifiedAt;
  if (u.bcHash !== undefined) patch.bc_hash = u.bcHash;
  if (u.dvHash !== undefined) patch.dv_hash = u.dvHash;
  await db('couplings').where({ id }).update(patch);
}

/** One stored hash to replace: side `side` of coupling `id`, from `from` to `to`. */
export interface HashReplacement {
  id: number;
  side: Side;
  from: string;
  to: string;
}

/**
 * Records that sides of couplings now hold values the sync wrote outside the mapping's own passes (another mapping's
 * entity rule): replaces each named side's stored hash `from` by `to` — only while it still is `from`
 * (compare-and-set), so a pass that recorded a newer state meanwhile keeps it. One statement per side and 500
 * replacements (name each side of a coupling once). Returns how many hashes were replaced.
 */
export async function replaceSideHashes(db: Db, changes: readonly HashReplacement[], now: Date): Promise<number> {
  let replaced = 0;
  for (const side of ['bc', 'dataverse'] as const) {
    const column = side === 'bc' ? 'bc_hash' : 'dv_hash';
    const counts = await inChunks(
      changes.filter((c) => c.side === side),
      500,
      async (chunk) => {
        const updated: number = await db('couplings')
          .where((q) => {
            for (const c of chunk) q.orWhere({ id: c.id, [column]: c.from });
          })
          .update({
            [column]: db.raw(`CASE ?? ${chunk.map(() => 'WHEN ? THEN ?').join(' ')} END`, [
              'id',
              ...chunk.flatMap((c) => [c.id, c.to]),
            ]),
            updated_at: now,
          });
        return [updated];
      },
    );
    replaced += counts.reduce((a, b) => a + b, 0);
  }
  return replaced;
}

/**
 * Records a failure in `direction`: the message and the job; counts the consecutive failures. With `skip` (the
 * engine's "same error twice" verdict) the coupling is also parked. Returns the new count of consecutive failures.
 */
export async function recordFailure(
  db: Db,
  id: number,
  direction: PassDirection,
  f: { jobId: number; message: string; skip: boolean; now: Date },
): Promise<number> {
  const p = prefix(direction);
  await db('couplings')
    .where({ id })
    .update({
      [`${p}_result`]: 'failure',
      [`${p}_job_id`]: f.jobId,
      [`${p}_last_error`]: f.message,
      [`${p}_error_count`]: db.raw('?? + 1', [`${p}_error_count`]),
      ...(f.skip ? { skipped: true, skipped_at: f.now } : {}),
      updated_at: f.now,
    });
  const row = await db('couplings').where({ id }).first(`${p}_error_count as count`);
  return toNumber(row?.count ?? 0);
}

/**
 * Notes that job `jobId` handled these couplings in `direction` without changing their result (a record a pass left
 * alone on purpose, e.g. the losing side of a conflict), so a later page of the same pass does not count it again.
 */
export async function touchJob(
  db: Db,
  ids: readonly number[],
  direction: PassDirection,
  jobId: number,
  now: Date,
): Promise<void> {
  if (ids.length)
    await db('couplings')
      .whereIn('id', ids)
      .update({ [`${prefix(direction)}_job_id`]: jobId, updated_at: now });
}

/** Clears a failure in `direction` without a success (the record went out of scope), noting the job. */
export async function clearFailure(
  db: Db,
  id: number,
  direction: PassDirection,
  jobId: number,
  now: Date,
): Promise<void> {
  await db('couplings')
    .where({ id })
    .update({
      [`${prefix(direction)}_result`]: null,
      [`${prefix(direction)}_last_error`]: null,
      [`${prefix(direction)}_error_count`]: 0,
      [`${prefix(direction)}_job_id`]: jobId,
      updated_at: now,
    });
}

/**
 * What a page records about one existing coupling in one direction (`recordOutcomes`): a successful write (with the
 * timestamps and hashes as last synchronized; an omitted one is kept), a failure (`skip`: also park it), a failure
 * cleared without a success (the record went out of scope), or only that the job handled it (`touched`).
 */
export type CouplingOutcome =
  | ({ id: number; kind: 'success' } & Omit<SuccessUpdate, 'jobId' | 'now'>)
  | { id: number; kind: 'failure'; message: string; skip: boolean }
  | { id: number; kind: 'cleared' }
  | { id: number; kind: 'touched' };

/**
 * Records the outcomes of many couplings in `direction` for job `jobId`, in one statement per 500 couplings: each
 * outcome does what `recordSuccess`, `recordFailure`, `clearFailure` or `touchJob` does for one coupling. Couplings
 * that no longer exist are ignored.
 */
export async function recordOutcomes(
  db: Db,
  direction: PassDirection,
  jobId: number,
  now: Date,
  outcomes: readonly CouplingOutcome[],
): Promise<void> {
  const p = prefix(direction);
  const rows: RowUpdate[] = outcomes.map((o) => {
    const set: Record<string, unknown> = { [`${p}_job_id`]: jobId, updated_at: now };
    if (o.kind === 'success' || o.kind === 'cleared') {
      set[`${p}_result`] = o.kind === 'success' ? 'success' : null;
      set[`${p}_last_error`] = null;
      set[`${p}_error_count`] = 0;
    }
    if (o.kind === 'success') {
      if (o.bcModifiedAt !== undefined) set.bc_modified_at = o.bcModifiedAt;
      if (o.dvModifiedAt !== undefined) set.dv_modified_at = o.dvModifiedAt;
      if (o.bcHash !== undefined) set.bc_hash = o.bcHash;
      if (o.dvHash !== undefined) set.dv_hash = o.dvHash;
    }
    if (o.kind === 'failure') {
      set[`${p}_result`] = 'failure';
      set[`${p}_last_error`] = o.message;
      set[`${p}_error_count`] = db.raw('?? + 1', [`${p}_error_count`]);
      if (o.skip) {
        set.skipped = true;
        set.skipped_at = now;
      }
    }
    return { key: o.id, set };
  });
  await updateEach(db, 'couplings', 'id', rows);
}

/** A coupling a page creates: both ids and, in `direction`, a successful write with its timestamps and hashes. */
export interface NewWrittenCoupling extends Omit<NewCoupling, 'now'> {
  direction: PassDirection;
  jobId: number;
}

/**
 * Inserts whole couplings in bulk (one statement per 500), each already holding a successful write in its direction,
 * as `insertCoupling` followed by `recordSuccess` would. Throws the driver's duplicate-key error when any id is already
 * coupled (nothing of that statement is inserted): check with `findHolders` first, inside the same transaction.
 */
export async function insertWrittenCouplings(
  db: Db,
  couplings: readonly NewWrittenCoupling[],
  now: Date,
): Promise<void> {
  await inChunks(couplings, 500, async (chunk) => {
    await db('couplings').insert(
      chunk.map((c) => {
        const p = prefix(c.direction);
        const q = prefix(c.direction === 'to-dataverse' ? 'to-bc' : 'to-dataverse');
        return {
          mapping: c.mapping,
          bc_id: c.bcId,
          dv_id: c.dvId,
          bc_modified_at: c.bcModifiedAt ?? null,
          dv_modified_at: c.dvModifiedAt ?? null,
          bc_hash: c.bcHash ?? null,
          dv_hash: c.dvHash ?? null,
          [`${p}_result`]: 'success',
          [`${p}_job_id`]: c.jobId,
          [`${p}_last_error`]: null,
          [`${p}_error_count`]: 0,
          [`${q}_result`]: null,
          [`${q}_job_id`]: null,
          [`${q}_last_error`]: null,
          [`${q}_error_count`]: 0,
          skipped: false,
          skipped_at: null,
          created_at: now,
          updated_at: now,
        };
      }),
    );
    return [];
  });
}

/** The couplings of `mapping` that hold any of these Business Central ids or Dataverse ids (lower-case). */
export async function findHolders(
  db: Db,
  mapping: string,
  bcIds: readonly string[],
  dvIds: readonly string[],
): Promise<Coupling[]> {
  const rows = new Map<number, Record<string, unknown>>();
  for (let i = 0; i < Math.max(bcIds.length, dvIds.length); i += 1000) {
    const bc = bcIds.slice(i, i + 1000);
    const dv = dvIds.slice(i, i + 1000);
    const found: Record<string, unknown>[] = await db('couplings')
      .where({ mapping })
      .andWhere((q) => q.whereIn('bc_id', bc).orWhereIn('dv_id', dv));
    for (const r of found) rows.set(toNumber(r.id), r);
  }
  return [...rows.values()].map(fromRow);
}

/** Marks couplings skipped (parked: never retried until restored). */
export async function markSkipped(db: Db, ids: readonly number[], now: Date): Promise<void> {
  if (ids.length) await db('couplings').whereIn('id', ids).update({ skipped: true, skipped_at: now, updated_at: now });
}

/** Restores skipped couplings of `mapping` (all when `ids` is omitted); returns how many were restored. */
export async function restoreSkipped(db: Db, mapping: string, now: Date, ids?: readonly number[]): Promise<number> {
  const q = db('couplings').where({ mapping, skipped: true });
  if (ids) q.whereIn('id', ids);
  return q.update({
    skipped: false,
    skipped_at: null,
    to_dv_error_count: 0,
    to_bc_error_count: 0,
    to_dv_last_error: null,
    to_bc_last_error: null,
    updated_at: now,
  });
}

/** The skipped couplings, optionally of one mapping, oldest first. */
export async function listSkipped(db: Db, mapping?: string, limit = 1000): Promise<Coupling[]> {
  const q = db('couplings').where({ skipped: true }).orderBy('skipped_at').limit(limit);
  if (mapping) q.andWhere({ mapping });
  return (await q).map(fromRow);
}

/** Removes couplings (uncouple); returns how many were removed. */
export async function deleteCouplings(db: Db, ids: readonly number[]): Promise<number> {
  return ids.length ? db('couplings').whereIn('id', ids).delete() : 0;
}

/** One record of a mapping, named by its Business Central id (SystemId) or its Dataverse id. */
export type CouplingKey = { bcId: string; dvId?: undefined } | { dvId: string; bcId?: undefined };

/**
 * The coupling row of `mapping` that holds this Business Central or Dataverse id (compared lower-cased, as the store
 * keeps them), or undefined when there is none.
 */
export async function findCoupling(db: Db, mapping: string, key: CouplingKey): Promise<Coupling | undefined> {
  const where = key.bcId !== undefined ? { bc_id: key.bcId.toLowerCase() } : { dv_id: key.dvId.toLowerCase() };
  const row = await db('couplings')
    .where({ mapping, ...where })
    .first();
  return row ? fromRow(row) : undefined;
}

/**
 * A page of the couplings of `mapping`, newest first (by id, descending): at most `limit` rows with an id below
 * `beforeId` (Default: from the newest). Pass the last row's id as the next page's `beforeId`.
 */
export async function listCouplings(
  db: Db,
  mapping: string,
  options: { limit: number; beforeId?: number },
): Promise<Coupling[]> {
  const q = db('couplings').where({ mapping }).orderBy('id', 'desc').limit(options.limit);
  if (options.beforeId !== undefined) q.andWhere('id', '<', options.beforeId);
  return (await q).map(fromRow);
}

/** What `coupleRecords` did. */
export type CoupleOutcome =
  /** A new whole coupling row (hashes null: the next pass that reads either record synchronizes it). */
  | { outcome: 'coupled'; coupling: Coupling; clearedFailures: number }
  /** The two records were already coupled to each other: nothing changed. */
  | { outcome: 'already-coupled'; coupling: Coupling }
  /** One of them is coupled to another record (`side` says which one): nothing changed. */
  | { outcome: 'conflict'; side: 'bc' | 'dv'; coupling: Coupling };

function isDuplicateKey(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'ER_DUP_ENTRY' || code.startsWith('SQLITE_CONSTRAINT');
}

/**
 * Couples a Business Central record to a Dataverse row by hand (`bcsync couple`), in one transaction: refuses when
 * either is already coupled in `mapping` (to each other: `already-coupled`; to another record: `conflict`), clears the
 * pending failures of either record (a create that never succeeded: the record now has its partner), and inserts one row
 * with both ids lower-cased and the hashes null. A concurrent couple of either record loses on the unique keys and
 * comes back as the same `conflict`, never as a half row. Pass the Knex instance, not a transaction: after a lost
 * race the winner is read outside the failed transaction (a transaction would make it a savepoint, whose snapshot may
 * not see the winner). Throws only for database errors.
 */
export async function coupleRecords(
  knex: Db,
  c: { mapping: string; bcId: string; dvId: string; now: Date },
): Promise<CoupleOutcome> {
  const bcId = c.bcId.toLowerCase();
  const dvId = c.dvId.toLowerCase();
  const existing = async (db: Db): Promise<CoupleOutcome | Coupling[]> => {
    const byBc = await findCoupling(db, c.mapping, { bcId });
    const byDv = await findCoupling(db, c.mapping, { dvId });
    if (byBc && byBc.dvId === dvId) return { outcome: 'already-coupled', coupling: byBc };
    if (byBc) return { outcome: 'conflict', side: 'bc', coupling: byBc };
    if (byDv) return { outcome: 'conflict', side: 'dv', coupling: byDv };
    return [];
  };
  try {
    return await knex.transaction(async (trx) => {
      const found = await existing(trx);
      if (!Array.isArray(found)) return found;
      const coupling = await insertCoupling(trx, { mapping: c.mapping, bcId, dvId, now: c.now });
      // Earlier refused creates of either record: the record now has its partner, nothing is left to create.
      const cleared =
        (await clearPendingFailures(trx, c.mapping, 'to-dataverse', [bcId])) +
        (await clearPendingFailures(trx, c.mapping, 'to-bc', [dvId]));
      return { outcome: 'coupled', coupling, clearedFailures: cleared };
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // Another couple (or a run's create) took one of the ids between our read and our insert.
    const found = await existing(knex);
    if (!Array.isArray(found)) return found;
    throw err;
  }
}

/**
 * The next `limit` unskipped couplings of `mapping` (by id, after `afterId`): a page of every coupled record, for jobs
 * that visit them all (`--full`).
 */
export async function listCouplingsAfter(
  db: Db,
  mapping: string,
  options: { afterId?: number; limit: number },
): Promise<Coupling[]> {
  const rows = await db('couplings')
    .where({ mapping, skipped: false })
    .andWhere('id', '>', options.afterId ?? 0)
    .orderBy('id')
    .limit(options.limit);
  return rows.map(fromRow);
}

/**
 * The next `limit` unskipped couplings of `mapping` (by id, after `afterId`) whose BC record has no coupling in
 * `dependent` and no skipped pending failure there: the records a dependent job never handled yet (e.g. customers
 * whose statistics were never uploaded), without the ones it parked.
 */
export async function listCouplingsWithout(
  db: Db,
  mapping: string,
  dependent: string,
  options: { afterId?: number; limit: number },
): Promise<Coupling[]> {
  const rows = await db('couplings as c')
    .where({ 'c.mapping': mapping, 'c.skipped': false })
    .andWhere('c.id', '>', options.afterId ?? 0)
    .whereNotExists((q) =>
      q.select(db.raw('1')).from('couplings as d').where('d.mapping', dependent).whereRaw('d.bc_id = c.bc_id'),
    )
    .whereNotExists((q) =>
      q
        .select(db.raw('1'))
        .from('pending_failures as p')
        .where({ 'p.mapping': dependent, 'p.skipped': true })
        .whereRaw('p.source_id = c.bc_id'),
    )
    .orderBy('c.id')
    .limit(options.limit)
    .select('c.*');
  return rows.map(fromRow);
}
