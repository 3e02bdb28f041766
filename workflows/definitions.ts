/**
 * Names shared by workflows, the worker and the CLI: search attributes (DESIGN §5) and queries. The run's inputs and
 * results are in engine/run-types.ts (and engine/full-sync-types.ts), which every layer imports directly. Imports only
 * `@temporalio/workflow` and types so it is safe inside the workflow sandbox.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';
import type { FullSyncProgress } from '../engine/full-sync-types';
import type { MatchCounts, RunOutcome, SyncMappingResult, SyncProgress } from '../engine/run-types';

/** The mapping a run synchronizes (Keyword). */
export const BcSyncMapping = defineSearchAttributeKey('BcSyncMapping', 'KEYWORD');
/**
 * `succeeded` | `completed_with_errors` | `failed` (Keyword), set when a run ends; `skipped` for a scheduled run that
 * waited on a dependency (see `SyncMappingResult.skippedReason`).
 */
export const BcSyncOutcome = defineSearchAttributeKey('BcSyncOutcome', 'KEYWORD');
/** How many records failed in the run (Int). */
export const BcSyncFailed = defineSearchAttributeKey('BcSyncFailed', 'INT');
/** How many records the run inserted, modified or deleted (Int). */
export const BcSyncChanged = defineSearchAttributeKey('BcSyncChanged', 'INT');

/** Every custom search attribute the product needs registered on the namespace. */
export const searchAttributeKeys = [BcSyncMapping, BcSyncOutcome, BcSyncFailed, BcSyncChanged] as const;

/** Input of the `smokeRun` workflow: the first durable path end to end (a job row written and closed). */
export interface SmokeRunInput {
  mapping: string;
}

export interface SmokeRunResult {
  jobId: number;
  outcome: RunOutcome;
}

export interface SmokeProgress {
  phase: 'starting' | 'writing' | 'done';
  jobId: number | null;
}

export const smokeProgressQuery = defineQuery<SmokeProgress>('progress');

/** Where a `syncMapping` run stands (its passes, the current page). */
export const syncProgressQuery = defineQuery<SyncProgress>('progress');

/** The `BcSyncMapping` value of a full synchronization's parent run. */
export const FULL_SYNC_MAPPING = 'FULL-SYNC';

/** Where a full synchronization stands: per mapping its state and, when done, its child's counts. */
export const fullSyncProgressQuery = defineQuery<FullSyncProgress>('fullSyncProgress');
/** Where a `matchMapping` run stands. */
export interface MatchProgress {
  mapping: string;
  phase: 'matching' | 'creating' | 'done';
  pages: number;
  counts: MatchCounts;
  /** The create run's result, once it finished. */
  sync: SyncMappingResult | null;
}

export const matchProgressQuery = defineQuery<MatchProgress>('progress');
