/**
 * Reading JSON answers of the two APIs. A 2xx answer whose body is not JSON (a proxy's HTML page, a cut-off body) is a
 * transient failure of the service, reported with the service's name and the request, never a bare SyntaxError.
 */
import { type ConnectorService, TransientServerError } from './errors';
import { type HttpResponse } from './http-core';

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
 * The JSON object of a successful answer to `description` (e.g. `GET customers`). Throws a retryable
 * TransientServerError `InvalidJson` ("Dataverse answered GET accounts with a body that is not JSON") when the body
 * does not parse.
 */
export function parseJsonBody(
  res: HttpResponse,
  service: ConnectorService,
  description: string,
): Record<string, unknown> {
  try {
    return JSON.parse(res.text) as Record<string, unknown>;
  } catch (error) {
    throw new TransientServerError({
      service,
      status: res.status,
      code: 'InvalidJson',
      message: `${serviceName(service)} answered ${description} with a body that is not JSON`,
      retryable: true,
      cause: error,
    });
  }
}

/** `text` parsed as JSON, or null when it is not JSON (error bodies, where the status alone must then decide). */
export function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The records of an OData collection answer (`value`), or an empty array when the body has none. */
export function valueOf<T>(body: Record<string, unknown>): T[] {
  return (Array.isArray(body.value) ? body.value : []) as T[];
}
