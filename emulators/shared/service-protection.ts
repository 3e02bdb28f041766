// Service protection per client (api-facts A7 for BC, B8 for DV): a sliding-window request budget, an optional
// sliding-window execution-time budget, a cap on requests processed at once with a bounded wait queue (queue timeout
// → 503), and a cap on requests in flight. Dialect-neutral: it throws `ThrottledError` and the emulator renders it.

import { performance } from 'node:perf_hooks';
import type { Clock, ServiceProtectionLimits } from './types';

/** The limits with every default filled in. */
export type ResolvedLimits = Required<Omit<ServiceProtectionLimits, 'retryAfterSeconds'>> & {
  retryAfterSeconds: number | undefined;
};

/** The production defaults of Business Central online (api-facts A7). */
export const DEFAULT_LIMITS: ResolvedLimits = {
  requestsPerWindow: 6000,
  windowMs: 300_000,
  executionMsPerWindow: 0,
  maxConcurrent: 5,
  maxQueue: 95,
  queueTimeoutMs: 480_000,
  maxConnections: 100,
  sendRetryAfter: true,
  retryAfterSeconds: undefined,
  retryAfterGrowthSeconds: 1,
  maxRetryAfterSeconds: 300,
};

/** Fills in `DEFAULT_LIMITS` (or `base`) for every field `limits` leaves out. */
export function resolveLimits(
  limits: ServiceProtectionLimits | undefined,
  base: ResolvedLimits = DEFAULT_LIMITS,
): ResolvedLimits {
  const out = { ...base };
  for (const [key, value] of Object.entries(limits ?? {}))
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  if ('retryAfterSeconds' in (limits ?? {}) && limits?.retryAfterSeconds === undefined)
    out.retryAfterSeconds = undefined;
  return out;
}

/** Why a request was refused. */
export type ThrottleReason = 'requests' | 'executionTime' | 'connections' | 'queueFull' | 'queueTimeout';

/**
 * Thrown by `ServiceProtection.admit` when a request must not be processed: `status` 429 (budget, queue full, too
 * many connections) or 503 (waited in the queue longer than `queueTimeoutMs`). `retryAfterSeconds` is undefined when
 * `sendRetryAfter` is false.
 */
export class ThrottledError extends Error {
  override readonly name = 'ThrottledError';
  constructor(
    readonly status: 429 | 503,
    readonly reason: ThrottleReason,
    readonly retryAfterSeconds: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** A granted processing slot; call `release()` exactly once when the response is ready. */
export interface Admission {
  release(): void;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface ClientState {
  /** Arrival times (clock ms) of admitted requests inside the window, oldest first. */
  arrivals: number[];
  /** Measured execution time per finished request: [clock ms, duration ms]. */
  executions: [number, number][];
  processing: number;
  queue: Waiter[];
  /** Requests refused in a row; each adds `retryAfterGrowthSeconds` to the computed Retry-After. */
  strikes: number;
}

/** Per-client admission control. One instance per emulator; `setLimits` changes knobs at run time. */
export class ServiceProtection {
  private current: ResolvedLimits;
  private readonly clients = new Map<string, ClientState>();

  constructor(
    limits: ServiceProtectionLimits | undefined,
    private readonly clock: Clock,
    private readonly defaults: ResolvedLimits = DEFAULT_LIMITS,
  ) {
    this.current = resolveLimits(limits, defaults);
  }

  /** The limits in force. */
  get limits(): ResolvedLimits {
    return { ...this.current };
  }

  /** Merges `limits` into the limits in force (`POST /__emulator/limits`); `reset` first restores the defaults. */
  setLimits(limits: ServiceProtectionLimits, reset = false): ResolvedLimits {
    this.current = resolveLimits(limits, reset ? this.defaults : this.current);
    return this.limits;
  }

  /** Forgets all windows and strikes (queued requests keep waiting). */
  clearWindows(): void {
    for (const state of this.clients.values()) {
      state.arrivals = [];
      state.executions = [];
      state.strikes = 0;
    }
  }

  /**
   * Admits a request of `clientKey`: resolves with a slot at once, or after waiting in the queue; rejects with
   * `ThrottledError` when a limit is hit.
   */
  async admit(clientKey: string): Promise<Admission> {
    const l = this.current;
    const state = this.stateOf(clientKey);
    const now = this.clock().getTime();
    const inFlight = state.processing + state.queue.length;
    if (inFlight >= l.maxConnections)
      throw this.refuse(
        state,
        429,
        'connections',
        1,
        `The number of connections exceeded the limit of ${l.maxConnections}.`,
      );
    const windowStart = now - l.windowMs;
    while (state.arrivals.length > 0 && state.arrivals[0] <= windowStart) state.arrivals.shift();
    while (state.executions.length > 0 && state.executions[0][0] <= windowStart) state.executions.shift();
    if (state.arrivals.length >= l.requestsPerWindow) {
      const wait = Math.ceil((state.arrivals[0] + l.windowMs - now) / 1000);
      throw this.refuse(
        state,
        429,
        'requests',
        wait,
        `Number of requests exceeded the limit of ${l.requestsPerWindow} over time window of ${l.windowMs / 1000} seconds.`,
      );
    }
    if (l.executionMsPerWindow > 0) {
      const used = state.executions.reduce((sum, [, ms]) => sum + ms, 0);
      if (used >= l.executionMsPerWindow) {
        const wait = Math.ceil((state.executions[0][0] + l.windowMs - now) / 1000);
        throw this.refuse(
          state,
          429,
          'executionTime',
          wait,
          `Combined execution time of incoming requests exceeded limit of ${l.executionMsPerWindow} milliseconds over time window of ${l.windowMs / 1000} seconds.`,
        );
      }
    }
    if (state.processing >= l.maxConcurrent && state.queue.length >= l.maxQueue)
      throw this.refuse(state, 429, 'queueFull', 1, `The request queue is full (${l.maxQueue} requests are waiting).`);
    state.strikes = 0;
    state.arrivals.push(now);
    if (state.processing < l.maxConcurrent) {
      state.processing++;
      return this.slot(state);
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          state.queue.splice(state.queue.indexOf(waiter), 1);
          reject(
            new ThrottledError(
              503,
              'queueTimeout',
              l.sendRetryAfter ? (l.retryAfterSeconds ?? 1) : undefined,
              `The request waited longer than ${l.queueTimeoutMs} ms for a processing slot.`,
            ),
          );
        }, l.queueTimeoutMs),
      };
      state.queue.push(waiter);
    });
    return this.slot(state);
  }

  /** Refuses every queued request with 503 and clears their timers (call on shutdown so no timer keeps Node alive). */
  close(): void {
    for (const state of this.clients.values())
      for (const waiter of state.queue.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(new ThrottledError(503, 'queueTimeout', undefined, 'The service is shutting down.'));
      }
  }

  /** Requests being processed and waiting, per client (for stats and tests). */
  load(clientKey: string): { processing: number; queued: number } {
    const state = this.clients.get(clientKey);
    return { processing: state?.processing ?? 0, queued: state?.queue.length ?? 0 };
  }

  private slot(state: ClientState): Admission {
    const started = performance.now();
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        state.executions.push([this.clock().getTime(), performance.now() - started]);
        const next = state.queue.shift();
        if (next) {
          // The slot passes straight to the next waiter: `processing` stays the same.
          clearTimeout(next.timer);
          next.resolve();
        } else state.processing--;
      },
    };
  }

  private refuse(state: ClientState, status: 429 | 503, reason: ThrottleReason, baseWait: number, message: string) {
    const l = this.current;
    const computed = Math.min(
      l.maxRetryAfterSeconds,
      Math.max(1, baseWait) + state.strikes * l.retryAfterGrowthSeconds,
    );
    state.strikes++;
    return new ThrottledError(
      status,
      reason,
      l.sendRetryAfter ? (l.retryAfterSeconds ?? computed) : undefined,
      message,
    );
  }

  private stateOf(clientKey: string): ClientState {
    let state = this.clients.get(clientKey);
    if (!state) {
      state = { arrivals: [], executions: [], processing: 0, queue: [], strikes: 0 };
      this.clients.set(clientKey, state);
    }
    return state;
  }
}
