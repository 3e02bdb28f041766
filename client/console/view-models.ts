/**
 * Pure helpers that shape store rows for the console's templates: outcome colours, durations, keyset cursors, and the
 * record name and advice inside an error message (engine/messages.ts writes messages as
 * `<Record> '<name>' <problem> — <hint>` or `…; <what to do>`).
 */
import type { SyncJob } from '../../store/sync-jobs';

/** The CSS class of a job status: green, amber, red, blue or grey. */
export function statusClass(status: string): 'ok' | 'warn' | 'bad' | 'run' | 'muted' {
  switch (status) {
    case 'succeeded':
      return 'ok';
    case 'completed_with_errors':
      return 'warn';
    case 'failed':
    case 'abandoned':
      return 'bad';
    case 'running':
      return 'run';
    default:
      return 'muted';
  }
}

/** `1.2 s`, `3 min 4 s`, `2 h 5 min`; `running` for a job without an end. */
export function duration(job: Pick<SyncJob, 'startedAt' | 'finishedAt'>): string {
  if (!job.finishedAt) return 'running';
  const ms = job.finishedAt.getTime() - job.startedAt.getTime();
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** `2026-11-24 03:31:56` (UTC, seconds). */
export function utc(d: Date | null | undefined): string {
  return d ? d.toISOString().slice(0, 19).replace('T', ' ') : '';
}

/** A keyset cursor as a URL value: `<epoch ms>_<id>`. */
export function encodeCursor(at: Date, id: number): string {
  return `${at.getTime()}_${id}`;
}

/** The cursor of `encodeCursor`, or undefined when `value` is not one. */
export function decodeCursor(value: unknown): { at: Date; id: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{1,15})_(\d{1,15})$/.exec(value);
  return m ? { at: new Date(Number(m[1])), id: Number(m[2]) } : undefined;
}

/**
 * A time filter from a form: `YYYY-MM-DDTHH:MM` (an `<input type="datetime-local">`, read as UTC) or a full ISO time.
 * Undefined when empty; throws an `Error` saying what is expected otherwise.
 */
export function parseTimeFilter(name: string, value: unknown): Date | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const v = value.trim();
  const withZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v) ? `${v}Z` : v;
  const d = new Date(withZone);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || isNaN(d.getTime())) {
    throw new Error(`${name}: '${value}' is not a time such as 2026-11-24T03:30 (UTC)`);
  }
  return d;
}

const GENERIC_ADVICE =
  'Fix the cause named in the message, then retry the failed records (or let the next run retry them).';

/**
 * The record an error message names (`Customer 'Adatum'`) and what to do about it: the hint after ` — `, else the
 * clause after the last `; `, else a general advice.
 */
export function explainError(message: string): { record: string | null; advice: string } {
  const record = /^([A-Z][^']{0,60}'[^']*')/.exec(message)?.[1] ?? null;
  const dash = message.lastIndexOf(' — ');
  if (dash > 0) return { record, advice: capitalise(message.slice(dash + 3)) };
  const semi = message.lastIndexOf('; ');
  if (semi > 0) return { record, advice: capitalise(message.slice(semi + 2)) };
  return { record, advice: GENERIC_ADVICE };
}

function capitalise(s: string): string {
  const t = s.trim();
  return t.charAt(0).toUpperCase() + t.slice(1);
}
