export interface RetryOptions {
  /** Attempts per request, the first included. (Default: 8) */
  maxAttempts?: number;
  /** Total time one request may spend waiting between attempts before giving up. (Default: 300000 ms) */
  maxTotalWaitMs?: number;
  /** First backoff step when the server sends no Retry-After. (Default: 500 ms) */
  baseDelayMs?: number;
  /** Largest single backoff step. (Default: 30000 ms) */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  maxAttempts: 8,
  maxTotalWaitMs: 300_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

/** Statuses that mean "not now": retried with Retry-After or backoff. */
export const RETRYABLE_STATUSES = new Set([408, 429, 502, 503, 504]);

/**
 * Parses a Retry-After header (delta seconds or an HTTP date) into milliseconds from `now`, or undefined when absent
 * or malformed.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Full-jitter exponential backoff for attempt n (1 = first retry). */
export function backoffDelay(
  attempt: number,
  options: Required<RetryOptions>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
