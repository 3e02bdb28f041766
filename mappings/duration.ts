/** A schedule interval such as `30m`, `1h`, `1h30m` or `90s` (units: d, h, m, s; at least one part). */
export const durationPattern = /^(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?$/;

const unitMs: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/**
 * Parses a duration string (`30m`, `1h30m`, `45s`) into milliseconds.
 * Throws an `Error` when the string is not a duration or is zero.
 */
export function parseDuration(text: string): number {
  if (text === '' || !durationPattern.test(text)) {
    throw new Error(`'${text}' is not a duration; use e.g. '30m', '1h' or '1h30m'`);
  }
  let total = 0;
  for (const match of text.matchAll(/(\d+)([dhms])/g)) {
    total += Number(match[1]) * unitMs[match[2]];
  }
  if (total <= 0) throw new Error(`'${text}' is not a positive duration`);
  return total;
}

/** The shortest schedule interval accepted (the server's own minimum for a catch-up window is 10 s as well). */
export const MIN_INTERVAL_MS = 10_000;
/** The longest interval: a job that runs less than once a year is no synchronization (and Temporal cannot compute a
 *  next run for an interval beyond its duration range, leaving a schedule that never runs). */
export const MAX_INTERVAL_MS = 366 * 86_400_000;

/**
 * Why `ms`, the interval written `text`, cannot be a schedule interval (shorter than 10 s or longer than 366 days), or
 * null when it can.
 */
export function intervalProblem(text: string, ms: number): string | null {
  if (ms < MIN_INTERVAL_MS) return `'${text}' is shorter than the minimum interval of 10s`;
  if (ms > MAX_INTERVAL_MS) return `'${text}' is longer than the maximum interval of 366d`;
  return null;
}
