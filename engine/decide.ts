import type { IntegrationTableMapping } from '../mappings/mapping-model';
import { type PassDirection, destinationSideOf, sourceSideOf, type Side } from './run-types';
import { bcCreateKeyFor, dataverseIdFor, isGuid } from './deterministic-ids';
import { readPath, readProperty } from './field-access';
import { type FieldChange, transferFields } from './field-transfer';
import { type FailureOutcome, directionState, failureOutcome } from './failure-state';
import type { LookupResolver } from './lookups';
import { describeRecord } from './messages';
import { normalizeValue, type NormalizedValue } from './normalize-value';
import { hashAfterWrite, hashRecord } from './record-hash';
import type { CouplingState, DataRecord } from './record-types';
import { validateWrite } from './write-validation';

export interface DecideInput {
  readonly mapping: IntegrationTableMapping;
  readonly direction: PassDirection;
  /** The source record as read from the source API (BC record for `to-dataverse`, DV row for `to-bc`). */
  readonly source: DataRecord;
  /** The coupling of the source record in this mapping, or null when it is not coupled. */
  readonly coupling: CouplingState | null;
  /** For a coupled record: the destination's current record, or null when it no longer exists (deleted).
   *  Not used for uncoupled records (pass null). */
  readonly destination: DataRecord | null;
  /** Resolves the record's lookups (see `lookupRequests`). */
  readonly lookups: LookupResolver;
  /** A manual synchronization in this direction (`bcsync sync-record`): the source counts as changed even when its
   *  hash matches, and its values win an update conflict — choosing the direction is the user's resolution. Do not
   *  set it for scheduled or full-sync passes. (Default: false) */
  readonly force?: boolean;
  /** For an uncoupled record: its create failed twice the same way and it is parked (skipped) until restored.
   *  (Default: false) */
  readonly parked?: boolean;
}

/** A write the activity layer performs. */
export interface WritePlan {
  readonly operation: 'create' | 'update';
  /**
   * Dataverse destination: the row id — the deterministic GUID for a create (`PATCH <set>(<id>)` with
   * `If-None-Match: *`), the coupled id for an update. BC destination: the coupled id for an update; null for a
   * create (BC assigns the SystemId).
   */
  readonly destinationId: string | null;
  /** BC creates: the deterministic key (already in `payload`) to look up before retrying the create; else null. */
  readonly createKey: { readonly field: string; readonly value: string } | null;
  readonly payload: Readonly<Record<string, unknown>>;
  /** Field-level changes for the audit trail. */
  readonly changes: readonly FieldChange[];
}

/**
 * Hashes to store on the coupling after the write succeeded (absent key = keep the stored value). The destination
 * hash is predicted from the payload; replace it by `hashRecord` of the record the API returns when there is one.
 * `null` marks that side "changed" so the opposite pass propagates its merged state (after a both-sides change).
 */
export interface HashUpdate {
  readonly bcHash?: string | null;
  readonly dvHash?: string | null;
}

/** Both sides' values of the bidirectional fields that conflict (always written to the audit trail). */
export interface ConflictDetail {
  readonly fields: ReadonlyArray<{
    readonly bcField: string | null;
    readonly dvField: string | null;
    readonly bcValue: NormalizedValue;
    readonly dvValue: NormalizedValue;
  }>;
  /** The side whose values are kept; null when the conflict fails the record. */
  readonly winner: Side | null;
}

/**
 * The outcome for one record in one pass. `counter` is the job counter to increment (null = not counted: ignored
 * records). `couplingResult` is what to store as the coupling's last result in this direction (null = leave it).
 */
export type RecordDecision =
  | {
      readonly kind: 'insert';
      readonly counter: 'inserted';
      readonly couplingResult: 'success';
      readonly write: WritePlan;
      readonly hashes: HashUpdate;
    }
  | {
      readonly kind: 'update';
      readonly counter: 'modified';
      readonly couplingResult: 'success';
      readonly write: WritePlan;
      readonly hashes: HashUpdate;
      /** Both sides had changed, but no bidirectional field conflicted. */
      readonly bothChanged: boolean;
    }
  | {
      readonly kind: 'unchanged';
      readonly counter: 'unchanged';
      readonly couplingResult: 'success';
      readonly hashes: HashUpdate;
    }
  | {
      readonly kind: 'conflict';
      readonly resolution: 'fail';
      readonly counter: 'failed';
      readonly couplingResult: 'failure';
      readonly failure: FailureOutcome;
      readonly conflict: ConflictDetail;
    }
  | {
      readonly kind: 'conflict';
      readonly resolution: 'overwrite';
      readonly counter: 'modified';
      readonly couplingResult: 'success';
      readonly write: WritePlan;
      readonly hashes: HashUpdate;
      readonly conflict: ConflictDetail;
    }
  | {
      readonly kind: 'conflict';
      readonly resolution: 'skip';
      readonly counter: 'skipped';
      readonly couplingResult: null;
      readonly reason: string;
      readonly conflict: ConflictDetail;
    }
  | {
      readonly kind: 'deletion-conflict';
      readonly resolution: 'fail';
      readonly counter: 'failed';
      readonly couplingResult: 'failure';
      readonly failure: FailureOutcome;
    }
  | {
      readonly kind: 'deletion-conflict';
      readonly resolution: 'restore';
      readonly counter: 'inserted';
      readonly couplingResult: 'success';
      /** Replace the coupling's destination id by the re-created record's id. */
      readonly write: WritePlan;
      readonly hashes: HashUpdate;
    }
  | {
      readonly kind: 'deletion-conflict';
      readonly resolution: 'uncouple';
      /** The pair no longer exists: counted as deleted (and as uncoupled in the job's uncoupled counter). */
      readonly counter: 'deleted';
      readonly couplingResult: null;
      readonly reason: string;
    }
  | { readonly kind: 'skip'; readonly counter: 'skipped'; readonly couplingResult: null; readonly reason: string }
  | { readonly kind: 'ignore'; readonly counter: null; readonly couplingResult: null; readonly reason: string }
  | {
      readonly kind: 'fail';
      readonly counter: 'failed';
      readonly couplingResult: 'failure';
      readonly failure: FailureOutcome;
    };

const sideName = (side: Side): string => (side === 'bc' ? 'Business Central' : 'Dataverse');

/**
 * Decides what to do with one source record in one pass (reference/bc-sync-semantics.md §4.5, with DESIGN §5's
 * hash-based change detection). In order:
 * 1. a skipped coupling ⇒ `skip`;
 * 2. uncoupled ⇒ `ignore` when the mapping synchronizes only coupled records, else `insert` (templates, constants,
 *    deterministic destination key) — or `fail`/`ignore` from lookups and validation;
 * 3. coupled but the destination is gone ⇒ `deletion-conflict` per `deletionConflictPolicy`;
 * 4. source hash equal to the stored one (and no failure to retry, no `force`) ⇒ `unchanged` — this is also the echo
 *    suppression: a value the sync wrote itself hashes to what it stored after the write. `unchangedSource` gives
 *    this decision without the destination: the page pipeline uses it to read no destination for such a record;
 * 5. transfer: nothing differs ⇒ `unchanged`; in a bidirectional mapping with the destination also changed since
 *    the last sync and a bidirectional field differing ⇒ `conflict` per `updateConflictPolicy` (`fail`; the
 *    winning side's pass overwrites, the losing side's pass skips); else ⇒ `update` (only changed fields).
 * Never throws for data problems; failures carry an actionable message and the "skip after two identical
 * failures" verdict.
 */
export function decide(input: DecideInput): RecordDecision {
  const { mapping, direction, source, coupling, lookups } = input;
  const sourceSide = sourceSideOf(direction);
  const destSide = destinationSideOf(direction);
  const who = describeRecord(mapping, sourceSide, source);
  const fail = (message: string): RecordDecision => ({
    kind: 'fail',
    counter: 'failed',
    couplingResult: 'failure',
    failure: failureOutcome(coupling, direction, message),
  });

  if (coupling?.skipped || (coupling === null && input.parked)) {
    return {
      kind: 'skip',
      counter: 'skipped',
      couplingResult: null,
      reason: `${who} is skipped after failing twice with the same error; restore it with 'bcsync restore' once the cause is fixed`,
    };
  }

  if (coupling === null) {
    if (mapping.onlyCoupled) {
      return {
        kind: 'ignore',
        counter: null,
        couplingResult: null,
        reason: `${who} is not coupled and mapping ${mapping.name} synchronizes only coupled records`,
      };
    }
    if (!mapping.createsIn.includes(destSide)) {
      return {
        kind: 'ignore',
        counter: null,
        couplingResult: null,
        reason: `${who} is not coupled and mapping ${mapping.name} creates no records in ${destSide === 'bc' ? 'Business Central' : 'Dataverse'}`,
      };
    }
    const plan = planCreate(input, who);
    if (plan.outcome !== 'ok') return plan.outcome === 'ignore' ? ignore(plan.reason) : fail(plan.message);
    return { kind: 'insert', counter: 'inserted', couplingResult: 'success', write: plan.write, hashes: plan.hashes };
  }

  const destination = input.destination;
  if (destination === null) {
    const destId = destSide === 'bc' ? coupling.bcId : coupling.dvId;
    const destCaption = destSide === 'bc' ? mapping.bc.caption.toLowerCase() : mapping.dataverse.caption;
    switch (mapping.deletionConflictPolicy) {
      case 'fail':
        return {
          kind: 'deletion-conflict',
          resolution: 'fail',
          counter: 'failed',
          couplingResult: 'failure',
          failure: failureOutcome(
            coupling,
            direction,
            `${who} is coupled to a ${sideName(destSide)} ${destCaption} that has been deleted (id ${destId}); re-create it with deletion-conflict policy 'restore', remove the coupling with 'bcsync uncouple ${mapping.name}', or couple it to another record`,
          ),
        };
      case 'uncouple':
        return {
          kind: 'deletion-conflict',
          resolution: 'uncouple',
          counter: 'deleted',
          couplingResult: null,
          reason: `${who} was coupled to a deleted ${sideName(destSide)} ${destCaption} (id ${destId}); the coupling was removed`,
        };
      case 'restore': {
        const plan = planCreate(input, who);
        if (plan.outcome !== 'ok') return plan.outcome === 'ignore' ? ignore(plan.reason) : fail(plan.message);
        return {
          kind: 'deletion-conflict',
          resolution: 'restore',
          counter: 'inserted',
          couplingResult: 'success',
          write: plan.write,
          hashes: plan.hashes,
        };
      }
    }
  }

  const sourceHash = hashRecord(mapping, sourceSide, source);
  if (sourceUnchanged({ ...input, coupling }, sourceHash)) return unchanged();

  const transfer = transferFields({ mapping, direction, source, destination, lookups });
  if (transfer.outcome === 'ignore') return ignore(transfer.reason);
  if (transfer.outcome === 'fail') return fail(transfer.message);

  const destHash = hashRecord(mapping, destSide, destination);
  const storedDestHash = destSide === 'bc' ? coupling.bcHash : coupling.dvHash;
  // A null stored destination hash means "unknown" (fresh coupling, or marked changed after a merge): not a conflict.
  const bothChanged = mapping.direction === 'bidirectional' && storedDestHash !== null && destHash !== storedDestHash;
  const conflicting = bothChanged && input.force !== true ? transfer.changes.filter((c) => c.bidirectional) : [];
  const sourceHashUpdate: HashUpdate = sourceSide === 'bc' ? { bcHash: sourceHash } : { dvHash: sourceHash };

  if (conflicting.length > 0) {
    const winner: Side | null =
      mapping.updateConflictPolicy === 'bc-wins'
        ? 'bc'
        : mapping.updateConflictPolicy === 'dataverse-wins'
          ? 'dataverse'
          : null;
    const conflict = conflictDetail(input, destination, conflicting, winner);
    const fields = conflicting.map((c) => c.field).join(', ');
    if (winner === null) {
      return {
        kind: 'conflict',
        resolution: 'fail',
        counter: 'failed',
        couplingResult: 'failure',
        conflict,
        failure: failureOutcome(
          coupling,
          direction,
          `${who} was changed in both Business Central and Dataverse since the last synchronization (${fields}); choose the winner with 'bcsync sync-record ${mapping.name}' or set the mapping's update-conflict policy to bc-wins or dataverse-wins`,
        ),
      };
    }
    if (winner !== sourceSide) {
      return {
        kind: 'conflict',
        resolution: 'skip',
        counter: 'skipped',
        couplingResult: null,
        conflict,
        reason: `${who} was changed on both sides (${fields}); ${sideName(winner)} wins, so this pass leaves it`,
      };
    }
    const problems = validateWrite({ mapping, direction, source, payload: transfer.payload, create: false });
    if (problems.length > 0) return fail(problems.join('; '));
    return {
      kind: 'conflict',
      resolution: 'overwrite',
      counter: 'modified',
      couplingResult: 'success',
      conflict,
      write: updatePlan(input, coupling, transfer.payload, transfer.changes),
      // The losing side stays "changed" so its one-way fields still flow in the opposite pass.
      hashes: { ...sourceHashUpdate, ...(destSide === 'bc' ? { bcHash: null } : { dvHash: null }) },
    };
  }

  if (transfer.changes.length === 0) {
    return { kind: 'unchanged', counter: 'unchanged', couplingResult: 'success', hashes: sourceHashUpdate };
  }
  const problems = validateWrite({ mapping, direction, source, payload: transfer.payload, create: false });
  if (problems.length > 0) return fail(problems.join('; '));
  const destAfter = bothChanged ? null : hashAfterWrite(mapping, destSide, destination, transfer.payload);
  return {
    kind: 'update',
    counter: 'modified',
    couplingResult: 'success',
    bothChanged,
    write: updatePlan(input, coupling, transfer.payload, transfer.changes),
    hashes: { ...sourceHashUpdate, ...(destSide === 'bc' ? { bcHash: destAfter } : { dvHash: destAfter }) },
  };
}

const unchanged = (): RecordDecision => ({
  kind: 'unchanged',
  counter: 'unchanged',
  couplingResult: 'success',
  hashes: {},
});

/** What `unchangedSource` needs: `decide`'s input without the destination and the lookups. */
export type UnchangedSourceInput = Pick<DecideInput, 'mapping' | 'direction' | 'source' | 'coupling' | 'force'>;

/**
 * The decision for a coupled source record that holds the values last synchronized — its hash equals the one stored
 * on the coupling, its last result in this direction is not a failure, it is not skipped and not forced — or null
 * when the record needs `decide`. Such a record is `unchanged` whatever its destination holds, so the page does not
 * read the destination for it: a record read back (at the watermark's instant, inside the safety overlap, or the
 * echo of the sync's own write) costs no request beyond the page that listed it. A destination deleted meanwhile is
 * noticed when the source next changes, which is when Business Central notices it too (bc-sync-semantics §4.7).
 */
export function unchangedSource(input: UnchangedSourceInput): RecordDecision | null {
  const { coupling } = input;
  if (coupling === null || coupling.skipped) return null;
  return sourceUnchanged({ ...input, coupling }, hashRecord(input.mapping, sourceSideOf(input.direction), input.source))
    ? unchanged()
    : null;
}

function sourceUnchanged(input: UnchangedSourceInput & { coupling: CouplingState }, sourceHash: string): boolean {
  const { coupling, direction } = input;
  const storedSourceHash = sourceSideOf(direction) === 'bc' ? coupling.bcHash : coupling.dvHash;
  const retry = directionState(coupling, direction).lastResult === 'failure';
  return input.force !== true && !retry && storedSourceHash !== null && sourceHash === storedSourceHash;
}

function ignore(reason: string): RecordDecision {
  return { kind: 'ignore', counter: null, couplingResult: null, reason };
}

type CreatePlan =
  | { outcome: 'ok'; write: WritePlan; hashes: HashUpdate }
  | { outcome: 'ignore'; reason: string }
  | { outcome: 'fail'; message: string };

function planCreate(input: DecideInput, who: string): CreatePlan {
  const { mapping, direction, source, lookups } = input;
  const sourceSide = sourceSideOf(direction);
  const destSide = destinationSideOf(direction);
  const transfer = transferFields({ mapping, direction, source, destination: null, lookups });
  if (transfer.outcome !== 'ok') return transfer;

  let destinationId: string | null = null;
  let createKey: WritePlan['createKey'] = null;
  const payload = { ...transfer.payload };
  if (destSide === 'dataverse') {
    const bcId = source[mapping.bc.key];
    if (!isGuid(bcId))
      return {
        outcome: 'fail',
        message: `${who} has no valid id (${mapping.bc.key}); it cannot be created in Dataverse`,
      };
    destinationId = dataverseIdFor(mapping.name, bcId);
  } else {
    const dvId = source[mapping.dataverse.key];
    if (!isGuid(dvId)) {
      return {
        outcome: 'fail',
        message: `${who} has no valid id (${mapping.dataverse.key}); it cannot be created in Business Central`,
      };
    }
    createKey = bcCreateKeyFor(mapping, dvId);
    // The deterministic key wins over a mapped value: it is what a retry looks up.
    if (createKey) payload[createKey.field] = createKey.value;
  }
  const problems = validateWrite({ mapping, direction, source, payload, create: true });
  if (problems.length > 0) return { outcome: 'fail', message: problems.join('; ') };
  const sourceHash = hashRecord(mapping, sourceSide, source);
  const destHash = hashAfterWrite(mapping, destSide, null, payload);
  return {
    outcome: 'ok',
    write: { operation: 'create', destinationId, createKey, payload, changes: transfer.changes },
    hashes: sourceSide === 'bc' ? { bcHash: sourceHash, dvHash: destHash } : { dvHash: sourceHash, bcHash: destHash },
  };
}

function updatePlan(
  input: DecideInput,
  coupling: CouplingState,
  payload: Record<string, unknown>,
  changes: readonly FieldChange[],
): WritePlan {
  const destSide = destinationSideOf(input.direction);
  return {
    operation: 'update',
    destinationId: destSide === 'bc' ? coupling.bcId : coupling.dvId,
    createKey: null,
    payload,
    changes,
  };
}

function conflictDetail(
  input: DecideInput,
  destination: DataRecord,
  conflicting: readonly FieldChange[],
  winner: Side | null,
): ConflictDetail {
  const { mapping, direction, source } = input;
  const bcRecord = direction === 'to-dataverse' ? source : destination;
  const dvRecord = direction === 'to-dataverse' ? destination : source;
  return {
    winner,
    fields: conflicting.map((c) => {
      const field = mapping.fieldMappings[c.fieldIndex!];
      const bcRead = readProperty(field, 'bc');
      const dvRead = readProperty(field, 'dataverse');
      return {
        bcField: field.bcField ?? null,
        dvField: field.dvField ?? null,
        bcValue: bcRead ? normalizeValue(readPath(bcRecord, bcRead.property), bcRead.type) : null,
        dvValue: dvRead ? normalizeValue(readPath(dvRecord, dvRead.property), dvRead.type) : null,
      };
    }),
  };
}
