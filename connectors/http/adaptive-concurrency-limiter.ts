export interface AdaptiveConcurrencyLimiterOptions {
  /** Upper bound of requests in flight. */
  max: number;
  /** Starting limit. (Default: max) */
  initial?: number;
  /** Healthy responses needed (at the current limit) before the limit grows by one. (Default: 10) */
  increaseAfter?: number;
  /** Clock, for tests. (Default: Date.now) */
  now?: () => number;
}

export type RequestOutcome = 'ok' | 'throttled' | 'failed';

/**
 * AIMD concurrency limiter shared by all requests of one connector instance: the limit halves on each throttling
 * response (429/503) and grows by one after `increaseAfter` healthy responses, staying within [1, max]. A Retry-After
 * from the server also pauses new requests of this instance until that moment, so one throttled request does not
 * let its siblings hammer the service.
 */
export class AdaptiveConcurrencyLimiter {
  private limitValue: number;
  private inFlight = 0;
  private healthy = 0;
  private pausedUntil = 0;
  private readonly waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly max: number;
  private readonly increaseAfter: number;
  private readonly now: () => number;

  constructor(options: AdaptiveConcurrencyLimiterOptions) {
    this.max = Math.max(1, Math.floor(options.max));
    this.limitValue = Math.min(this.max, Math.max(1, Math.floor(options.initial ?? this.max)));
    this.increaseAfter = Math.max(1, options.increaseAfter ?? 10);
    this.now = options.now ?? Date.now;
  }

  /** The current concurrency limit. */
  get limit(): number {
    return this.limitValue;
  }

  /** Requests currently holding a slot. */
  get active(): number {
    return this.inFlight;
  }

  /** Waits for a slot (and for any Retry-After pause). Returns the release function; call it exactly once. */
  async acquire(signal?: AbortSignal): Promise<(outcome: RequestOutcome) => void> {
    while (!this.canStart()) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const index = this.waiters.indexOf(wake);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(signal!.reason instanceof Error ? signal!.reason : new Error('The operation was aborted'));
        };
        const wake = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        this.waiters.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
        this.armPauseTimer();
      });
    }
    this.inFlight++;
    let released = false;
    return (outcome) => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.record(outcome);
      this.wakeUp();
    };
  }

  /**
   * Records the outcome of work that held no slot of its own, e.g. operations inside a `$batch` that was itself
   * answered 200: `throttled` halves the limit as a throttled request would.
   */
  report(outcome: RequestOutcome): void {
    this.record(outcome);
  }

  /** Stops new requests until `untilMs` (epoch ms), e.g. from a Retry-After header. */
  pauseUntil(untilMs: number): void {
    if (untilMs > this.pausedUntil) this.pausedUntil = untilMs;
  }

  private canStart(): boolean {
    return this.inFlight < this.limitValue && this.now() >= this.pausedUntil;
  }

  private record(outcome: RequestOutcome): void {
    if (outcome === 'throttled') {
      this.limitValue = Math.max(1, Math.floor(this.limitValue / 2));
      this.healthy = 0;
    } else if (outcome === 'ok') {
      this.healthy++;
      if (this.healthy >= this.increaseAfter && this.limitValue < this.max) {
        this.limitValue++;
        this.healthy = 0;
      }
    }
  }

  private wakeUp(): void {
    // Wake everyone waiting; each re-checks the limit, so at most the free slots proceed.
    const waiting = this.waiters.splice(0);
    for (const wake of waiting) wake();
  }

  private armPauseTimer(): void {
    const delay = this.pausedUntil - this.now();
    if (delay <= 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wakeUp();
    }, delay);
  }
}
