// Types shared by both emulators (the contract in docs/emulators.md): what a started emulator hands back, the options
// both accept, and the knobs of service protection and fault injection.

import type { DemoDataOptions } from './demo-data';

/** A clock the emulators read instead of `new Date()`, so tests can pin or advance time. */
export type Clock = () => Date;

/** What `startBusinessCentralEmulator` / `startDataverseEmulator` resolve to once the server listens. */
export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** The OData service root, e.g. `{url}/v2.0/{tenant}/{environment}/api/v2.0` (BC) or `{url}/api/data/v9.2` (DV). */
  readonly apiBase: string;
  /** `{url}/{tenant}/oauth2/v2.0/token`. */
  readonly tokenUrl: string;
  /** Stops listening, flushes the state file (when configured) and resolves once the port is free. */
  close(): Promise<void>;
}

/**
 * Service-protection knobs. Every field is optional; the defaults are the documented production limits of the
 * service (BC: api-facts A7; DV: api-facts B8). Tests shrink them.
 */
export interface ServiceProtectionLimits {
  /** Requests allowed per client within `windowMs` before 429. (Default: 6000) */
  requestsPerWindow?: number;
  /** Length of the sliding window in ms. (Default: 300000 = 5 minutes) */
  windowMs?: number;
  /**
   * Summed execution time (ms, measured) allowed per client within `windowMs`; `0` switches the check off.
   * Dataverse enforces 1,200,000; Business Central has no such limit. (Default: 0)
   */
  executionMsPerWindow?: number;
  /** Requests processed at the same time per client; further requests wait in a queue. (Default: 5) */
  maxConcurrent?: number;
  /** Requests that may wait for a processing slot per client; above that → 429. (Default: 95) */
  maxQueue?: number;
  /** How long a request may wait in the queue before it gets 503 with Retry-After. (Default: 480000 = 8 minutes) */
  queueTimeoutMs?: number;
  /** Requests in flight (processing + queued) per client above which → 429 at once. (Default: 100) */
  maxConnections?: number;
  /**
   * Whether 429/503 answers carry `Retry-After`. (Default: true)
   */
  sendRetryAfter?: boolean;
  /**
   * Fixed `Retry-After` seconds. When unset the value is computed: the seconds until the window frees a slot (at least
   * 1), plus `retryAfterGrowthSeconds` for every request the client sent while already throttled. (Default: unset)
   */
  retryAfterSeconds?: number;
  /** Extra seconds added per request sent while throttled (the "keeps hammering" penalty). (Default: 1) */
  retryAfterGrowthSeconds?: number;
  /** Upper bound for a computed Retry-After. (Default: 300) */
  maxRetryAfterSeconds?: number;
}

/** One fault rule of `POST /__emulator/faults`. A request matches when every given selector matches. */
export interface FaultRule {
  /** Entity set name (`customers`, `accounts`, `$batch`, …). Omitted = any. */
  entitySet?: string;
  /** A single record id (GUID, case-insensitive). Omitted = any. */
  recordId?: string;
  /** HTTP method (`GET`, `POST`, …). Omitted = any. */
  method?: string;
  /** Delay before the request is processed (and before any status below). */
  latencyMs?: number;
  /** Answer with this status instead of processing the request. */
  status?: 408 | 429 | 500 | 502 | 503 | 504;
  /** Probability 0..1 that a matching request is affected. (Default: 1) Drawn from a seeded generator. */
  rate?: number;
  /** Retry-After header value (seconds) sent with `status`. */
  retryAfterSeconds?: number;
  /** Destroy the socket without an answer. */
  resetConnection?: boolean;
  /** Affect at most this many requests, then the rule is spent. Omitted = unlimited. */
  count?: number;
}

/** Options both emulators accept (contract). Each emulator extends this with its own. */
export interface CommonEmulatorOptions {
  /** Interface to bind. (Default: '127.0.0.1') */
  host?: string;
  /** Port; 0 picks a free one. (Default: 0) */
  port?: number;
  /** Tenant segment of the token URL (and of BC API URLs). (Default: 'cronus') */
  tenant?: string;
  /** Accepted OAuth client id. (Default: 'bcsync-demo') */
  clientId?: string;
  /** Accepted OAuth client secret. (Default: 'bcsync-demo-secret') */
  clientSecret?: string;
  /** Demo dataset size options, or `false` to start empty. (Default: the standard demo dataset) */
  seed?: DemoDataOptions | false;
  /** Persist the state as JSON here on change and close; reload it on start (then `seed` is not applied). */
  stateFile?: string;
  /** Server-driven page size when the client sends no `Prefer: odata.maxpagesize`. */
  pageSize?: number;
  /** Service-protection knobs; omitted fields keep the real limits. */
  limits?: ServiceProtectionLimits;
  /** Time source for timestamps, token expiry and windows. (Default: () => new Date()) */
  clock?: Clock;
}
