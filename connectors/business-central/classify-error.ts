import {
  AuthenticationError,
  ConcurrencyConflictError,
  type ConnectorError,
  type ConnectorErrorInit,
  DuplicateKeyError,
  NotFoundError,
  PermissionError,
  ThrottledError,
  TransientServerError,
  ValidationError,
} from '../http/errors';
import { type HttpRequest, type HttpResponse } from '../http/http-core';
import { nonJsonAnswer, parseJsonOrNull } from '../http/json-body';
import { parseODataErrorBody } from '../http/odata';

/** Drops the `CorrelationId: <guid>.` suffix BC appends to every message (kept in `detail`). */
export function cleanBcMessage(message: string): string {
  return message.replace(/\s*CorrelationId:\s*[0-9a-f-]+\.?\s*$/i, '').trim();
}

/**
 * Classifies a Business Central error (top-level response or one `$batch` response) by status and code.
 * 409 `Request_EntityChanged` and 412 → ConcurrencyConflictError; `Internal_EntityWithSameKeyExists` →
 * DuplicateKeyError; 404 and `*_NotFound` codes → NotFoundError; 429 → ThrottledError; 408/5xx → TransientServerError;
 * any other status or code (one this connector does not know) → ValidationError with the API's code and message.
 * `notJson` (from `nonJsonAnswer`) describes a body that is not an OData error, e.g. a proxy's HTML page: it is added
 * to the message so the reader sees what came back.
 */
export function classifyBcError(
  status: number,
  body: unknown,
  description: string,
  scope: 'request' | 'record',
  recordKey?: string,
  notJson?: string,
): ConnectorError {
  const parsed = parseODataErrorBody(body);
  const code = parsed?.code || `HTTP_${status}`;
  const apiMessage = parsed?.message ? cleanBcMessage(parsed.message) : '';
  const message =
    `Business Central rejected ${description}: ${apiMessage || statusText(status)} (${status} ${code})` +
    (body === null && notJson ? `; ${notJson}` : '');
  const detail = parsed?.message ? parsed.message.slice(0, 500) : body === null ? notJson : undefined;
  const init: ConnectorErrorInit = {
    service: 'business-central',
    status,
    code,
    message,
    retryable: false,
    scope,
    ...(recordKey !== undefined ? { recordKey } : {}),
    ...(detail !== undefined ? { detail } : {}),
  };
  if (code === 'Internal_EntityWithSameKeyExists') return new DuplicateKeyError(init);
  if (status === 409 || status === 412 || code === 'Request_EntityChanged') return new ConcurrencyConflictError(init);
  if (status === 401 || code.startsWith('Authentication_')) return new AuthenticationError(init);
  if (status === 403 || code.startsWith('Authorization_')) return new PermissionError(init);
  if (status === 404 || code === 'Internal_RecordNotFound' || code === 'BadRequest_NotFound')
    return new NotFoundError(init);
  if (status === 429) return new ThrottledError({ ...init, retryable: true });
  if (status === 408 || status >= 500) return new TransientServerError({ ...init, retryable: true });
  return new ValidationError(init);
}

/** ErrorClassifier for HttpCore: parses the body and classifies a whole-request failure. */
export function classifyBcResponse(response: HttpResponse, request: HttpRequest): ConnectorError {
  // Null when not JSON (a proxy's error page): then the status decides.
  const body = parseJsonOrNull(response.text);
  return classifyBcError(
    response.status,
    body,
    request.description,
    request.recordKey !== undefined ? 'record' : 'request',
    request.recordKey,
    response.text.trim() ? nonJsonAnswer(response) : undefined,
  );
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'bad request',
    401: 'authentication failed',
    403: 'permission denied',
    404: 'not found',
    408: 'the operation timed out',
    409: 'conflict',
    413: 'request too large',
    429: 'too many requests',
    500: 'internal server error',
    502: 'bad gateway',
    503: 'service unavailable',
    504: 'gateway timeout',
  };
  return texts[status] ?? 'unexpected response';
}
