/** What the sync activities are built from (passed in by the worker, the composition root). */
import type { Knex } from 'knex';
import type { IntegrationTableMapping } from '../mappings';
import type { PassDirection } from '../engine/run-types';
import type { ReferenceCache } from './lookup-resolution';
import type { Connectors } from './sides';

/** Fault hooks for crash tests: called at the instants the invariants must survive. */
export interface PageFaults {
  /** After the destination writes of a page, before its coupling commit. */
  afterDestinationWrite?: (info: { mapping: string; direction: PassDirection; jobId: number; pageNo: number }) => void;
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
   * pass re-reads from there (re-reads are cheap: unchanged hashes are skipped). (Default: 5000 ms)
   */
  overlapMs?: number;
  /** Transient write retries within a page (on top of the connectors' own retries). */
  transientRetry?: Partial<TransientRetryBudget>;
  /** Fault hooks for crash tests (never set in production). */
  faults?: PageFaults;
}
