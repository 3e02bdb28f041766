import type { RecordDecision } from './decide';
import type { Counter } from './record-types';

/** The counters of one pass (a `sync_jobs` row), plus `uncoupled` for couplings removed by a deletion conflict. */
export type PassCounters = Record<Counter, number> & { readonly uncoupled: number };

export function emptyCounters(): PassCounters {
  return { inserted: 0, modified: 0, deleted: 0, unchanged: 0, skipped: 0, failed: 0, uncoupled: 0 };
}

/**
 * Adds one decision to the counters (returns a new object). Ignored records change nothing; an `uncouple` deletion
 * conflict counts as deleted and as uncoupled. A decision whose write then fails at the API must be counted as
 * `failed` instead: use `countFailure`.
 */
export function countDecision(counters: PassCounters, decision: RecordDecision): PassCounters {
  if (decision.counter === null) return counters;
  const next = { ...counters, [decision.counter]: counters[decision.counter] + 1 };
  return decision.kind === 'deletion-conflict' && decision.resolution === 'uncouple'
    ? { ...next, uncoupled: counters.uncoupled + 1 }
    : next;
}

/** Counts a record whose write failed at the API (its decision's counter is replaced by `failed`). */
export function countFailure(counters: PassCounters): PassCounters {
  return { ...counters, failed: counters.failed + 1 };
}

/** Sum of two counter sets (pages of one pass). */
export function addCounters(a: PassCounters, b: PassCounters): PassCounters {
  return {
    inserted: a.inserted + b.inserted,
    modified: a.modified + b.modified,
    deleted: a.deleted + b.deleted,
    unchanged: a.unchanged + b.unchanged,
    skipped: a.skipped + b.skipped,
    failed: a.failed + b.failed,
    uncoupled: a.uncoupled + b.uncoupled,
  };
}
