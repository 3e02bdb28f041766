// Request counters for `GET /__emulator/stats` (benchmarks read these). The outer request of a batch counts once in
// the top-level counters; each inner operation counts under `batchOperations`.

/** Counters by method, entity set and status. */
export interface RequestCounters {
  total: number;
  byMethod: Record<string, number>;
  byEntitySet: Record<string, number>;
  byStatus: Record<string, number>;
}

/** The stats document. `tokenRequests` counts token-endpoint calls (not part of `total`). */
export interface StatsSnapshot extends RequestCounters {
  batchOperations: RequestCounters;
  tokenRequests: number;
  /** Requests refused by service protection (429/503 from limits, not from faults). */
  throttled: number;
  /** Requests answered by a fault rule. */
  faulted: number;
  /** Requests (and batch operations) a fault rule delayed. */
  delayed: number;
  /**
   * Collection page reads and the rows they looked at and sorted: with the (modified-on, key) index a page read
   * examines about the rows it returns whatever the table's size; without it, every row of the table.
   */
  pageReads: { count: number; rowsExamined: number; rowsSorted: number };
}

function emptyCounters(): RequestCounters {
  return { total: 0, byMethod: {}, byEntitySet: {}, byStatus: {} };
}

function add(counters: RequestCounters, method: string, entitySet: string | undefined, status: number): void {
  counters.total++;
  counters.byMethod[method] = (counters.byMethod[method] ?? 0) + 1;
  const set = entitySet ?? '(none)';
  counters.byEntitySet[set] = (counters.byEntitySet[set] ?? 0) + 1;
  const key = String(status);
  counters.byStatus[key] = (counters.byStatus[key] ?? 0) + 1;
}

/** Mutable request statistics of one emulator. */
export class RequestStats {
  private data: StatsSnapshot = RequestStats.empty();

  private static empty(): StatsSnapshot {
    return {
      ...emptyCounters(),
      batchOperations: emptyCounters(),
      tokenRequests: 0,
      throttled: 0,
      faulted: 0,
      delayed: 0,
      pageReads: { count: 0, rowsExamined: 0, rowsSorted: 0 },
    };
  }

  /** Counts one API request (the outer request for a batch). */
  recordRequest(method: string, entitySet: string | undefined, status: number): void {
    add(this.data, method.toUpperCase(), entitySet, status);
  }

  /** Counts one operation inside a batch. */
  recordBatchOperation(method: string, entitySet: string | undefined, status: number): void {
    add(this.data.batchOperations, method.toUpperCase(), entitySet, status);
  }

  recordTokenRequest(): void {
    this.data.tokenRequests++;
  }

  recordThrottled(): void {
    this.data.throttled++;
  }

  recordFaulted(): void {
    this.data.faulted++;
  }

  recordDelayed(): void {
    this.data.delayed++;
  }

  /** Counts one collection page read and the rows it examined and sorted. */
  recordPageRead(examined: number, sorted: number): void {
    this.data.pageReads.count++;
    this.data.pageReads.rowsExamined += examined;
    this.data.pageReads.rowsSorted += sorted;
  }

  /** A deep copy of the counters. */
  snapshot(): StatsSnapshot {
    return structuredClone(this.data);
  }

  /** Sets every counter to zero. */
  reset(): void {
    this.data = RequestStats.empty();
  }
}
