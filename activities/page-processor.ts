/**
 * One page of one pass: decide every source record with the engine, write the destination in batches, then commit
 * couplings, error rows, audit rows and the page result in one transaction. Per-record failures never fail the page;
 * they become error rows with a message a user can act on.
 *
 * Exactly-once effects (DESIGN §7.1): Dataverse creates use the deterministic id with `If-None-Match: *`, so a create
 * repeated after a crash finds the row already there; Business Central creates write an intent row first and, when
 * an intent from an earlier attempt exists, look the record up by its deterministic key before creating it again.
 */
import {
  type CouplingState,
  type DataRecord,
  type RecordDecision,
  decide,
  describeRecord,
  describeWriteFailure,
  failureOutcome,
  hashRecord,
  lookupRequests,
  lookupResolverFromMap,
} from '../engine';
import { DuplicateKeyError, type ConnectorError } from '../connectors/http';
import { destinationSideOf, type IntegrationTableMapping, type PassDirection, sourceSideOf } from '../mappings';
import type { Knex } from 'knex';
import {
  type Coupling,
  clearDestination,
  clearFailure,
  deleteCouplings,
  findByBcIds,
  findByDvIds,
  insertCoupling,
  recordFailure,
  recordSuccess,
  touchJob,
} from '../store/couplings';
import { type FieldChange, recordFieldChanges } from '../store/field-changes';
import { clearIntents, findIntents, recordIntent } from '../store/pending-writes';
import { type NewSyncError, recordErrors, resolveErrors } from '../store/sync-errors';
import { savePageResult } from '../store/sync-pages';
import { zeroCounts } from '../store/types';
import type { Db } from '../store/values';
import type { PassCounts, PassCursor, SyncPageInput, SyncPageResult } from '../engine/run-types';
import { resolveLookups } from './lookup-resolution';
import type { SyncDeps } from './sync-activities';
import { type ApiRecord, sideApi, type SideWrite } from './sides';

/** Fault hooks for crash tests: called at the instants the invariants must survive. */
export interface PageFaults {
  /** After the destination writes of a page, before its coupling commit. */
  afterDestinationWrite?: (info: { mapping: string; direction: PassDirection; jobId: number; pageNo: number }) => void;
}

export interface PageWork extends Omit<SyncPageInput, 'mapping' | 'cursor'> {
  mapping: IntegrationTableMapping;
  records: ApiRecord[];
  /** Retry and records phases: the ids asked for (ids not returned no longer exist at the source). */
  requestedIds: string[] | null;
  phase: 'retry' | 'changed' | 'records';
  next: PassCursor;
  maxModifiedAt: string | null;
}

interface Item {
  sourceId: string;
  source: ApiRecord;
  row: Coupling | undefined;
  decision: RecordDecision;
  /** The destination record before the write (updates) — for the etag. */
  destination: ApiRecord | null;
  /** Match before create: the uncoupled destination record this source record was matched to. */
  matchedId?: string;
  /** The create had already happened in an earlier attempt (found by id or deterministic key), with older values. */
  recovered?: boolean;
  write?: SideWrite;
  /** The destination record after the write (or found by its deterministic key after a crash). */
  written?: ApiRecord | null;
  writeError?: ConnectorError;
}

const lower = (v: unknown) => String(v).toLowerCase();
const text = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);

function couplingState(row: Coupling | undefined): CouplingState | null {
  if (!row || !row.bcId || !row.dvId) return null;
  return {
    bcId: row.bcId,
    dvId: row.dvId,
    skipped: row.skipped,
    bcHash: row.bcHash,
    dvHash: row.dvHash,
    toDataverse: { lastResult: row.toDataverse.result, lastError: row.toDataverse.lastError },
    toBc: { lastResult: row.toBc.result, lastError: row.toBc.lastError },
  };
}

/**
 * Inserts a coupling inside a savepoint: a unique-key collision (the destination is already coupled to another
 * record) returns null instead of aborting the page's transaction, so it fails that record alone.
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

/** A pending coupling (the other side not created yet) in the engine's shape, for the failure rule only. */
function pendingState(row: Coupling): CouplingState {
  return {
    bcId: row.bcId ?? '',
    dvId: row.dvId ?? '',
    skipped: row.skipped,
    bcHash: row.bcHash,
    dvHash: row.dvHash,
    toDataverse: { lastResult: row.toDataverse.result, lastError: row.toDataverse.lastError },
    toBc: { lastResult: row.toBc.result, lastError: row.toBc.lastError },
  };
}

/** Decides, writes and commits one page; returns its counts and the next cursor. */
export async function processRecords(deps: SyncDeps, work: PageWork): Promise<SyncPageResult> {
  const m = work.mapping;
  const direction = work.direction;
  const srcSide = sourceSideOf(direction);
  const dstSide = destinationSideOf(direction);
  const src = sideApi(deps.connectors, m, srcSide);
  const dst = sideApi(deps.connectors, m, dstSide);
  const dirState = (row: Coupling) => (direction === 'to-dataverse' ? row.toDataverse : row.toBc);

  const sourceIds = work.records.map((r) => lower(r[src.key]));
  const rows =
    srcSide === 'bc'
      ? await findByBcIds(deps.knex, m.name, sourceIds)
      : await findByDvIds(deps.knex, m.name, sourceIds);
  const counts: PassCounts = zeroCounts();
  const errors: NewSyncError[] = [];
  const now = deps.now();

  // Records the retry phase of this pass already handled are not counted a second time in the changed phase.
  const records = work.records.filter((r) => {
    const row = rows.get(lower(r[src.key]));
    return !(work.phase === 'changed' && row && dirState(row).jobId === work.jobId);
  });

  // Lookups of the whole page, resolved in bulk.
  const requests = records.flatMap((r) => lookupRequests(m, direction, r as DataRecord));
  const lookups = lookupResolverFromMap(
    await resolveLookups(
      { knex: deps.knex, mappings: deps.mappings, connectors: deps.connectors, cache: deps.cache },
      requests,
    ),
  );

  // The coupled destination records (absent = deleted on the other side).
  const destIds = records
    .map((r) => rows.get(lower(r[src.key])))
    .map((row) => (row ? (dstSide === 'bc' ? row.bcId : row.dvId) : null))
    .filter((id): id is string => !!id);
  const destinations = new Map<string, ApiRecord>();
  if (destIds.length) for (const d of await dst.getByIds(destIds)) destinations.set(lower(d[dst.key]), d);

  const items: Item[] = records.map((source) => {
    const sourceId = lower(source[src.key]);
    const row = rows.get(sourceId);
    const state = couplingState(row);
    const destId = state ? (dstSide === 'bc' ? state.bcId : state.dvId) : null;
    const destination = destId ? (destinations.get(lower(destId)) ?? null) : null;
    const decision = decide({ mapping: m, direction, source: source, coupling: state, destination, lookups });
    return { sourceId, source, row, decision, destination };
  });

  if (m.matchOn.length) await matchBeforeCreate(deps, work, items, lookups);

  // Business Central creates: intent rows first; an intent left by an earlier attempt means the create may have
  // happened — look the record up by its deterministic key before creating it again.
  const bcCreates = dstSide === 'bc' ? items.filter((i) => plan(i.decision)?.operation === 'create') : [];
  if (bcCreates.length) {
    const earlier = await findIntents(
      deps.knex,
      m.name,
      direction,
      bcCreates.map((i) => i.sourceId),
    );
    for (const item of bcCreates) {
      const key = plan(item.decision)!.createKey;
      if (!key) continue;
      if (earlier.has(item.sourceId)) {
        const found = await dst.findOne(`${key.field} eq '${key.value.replace(/'/g, "''")}'`);
        if (found) {
          item.written = found;
          item.recovered = true;
        }
      }
    }
    for (const item of bcCreates) {
      const key = plan(item.decision)!.createKey;
      if (key && item.written === undefined) {
        await recordIntent(deps.knex, {
          mapping: m.name,
          direction,
          sourceId: item.sourceId,
          lookupKey: `${key.field}=${key.value}`,
          jobId: work.jobId,
          now,
        });
      }
    }
  }

  // Destination writes, batched.
  const toWrite = items.filter((i) => plan(i.decision) && i.written === undefined);
  for (const item of toWrite) {
    const p = plan(item.decision)!;
    item.write =
      p.operation === 'create'
        ? { kind: 'create', id: p.destinationId, body: { ...p.payload } }
        : {
            kind: 'update',
            id: p.destinationId!,
            etag: (item.destination?.['@odata.etag'] as string | undefined) ?? null,
            body: { ...p.payload },
          };
  }
  if (toWrite.length) {
    const results = await dst.writeBatch(toWrite.map((i) => i.write!));
    for (const [n, result] of results.entries()) {
      const item = toWrite[n];
      const key = plan(item.decision)?.createKey;
      if (result.ok) item.written = result.record;
      else if (result.error instanceof DuplicateKeyError && item.write?.kind === 'create' && item.write.id) {
        // Created by an earlier attempt that crashed before committing the coupling: it is there, couple it.
        item.written = await dst.get(item.write.id);
        item.recovered = true;
      } else if (result.error instanceof DuplicateKeyError && item.write?.kind === 'create' && key) {
        // A Business Central create that an overlapping attempt already made: find it by its deterministic key.
        const found = await dst.findOne(`${key.field} eq '${key.value.replace(/'/g, "''")}'`);
        if (found) {
          item.written = found;
          item.recovered = true;
        } else item.writeError = result.error;
      } else item.writeError = result.error;
    }
  }
  deps.faults?.afterDestinationWrite?.({ mapping: m.name, direction, jobId: work.jobId, pageNo: work.pageNo });

  // Commit: couplings, errors, audit trail, page result — all or nothing.
  const result: SyncPageResult = { counts, next: work.next, maxModifiedAt: work.maxModifiedAt };
  await deps.knex.transaction(async (trx) => {
    const succeeded: string[] = [];
    const touched: number[] = [];
    const audit: FieldChange[] = [];
    for (const item of items) {
      const outcome = await commitItem(trx, work, item, now, audit, errors);
      if (outcome.counter) counts[outcome.counter] += 1;
      if (outcome.uncoupled) counts.uncoupled += 1;
      if (outcome.coupled) counts.coupled += 1;
      if (outcome.succeeded) succeeded.push(item.sourceId);
      if (outcome.touch && item.row) touched.push(item.row.id);
    }
    // Ids asked for (retry/records) that the source no longer has.
    if (work.requestedIds) {
      const seen = new Set(work.records.map((r) => lower(r[src.key])));
      const gone = work.requestedIds.filter((id) => !seen.has(lower(id)));
      const goneRows = srcSide === 'bc' ? await findByBcIds(trx, m.name, gone) : await findByDvIds(trx, m.name, gone);
      for (const id of gone) {
        const row = goneRows.get(lower(id));
        const destId = row ? (dstSide === 'bc' ? row.bcId : row.dvId) : null;
        if (row && !destId) {
          // A create that never succeeded, for a record that is gone: nothing left to synchronize.
          await deleteCouplings(trx, [row.id]);
          counts.deleted += 1;
          counts.uncoupled += 1;
        } else {
          counts.failed += 1;
          errors.push({
            jobId: work.jobId,
            mapping: m.name,
            direction,
            sourceId: lower(id),
            destinationId: destId,
            message: `The ${srcSide === 'bc' ? `Business Central ${m.bc.caption.toLowerCase()}` : `Dataverse ${m.dataverse.caption}`} ${id} no longer exists; remove its coupling with 'bcsync uncouple ${m.name}' if it was deleted on purpose`,
            detail: null,
            createdAt: now,
          });
          if (row)
            await recordFailure(trx, row.id, direction, {
              jobId: work.jobId,
              message: 'source record not found',
              skip: false,
              now,
            });
        }
      }
    }
    await touchJob(trx, touched, direction, work.jobId, now);
    await recordErrors(trx, errors);
    await recordFieldChanges(trx, audit);
    if (succeeded.length) {
      await resolveErrors(trx, { mapping: m.name, direction, sourceIds: succeeded, resolvedByJobId: work.jobId });
      await clearIntents(trx, m.name, direction, succeeded);
    }
    await savePageResult(trx, work.jobId, work.pageNo, result, now);
  });
  return result;
}

function plan(d: RecordDecision) {
  return 'write' in d ? d.write : undefined;
}

interface CommitOutcome {
  counter: keyof PassCounts | null;
  uncoupled?: boolean;
  coupled?: boolean;
  succeeded?: boolean;
  /** Mark the coupling as handled by this job without changing its result. */
  touch?: boolean;
}

async function commitItem(
  trx: Db,
  work: PageWork,
  item: Item,
  now: Date,
  audit: FieldChange[],
  errors: NewSyncError[],
): Promise<CommitOutcome> {
  const m = work.mapping;
  const direction = work.direction;
  const srcSide = sourceSideOf(direction);
  const dstSide = destinationSideOf(direction);
  const d = item.decision;
  const srcModified = text(item.source[srcSide === 'bc' ? m.bc.modifiedField : m.dataverse.modifiedField]);
  const srcIdField = srcSide === 'bc' ? 'bcId' : 'dvId';
  const srcModifiedField = srcSide === 'bc' ? 'bcModifiedAt' : 'dvModifiedAt';
  const dstModifiedField = dstSide === 'bc' ? 'bcModifiedAt' : 'dvModifiedAt';
  const dstKey = dstSide === 'bc' ? m.bc.key : m.dataverse.key;
  const destinationIdOf = () => (item.row ? (dstSide === 'bc' ? item.row.bcId : item.row.dvId) : null);

  const fail = async (message: string, detail: string | null, engineSkip: boolean): Promise<CommitOutcome> => {
    let row = item.row;
    // A create that keeps failing has only a pending coupling (one id), which the engine treats as uncoupled: apply
    // the same "two identical failures ⇒ skipped" rule to it here.
    const skip = engineSkip || (row !== undefined && failureOutcome(pendingState(row), direction, message).skip);
    if (!row) {
      row = await insertCoupling(trx, {
        mapping: m.name,
        [srcIdField]: item.sourceId,
        bcId: srcSide === 'bc' ? item.sourceId : null,
        dvId: srcSide === 'dataverse' ? item.sourceId : null,
        now,
      });
    }
    await recordFailure(trx, row.id, direction, { jobId: work.jobId, message, skip, now });
    errors.push({
      jobId: work.jobId,
      mapping: m.name,
      direction,
      sourceId: item.sourceId,
      destinationId: destinationIdOf(),
      message: skip
        ? `${message} (failed twice with the same error: the record is now skipped; 'bcsync skipped' lists it)`
        : message,
      detail,
      createdAt: now,
    });
    return { counter: 'failed' };
  };

  if (item.writeError) {
    const e = item.writeError;
    const message = describeWriteFailure(
      m,
      direction,
      item.source,
      e.message,
      plan(d)?.operation === 'create' ? 'created' : 'updated',
    );
    const failure = failureOutcome(couplingState(item.row), direction, message);
    return fail(failure.message, `HTTP ${e.status ?? '-'} ${e.code ?? ''}`.trim(), failure.skip);
  }

  switch (d.kind) {
    case 'ignore':
      // Out of scope now (e.g. a filter or a lookup target changed): it leaves the retry set, its errors are resolved.
      if (item.row && (direction === 'to-dataverse' ? item.row.toDataverse : item.row.toBc).result === 'failure') {
        await clearFailure(trx, item.row.id, direction, work.jobId, now);
        return { counter: null, succeeded: true };
      }
      return { counter: null };
    case 'skip':
      return { counter: 'skipped', touch: true };
    case 'fail':
      return fail(d.failure.message, null, d.failure.skip);
    case 'deletion-conflict':
      if (d.resolution === 'fail') return fail(d.failure.message, null, d.failure.skip);
      if (d.resolution === 'uncouple') {
        // Uncouple in place (not a delete), so a later page of this pass does not see the record as new.
        if (item.row) await clearDestination(trx, item.row.id, direction, work.jobId, now);
        return { counter: 'deleted', uncoupled: true };
      }
      break;
    case 'conflict':
      pushConflictAudit(audit, work, item, now);
      if (d.resolution === 'fail') {
        const detail = d.conflict.fields
          .map(
            (f) =>
              `${f.bcField ?? '-'}=${text(f.bcValue) ?? '∅'} (BC) vs ${f.dvField ?? '-'}=${text(f.dvValue) ?? '∅'} (Dataverse)`,
          )
          .join('; ');
        return fail(d.failure.message, detail, d.failure.skip);
      }
      if (d.resolution === 'skip') return { counter: 'skipped', touch: true };
      break;
    default:
      break;
  }

  // Success paths: insert, update, unchanged, conflict overwrite, deletion-conflict restore.
  const p = plan(d);
  const written = item.written ?? null;
  const destId =
    p?.operation === 'create' ? (p.destinationId ?? (written ? lower(written[dstKey]) : null)) : destinationIdOf();
  if (p?.operation === 'create' && !destId) {
    return fail(
      `the ${dstSide === 'bc' ? 'Business Central' : 'Dataverse'} API did not return the id of the created record`,
      null,
      false,
    );
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
  const update = {
    jobId: work.jobId,
    [srcModifiedField]: srcModified ? new Date(srcModified) : undefined,
    ...(written && text(written[dstSide === 'bc' ? m.bc.modifiedField : m.dataverse.modifiedField])
      ? {
          [dstModifiedField]: new Date(
            text(written[dstSide === 'bc' ? m.bc.modifiedField : m.dataverse.modifiedField])!,
          ),
        }
      : {}),
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
        `the ${dstSide === 'bc' ? 'Business Central' : 'Dataverse'} record ${destId} is already coupled to another record in ${m.name}; check both with 'bcsync jobs' and remove the wrong coupling with 'bcsync uncouple ${m.name}'`,
        null,
        false,
      );
    }
    row = inserted;
    coupled = p?.operation === 'create' || item.matchedId !== undefined;
  } else if (p?.operation === 'create') {
    coupled = true;
  }
  await recordSuccess(trx, row.id, direction, {
    ...update,
    ...(p?.operation === 'create' ? (dstSide === 'bc' ? { bcId: destId! } : { dvId: destId! }) : {}),
  });
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

/** The values of the match fields, trimmed and lower-cased; null when one of them is empty. */
function matchKey(record: ApiRecord, fields: readonly string[]): string | null {
  const parts = fields.map((f) =>
    record[f] == null
      ? ''
      : String(record[f] as string)
          .trim()
          .toLowerCase(),
  );
  return parts.some((p) => p === '') ? null : parts.join('\u0000');
}

/**
 * Match before create (`mapping.matchOn`): for each record about to be created, look for uncoupled destination
 * records (within the destination filter) with equal match values. Exactly one ⇒ couple to it and decide again as
 * an update of that record; several ⇒ fail the record (creating would add a third look-alike); none ⇒ create.
 */
async function matchBeforeCreate(
  deps: SyncDeps,
  work: PageWork,
  items: Item[],
  lookups: ReturnType<typeof lookupResolverFromMap>,
): Promise<void> {
  const m = work.mapping;
  const direction = work.direction;
  const dstSide = destinationSideOf(direction);
  const srcFields = m.matchOn.map((x) => (dstSide === 'bc' ? x.dvField : x.bcField));
  const dstFields = m.matchOn.map((x) => (dstSide === 'bc' ? x.bcField : x.dvField));
  const creating = items.filter((i) => i.decision.kind === 'insert' && matchKey(i.source, srcFields) !== null);
  if (!creating.length) return;
  const dst = sideApi(deps.connectors, m, dstSide);
  const dstFilter = dstSide === 'bc' ? m.bc.filter : m.dataverse.filter;
  const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
  const firstValues = [...new Set(creating.map((i) => String(i.source[srcFields[0]] as string).trim()))];
  const candidates: ApiRecord[] = [];
  for (let n = 0; n < firstValues.length; n += 20) {
    const or = firstValues
      .slice(n, n + 20)
      .map((v) => `${dstFields[0]} eq ${quote(v)}`)
      .join(' or ');
    candidates.push(...(await dst.list(dstFilter ? `(${dstFilter}) and (${or})` : or)));
  }
  const candidateIds = candidates.map((c) => lower(c[dst.key]));
  const coupledAlready =
    dstSide === 'bc'
      ? await findByBcIds(deps.knex, m.name, candidateIds)
      : await findByDvIds(deps.knex, m.name, candidateIds);
  const byKey = new Map<string, ApiRecord[]>();
  for (const c of candidates) {
    const key = matchKey(c, dstFields);
    if (key === null || coupledAlready.get(lower(c[dst.key]))?.[dstSide === 'bc' ? 'dvId' : 'bcId']) continue;
    byKey.set(key, [...(byKey.get(key) ?? []), c]);
  }
  const sourcesPerKey = new Map<string, number>();
  for (const item of creating) {
    const key = matchKey(item.source, srcFields)!;
    sourcesPerKey.set(key, (sourcesPerKey.get(key) ?? 0) + 1);
  }
  for (const item of creating) {
    const key = matchKey(item.source, srcFields)!;
    const found = byKey.get(key) ?? [];
    if (found.length === 0) continue;
    const who = describeRecord(m, sourceSideOf(direction), item.source);
    const refuse = (message: string): void => {
      item.decision = {
        kind: 'fail',
        counter: 'failed',
        couplingResult: 'failure',
        failure: failureOutcome(
          null,
          direction,
          `${message}; couple one of them by hand or make the values unique, so no duplicate is created`,
        ),
      };
    };
    const destCaption =
      dstSide === 'bc' ? `Business Central ${m.bc.caption.toLowerCase()}` : `Dataverse ${m.dataverse.caption}`;
    if (sourcesPerKey.get(key)! > 1) {
      // Several source records look like the same destination record: coupling any one would be a guess.
      refuse(
        `${who} and ${sourcesPerKey.get(key)! - 1} other record(s) match the same ${destCaption} on ${dstFields.join(', ')}`,
      );
      continue;
    }
    if (found.length > 1) {
      refuse(`${who} matches ${found.length} uncoupled ${destCaption}s on ${dstFields.join(', ')}`);
      continue;
    }
    const target = found[0];
    const targetId = lower(target[dst.key]);
    const bcId = dstSide === 'bc' ? targetId : item.sourceId;
    const dvId = dstSide === 'bc' ? item.sourceId : targetId;
    const fresh: CouplingState = {
      bcId,
      dvId,
      skipped: false,
      bcHash: null,
      dvHash: null,
      toDataverse: { lastResult: null, lastError: null },
      toBc: { lastResult: null, lastError: null },
    };
    item.decision = decide({
      mapping: m,
      direction,
      source: item.source,
      coupling: fresh,
      destination: target,
      lookups,
    });
    item.destination = target;
    item.matchedId = targetId;
  }
}

/** Both sides' values of a conflict go to the audit trail: the losing ones are never lost silently. */
function pushConflictAudit(audit: FieldChange[], work: PageWork, item: Item, now: Date): void {
  const d = item.decision;
  if (d.kind !== 'conflict') return;
  const loser = d.conflict.winner === null ? null : d.conflict.winner === 'bc' ? 'dataverse' : 'bc';
  for (const f of d.conflict.fields) {
    audit.push({
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
