/** The working set of one page: its records, their couplings and decisions, as the page modules pass it along. */
import type { CouplingState, RecordDecision } from '../../engine';
import { addCounts, type PassCursor, type Side, type SyncPageInput, type SyncPageResult } from '../../engine/run-types';
import type { ConnectorError } from '../../connectors/http';
import type { IntegrationTableMapping } from '../../mappings';
import type { Coupling } from '../../store/couplings';
import type { PendingFailure } from '../../store/pending-failures';
import type { ApiRecord, SideWrite } from '../sides';

export interface PageWork extends Omit<SyncPageInput, 'mapping' | 'cursor'> {
  mapping: IntegrationTableMapping;
  records: ApiRecord[];
  /** Retry and records phases: the ids asked for (ids not returned no longer exist at the source). */
  requestedIds: string[] | null;
  phase: 'retry' | 'changed' | 'records';
  next: PassCursor;
  maxModifiedAt: string | null;
  /** Set on a page synchronized on demand (activities/page/on-demand.ts): the mapping that asked for it. */
  onDemandFor?: string;
  /** What earlier parts of this page activity committed (null: none yet); the commit adds this part to it. */
  progress: PageProgress | null;
  /**
   * The changed phase: the part's key in `sync_page_reads`, and when earlier attempts of it planned writes, the
   * destination hashes they planned per source id (a destination that holds one was written by such an attempt, not
   * changed by anyone).
   */
  pageRead?: { key: { jobId: number; pageNo: number; part: number }; plannedHashes?: Record<string, string[]> };
}

/**
 * The result of a page activity's parts so far, as stored in `sync_pages`: their summed counts, the cursor after the
 * last one, the newest modified-on visited, and how many parts were committed (absent in rows of one part).
 */
export interface StoredPageResult extends SyncPageResult {
  parts?: number;
}

/** The committed parts of a page activity: their result and the stored text the next part's commit replaces. */
export interface PageProgress {
  total: StoredPageResult;
  /** Null while nothing is stored. */
  text: string | null;
}

/** The result of `before` followed by one more part. */
export function addPart(before: StoredPageResult | null, part: SyncPageResult): StoredPageResult {
  if (!before) return { ...part, parts: 1 };
  const newest =
    before.maxModifiedAt && (!part.maxModifiedAt || before.maxModifiedAt > part.maxModifiedAt)
      ? before.maxModifiedAt
      : part.maxModifiedAt;
  return {
    counts: addCounts(before.counts, part.counts),
    next: part.next,
    maxModifiedAt: newest,
    parts: (before.parts ?? 1) + 1,
  };
}

/** One source record of the page on its way through decide → write → commit. */
export interface Item {
  sourceId: string;
  source: ApiRecord;
  /** Its coupling, when coupled (always whole). */
  row: Coupling | undefined;
  /** Its earlier failure, when it failed before it was ever coupled. */
  pending: PendingFailure | undefined;
  decision: RecordDecision;
  /** The destination record before the write (updates) — for the etag. */
  destination: ApiRecord | null;
  /** Matched (before create, or by an "already exists" answer): the uncoupled destination record it is coupled to. */
  matchedId?: string;
  /** The create had already happened in an earlier attempt (found by id or deterministic key), with older values. */
  recovered?: boolean;
  /**
   * The update was applied by an earlier send whose answer was lost (a reset, then a 409/412 to the re-send);
   * `written` is the record as read afterwards, which may also hold a user's change made since.
   */
  answerLost?: boolean;
  write?: SideWrite;
  /** The destination record after the write (or found by its deterministic key after a crash). */
  written?: ApiRecord | null;
  writeError?: ConnectorError;
  /** The write failed only transiently and the page's retry budget ran out: retried next run, never parked. */
  transient?: boolean;
  /**
   * The record waits for others (an invoice for its lines or the products they sell): it fails this run, is retried
   * on every run and never parked, since its own data is not at fault.
   */
  waitsForOthers?: boolean;
  /** A failure decided while writing (e.g. the key is held by another record), with its message. */
  failure?: string;
}

export const lower = (v: unknown): string => String(v).toLowerCase();

export const text = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);

/** The planned write of a decision, if it writes. */
export function plan(d: RecordDecision) {
  return 'write' in d ? d.write : undefined;
}

/** Replaces the payload of an item's planned write (decisions are immutable values); no-op without a write. */
export function setPayload(item: Item, payload: Record<string, unknown>): void {
  const d = item.decision;
  if (!('write' in d)) return;
  item.decision = { ...d, write: { ...d.write, payload } };
}

/** A coupling row in the engine's shape. */
export function couplingState(row: Coupling | undefined): CouplingState | null {
  if (!row) return null;
  return {
    bcId: row.bcId,
    dvId: row.dvId,
    skipped: row.skipped,
    bcHash: row.bcHash,
    dvHash: row.dvHash,
    toDataverse: { lastResult: row.toDataverse.result, lastError: row.toDataverse.lastError },
    toBc: { lastResult: row.toBc.result, lastError: row.toBc.lastError },
  };
}

/** A coupling that is about to exist (matched, not yet written): both ids, nothing synchronized yet. */
export function freshCoupling(bcId: string, dvId: string): CouplingState {
  return {
    bcId,
    dvId,
    skipped: false,
    bcHash: null,
    dvHash: null,
    toDataverse: { lastResult: null, lastError: null },
    toBc: { lastResult: null, lastError: null },
  };
}

/** `Business Central customer` / `Dataverse account`. */
export function sideCaption(m: IntegrationTableMapping, side: Side): string {
  return side === 'bc' ? `Business Central ${m.bc.caption.toLowerCase()}` : `Dataverse ${m.dataverse.caption}`;
}
