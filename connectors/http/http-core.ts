import { type AdaptiveConcurrencyLimiter } from './adaptive-concurrency-limiter';
import { ConnectorError, type ConnectorService, RequestAbortedError, TransientServerError } from './errors';
import { type ConnectorLogger, silentLogger, urlForLog } from './logger';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter, RETRYABLE_STATUSES, type RetryOptions } from './retry-policy';
import { type TokenProvider } from './token-provider';
import { definedOnly } from './util';

/** One HTTP attempt, reported to `onRequest` (benchmarks, metrics). Contains no headers and no query string. */
export interface RequestEvent {
  service: ConnectorService;
  method: string;
  /** URL without its query string. */
  url: string;
  /** HTTP status, or 0 when no response arrived. */
  status: number;
  /** 1 for the first attempt of a logical request. */
  attempt: number;
  durationMs: number;
}

export type RequestHook = (event: RequestEvent) => void;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /**
   * Whether repeating the request after an ambiguous failure (timeout, reset, 502/504) is harmless. Non-idempotent
   * requests (BC creates) are retried only on answers that guarantee nothing was done (429, 503 queue timeout).
   */
  idempotent: boolean;
  /** Short human description for messages, e.g. `PATCH customers(…)`. */
  description: string;
  recordKey?: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Turns a non-success response into the service's typed error. */
export type ErrorClassifier = (response: HttpResponse, request: HttpRequest) => ConnectorError;

export interface HttpCoreOptions {
  service: 'business-central' | 'dataverse';
  tokenProvider: TokenProvider;
  limiter: AdaptiveConcurrencyLimiter;
  /** Timeout of one attempt, including reading the body. */
  timeoutMs: number;
  retry?: RetryOptions;
  /** Headers sent on every request (Accept, OData-Version, …). */
  defaultHeaders?: Record<string, string>;
  classify: ErrorClassifier;
  logger?: ConnectorLogger;
  onRequest?: RequestHook;
}

/**
 * The HTTP layer both connectors share, on Node's global fetch: bearer auth with one refresh-and-retry on 401,
 * per-attempt timeout combined with the caller's signal, retries with Retry-After (seconds or HTTP date) or jittered
 * exponential backoff on 429/502/503/504/408 and connection failures, the instance's adaptive concurrency limiter, and
 * the request hook. It never logs or reports headers, so tokens cannot leak through it.
 */
export class HttpCore {
  private readonly retry: Required<RetryOptions>;
  private readonly log: ConnectorLogger;

  constructor(private readonly options: HttpCoreOptions) {
    this.retry = { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) };
    this.log = options.logger ?? silentLogger;
  }

  /** Sends a request and throws the classified error unless the status is 2xx/304 or listed in `accept`. */
  async request(request: HttpRequest, accept: readonly number[] = []): Promise<HttpResponse> {
    const response = await this.send(request);
    if (
      (response.status >= 200 && response.status < 300) ||
      response.status === 304 ||
      accept.includes(response.status)
    ) {
      return response;
    }
    throw this.options.classify(response, request);
  }

  /**
   * Sends a request with retries and returns the final response whatever its status. Throws only when no response
   * arrived (TransientServerError, RequestAbortedError) or the token could not be obtained.
   */
  async send(request: HttpRequest): Promise<HttpResponse> {
    const { service, limiter, tokenProvider } = this.options;
    let waited = 0;
    let refreshedToken = false;
    for (let attempt = 1; ; attempt++) {
      checkAborted(request, service);
      const release = await limiter.acquire(request.signal).catch((reason: unknown) => {
        throw abortedError(request, service, reason);
      });
      const started = Date.now();
      let response: HttpResponse | null = null;
      let failure: unknown = null;
      try {
        const token = await tokenProvider.getToken(request.signal);
        response = await this.fetchOnce(request, token);
      } catch (error) {
        failure = error;
      }
      const status = response?.status ?? 0;
      const throttled = status === 429 || status === 503;
      release(throttled ? 'throttled' : response && status < 500 ? 'ok' : 'failed');
      this.options.onRequest?.({
        service,
        method: request.method,
        url: urlForLog(request.url),
        status,
        attempt,
        durationMs: Date.now() - started,
      });

      if (failure) {
        if (request.signal?.aborted) throw abortedError(request, service, request.signal.reason);
        if (failure instanceof ConnectorError && !failure.retryable) throw failure;
        const error =
          failure instanceof ConnectorError ? failure : networkError(request, service, failure, this.options.timeoutMs);
        // Token endpoint trouble happens before the request is sent, so it is always safe to retry.
        const safe = request.idempotent || (failure instanceof ConnectorError && failure.service === 'token-endpoint');
        const delay = backoffDelay(attempt, this.retry);
        if (!safe || attempt >= this.retry.maxAttempts || waited + delay > this.retry.maxTotalWaitMs) throw error;
        this.log.warn(
          { service, method: request.method, url: urlForLog(request.url), attempt, delayMs: delay, code: error.code },
          'request failed without a response; retrying',
        );
        waited += delay;
        await sleep(delay, request, service);
        continue;
      }

      const res = response!;
      if (res.status === 401 && !refreshedToken) {
        // Tokens can be revoked or expire early: fetch a fresh one and try once more.
        refreshedToken = true;
        tokenProvider.invalidate();
        this.log.info(
          { service, method: request.method, url: urlForLog(request.url) },
          'access token rejected; refreshing',
        );
        continue;
      }
      const retryable =
        RETRYABLE_STATUSES.has(res.status) && (request.idempotent || res.status === 429 || res.status === 503);
      if (!retryable) return res;
      const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
      const delay =
        retryAfter !== undefined
          ? retryAfter + Math.round(Math.random() * Math.min(1000, retryAfter * 0.1))
          : backoffDelay(attempt, this.retry);
      if (attempt >= this.retry.maxAttempts || waited + delay > this.retry.maxTotalWaitMs) return res;
      if (retryAfter !== undefined && throttled) limiter.pauseUntil(Date.now() + retryAfter);
      this.log.warn(
        {
          service,
          method: request.method,
          url: urlForLog(request.url),
          status: res.status,
          attempt,
          delayMs: delay,
          retryAfterMs: retryAfter,
          concurrencyLimit: limiter.limit,
        },
        'request throttled or failed; retrying',
      );
      waited += delay;
      await sleep(delay, request, service);
    }
  }

  private async fetchOnce(request: HttpRequest, token: string): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      ...this.options.defaultHeaders,
      ...request.headers,
      Authorization: `Bearer ${token}`,
    };
    const res = await fetch(request.url, {
      method: request.method,
      headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      signal,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  }
}

function checkAborted(request: HttpRequest, service: ConnectorService): void {
  if (request.signal?.aborted) throw abortedError(request, service, request.signal.reason);
}

function abortedError(request: HttpRequest, service: ConnectorService, reason: unknown): ConnectorError {
  if (reason instanceof ConnectorError) return reason;
  return new RequestAbortedError({
    service,
    status: 0,
    code: 'Aborted',
    message: `${request.description} was cancelled by the caller`,
    retryable: false,
    ...(request.recordKey !== undefined ? { recordKey: request.recordKey } : {}),
  });
}

function networkError(
  request: HttpRequest,
  service: ConnectorService,
  error: unknown,
  timeoutMs: number,
): ConnectorError {
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  return new TransientServerError({
    service,
    status: 0,
    code: timedOut ? 'Timeout' : 'NetworkError',
    message: timedOut
      ? `${request.description} got no answer within ${timeoutMs} ms`
      : `${request.description} failed without a response (${cause || (error instanceof Error ? error.message : 'network error')})`,
    retryable: true,
    ...(request.recordKey !== undefined ? { recordKey: request.recordKey } : {}),
  });
}

function sleep(ms: number, request: HttpRequest, service: ConnectorService): Promise<void> {
  return new Promise((resolve, reject) => {
    const signal = request.signal;
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(request, service, signal!.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
