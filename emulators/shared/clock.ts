// Write timestamps that never go backwards and never repeat: two writes in the same millisecond get consecutive
// milliseconds, so `lastModifiedDateTime`/`modifiedon` order always equals write order (sync watermarks rely on it).

import type { Clock } from './types';

/** Hands out strictly increasing write times from a (possibly pinned or skewed) clock. */
export class MonotonicClock {
  private lastMs = -Infinity;

  /** `clock` is the time source. (Default: () => new Date()) */
  constructor(private readonly clock: Clock = () => new Date()) {}

  /** The current time of the underlying clock (may repeat; use for expiry and windows). */
  now(): Date {
    return this.clock();
  }

  /** A write time: the clock's time, or 1 ms after the previous write time when the clock has not moved past it. */
  nextWriteTime(): Date {
    const ms = Math.max(this.clock().getTime(), this.lastMs + 1);
    this.lastMs = ms;
    return new Date(ms);
  }

  /** Makes later write times exceed `iso` (used after loading persisted records). */
  observe(iso: string): void {
    const ms = Date.parse(iso);
    if (!Number.isNaN(ms) && ms > this.lastMs) this.lastMs = ms;
  }
}

/** Formats a Date as UTC ISO with milliseconds and `Z`, e.g. `2024-05-01T10:00:00.123Z`. */
export function isoMillis(date: Date): string {
  return date.toISOString();
}
