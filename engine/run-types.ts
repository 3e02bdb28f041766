/**
 * The nouns of a run, defined once; the mappings, the engine, the workflows, the activities, the store and the CLI
 * import them from here (nothing else declares them, not even under another name).
 *
 * Terminology:
 * - **mapping**: an integration table mapping (CUSTOMER, CONTACT, …), see mappings/.
 * - **side** (`Side`): `bc` (Business Central) or `dataverse`; a pass reads its **source** side and writes its
 *   **destination** side (`sourceSideOf`, `destinationSideOf`).
 * - **direction** (`PassDirection`): `to-dataverse` (Business Central → Dataverse) or `to-bc` (the reverse). A mapping
 *   or a field may also be `bidirectional` (`MappingDirection`, mappings/mapping-model.ts): that is a setting, not a
 *   direction a pass runs in.
 * - **run**: one `syncMapping` workflow execution of one mapping; a run has one **pass** per direction.
 * - **pass**: one direction of a run, logged as one `sync_jobs` row (its **job**); it walks **pages**.
 * - **page**: up to `pageSize` source records decided, written and committed together (`syncPage`).
 * - **cursor** (`PassCursor`): where a pass stands; opaque to the workflow.
 * - **mode** (`SyncRunMode`): `incremental` (changes since the watermark), `full` (everything in the filters) or
 *   `records` (an explicit id list).
 * - **counts** (`PassCounts`, `zeroCounts`, `addCounts`): the job row's counters; every record a pass looks at lands
 *   in exactly one of the first six.
 * - **coupling** state per direction (`CouplingDirectionState` in store/couplings.ts, `DirectionState` in
 *   engine/record-types.ts for the engine's view of it): the last result of a coupling in one direction.
 */

/** The directions a pass runs in, in run order (BC → Dataverse first). */
export const passDirections = ['to-dataverse', 'to-bc'] as const;

/** The direction of one pass: `to-dataverse` (Business Central → Dataverse) or `to-bc` (Dataverse → Business Central). */
export type PassDirection = (typeof passDirections)[number];

/** One side of a mapping: Business Central or Dataverse (watermarks, hashes and modified-ons are kept per side). */
export type Side = 'bc' | 'dataverse';

/** The side a pass in `direction` reads. */
export function sourceSideOf(direction: PassDirection): Side {
  return direction === 'to-dataverse' ? 'bc' : 'dataverse';
}

/** The side a pass in `direction` writes. */
export function destinationSideOf(direction: PassDirection): Side {
  return direction === 'to-dataverse' ? 'dataverse' : 'bc';
}

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

/** Zero counters. */
export const zeroCounts = (): PassCounts => ({
  inserted: 0,
  modified: 0,
  deleted: 0,
  unchanged: 0,
  skipped: 0,
  failed: 0,
  coupled: 0,
  uncoupled: 0,
});

/** The sum of two counter sets (pages of a pass, passes of a run). */
export const addCounts = (a: PassCounts, b: PassCounts): PassCounts => ({
  inserted: a.inserted + b.inserted,
  modified: a.modified + b.modified,
  deleted: a.deleted + b.deleted,
  unchanged: a.unchanged + b.unchanged,
  skipped: a.skipped + b.skipped,
  failed: a.failed + b.failed,
  coupled: a.coupled + b.coupled,
  uncoupled: a.uncoupled + b.uncoupled,
});

/** The counters of `later` less those of `earlier`: what was added between two running totals. */
export const subtractCounts = (later: PassCounts, earlier: PassCounts): PassCounts => ({
  inserted: later.inserted - earlier.inserted,
  modified: later.modified - earlier.modified,
  deleted: later.deleted - earlier.deleted,
  unchanged: later.unchanged - earlier.unchanged,
  skipped: later.skipped - earlier.skipped,
  failed: later.failed - earlier.failed,
  coupled: later.coupled - earlier.coupled,
  uncoupled: later.uncoupled - earlier.uncoupled,
});

/** Where a pass stands: opaque to the workflow, interpreted by the `syncPage` activity. Small by construction. */
export interface PassCursor {
  /** `retry`: the failed records first; `changed`: records modified since the watermark; `records`: explicit ids. */
  phase: 'retry' | 'changed' | 'records' | 'done';
  /** Retry phase: the last retry-set entry handled (coupling id, or pending-failure id after the couplings). */
  afterCouplingId?: number;
  /** Retry phase: the last pending failure (a record never coupled) handled. */
  afterPendingId?: number;
  /** Changed phase: the source modified-on of the last record handled and the ids already seen at exactly that time. */
  afterModifiedAt?: string | null;
  afterIds?: string[];
  /** Records phase: index into the explicit id list. */
  recordIndex?: number;
}

/** Input of `startPass`. */
export interface StartPassInput {
  mapping: string;
  direction: PassDirection;
  mode: SyncRunMode;
  workflowId: string;
  runId: string;
  retryOfJobId: number | null;
  recordIds: string[] | null;
}

/** Input of `syncPage`. */
export interface SyncPageInput {
  mapping: string;
  direction: PassDirection;
  mode: SyncRunMode;
  jobId: number;
  pageNo: number;
  passStartedAt: string;
  cursor: PassCursor;
  /** Records mode: the ids of this page (the workflow slices the list at the cursor's index). */
  recordIds: string[] | null;
  /** A manual sync: records count as changed and win update conflicts (engine `force`). */
  force?: boolean;
  /**
   * Create and couple uncoupled records even when the mapping synchronizes only coupled records (the full
   * synchronization, bc-sync-semantics §6). (Default: false)
   */
  createUncoupled?: boolean;
}

/** Result of `syncPage`. */
export interface SyncPageResult {
  counts: PassCounts;
  next: PassCursor;
  /** The newest source modified-on this page visited (ISO), the watermark candidate. */
  maxModifiedAt: string | null;
}

/** Input of `finishPass`. */
export interface FinishPassInput {
  mapping: string;
  direction: PassDirection;
  mode: SyncRunMode;
  jobId: number;
  passStartedAt: string;
  maxModifiedAt: string | null;
  counts: PassCounts;
  /** Another pass of the run follows: the run keeps the mapping's lease for it. (Default: false, released) */
  keepLease?: boolean;
}

export type RunOutcome = 'succeeded' | 'completed_with_errors' | 'failed';

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
  /** Create and couple uncoupled records although the mapping synchronizes only coupled ones. (Default: false) */
  createUncoupled?: boolean;
  /** A scheduled run: it waits for (or skips on) dependencies that are running or never completed. (Default: false) */
  scheduled?: boolean;
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
  /** The sync console's base URL `planRun` gave the chain's first run (its jobs' details link there). */
  consoleUrl?: string;
}

export interface SyncMappingResult {
  mapping: string;
  outcome: RunOutcome;
  passes: { direction: PassDirection; jobId: number; counts: PassCounts; status: string }[];
  failed: number;
  changed: number;
  /** Set when the run did nothing on purpose (a dependency is running or never completed): why. */
  skippedReason?: string;
}

export interface SyncProgress {
  mapping: string;
  mode: SyncRunMode;
  phase: 'planning' | 'running' | 'done';
  passes: { direction: PassDirection; jobId: number; counts: PassCounts; pages: number; status: string }[];
  current: { direction: PassDirection; phase: PassCursor['phase']; pages: number } | null;
}

/**
 * Input of the `matchMapping` workflow (`bcsync match`, and each mapping of a full synchronization): match-based
 * coupling of the uncoupled records of one mapping (bc-sync-semantics §7.4), logged as `coupling` jobs.
 */
export interface MatchMappingInput {
  mapping: string;
  /** Decide and report only: write nothing, neither couplings nor job rows. (Default: false) */
  dryRun?: boolean;
  /**
   * After matching, create and couple the records still uncoupled, in every direction the mapping allows, with a
   * full synchronization run (`syncMapping` with `createUncoupled`). (Default: false)
   */
  createUnmatched?: boolean;
}

/** One proposed or made coupling of a match run (reported by dry runs and in the closing report). */
export interface MatchPair {
  bcId: string;
  dvId: string;
  /** `Customer 10000 'Adatum'` ↔ `account 'Adatum'`. */
  bcTitle: string;
  dvTitle: string;
  /** The criterion that matched, e.g. `number = accountnumber`. */
  criterion: string;
}

/** A source record with several equally good candidates: reported with every candidate, never guessed. */
export interface MatchAmbiguity {
  sourceSide: Side;
  sourceId: string;
  sourceTitle: string;
  criterion: string;
  candidates: { id: string; title: string }[];
}

/** The counts of a match run; the lists are capped (the job row and `bcsync jobs` hold the totals). */
export interface MatchCounts {
  /** Pairs coupled (or, in a dry run, that would be coupled). */
  coupled: number;
  /** Records with several candidates. */
  ambiguous: number;
  /** Uncoupled records with no candidate (created by `--create-unmatched` where the mapping allows). */
  unmatched: number;
  /** Records already coupled (left alone). */
  alreadyCoupled: number;
}

export interface MatchMappingResult {
  mapping: string;
  dryRun: boolean;
  /** The `coupling` job row (absent in a dry run). */
  jobId: number | null;
  counts: MatchCounts;
  /** Up to 200 pairs, for the report. */
  pairs: MatchPair[];
  /** Up to 200 ambiguities, for the report. */
  ambiguities: MatchAmbiguity[];
  /** Up to 200 unmatched source records, for the report. */
  unmatched: { side: Side; id: string; title: string }[];
  /** The full synchronization run that created what was left (`createUnmatched`), when one ran. */
  sync: SyncMappingResult | null;
}
