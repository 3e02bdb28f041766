import {
  AuthenticationError,
  ChangeTrackingExpiredError,
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

/** Dataverse's DuplicateIsoCurrencyCode error (a transaction currency with that ISO code exists). */
export const DUPLICATE_ISO_CURRENCY_CODE = '0x80048cf3';
/** DuplicateProductPriceLevel: a price list already has a price list item for this product and unit. */
export const DUPLICATE_PRODUCT_PRICE_LEVEL = '0x80043b08';

/** Dataverse's PicklistValueNotUnique error (InsertOptionValue with a value the option set already has). */
export const PICKLIST_VALUE_NOT_UNIQUE = '0x80044310';

/** What the caller meant by a precondition: it decides whether a 412 is "already exists" or "changed meanwhile". */
export type DvPrecondition = 'none' | 'if-none-match' | 'if-match';

/**
 * Classifies a Dataverse error (top-level response or one `$batch` part). 412 after `If-None-Match: *` (or with the
 * DuplicateRecord wording) → DuplicateKeyError, other 412 → ConcurrencyConflictError; 404 → NotFoundError; 429 →
 * ThrottledError; 5xx → TransientServerError; expired change-tracking token → ChangeTrackingExpiredError; any other
 * status or code → ValidationError with the API's code and message. `notJson` (from `nonJsonAnswer`) describes a body
 * that is not an OData error, e.g. a proxy's HTML page, and is added to the message.
 */
export function classifyDvError(
  status: number,
  body: unknown,
  description: string,
  precondition: DvPrecondition,
  scope: 'request' | 'record',
  recordKey?: string,
  notJson?: string,
): ConnectorError {
  const parsed = parseODataErrorBody(body);
  const code = parsed?.code || `HTTP_${status}`;
  const apiMessage = parsed?.message ? parsed.message.split(/\r?\n/)[0].trim() : '';
  const message =
    `Dataverse rejected ${description}: ${apiMessage || `HTTP ${status}`} (${status}${parsed?.code ? ` ${parsed.code}` : ''})` +
    (body === null && notJson ? `; ${notJson}` : '');
  const init: ConnectorErrorInit = {
    service: 'dataverse',
    status,
    code,
    message,
    retryable: false,
    scope,
    ...(recordKey !== undefined ? { recordKey } : {}),
    ...(parsed?.message
      ? { detail: parsed.message.slice(0, 500) }
      : body === null && notJson
        ? { detail: notJson }
        : {}),
  };
  if (/version stamp associated with the client has expired/i.test(apiMessage))
    return new ChangeTrackingExpiredError(init);
  if (status === 412) {
    const duplicate = precondition === 'if-none-match' || /already exists/i.test(apiMessage);
    return duplicate ? new DuplicateKeyError(init) : new ConcurrencyConflictError(init);
  }
  // DuplicateIsoCurrencyCode: a second currency with an existing ISO code is an "already exists" answer too.
  if (code.toLowerCase() === DUPLICATE_ISO_CURRENCY_CODE) return new DuplicateKeyError(init);
  // DuplicateProductPriceLevel: a second price list item for the same price list, product and unit.
  if (code.toLowerCase() === DUPLICATE_PRODUCT_PRICE_LEVEL) return new DuplicateKeyError(init);
  // PicklistValueNotUnique: the chosen choice value exists already (a repeated InsertOptionValue).
  if (code.toLowerCase() === PICKLIST_VALUE_NOT_UNIQUE) return new DuplicateKeyError(init);
  if (status === 401) return new AuthenticationError(init);
  if (status === 403) return new PermissionError(init);
  if (status === 404) return new NotFoundError(init);
  if (status === 429) return new ThrottledError({ ...init, retryable: true });
  if (status === 408 || status >= 500) {
    // Duplicate detection (0x80040333) is documented with HTTP 500 but is a data problem, not an outage.
    if (code.toLowerCase() === '0x80040333') return new ValidationError(init);
    return new TransientServerError({ ...init, retryable: true });
  }
  return new ValidationError(init);
}

/** Builds the ErrorClassifier for one request, knowing which precondition it carried. */
export function dvClassifier(precondition: DvPrecondition) {
  return (response: HttpResponse, request: HttpRequest): ConnectorError => {
    // Null when not JSON (a proxy's error page): then the status decides.
    const body = parseJsonOrNull(response.text);
    return classifyDvError(
      response.status,
      body,
      request.description,
      precondition,
      request.recordKey !== undefined ? 'record' : 'request',
      request.recordKey,
      response.text.trim() ? nonJsonAnswer(response) : undefined,
    );
  };
}
