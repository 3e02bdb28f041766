/** What the sync activities are built from (passed in by the worker, the composition root). */
import type { Knex } from 'knex';
import type { IntegrationTableMapping } from '../mappings';
import type { PassCounts, PassDirection } from '../engine/run-types';
import type { ReferenceCache } from './lookup-resolution';
import type { Connectors } from './sides';

/** The watermark's safety overlap when the worker is given none (`SyncDeps.overlapMs`). */
export const DEFAULT_OVERLAP_MS = 5000;

/** Fault hooks for crash tests: called at the instants the invariants must survive. */
export interface PageFaults {
  /** After the destination writes of a page, before its coupling commit (awaited when it returns a promise). */
  afterDestinationWrite?: (info: {
    mapping: string;
    direction: PassDirection;
    jobId: number;
    pageNo: number;
  }) => void | Promise<void>;
  /**
   * In CONTACT's primary-contact fix-ups, after the fix-up's own write (`written`) and after the mirror on the other
   * side (`mirrored`), before the pairs are recorded (awaited when it returns a promise).
   */
  inFixup?: (info: {
    mapping: string;
    direction: PassDirection;
    jobId: number;
    pageNo: number;
    step: 'written' | 'mirrored';
  }) => void | Promise<void>;
}

/** How hard a page tries to write a record the service keeps answering transiently (429, 5xx, resets). */
export interface TransientRetryBudget {
  /** Write rounds per page, the first included. (Default: 6) */
  rounds: number;
  /** Wait before the second round; doubles each round. (Default: 1000 ms) */
  initialDelayMs: number;
  /** Longest wait between rounds. (Default: 15000 ms) */
  maxDelayMs: number;
}

/** The budget of `deps`: its `transientRetry` over the defaults. */
export function transientRetryBudgetOf(deps: Pick<SyncDeps, 'transientRetry'>): TransientRetryBudget {
  return { rounds: 6, initialDelayMs: 1000, maxDelayMs: 15_000, ...deps.transientRetry };
}

/**
 * Where activities report what they committed (the worker's sync metrics, worker/sync-metrics.ts). Called only for
 * work committed by this call — never for a stored result returned again to a retried activity — so counters match the
 * job rows. Calls are synchronous, cheap and never throw.
 */
export interface SyncMetricsRecorder {
  /** A page's records, freshly committed, by the counter each landed in. */
  recordsCommitted(e: { mapping: string; direction: PassDirection; counts: PassCounts }): void;
  /** A pass (job row) closed for the first time; `durationSeconds` from its start (null for an abandoned pass). */
  passClosed(e: { mapping: string; direction: PassDirection; status: string; durationSeconds: number | null }): void;
}

export interface SyncDeps {
  knex: Knex;
  mappings: readonly IntegrationTableMapping[];
  connectors: Connectors;
  cache: ReferenceCache;
  now: () => Date;
  /** Records per page. (Default: 200) */
  pageSize?: number;
  /**
   * Source pages one `syncPage` activity processes (each committed on its own), so that workflow history grows by
   * one activity per this many pages. (Default: 5)
   */
  pagesPerActivity?: number;
  /** A `syncPage` activity starts no further page after this long, so one attempt stays short. (Default: 30000 ms) */
  pageActivityBudgetMs?: number;
  /**
   * Safety overlap for clock skew and late commits: the watermark never moves past pass start minus this, and the next
   * pass re-reads from there (re-reads are cheap: a record whose hash is unchanged costs no request beyond the page
   * that lists it). (Default: `DEFAULT_OVERLAP_MS`, 5000 ms)
   */
  overlapMs?: number;
  /** Transient write retries within a page (on top of the connectors' own retries). */
  transientRetry?: Partial<TransientRetryBudget>;
  /** Fault hooks for crash tests (never set in production). */
  faults?: PageFaults;
  /** Sync metrics (Default: none recorded). */
  metrics?: SyncMetricsRecorder;
  /**
   * Base URL of the sync console (`<url>/jobs/<id>`), handed to runs by `planRun` so their Temporal UI details link
   * to their jobs. (Default: no links)
   */
  consoleUrl?: string;
}
