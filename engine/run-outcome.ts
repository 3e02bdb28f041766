/**
 * The verdict and the summary text of one `syncMapping` run, as pure functions: the workflow computes them from its
 * pass state (no I/O, no clock), so they are unit-tested here and replay-safe there.
 */
import type { PassCursor, PassCounts, PassDirection, RunOutcome, SyncProgress } from './run-types';

/** A finished pass as the run's result lists it. */
export interface FinishedPass {
  direction: PassDirection;
  jobId: number;
  counts: PassCounts;
  /** The job row's status: `succeeded`, `completed_with_errors`, `failed` (or `skipped` for a waiting run). */
  status: string;
}

/** What a run ended with: its outcome and the two totals the search attributes show. */
export interface RunVerdict {
  outcome: RunOutcome;
  /** Records that failed, over all passes. */
  failed: number;
  /** Records inserted, modified or deleted, over all passes. */
  changed: number;
}

/**
 * The outcome rule of a run (DESIGN §5): `failed` when any pass failed; else `completed_with_errors` when any record
 * failed or any pass completed with errors; else `succeeded` (also for a run with no passes). Never throws.
 */
export function runVerdict(passes: readonly FinishedPass[]): RunVerdict {
  const failed = passes.reduce((n, p) => n + p.counts.failed, 0);
  const changed = passes.reduce((n, p) => n + p.counts.inserted + p.counts.modified + p.counts.deleted, 0);
  const outcome: RunOutcome = passes.some((p) => p.status === 'failed')
    ? 'failed'
    : failed > 0 || passes.some((p) => p.status === 'completed_with_errors')
      ? 'completed_with_errors'
      : 'succeeded';
  return { outcome, failed, changed };
}

/** The pass under way, as the current-details text names it. */
export interface CurrentPass {
  direction: PassDirection;
  cursor: Pick<PassCursor, 'phase'>;
  /** Pages done so far in this pass (the text names the next one). */
  pages: number;
}

/**
 * The Temporal UI's current-details text of a run (markdown): the mapping and mode, one line per pass seen so far
 * with its status, job, pages and counters, and — while a pass runs — the phase and page being processed. Never
 * throws.
 */
export function runDetailsText(
  progress: Pick<SyncProgress, 'mapping' | 'mode' | 'passes'>,
  current: CurrentPass | null,
): string {
  const lines = [`**${progress.mapping}** (${progress.mode})`];
  for (const p of progress.passes) {
    const c = p.counts;
    lines.push(
      `- ${p.direction}: ${p.status}, job ${p.jobId}, ${p.pages} pages — inserted ${c.inserted}, modified ${c.modified}, unchanged ${c.unchanged}, skipped ${c.skipped}, failed ${c.failed}`,
    );
  }
  if (current) lines.push(`- now: ${current.direction}, ${current.cursor.phase} phase, page ${current.pages + 1}`);
  return lines.join('\n');
}

/** The current-details text of a scheduled run skipped because it waits on a dependency. Never throws. */
export function skippedRunDetailsText(mapping: string, reason: string): string {
  return `**${mapping}** skipped: ${reason}`;
}

/** A job row's message: its non-zero counters ("12 inserted, 1 failed"), or that there was nothing to do. */
export function countsSummary(c: PassCounts): string {
  const parts = (['inserted', 'modified', 'deleted', 'unchanged', 'skipped', 'failed'] as const)
    .filter((k) => c[k] > 0)
    .map((k) => `${c[k]} ${k}`);
  return parts.length ? parts.join(', ') : 'nothing to synchronize';
}
