/**
 * Typed errors of both connectors. Every failure leaving a connector is one of these, classified once at the HTTP
 * boundary, so activities can map them to Temporal failure types and error rows without parsing messages.
 *
 * Messages are written for people ("Business Central rejected PATCH customers(…): Another user has already changed the
 * record."). They never contain tokens, client secrets or request headers.
 */

/** Which service produced the error. */
export type ConnectorService = 'business-central' | 'dataverse' | 'token-endpoint';

/** `request`: the whole call failed; `record`: one record of a batch or keyed call failed, the others are unaffected. */
export type ErrorScope = 'request' | 'record';

export interface ConnectorErrorInit {
  service: ConnectorService;
  /** HTTP status, or 0 when no response arrived (timeout, connection reset). */
  status: number;
  /** The API's error code (`Request_EntityChanged`, `0x80040237`, …) or a connector code (`Timeout`, `NetworkError`). */
  code: string;
  message: string;
  retryable: boolean;
  scope?: ErrorScope;
  recordKey?: string;
  /** Short, secret-free excerpt of the response body or failure detail for error rows. */
  detail?: string;
  cause?: unknown;
}

/** Base class of every error thrown or reported by the connectors. */
export class ConnectorError extends Error {
  readonly service: ConnectorService;
  readonly status: number;
  readonly code: string;
  readonly retryable: boolean;
  readonly scope: ErrorScope;
  readonly recordKey?: string;
  readonly detail?: string;

  constructor(init: ConnectorErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.service = init.service;
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable;
    this.scope = init.scope ?? 'request';
    if (init.recordKey !== undefined) this.recordKey = init.recordKey;
    if (init.detail !== undefined) this.detail = init.detail;
  }

  /** A plain, secret-free object for logs and error rows. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      service: this.service,
      status: this.status,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      scope: this.scope,
      recordKey: this.recordKey,
      detail: this.detail,
    };
  }
}

/** Thrown when credentials are rejected (token endpoint 400/401, or API 401 after one token refresh). */
export class AuthenticationError extends ConnectorError {}

/** Thrown on 403: the app user lacks a permission set / security role for the operation. */
export class PermissionError extends ConnectorError {}

/** Thrown when throttling (429, or 503 with Retry-After) outlasted the retry budget. */
export class ThrottledError extends ConnectorError {}

/**
 * Reported when the record changed since the caller read it: BC 409 `Request_EntityChanged` (or 412), Dataverse 412
 * on `If-Match`. Re-read the record and decide again.
 */
export class ConcurrencyConflictError extends ConnectorError {}

/** Reported when the addressed record (or endpoint) does not exist: 404. */
export class NotFoundError extends ConnectorError {}

/** Reported when the API refused the payload or query (400, 405, 413, 422 and unclassified 4xx). Not retryable. */
export class ValidationError extends ConnectorError {}

/**
 * Reported when a record with the same key already exists: Dataverse 412 on `PATCH … If-None-Match: *`
 * (`createWithId` after a crash: treat as success) or BC `Internal_EntityWithSameKeyExists`.
 */
export class DuplicateKeyError extends ConnectorError {}

/** Thrown when the server failed or no answer arrived (5xx, 408, timeout, connection reset) after all retries. */
export class TransientServerError extends ConnectorError {}

/** Thrown by Dataverse `trackChanges` when the delta token expired: the caller must do a full read. */
export class ChangeTrackingExpiredError extends ConnectorError {}

/** Thrown when the caller's AbortSignal fired. */
export class RequestAbortedError extends ConnectorError {}
