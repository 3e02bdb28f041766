/**
 * The last step of a page: couplings, pending failures, error rows, audit rows and the page result in one transaction
 * — all or nothing. Every record lands in exactly one counter. A coupling row is written only with both ids, and an
 * insert is counted only for a record the destination returned.
 *
 * Set-based (STYLE §12): every record is first decided in memory into what it writes; the page then writes each
 * table with a few bulk statements (a handful per page, not several per record). New couplings are checked against
 * the couplings that already hold either id, inside the transaction, and inserted in bulk in a savepoint; should a
 * concurrent writer take an id between that check and the insert, the savepoint is rolled back and the page falls
 * back to one savepoint per coupling, so a collision fails that record alone, as before.
 */
import type { Knex } from 'knex';
import {
  describeWriteFailure,
  failureOutcome,
  hashRecord,
  parkedFailureMessage,
  pendingFailureOutcome,
  type PassCounts,
  TRANSIENT_WRITE_FAILURE_SUFFIX,
  type SyncPageResult,
  zeroCounts,
} from '../../engine';
import { destinationSideOf, sourceSideOf } from '../../engine/run-types';
import {
  type CouplingOutcome,
  deleteCouplings,
  findByBcIds,
  findByDvIds,
  findHolders,
  insertWrittenCouplings,
  type NewWrittenCoupling,
  recordOutcomes,
} from '../../store/couplings';
import { type FieldChange, recordFieldChanges } from '../../store/field-changes';
import { clearIntents } from '../../store/pending-writes';
import {
  clearPendingFailures,
  findPendingFailures,
  type NewPendingFailure,
  recordPendingFailures,
} from '../../store/pending-failures';
import { type NewSyncError, recordErrors, resolveErrors } from '../../store/sync-errors';
import { replacePageResult } from '../../store/sync-pages';
import {
  addPart,
  couplingState,
  type Item,
  lower,
  type PageProgress,
  type PageWork,
  plan,
  sideCaption,
  text,
} from './work';

interface CommitOutcome {
  counter: keyof PassCounts | null;
  uncoupled?: boolean;
  coupled?: boolean;
  succeeded?: boolean;
  /** Mark the coupling as handled by this job without changing its result. */
  touch?: boolean;
}

/** What the page writes, collected record by record in memory and written table by table in bulk. */
interface PageWrites {
  /** Outcomes of existing couplings in the page's direction. */
  couplings: CouplingOutcome[];
  /** Couplings removed (deletion conflicts resolved by uncoupling). */
  uncoupled: number[];
  /** Failures of records that have no coupling. */
  pending: NewPendingFailure[];
  errors: NewSyncError[];
  audit: FieldChange[];
}

interface CommitContext {
  work: PageWork;
  now: Date;
  writes: PageWrites;
}

/** A record whose coupling this page creates: written in bulk once every record of the page is decided. */
interface NewCoupling {
  item: Item;
  coupling: NewWrittenCoupling;
  destId: string;
  /** Its audit rows, kept only when the coupling is inserted. */
  audit: FieldChange[];
  outcome: CommitOutcome;
}

/**
 * Commits the page (one part of a page activity) and returns the activity's progress with it: the result of every
 * part committed so far, also stored, so a retried activity resumes after it or returns it. Throws
 * `PageResultConflictError` (nothing committed) when another attempt of the same activity committed a part meanwhile.
 */
export async function commitPage(
  knex: Knex,
  work: PageWork,
  items: Item[],
  sourceKey: string,
  now: Date,
): Promise<PageProgress> {
  const m = work.mapping;
  const direction = work.direction;
  const srcSide = sourceSideOf(direction);
  const dstSide = destinationSideOf(direction);
  const counts = zeroCounts();
  const result: SyncPageResult = { counts, next: work.next, maxModifiedAt: work.maxModifiedAt };
  let progress: PageProgress | undefined;
  await knex.transaction(async (trx) => {
    const writes: PageWrites = { couplings: [], uncoupled: [], pending: [], errors: [], audit: [] };
    const ctx: CommitContext = { work, now, writes };
    const succeeded: string[] = [];
    const tally = (item: Item, outcome: CommitOutcome): void => {
      if (outcome.counter) counts[outcome.counter] += 1;
      if (outcome.uncoupled) counts.uncoupled += 1;
      if (outcome.coupled) counts.coupled += 1;
      if (outcome.succeeded) succeeded.push(item.sourceId);
      if (outcome.touch && item.row) writes.couplings.push({ id: item.row.id, kind: 'touched' });
    };
    const creating: NewCoupling[] = [];
    for (const item of items) {
      const outcome = commitItem(ctx, item);
      if ('coupling' in outcome) creating.push(outcome);
      else tally(item, outcome);
    }
    // Ids asked for (retry/records) that the source no longer has.
    let goneUncoupled: string[] = [];
    if (work.requestedIds) {
      const seen = new Set(work.records.map((r) => lower(r[sourceKey])));
      const gone = work.requestedIds.map(lower).filter((id) => !seen.has(id));
      const goneRows = srcSide === 'bc' ? await findByBcIds(trx, m.name, gone) : await findByDvIds(trx, m.name, gone);
      const gonePending = await findPendingFailures(trx, m.name, direction, gone);
      // A record that never got coupled and is gone: nothing left to synchronize.
      goneUncoupled = gone.filter((id) => !goneRows.has(id) && gonePending.has(id));
      counts.deleted += goneUncoupled.length;
      for (const id of gone) {
        const row = goneRows.get(id);
        if (!row) continue;
        counts.failed += 1;
        writes.errors.push({
          jobId: work.jobId,
          mapping: m.name,
          direction,
          sourceId: id,
          destinationId: dstSide === 'bc' ? row.bcId : row.dvId,
          message: `The ${sideCaption(m, srcSide)} ${id} no longer exists; remove its coupling with 'bcsync uncouple ${m.name}' if it was deleted on purpose`,
          detail: null,
          createdAt: now,
        });
        writes.couplings.push({ id: row.id, kind: 'failure', message: 'source record not found', skip: false });
      }
    }
    // Uncouplings first: an id they free may be coupled again by another record of the same page.
    await deleteCouplings(trx, writes.uncoupled);
    for (const [item, outcome] of await insertNewCouplings(trx, ctx, creating)) tally(item, outcome);
    await recordOutcomes(trx, direction, work.jobId, now, writes.couplings);
    await recordPendingFailures(trx, m.name, direction, work.jobId, now, writes.pending);
    await clearPendingFailures(trx, m.name, direction, goneUncoupled);
    await recordErrors(trx, writes.errors);
    await recordFieldChanges(trx, writes.audit);
    if (succeeded.length) {
      await resolveErrors(trx, { mapping: m.name, direction, sourceIds: succeeded, resolvedByJobId: work.jobId });
      await clearIntents(trx, m.name, direction, succeeded);
      await clearPendingFailures(trx, m.name, direction, succeeded);
    }
    const total = addPart(work.progress?.total ?? null, result);
    const stored = await replacePageResult(trx, work.jobId, work.pageNo, work.progress?.text ?? null, total, now);
    progress = { total, text: stored };
  });
  return progress!;
}

function isDuplicateKey(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'ER_DUP_ENTRY' || code.startsWith('SQLITE_CONSTRAINT');
}

/**
 * Inserts the page's new couplings and returns each record's outcome. A coupling whose Business Central or Dataverse
 * id is already held (by a coupling in the store, or by an earlier record of this page) fails its record instead.
 */
async function insertNewCouplings(
  trx: Knex.Transaction,
  ctx: CommitContext,
  creating: readonly NewCoupling[],
): Promise<Array<[Item, CommitOutcome]>> {
  if (!creating.length) return [];
  const m = ctx.work.mapping;
  const holders = await findHolders(
    trx,
    m.name,
    creating.map((c) => c.coupling.bcId),
    creating.map((c) => c.coupling.dvId),
  );
  const taken = new Set(holders.flatMap((h) => [`bc ${h.bcId}`, `dv ${h.dvId}`]));
  const free: NewCoupling[] = [];
  const refused = new Set<NewCoupling>();
  for (const c of creating) {
    const keys = [`bc ${c.coupling.bcId}`, `dv ${c.coupling.dvId}`];
    if (keys.some((k) => taken.has(k))) {
      refused.add(c);
      continue;
    }
    for (const k of keys) taken.add(k);
    free.push(c);
  }
  try {
    await trx.transaction((sp) =>
      insertWrittenCouplings(
        sp,
        free.map((c) => c.coupling),
        ctx.now,
      ),
    );
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // A concurrent writer took an id after the check: one savepoint per coupling finds the ones it took.
    for (const c of free) {
      try {
        await trx.transaction((sp) => insertWrittenCouplings(sp, [c.coupling], ctx.now));
      } catch (one) {
        if (!isDuplicateKey(one)) throw one;
        refused.add(c);
      }
    }
  }
  // A refused coupling that is already there as it is (a concurrent run of the mapping wrote the same pair: both runs
  // found the same deterministic create) is this record's coupling, not another record's.
  const pairs = new Set<string>();
  if (refused.size) {
    const held = await findHolders(
      trx,
      m.name,
      [...refused].map((c) => c.coupling.bcId),
      [...refused].map((c) => c.coupling.dvId),
    );
    for (const h of held) pairs.add(`${lower(h.bcId)} ${lower(h.dvId)}`);
  }
  return creating.map((c): [Item, CommitOutcome] => {
    if (refused.has(c) && pairs.has(`${lower(c.coupling.bcId)} ${lower(c.coupling.dvId)}`)) {
      return [c.item, { counter: 'unchanged', succeeded: true }];
    }
    if (refused.has(c)) return [c.item, alreadyCoupled(ctx, c)];
    ctx.writes.audit.push(...c.audit);
    return [c.item, c.outcome];
  });
}

function alreadyCoupled(ctx: CommitContext, c: NewCoupling): CommitOutcome {
  const m = ctx.work.mapping;
  const dstSide = destinationSideOf(ctx.work.direction);
  return fail(
    ctx,
    c.item,
    `the ${sideCaption(m, dstSide)} ${c.destId} is already coupled to another record in ${m.name}; check it with 'bcsync couplings ${m.name} --${dstSide === 'bc' ? 'bc' : 'dv'} ${c.destId}' and remove the wrong coupling with 'bcsync uncouple ${m.name}'`,
    null,
    false,
  );
}

function fail(
  ctx: CommitContext,
  item: Item,
  message: string,
  detail: string | null,
  engineSkip: boolean,
): CommitOutcome {
  const { work, now, writes } = ctx;
  const m = work.mapping;
  const direction = work.direction;
  const dstSide = destinationSideOf(direction);
  // A record synchronized on demand is tried because another record needs it, not on its own schedule: its failures
  // are that record's wait and never park it (its own mapping's runs still do).
  const mayPark = !item.transient && !item.waitsForOthers && !work.onDemandFor;
  let skip: boolean;
  if (item.row) {
    skip = mayPark && engineSkip;
    writes.couplings.push({ id: item.row.id, kind: 'failure', message, skip });
  } else {
    // Never coupled: the failure is kept apart from the couplings, with the same "twice the same ⇒ skipped" rule.
    skip = mayPark && (engineSkip || pendingFailureOutcome(item.pending ?? null, message).skip);
    writes.pending.push({ sourceId: item.sourceId, message, skip });
  }
  writes.errors.push({
    jobId: work.jobId,
    mapping: m.name,
    direction,
    sourceId: item.sourceId,
    destinationId: item.row ? (dstSide === 'bc' ? item.row.bcId : item.row.dvId) : null,
    message: skip ? parkedFailureMessage(message) : message,
    detail,
    createdAt: now,
  });
  return { counter: 'failed' };
}

/** Decides what one record writes; a record whose coupling is to be created comes back as that new coupling. */
function commitItem(ctx: CommitContext, item: Item): CommitOutcome | NewCoupling {
  const { work, writes } = ctx;
  const m = work.mapping;
  const direction = work.direction;
  const srcSide = sourceSideOf(direction);
  const dstSide = destinationSideOf(direction);
  const d = item.decision;
  const dstKey = dstSide === 'bc' ? m.bc.key : m.dataverse.key;

  if (item.failure) return fail(ctx, item, item.failure, item.writeError ? errorDetail(item) : null, false);
  if (item.writeError) {
    const e = item.writeError;
    let message = describeWriteFailure(
      m,
      direction,
      item.source,
      e.message,
      plan(d)?.operation === 'create' ? 'created' : 'updated',
    );
    if (item.transient) {
      message += TRANSIENT_WRITE_FAILURE_SUFFIX;
    }
    const failure = failureOutcome(couplingState(item.row), direction, message);
    return fail(ctx, item, failure.message, errorDetail(item), failure.skip);
  }

  switch (d.kind) {
    case 'ignore':
      // Out of scope now (e.g. a filter or a lookup target changed): it leaves the retry set, its errors are resolved.
      if (item.row && (direction === 'to-dataverse' ? item.row.toDataverse : item.row.toBc).result === 'failure') {
        writes.couplings.push({ id: item.row.id, kind: 'cleared' });
        return { counter: null, succeeded: true };
      }
      if (item.pending) return { counter: null, succeeded: true };
      return { counter: null };
    case 'skip':
      return { counter: 'skipped', touch: true };
    case 'fail':
      return fail(ctx, item, d.failure.message, null, d.failure.skip);
    case 'deletion-conflict':
      if (d.resolution === 'fail') return fail(ctx, item, d.failure.message, null, d.failure.skip);
      if (d.resolution === 'uncouple') {
        // A coupling is whole or absent: the row goes; the source record counts as uncoupled from now on.
        if (item.row) writes.uncoupled.push(item.row.id);
        return { counter: 'deleted', uncoupled: true };
      }
      break;
    case 'conflict':
      pushConflictAudit(ctx, item);
      if (d.resolution === 'fail') {
        const detail = d.conflict.fields
          .map(
            (f) =>
              `${f.bcField ?? '-'}=${text(f.bcValue) ?? '∅'} (BC) vs ${f.dvField ?? '-'}=${text(f.dvValue) ?? '∅'} (Dataverse)`,
          )
          .join('; ');
        return fail(ctx, item, d.failure.message, detail, d.failure.skip);
      }
      if (d.resolution === 'skip') return { counter: 'skipped', touch: true };
      break;
    default:
      break;
  }

  // Success paths: insert, update, unchanged, conflict overwrite, deletion-conflict restore.
  const p = plan(d);
  const written = item.written ?? null;
  const creating = p?.operation === 'create';
  if (creating && !written) {
    return fail(
      ctx,
      item,
      `the ${sideCaption(m, dstSide)} was not returned by the API after the create, so it is not coupled; it is checked again on the next run`,
      null,
      false,
    );
  }
  const destId = creating
    ? lower(p.destinationId ?? written![dstKey])
    : item.row
      ? dstSide === 'bc'
        ? item.row.bcId
        : item.row.dvId
      : (item.matchedId ?? null);
  if (!destId) {
    return fail(ctx, item, `the ${sideCaption(m, dstSide)} has no id to couple to`, null, false);
  }
  let hashes: { bcHash?: string | null; dvHash?: string | null } = 'hashes' in d ? { ...d.hashes } : {};
  if (item.recovered && written) {
    // The record holds what an earlier attempt wrote, which may be older than the source now: store its real hash
    // and mark the source "changed", so the next pass writes whatever differs.
    hashes =
      dstSide === 'bc'
        ? { bcHash: hashRecord(m, 'bc', written), dvHash: null }
        : { dvHash: hashRecord(m, 'dataverse', written), bcHash: null };
  }
  // Business Central may change values on write (validation): the read-back record's hash is what echoes back. Not
  // for a write whose answer was lost: the record read afterwards may hold a user's change made since, which must
  // stay a change (the planned hash at worst makes the next run write Business Central's own values back).
  if (written && dstSide === 'bc' && hashes.bcHash && !item.answerLost) hashes.bcHash = hashRecord(m, 'bc', written);
  const srcModified = text(item.source[srcSide === 'bc' ? m.bc.modifiedField : m.dataverse.modifiedField]);
  const dstModified = written ? text(written[dstSide === 'bc' ? m.bc.modifiedField : m.dataverse.modifiedField]) : null;
  const update = {
    [srcSide === 'bc' ? 'bcModifiedAt' : 'dvModifiedAt']: srcModified ? new Date(srcModified) : undefined,
    ...(dstModified ? { [dstSide === 'bc' ? 'bcModifiedAt' : 'dvModifiedAt']: new Date(dstModified) } : {}),
    ...hashes,
  };
  const audit: FieldChange[] = (p?.changes ?? []).map((c) => ({
    jobId: work.jobId,
    mapping: m.name,
    direction,
    sourceId: item.sourceId,
    destinationId: destId,
    field: c.field,
    kind: 'write',
    oldValue: text(c.oldValue),
    newValue: text(c.newValue),
    createdAt: ctx.now,
  }));
  if (!item.row) {
    return {
      item,
      destId,
      audit,
      outcome: { counter: d.counter, coupled: true, succeeded: true },
      coupling: {
        mapping: m.name,
        bcId: srcSide === 'bc' ? item.sourceId : destId,
        dvId: srcSide === 'dataverse' ? item.sourceId : destId,
        direction,
        jobId: work.jobId,
        ...update,
      },
    };
  }
  writes.couplings.push({ id: item.row.id, kind: 'success', ...update });
  writes.audit.push(...audit);
  return { counter: d.counter, coupled: false, succeeded: true };
}

function errorDetail(item: Item): string | null {
  const e = item.writeError;
  return e ? `HTTP ${e.status || '-'} ${e.code ?? ''}`.trim() : null;
}

/** Both sides' values of a conflict go to the audit trail: the losing ones are never lost silently. */
function pushConflictAudit(ctx: CommitContext, item: Item): void {
  const d = item.decision;
  if (d.kind !== 'conflict') return;
  const { work, now } = ctx;
  const loser = d.conflict.winner === null ? null : d.conflict.winner === 'bc' ? 'dataverse' : 'bc';
  for (const f of d.conflict.fields) {
    ctx.writes.audit.push({
      jobId: work.jobId,
      mapping: work.mapping.name,
      direction: work.direction,
      sourceId: item.sourceId,
      destinationId: item.row ? (work.direction === 'to-dataverse' ? item.row.dvId : item.row.bcId) : null,
      field: (loser === 'bc' ? f.bcField : f.dvField) ?? f.dvField ?? f.bcField ?? '?',
      kind: 'conflict-lost',
      oldValue: text(loser === 'bc' ? f.bcValue : f.dvValue),
      newValue: text(loser === 'bc' ? f.dvValue : f.bcValue),
      createdAt: now,
    });
  }
}
