/**
 * The last step of a page: couplings, pending failures, error rows, audit rows and the page result in one transaction
 * — all or nothing. Every record lands in exactly one counter. A coupling row is written only with both ids, and an
 * insert is counted only for a record the destination returned.
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
  type Coupling,
  clearFailure,
  deleteCouplings,
  findByBcIds,
  findByDvIds,
  insertCoupling,
  recordFailure,
  recordSuccess,
  touchJob,
} from '../../store/couplings';
import { type FieldChange, recordFieldChanges } from '../../store/field-changes';
import { clearIntents } from '../../store/pending-writes';
import { clearPendingFailures, findPendingFailures, recordPendingFailure } from '../../store/pending-failures';
import { type NewSyncError, recordErrors, resolveErrors } from '../../store/sync-errors';
import { savePageResult } from '../../store/sync-pages';
import type { Db } from '../../store/values';
import { couplingState, type Item, lower, type PageWork, plan, sideCaption, text } from './work';

interface CommitOutcome {
  counter: keyof PassCounts | null;
  uncoupled?: boolean;
  coupled?: boolean;
  succeeded?: boolean;
  /** Mark the coupling as handled by this job without changing its result. */
  touch?: boolean;
}

interface CommitContext {
  trx: Db;
  work: PageWork;
  now: Date;
  audit: FieldChange[];
  errors: NewSyncError[];
}

/** Commits the page and returns its result (also stored, so a retried activity returns the same counts). */
export async function commitPage(
  knex: Knex,
  work: PageWork,
  items: Item[],
  sourceKey: string,
  now: Date,
): Promise<SyncPageResult> {
  const m = work.mapping;
  const direction = work.direction;
  const srcSide = sourceSideOf(direction);
  const dstSide = destinationSideOf(direction);
  const counts = zeroCounts();
  const result: SyncPageResult = { counts, next: work.next, maxModifiedAt: work.maxModifiedAt };
  await knex.transaction(async (trx) => {
    const ctx: CommitContext = { trx, work, now, audit: [], errors: [] };
    const succeeded: string[] = [];
    const touched: number[] = [];
    for (const item of items) {
      const outcome = await commitItem(ctx, item);
      if (outcome.counter) counts[outcome.counter] += 1;
      if (outcome.uncoupled) counts.uncoupled += 1;
      if (outcome.coupled) counts.coupled += 1;
      if (outcome.succeeded) succeeded.push(item.sourceId);
      if (outcome.touch && item.row) touched.push(item.row.id);
    }
    // Ids asked for (retry/records) that the source no longer has.
    if (work.requestedIds) {
      const seen = new Set(work.records.map((r) => lower(r[sourceKey])));
      const gone = work.requestedIds.map(lower).filter((id) => !seen.has(id));
      const goneRows = srcSide === 'bc' ? await findByBcIds(trx, m.name, gone) : await findByDvIds(trx, m.name, gone);
      const gonePending = await findPendingFailures(trx, m.name, direction, gone);
      for (const id of gone) {
        const row = goneRows.get(id);
        if (!row) {
          // A record that never got coupled and is gone: nothing left to synchronize.
          if (gonePending.has(id)) {
            await clearPendingFailures(trx, m.name, direction, [id]);
            counts.deleted += 1;
          }
          continue;
        }
        counts.failed += 1;
        ctx.errors.push({
          jobId: work.jobId,
          mapping: m.name,
          direction,
          sourceId: id,
          destinationId: dstSide === 'bc' ? row.bcId : row.dvId,
          message: `The ${sideCaption(m, srcSide)} ${id} no longer exists; remove its coupling with 'bcsync uncouple ${m.name}' if it was deleted on purpose`,
          detail: null,
          createdAt: now,
        });
        await recordFailure(trx, row.id, direction, {
          jobId: work.jobId,
          message: 'source record not found',
          skip: false,
          now,
        });
      }
    }
    await touchJob(trx, touched, direction, work.jobId, now);
    await recordErrors(trx, ctx.errors);
    await recordFieldChanges(trx, ctx.audit);
    if (succeeded.length) {
      await resolveErrors(trx, { mapping: m.name, direction, sourceIds: succeeded, resolvedByJobId: work.jobId });
      await clearIntents(trx, m.name, direction, succeeded);
      await clearPendingFailures(trx, m.name, direction, succeeded);
    }
    await savePageResult(trx, work.jobId, work.pageNo, result, now);
  });
  return result;
}

/**
 * Inserts a coupling inside a savepoint: a unique-key collision (a record is already coupled to another one) returns
 * null instead of aborting the page's transaction, so it fails that record alone.
 */
async function insertCouplingOnce(trx: Db, c: Parameters<typeof insertCoupling>[1]): Promise<Coupling | null> {
  try {
    return await (trx as Knex.Transaction).transaction((sp) => insertCoupling(sp, c));
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code === 'ER_DUP_ENTRY' || code.startsWith('SQLITE_CONSTRAINT')) return null;
    throw err;
  }
}

async function fail(
  ctx: CommitContext,
  item: Item,
  message: string,
  detail: string | null,
  engineSkip: boolean,
): Promise<CommitOutcome> {
  const { trx, work, now } = ctx;
  const m = work.mapping;
  const direction = work.direction;
  const dstSide = destinationSideOf(direction);
  // A record synchronized on demand is tried because another record needs it, not on its own schedule: its failures
  // are that record's wait and never park it (its own mapping's runs still do).
  const mayPark = !item.transient && !item.waitsForOthers && !work.onDemandFor;
  let skip: boolean;
  if (item.row) {
    skip = mayPark && engineSkip;
    await recordFailure(trx, item.row.id, direction, { jobId: work.jobId, message, skip, now });
  } else {
    // Never coupled: the failure is kept apart from the couplings, with the same "twice the same ⇒ skipped" rule.
    skip = mayPark && (engineSkip || pendingFailureOutcome(item.pending ?? null, message).skip);
    await recordPendingFailure(trx, {
      mapping: m.name,
      direction,
      sourceId: item.sourceId,
      jobId: work.jobId,
      message,
      skip,
      now,
    });
  }
  ctx.errors.push({
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

async function commitItem(ctx: CommitContext, item: Item): Promise<CommitOutcome> {
  const { trx, work, now, audit } = ctx;
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
        await clearFailure(trx, item.row.id, direction, work.jobId, now);
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
        if (item.row) await deleteCouplings(trx, [item.row.id]);
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
  // Business Central may change values on write (validation): the read-back record's hash is what echoes back.
  if (written && dstSide === 'bc' && hashes.bcHash) hashes.bcHash = hashRecord(m, 'bc', written);
  const srcModified = text(item.source[srcSide === 'bc' ? m.bc.modifiedField : m.dataverse.modifiedField]);
  const dstModified = written ? text(written[dstSide === 'bc' ? m.bc.modifiedField : m.dataverse.modifiedField]) : null;
  const update = {
    jobId: work.jobId,
    [srcSide === 'bc' ? 'bcModifiedAt' : 'dvModifiedAt']: srcModified ? new Date(srcModified) : undefined,
    ...(dstModified ? { [dstSide === 'bc' ? 'bcModifiedAt' : 'dvModifiedAt']: new Date(dstModified) } : {}),
    ...hashes,
    now,
  };
  let coupled = false;
  let row = item.row;
  if (!row) {
    const inserted = await insertCouplingOnce(trx, {
      mapping: m.name,
      bcId: srcSide === 'bc' ? item.sourceId : destId,
      dvId: srcSide === 'dataverse' ? item.sourceId : destId,
      now,
    });
    if (!inserted) {
      return fail(
        ctx,
        item,
        `the ${sideCaption(m, dstSide)} ${destId} is already coupled to another record in ${m.name}; check it with 'bcsync couplings ${m.name} --${dstSide === 'bc' ? 'bc' : 'dv'} ${destId}' and remove the wrong coupling with 'bcsync uncouple ${m.name}'`,
        null,
        false,
      );
    }
    row = inserted;
    coupled = true;
  }
  await recordSuccess(trx, row.id, direction, update);
  for (const c of p?.changes ?? []) {
    audit.push({
      jobId: work.jobId,
      mapping: m.name,
      direction,
      sourceId: item.sourceId,
      destinationId: destId,
      field: c.field,
      kind: 'write',
      oldValue: text(c.oldValue),
      newValue: text(c.newValue),
      createdAt: now,
    });
  }
  return { counter: d.counter, coupled, succeeded: true };
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
    ctx.audit.push({
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
