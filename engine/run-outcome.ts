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

/** What the end state of a run's details adds, and where its jobs' pages are. */
export interface RunDetailsOptions {
  /** Base URL of the sync console: each job is linked to `<url>/jobs/<id>`. (Default: jobs are not linked) */
  consoleUrl?: string;
  /** The run's verdict, once it ended: adds the outcome line. (Default: none, the run is under way) */
  verdict?: RunVerdict;
}

/** `job 12`, linked to its console page when the console's URL is known. */
export function jobReference(jobId: number, consoleUrl: string | undefined): string {
  return consoleUrl ? `[job ${jobId}](${consoleUrl.replace(/\/+$/, '')}/jobs/${jobId})` : `job ${jobId}`;
}

/**
 * The Temporal UI's current-details text of a run (markdown): the mapping and mode, one line per pass seen so far
 * with its status, job (linked to the console's job page when `consoleUrl` is given), pages and counters, and — while
 * a pass runs — the phase and page being processed; at the end the outcome with the failed and changed totals. Never
 * throws.
 */
export function runDetailsText(
  progress: Pick<SyncProgress, 'mapping' | 'mode' | 'passes'>,
  current: CurrentPass | null,
  o: RunDetailsOptions = {},
): string {
  const lines = [`**${progress.mapping}** (${progress.mode})`];
  if (o.verdict) {
    const v = o.verdict;
    lines.push(`Outcome: **${v.outcome}** — ${v.failed} failed, ${v.changed} changed`);
  }
  for (const p of progress.passes) {
    const c = p.counts;
    lines.push(
      `- ${p.direction}: ${p.status}, ${jobReference(p.jobId, o.consoleUrl)}, ${p.pages} pages — inserted ${c.inserted}, modified ${c.modified}, unchanged ${c.unchanged}, skipped ${c.skipped}, failed ${c.failed}`,
    );
  }
  if (current) lines.push(`- now: ${current.direction}, ${current.cursor.phase} phase, page ${current.pages + 1}`);
  return lines.join('\n');
}

/** The innermost message of a failure chain (ChildWorkflowFailure → ActivityFailure → ApplicationFailure → …). */
export function innermostMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && typeof e === 'object' && e.cause && typeof e.cause === 'object') e = e.cause;
  return e?.message ?? String(err);
}

/**
 * The details of a run that gave up (an activity failed for good): what it had reached, then the failure. Never
 * throws.
 */
export function failedRunDetailsText(detailsSoFar: string, message: string): string {
  return `${detailsSoFar ? `${detailsSoFar}\n` : ''}Outcome: **failed** — ${message}`;
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
