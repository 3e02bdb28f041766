/**
 * Reading JSON answers of the two APIs. A 2xx answer that is not the JSON the APIs send (a proxy's HTML page, a cut-off
 * body, an error body with a success status, a collection without `value`) is a transient failure of the service,
 * reported with the service's name, the request and an excerpt of the answer, never a bare SyntaxError and never
 * taken for success.
 */
import { type ConnectorService, TransientServerError } from './errors';
import { type HttpResponse } from './http-core';
import { parseODataErrorBody } from './odata';

const SERVICE_NAMES: Record<ConnectorService, string> = {
  'business-central': 'Business Central',
  dataverse: 'Dataverse',
  'token-endpoint': 'The token endpoint',
};

/** The name people know `service` by, for messages ("Business Central", "Dataverse"). */
export function serviceName(service: ConnectorService): string {
  return SERVICE_NAMES[service];
}

/**
 * A one-line excerpt of a response body for messages and error rows: whitespace collapsed, quoted, cut at `max`
 * characters (Default: 200) without splitting a character, or `(empty body)`.
 */
export function bodyExcerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return '(empty body)';
  const chars = Array.from(flat);
  return chars.length > max ? `'${chars.slice(0, max).join('')}…'` : `'${flat}'`;
}

/** What an answer that is not JSON was, for messages: `the answer was text/html, not JSON: '<html>…'`. */
export function nonJsonAnswer(res: HttpResponse): string {
  return `the answer was ${res.headers.get('content-type') || 'without a content type'}, not JSON: ${bodyExcerpt(res.text)}`;
}

/**
 * The JSON object of a successful answer to `description` (e.g. `GET customers`). A 2xx answer that is not what the
 * APIs send is never taken for success; each is a retryable TransientServerError naming the service, the request, the
 * status and an excerpt of what came back:
 * - `InvalidJson`: the body does not parse (a proxy's HTML page, a body cut off mid-way);
 * - `UnexpectedBody`: the body is JSON but not an object (`null`, an array, a string);
 * - `ErrorInSuccess`: the body is an OData error (`{"error":{…}}`) although the status says success.
 */
export function parseJsonBody(
  res: HttpResponse,
  service: ConnectorService,
  description: string,
): Record<string, unknown> {
  const answered = `${serviceName(service)} answered ${description} with ${res.status}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.text);
  } catch (error) {
    throw badAnswer(res, service, 'InvalidJson', `${answered}, but ${nonJsonAnswer(res)}`, error);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badAnswer(
      res,
      service,
      'UnexpectedBody',
      `${answered} and JSON that is not an object: ${bodyExcerpt(res.text)}`,
    );
  }
  const error = parseODataErrorBody(parsed);
  if (error) {
    throw badAnswer(
      res,
      service,
      'ErrorInSuccess',
      `${answered} (success) but an error body: ${error.code || '(no code)'} ${bodyExcerpt(error.message)}`,
    );
  }
  return parsed as Record<string, unknown>;
}

function badAnswer(
  res: HttpResponse,
  service: ConnectorService,
  code: string,
  message: string,
  cause?: unknown,
): TransientServerError {
  return new TransientServerError({
    service,
    status: res.status,
    code,
    message,
    retryable: true,
    detail: bodyExcerpt(res.text, 500),
    ...(cause !== undefined ? { cause } : {}),
  });
}

/** `text` parsed as JSON, or null when it is not JSON (error bodies, where the status alone must then decide). */
export function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The records of an OData collection answer (`value`). Throws a retryable TransientServerError `UnexpectedBody`
 * naming the service and the request when the body has no `value` array: an answer without one is not an empty
 * collection (taking it for one would read "no such record" and create a duplicate).
 */
export function valueOf<T>(body: Record<string, unknown>, service: ConnectorService, description: string): T[] {
  if (Array.isArray(body.value)) return body.value as T[];
  const text = JSON.stringify(body);
  throw new TransientServerError({
    service,
    status: 200,
    code: 'UnexpectedBody',
    message: `${serviceName(service)} answered ${description} with JSON that has no 'value' array: ${bodyExcerpt(text)}`,
    retryable: true,
    detail: bodyExcerpt(text, 500),
  });
}
