// Dataverse's second service-protection limit (api-facts B8): the combined execution time of a user's requests in a
// 300 s sliding window (1,200,000 ms by default). The emulator does not really spend that time, so every operation is
// charged a configurable simulated cost plus what it really took. Also the source of the `x-ms-ratelimit-*` headers.

interface ClientUsage {
  arrivals: number[];
  executions: [number, number][];
  strikes: number;
}

/** Knobs of the execution-time budget. */
export interface ExecutionBudgetLimits {
  /** Combined execution ms allowed per window; 0 switches the check off. (Default: 1200000) */
  executionMsPerWindow: number;
  /** Simulated execution ms charged per operation (each batch part and bulk target counts). (Default: 10) */
  executionMsPerRequest: number;
  windowMs: number;
  requestsPerWindow: number;
  retryAfterGrowthSeconds: number;
  maxRetryAfterSeconds: number;
}

/** Per-client sliding-window accounting of requests and execution time. */
export class ExecutionBudget {
  private readonly clients = new Map<string, ClientUsage>();

  constructor(
    public limits: ExecutionBudgetLimits,
    private readonly now: () => number,
  ) {}

  private usage(client: string): ClientUsage {
    let u = this.clients.get(client);
    if (u === undefined) {
      u = { arrivals: [], executions: [], strikes: 0 };
      this.clients.set(client, u);
    }
    const start = this.now() - this.limits.windowMs;
    while (u.arrivals.length > 0 && (u.arrivals[0] ?? 0) <= start) u.arrivals.shift();
    while (u.executions.length > 0 && (u.executions[0]?.[0] ?? 0) <= start) u.executions.shift();
    return u;
  }

  /**
   * Checks the execution-time budget before a request runs; returns the Retry-After seconds when it is exhausted
   * (growing while the client keeps sending), or undefined when the request may run. Counts the request arrival.
   */
  admit(client: string): number | undefined {
    const u = this.usage(client);
    const l = this.limits;
    if (l.executionMsPerWindow > 0) {
      const used = u.executions.reduce((sum, [, ms]) => sum + ms, 0);
      if (used >= l.executionMsPerWindow) {
        const oldest = u.executions[0]?.[0] ?? this.now();
        const base = Math.max(1, Math.ceil((oldest + l.windowMs - this.now()) / 1000));
        const wait = Math.min(l.maxRetryAfterSeconds, base + u.strikes * l.retryAfterGrowthSeconds);
        u.strikes++;
        return wait;
      }
    }
    u.strikes = 0;
    u.arrivals.push(this.now());
    return undefined;
  }

  /** Charges `operations` simulated operations plus the measured milliseconds to the client. */
  charge(client: string, operations: number, measuredMs: number): void {
    const u = this.usage(client);
    u.executions.push([this.now(), operations * this.limits.executionMsPerRequest + measuredMs]);
  }

  /** The `x-ms-ratelimit-*` debug headers for the client. */
  headers(client: string): Record<string, string> {
    const u = this.usage(client);
    const used = u.executions.reduce((sum, [, ms]) => sum + ms, 0);
    const l = this.limits;
    return {
      'x-ms-ratelimit-burst-remaining-xrm-requests': String(Math.max(0, l.requestsPerWindow - u.arrivals.length)),
      'x-ms-ratelimit-time-remaining-xrm-requests':
        l.executionMsPerWindow > 0 ? Math.max(0, l.executionMsPerWindow - used).toFixed(2) : '0.00',
    };
  }

  clear(): void {
    this.clients.clear();
  }
}
