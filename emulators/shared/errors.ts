// The one error type the emulators throw while handling a request, and the two wire shapes of an OData error body.
// Handlers throw `EmulatorError`; the emulator's error hook renders it in its dialect (BC appends a CorrelationId).

import { randomUUID } from 'node:crypto';

/**
 * A request failure that becomes an HTTP answer: `status`, the service's error `code` and a human `message`.
 * Thrown anywhere inside request handling (filter parser, validation, routing); never escapes the emulator.
 */
export class EmulatorError extends Error {
  override readonly name = 'EmulatorError';
  constructor(
    /** HTTP status to answer with. */
    readonly status: number,
    /** Service error code, e.g. `BadRequest_NotFound` (BC) or `0x80040217` (DV). */
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. `{ 'retry-after': '3' }`. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** A fresh correlation id (GUID) as BC puts at the end of every error message. */
export function newCorrelationId(): string {
  return randomUUID();
}

/** The error shape both services share: `{ error: { code, message } }`. */
export interface ODataErrorBody {
  error: { code: string; message: string };
}

/**
 * Business Central's error body: the message always ends with ` CorrelationId: <guid>.` (api-facts A7).
 */
export function businessCentralErrorBody(
  code: string,
  message: string,
  correlationId = newCorrelationId(),
): ODataErrorBody {
  const trimmed = message.trim();
  const sentence = /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
  return { error: { code, message: `${sentence} CorrelationId: ${correlationId}.` } };
}

/** Dataverse's error body: the code is a hex string (often `0x…`), the message as given (api-facts B8). */
export function dataverseErrorBody(code: string, message: string): ODataErrorBody {
  return { error: { code, message } };
}
