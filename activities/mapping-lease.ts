/**
 * One run per mapping at a time (DESIGN §5): the passes of a `syncMapping` run and the writing steps of a match run
 * hold the mapping's lease (store/sync-leases.ts). Two runs of one mapping at once — a schedule tick racing a manual
 * run, a full synchronization's child racing a schedule — would otherwise create or couple the same records twice.
 *
 * The run that finds the lease held fails its activity with a retryable `MappingBusy` failure naming the holder, so
 * the activity's retry policy makes it wait (workflows/profiles.ts `leaseWaitActivity`) until the holder releases the
 * lease, its lease lapses, or Temporal says the holder's workflow has ended. On-demand syncs of another mapping's
 * records inside a page (activities/page/on-demand.ts) take no lease: the page that runs them holds its own mapping's
 * lease, and waiting there for a second mapping could deadlock two runs that each wait for the other's mapping. A
 * mapping whose entity rules write another mapping's couplings holds that lease too, taken with its own, all or none.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Db } from '../store/values';
import {
  claimLease,
  getLease,
  type LeaseClaim,
  releaseLease,
  type SyncLease,
  takeOverLease,
} from '../store/sync-leases';
import { entityRulesFor } from './entity-rules';

/**
 * How long a lease lasts unless renewed: 15 minutes, longer than a page activity may run (10 minutes), so a live run
 * that renews at every part never loses it, and a run that died blocks the mapping for at most that long.
 */
export const LEASE_TTL_MS = 15 * 60_000;

/** The `ApplicationFailure` type of a refused lease: retryable, the retry policy is the wait. */
export const MAPPING_BUSY = 'MappingBusy';

export interface LeaseOwner {
  mapping: string;
  workflowId: string;
  runId: string;
}

/**
 * The mappings whose leases a run of `mapping` holds: its own, then those whose couplings its entity rules write
 * (CONTACT's primary-contact fix-ups write CUSTOMER pairs, so a CUSTOMER run never decides a pair while a CONTACT run
 * changes it).
 */
export function leaseScopeOf(mapping: string): string[] {
  return [mapping, ...(entityRulesFor(mapping)?.writesCouplingsOf ?? []).filter((m) => m !== mapping)];
}

/**
 * Acquires or renews the leases of `owner.mapping`'s scope (leaseScopeOf) for the owner's workflow, all or none: a
 * refused lease gives back the ones this call took, so two runs that each need the other's mapping never hold one
 * each and wait. Takes over a lease whose holder's workflow is no longer running (when the activity can ask
 * Temporal). Throws a retryable `MappingBusy` failure that names the holder while another live run holds one.
 */
export async function holdMappingLease(db: Db, owner: LeaseOwner, now: Date, ttlMs = LEASE_TTL_MS): Promise<void> {
  const taken: string[] = [];
  const scope = leaseScopeOf(owner.mapping);
  for (const [i, mapping] of scope.entries()) {
    const claim: LeaseClaim = { ...owner, mapping, now, ttlMs };
    // Only a lease a later refusal would give back needs to know whether this call took it (most scopes are one
    // mapping, and every page renews the lease: no read for them).
    const heldBefore = i < scope.length - 1 && (await getLease(db, mapping))?.ownerWorkflowId === owner.workflowId;
    const outcome = await claimLease(db, claim);
    if (!outcome.acquired) {
      if ((await holderEnded(outcome.holder)) && (await takeOverLease(db, claim, outcome.holder.ownerWorkflowId))) {
        taken.push(mapping);
        continue;
      }
      for (const m of taken) await releaseLease(db, m, owner.workflowId);
      throw mappingBusy(owner.mapping, mapping, outcome.holder);
    }
    if (!heldBefore) taken.push(mapping);
  }
}

/** Releases the leases of `mapping`'s scope that `workflowId` still holds. */
export async function releaseMappingLease(db: Db, mapping: string, workflowId: string): Promise<void> {
  for (const m of leaseScopeOf(mapping)) await releaseLease(db, m, workflowId);
}

/** `leased` is the mapping of `mapping`'s scope that another run holds (`mapping` itself, or one its rules write). */
export function mappingBusy(mapping: string, leased: string, holder: SyncLease): ApplicationFailure {
  const why = leased === mapping ? '' : ` (this ${mapping} run writes ${leased} couplings)`;
  return ApplicationFailure.create({
    message:
      `${leased} is being synchronized by workflow ${holder.ownerWorkflowId} (run ${holder.ownerRunId}); ` +
      `this run waits until that one finishes${why} (its lease lapses at ${holder.expiresAt.toISOString()} unless renewed)`,
    type: MAPPING_BUSY,
    nonRetryable: false,
    details: [{ mapping, leased, holderWorkflowId: holder.ownerWorkflowId, holderRunId: holder.ownerRunId }],
  });
}

/**
 * Whether Temporal says the holder's workflow has ended (terminated, failed, timed out, or unknown after retention).
 * A killed worker does not end a workflow: its retried activities are the same owner. Outside a worker (no client) or
 * on any hiccup the answer is "not known to have ended", and the lease's expiry decides.
 */
async function holderEnded(holder: SyncLease): Promise<boolean> {
  let client: ReturnType<typeof Context.current>['client'];
  try {
    client = Context.current().client;
  } catch {
    return false;
  }
  try {
    const latest = await client.workflow.getHandle(holder.ownerWorkflowId).describe();
    return latest.status.name !== 'RUNNING';
  } catch (err) {
    return err instanceof WorkflowNotFoundError;
  }
}
