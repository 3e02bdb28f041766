/**
 * The vocabulary of a full synchronization (bc-sync-semantics §6, `bcsync full-sync`): the `fullSync` parent workflow
 * runs one `matchMapping` child per mapping, layer by layer in dependency order.
 *
 * Terminology:
 * - **layer**: mappings that depend only on mappings of earlier layers; a layer's children run in parallel.
 * - **state** of a mapping: `waiting` (an earlier layer is running), `running`, `done` (its child completed),
 *   `failed` (its child failed, or its synchronization's outcome was `failed`), `not-run` (not runnable, or a
 *   mapping it depends on failed or was not run; `reason` says which).
 */
import type { MatchCounts, MatchMappingResult } from './run-types';

export interface FullSyncInput {
  /** The mappings to synchronize; those that are not runnable table mappings are reported as not run. */
  mappings: string[];
  /** Match and report only: nothing is coupled, created or logged. (Default: false) */
  dryRun?: boolean;
}

/** What `planFullSync` decides from the worker's mappings. */
export interface FullSyncPlan {
  layers: string[][];
  /** Per planned mapping, the planned mappings it waits for (active dependencies within the selection). */
  dependsOn: Record<string, string[]>;
  /** Selected mappings that will not run, and why (a statistics job, an incomplete field list, unknown). */
  notRun: { mapping: string; reason: string }[];
  /** Dependencies outside the selection: the dependent runs anyway, but its lookups may fail. */
  warnings: string[];
}

export type FullSyncMappingState = 'waiting' | 'running' | 'done' | 'failed' | 'not-run';

/** The counts of one mapping of a full synchronization, from its child's result. */
export interface FullSyncCounts extends MatchCounts {
  /** Created per direction by the full synchronization run. */
  insertedToDataverse: number;
  insertedToBc: number;
  failed: number;
  skipped: number;
}

export interface FullSyncMappingStatus {
  mapping: string;
  /** Index of the mapping's layer (-1 for a mapping that was never planned). */
  layer: number;
  state: FullSyncMappingState;
  /** The child workflow's id (absent until started, and for mappings not run). */
  workflowId: string | null;
  /** Why it failed or did not run. */
  reason: string | null;
  counts: FullSyncCounts | null;
}

/** The `fullSyncProgress` query's answer. */
export interface FullSyncProgress {
  dryRun: boolean;
  phase: 'planning' | 'running' | 'done';
  layers: string[][];
  mappings: FullSyncMappingStatus[];
  warnings: string[];
}

export interface FullSyncMappingResult extends FullSyncMappingStatus {
  /** The child's result when it completed. */
  result: MatchMappingResult | null;
}

export interface FullSyncResult {
  dryRun: boolean;
  /** `failed` when a mapping failed; `completed_with_errors` when records failed; else `succeeded`. */
  outcome: 'succeeded' | 'completed_with_errors' | 'failed';
  layers: string[][];
  warnings: string[];
  mappings: FullSyncMappingResult[];
}

/** The counts of a child's result (zero where the child did not synchronize). */
export function fullSyncCountsOf(r: MatchMappingResult): FullSyncCounts {
  const passes = r.sync?.passes ?? [];
  const sum = (k: 'failed' | 'skipped') => passes.reduce((n, p) => n + p.counts[k], 0);
  const inserted = (d: string) => passes.filter((p) => p.direction === d).reduce((n, p) => n + p.counts.inserted, 0);
  return {
    ...r.counts,
    insertedToDataverse: inserted('to-dataverse'),
    insertedToBc: inserted('to-bc'),
    failed: sum('failed'),
    skipped: sum('skipped'),
  };
}
