/**
 * Queries on `sync_leases`: the lease that lets one run at a time work on a mapping (DESIGN §5).
 *
 * Terminology:
 * - owner: the workflow id of the run holding the lease. A workflow id has at most one running execution, and it
 *   survives continue-as-new and activity retries on another worker, so it names "this run" where a run id would not.
 * - live: a lease whose `expires_at` is in the future. An expired lease is free: its run died, or stopped renewing.
 */
import { type Db, toDate } from './values';

export interface SyncLease {
  mapping: string;
  ownerWorkflowId: string;
  ownerRunId: string;
  acquiredAt: Date;
  expiresAt: Date;
}

export interface LeaseClaim {
  mapping: string;
  /** The claiming run's workflow id (the owner). */
  workflowId: string;
  /** The claiming run's run id (recorded for operators; ownership is by workflow id). */
  runId: string;
  now: Date;
  /** How long the lease lasts from `now` unless renewed. */
  ttlMs: number;
}

/** The outcome of a claim: held by the claimant, or refused because another run holds a live lease. */
export type LeaseOutcome = { acquired: true } | { acquired: false; holder: SyncLease };

function fromRow(r: Record<string, unknown>): SyncLease {
  return {
    mapping: r.mapping as string,
    ownerWorkflowId: r.owner_workflow_id as string,
    ownerRunId: r.owner_run_id as string,
    acquiredAt: toDate(r.acquired_at)!,
    expiresAt: toDate(r.expires_at)!,
  };
}

export async function getLease(db: Db, mapping: string): Promise<SyncLease | null> {
  const row = await db('sync_leases').where({ mapping }).first();
  return row ? fromRow(row) : null;
}

/**
 * Acquires or renews the lease of `claim.mapping`: it is taken when nobody holds it, when it has expired, or when the
 * claimant already owns it (a renewal, a retried activity, the run's next pass). Atomic on both dialects: a
 * conditional update, then an insert that the primary key makes lose against a concurrent one; the stored row decides.
 */
export async function claimLease(db: Db, claim: LeaseClaim): Promise<LeaseOutcome> {
  const expiresAt = new Date(claim.now.getTime() + claim.ttlMs);
  const owned = { owner_workflow_id: claim.workflowId, owner_run_id: claim.runId, expires_at: expiresAt };
  for (;;) {
    await db('sync_leases')
      .where({ mapping: claim.mapping })
      .andWhere((q) => q.where({ owner_workflow_id: claim.workflowId }).orWhere('expires_at', '<=', claim.now))
      .update({
        // A takeover starts a new tenure; a renewal keeps the time the owner first acquired it. First in the SET list:
        // MySQL evaluates assignments left to right, so the CASE must see the old owner.
        acquired_at: db.raw('CASE WHEN owner_workflow_id = ? THEN acquired_at ELSE ? END', [
          claim.workflowId,
          claim.now,
        ]),
        ...owned,
      });
    await db('sync_leases')
      .insert({ mapping: claim.mapping, ...owned, acquired_at: claim.now })
      .onConflict('mapping')
      .ignore();
    const lease = await getLease(db, claim.mapping);
    // No row: the holder released it between the insert and the read; claim the free mapping again.
    if (!lease) continue;
    return lease.ownerWorkflowId === claim.workflowId ? { acquired: true } : { acquired: false, holder: lease };
  }
}

/**
 * Hands the lease of a run that is known to have ended (its workflow is no longer running) to the claimant, whatever
 * its expiry. Only that holder's lease is taken: a lease renewed or taken by someone else meanwhile stays theirs.
 * Returns whether the claimant holds the lease now.
 */
export async function takeOverLease(db: Db, claim: LeaseClaim, endedWorkflowId: string): Promise<boolean> {
  await db('sync_leases')
    .where({ mapping: claim.mapping, owner_workflow_id: endedWorkflowId })
    .update({
      owner_workflow_id: claim.workflowId,
      owner_run_id: claim.runId,
      acquired_at: claim.now,
      expires_at: new Date(claim.now.getTime() + claim.ttlMs),
    });
  return (await getLease(db, claim.mapping))?.ownerWorkflowId === claim.workflowId;
}

/** Releases the lease of `mapping` if `workflowId` still holds it (a lease taken over meanwhile is left alone). */
export async function releaseLease(db: Db, mapping: string, workflowId: string): Promise<void> {
  await db('sync_leases').where({ mapping, owner_workflow_id: workflowId }).del();
}
