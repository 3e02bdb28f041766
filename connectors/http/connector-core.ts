/**
 * What every connector client builds first from its options: the retry budget, the logger, and one adaptive
 * concurrency limiter that all of the instance's requests (reads, writes, batches) share.
 */
import { AdaptiveConcurrencyLimiter } from './adaptive-concurrency-limiter';
import { type ErrorClassifier, HttpCore, type RequestHook } from './http-core';
import { type ConnectorLogger, silentLogger } from './logger';
import { DEFAULT_RETRY, type RetryOptions } from './retry-policy';
import { type TokenProvider } from './token-provider';
import { definedOnly } from './util';

/** Options both connector clients take, with the same meaning and defaults. */
export interface ConnectorClientOptions {
  tokenProvider: TokenProvider;
  /** Timeout of one HTTP attempt. (Default: 120000 ms) */
  timeoutMs?: number;
  /** Retry budget per request. (Defaults: see RetryOptions) */
  retry?: RetryOptions;
  /** Ids a change cursor keeps for one timestamp before switching to id keyset paging. (Default: 100) */
  cursorIdLimit?: number;
  /** Healthy responses before the concurrency limit grows by one. (Default: 10) */
  increaseConcurrencyAfter?: number;
  logger?: ConnectorLogger;
  /** Called after every HTTP attempt (request counting for benchmarks and metrics). */
  onRequest?: RequestHook;
}

/** The parts of a client every request goes through. */
export interface ConnectorCore {
  service: 'business-central' | 'dataverse';
  retry: Required<RetryOptions>;
  log: ConnectorLogger;
  limiter: AdaptiveConcurrencyLimiter;
  /** `options.cursorIdLimit`, at least 1. */
  cursorIdLimit: number;
  /** A new HttpCore on the shared limiter, retry budget and token provider that classifies failures with `classify`. */
  httpCore(classify: ErrorClassifier): HttpCore;
}

export interface ConnectorCoreSetup {
  service: 'business-central' | 'dataverse';
  /** The client's upper bound of concurrent requests (its own option, or the service's default). */
  maxConcurrency: number;
  /** Headers sent on every request (Accept, OData-Version, …). */
  defaultHeaders: Record<string, string>;
}

/** Builds the shared parts of one client instance from its options; see ConnectorClientOptions for the defaults. */
export function createConnectorCore(options: ConnectorClientOptions, setup: ConnectorCoreSetup): ConnectorCore {
  const retry = { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) };
  const log = options.logger ?? silentLogger;
  const limiter = new AdaptiveConcurrencyLimiter({
    max: setup.maxConcurrency,
    ...(options.increaseConcurrencyAfter !== undefined ? { increaseAfter: options.increaseConcurrencyAfter } : {}),
  });
  return {
    service: setup.service,
    retry,
    log,
    limiter,
    cursorIdLimit: Math.max(1, options.cursorIdLimit ?? 100),
    httpCore: (classify) =>
      new HttpCore({
        service: setup.service,
        tokenProvider: options.tokenProvider,
        limiter,
        timeoutMs: options.timeoutMs ?? 120_000,
        retry,
        defaultHeaders: setup.defaultHeaders,
        classify,
        logger: log,
        ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      }),
  };
}
