/**
 * Serializer and parser for Dataverse `$batch` (OData multipart/mixed). Every operation is its own top-level part
 * (no change sets), so with `Prefer: odata.continue-on-error` each one succeeds or fails on its own and gets its own
 * response part, in request order.
 */

export interface MultipartRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path from the host root, e.g. `/api/data/v9.2/accounts(…)`, or an absolute URL. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface MultipartResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const CRLF = '\r\n';

/** Serializes requests into a batch body with the given boundary. */
export function serializeBatch(boundary: string, requests: readonly MultipartRequest[]): string {
  const lines: string[] = [];
  for (const request of requests) {
    lines.push(`--${boundary}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '');
    lines.push(`${request.method} ${request.url} HTTP/1.1`);
    for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
    lines.push('');
    lines.push(request.body ?? '');
  }
  lines.push(`--${boundary}--`, '');
  return lines.join(CRLF);
}

/** Reads the boundary parameter of a multipart Content-Type header. */
export function boundaryOf(contentType: string | null): string | null {
  if (!contentType) return null;
  const match = /boundary=(?:"([^"]+)"|([^;,\s]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

/**
 * Parses a multipart/mixed batch response into HTTP responses in order; nested change-set responses are flattened
 * in place. Tolerates LF line endings.
 */
export function parseBatchResponse(body: string, boundary: string): MultipartResponse[] {
  const out: MultipartResponse[] = [];
  for (const part of splitParts(body, boundary)) {
    const { headers, content } = splitHeaders(part);
    const contentType = headers['content-type'] ?? '';
    if (/^multipart\/mixed/i.test(contentType)) {
      const inner = boundaryOf(contentType);
      if (inner) out.push(...parseBatchResponse(content, inner));
      continue;
    }
    const response = parseHttpResponse(content);
    if (response) out.push(response);
  }
  return out;
}

function splitParts(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const pieces = body.split(delimiter);
  const parts: string[] = [];
  // pieces[0] is the preamble; a piece starting with "--" follows the closing delimiter.
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i];
    if (piece.startsWith('--')) break;
    parts.push(piece.replace(/^[ \t]*\r?\n/, '').replace(/\r?\n$/, ''));
  }
  return parts;
}

function splitHeaders(text: string): { headers: Record<string, string>; content: string } {
  const match = /\r?\n\r?\n/.exec(text);
  const head = match ? text.slice(0, match.index) : text;
  const content = match ? text.slice(match.index + match[0].length) : '';
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, content };
}

function parseHttpResponse(text: string): MultipartResponse | null {
  const trimmed = text.replace(/^\s+/, '');
  const firstBreak = /\r?\n/.exec(trimmed);
  const statusLine = firstBreak ? trimmed.slice(0, firstBreak.index) : trimmed;
  const match = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine);
  if (!match) return null;
  const rest = firstBreak ? trimmed.slice(firstBreak.index + firstBreak[0].length) : '';
  const { headers, content } = /^\r?\n/.test(rest)
    ? { headers: {}, content: rest.replace(/^\r?\n/, '') }
    : splitHeaders(rest);
  return { status: Number(match[1]), headers, body: content.trim() };
}
