// A parser for OData multipart/mixed `$batch` bodies (api-facts B5): top-level `application/http` parts and nested
// `multipart/mixed` change sets, each part an embedded HTTP request (request line, headers, blank line, body).
// CRLF and bare LF line endings are both accepted.
import { badRequest } from './errors';

/** One embedded request. Header names are lower case. */
export interface BatchRequestPart {
  readonly kind: 'request';
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly contentId?: string;
}

export interface BatchChangeSet {
  readonly kind: 'changeset';
  readonly parts: BatchRequestPart[];
}

export type BatchItem = BatchRequestPart | BatchChangeSet;

/** Reads the `boundary` parameter of a multipart Content-Type, or undefined. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^\s*multipart\/mixed/i.test(contentType)) return undefined;
  const m = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

/** Splits a multipart body into the raw texts of its parts (without the delimiter lines). */
function splitParts(text: string, boundary: string): string[] {
  const lines = text.split('\n');
  const parts: string[] = [];
  let current: string[] | undefined;
  let closed = false;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === `--${boundary}--`) {
      if (current !== undefined) parts.push(current.join('\n'));
      current = undefined;
      closed = true;
      break;
    }
    if (trimmed === `--${boundary}`) {
      if (current !== undefined) parts.push(current.join('\n'));
      current = [];
      continue;
    }
    current?.push(line);
  }
  if (!closed) throw badRequest(`The batch body is not terminated by '--${boundary}--'.`);
  return parts;
}

/** Splits header lines from the rest at the first blank line. */
function splitHeaders(text: string): { headers: Record<string, string>; rest: string } {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && lines[i]?.trim() === '') i++; // tolerate leading blank lines
  const headers: Record<string, string> = {};
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      i++;
      break;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw badRequest(`Malformed header line in batch part: '${line}'.`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, rest: lines.slice(i).join('\n') };
}

function parseRequestPart(text: string): BatchRequestPart {
  const mime = splitHeaders(text);
  const contentType = mime.headers['content-type'] ?? '';
  if (!/^application\/http/i.test(contentType)) {
    throw badRequest(`A batch part must have Content-Type application/http, not '${contentType}'.`);
  }
  const lines = mime.rest.split('\n');
  let i = 0;
  while (i < lines.length && lines[i]?.trim() === '') i++;
  const requestLine = (lines[i] ?? '').trim();
  const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d\.\d)?$/i.exec(requestLine);
  if (m === null) throw badRequest(`Malformed request line in batch part: '${requestLine}'.`);
  const inner = splitHeaders(lines.slice(i + 1).join('\n'));
  const body = inner.rest.replace(/\n+$/, '');
  const contentId = mime.headers['content-id'] ?? inner.headers['content-id'];
  return {
    kind: 'request',
    method: (m[1] ?? '').toUpperCase(),
    url: m[2] ?? '',
    headers: inner.headers,
    body,
    ...(contentId === undefined ? {} : { contentId }),
  };
}

/**
 * Parses a `$batch` body. Throws 400 for a malformed body, a nested batch inside a change set, or a GET inside a
 * change set.
 */
export function parseBatch(rawBody: string, contentType: string | undefined): BatchItem[] {
  const boundary = boundaryOf(contentType);
  if (boundary === undefined) {
    throw badRequest("The $batch request must have Content-Type 'multipart/mixed' with a boundary.");
  }
  const text = rawBody.replace(/\r\n/g, '\n');
  return splitParts(text, boundary).map((partText): BatchItem => {
    const { headers, rest } = splitHeaders(partText);
    const nested = boundaryOf(headers['content-type']);
    if (nested === undefined) return parseRequestPart(partText);
    const parts = splitParts(rest, nested).map((inner) => {
      const innerHeaders = splitHeaders(inner).headers;
      if (boundaryOf(innerHeaders['content-type']) !== undefined) {
        throw badRequest('Change sets cannot be nested.');
      }
      const req = parseRequestPart(inner);
      if (req.method === 'GET') {
        throw badRequest('GET requests are not allowed inside a change set; send them as top-level batch parts.');
      }
      return req;
    });
    return { kind: 'changeset', parts };
  });
}

/** Total number of requests in a parsed batch (change-set members count one each). */
export function countOperations(items: readonly BatchItem[]): number {
  return items.reduce((n, item) => n + (item.kind === 'changeset' ? item.parts.length : 1), 0);
}
