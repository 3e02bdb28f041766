/**
 * Names shared by workflows, the worker and the CLI: search attributes (DESIGN §5), queries and workflow input types.
 * Imports only `@temporalio/workflow` so it is safe inside the workflow sandbox.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';

/** The mapping a run synchronizes (Keyword). */
export const BcSyncMapping = defineSearchAttributeKey('BcSyncMapping', 'KEYWORD');
/** `succeeded` | `completed_with_errors` | `failed` (Keyword), set when a run ends. */
export const BcSyncOutcome = defineSearchAttributeKey('BcSyncOutcome', 'KEYWORD');
/** How many records failed in the run (Int). */
export const BcSyncFailed = defineSearchAttributeKey('BcSyncFailed', 'INT');
/** How many records the run inserted, modified or deleted (Int). */
export const BcSyncChanged = defineSearchAttributeKey('BcSyncChanged', 'INT');

/** Every custom search attribute the product needs registered on the namespace. */
export const searchAttributeKeys = [BcSyncMapping, BcSyncOutcome, BcSyncFailed, BcSyncChanged] as const;

export type RunOutcome = 'succeeded' | 'completed_with_errors' | 'failed';

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

/** The direction of one pass. */
export type PassDirection = 'to-dataverse' | 'to-bc';
/** `incremental` (schedules: what changed since the watermark), `full` (everything in the filters), `records`. */
export type SyncRunMode = 'incremental' | 'full' | 'records';

/** The counters of a pass (DESIGN §4); every record a pass looks at lands in exactly one of the first six. */
export interface PassCounts {
  inserted: number;
  modified: number;
  deleted: number;
  unchanged: number;
  skipped: number;
  failed: number;
  coupled: number;
  uncoupled: number;
}

/** Where a pass stands: opaque to the workflow, interpreted by the `syncPage` activity. Small by construction. */
export interface PassCursor {
  /** `retry`: the failed couplings first; `changed`: records modified since the watermark; `records`: explicit ids. */
  phase: 'retry' | 'changed' | 'records' | 'done';
  /** Retry phase: the last coupling id handled. */
  afterCouplingId?: number;
  /** Changed phase: the source modified-on of the last record handled and the ids already seen at exactly that time. */
  afterModifiedAt?: string | null;
  afterIds?: string[];
  /** Records phase: index into the explicit id list. */
  recordIndex?: number;
}

export interface SyncMappingInput {
  mapping: string;
  mode: SyncRunMode;
  /** Only this direction (Default: every direction of the mapping, BC→Dataverse first). */
  direction?: PassDirection;
  /** `records` mode: the source ids to synchronize, per direction. */
  records?: { direction: PassDirection; ids: string[] }[];
  /** This run retries the failed records of that job (`bcsync retry`). */
  retryOfJobId?: number;
  /**
   * A manual synchronization of chosen records in one direction (`bcsync sync-record`): the records count as changed
   * and their values win an update conflict — choosing the direction is the user's resolution. (Default: false)
   */
  force?: boolean;
  /** Set by continue-as-new: where the previous run of this chain stopped. Not for callers. */
  resume?: SyncResumeState;
}

export interface PassState {
  direction: PassDirection;
  jobId: number;
  /** The pass start (ISO): the watermark never moves past it (minus the overlap). */
  passStartedAt: string;
  cursor: PassCursor;
  counts: PassCounts;
  pages: number;
  /** The newest source modified-on visited (ISO), the watermark candidate. */
  maxModifiedAt: string | null;
}

export interface SyncResumeState {
  /** Passes already finished in earlier runs of the chain. */
  finished: { direction: PassDirection; jobId: number; counts: PassCounts; status: string }[];
  /** The pass under way, if any. */
  current: PassState | null;
  /** Directions still to run after the current one. */
  remaining: PassDirection[];
}

export interface SyncMappingResult {
  mapping: string;
  outcome: RunOutcome;
  passes: { direction: PassDirection; jobId: number; counts: PassCounts; status: string }[];
  failed: number;
  changed: number;
}

export interface SyncProgress {
  mapping: string;
  mode: SyncRunMode;
  phase: 'planning' | 'running' | 'done';
  passes: { direction: PassDirection; jobId: number; counts: PassCounts; pages: number; status: string }[];
  current: { direction: PassDirection; phase: PassCursor['phase']; pages: number } | null;
}

export const syncProgressQuery = defineQuery<SyncProgress>('progress');
