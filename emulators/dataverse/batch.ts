// Executes a multipart/mixed `$batch` (api-facts B5): at most 1,000 requests, in order; change sets atomic; Content-ID
// references (`$n`) in URLs and `@odata.bind` values; stop at the first failure (outer 400) unless
// `Prefer: odata.continue-on-error` (outer 200, every part answered); `batchresponse_`/`changesetresponse_` parts.
import { randomUUID } from 'node:crypto';
import { countOperations, parseBatch, type BatchItem, type BatchRequestPart } from './batch-parser';
import { json, type DataverseCore, type DvRequest, type DvResponse } from './core';
import { DataverseError, badRequest, errorBody } from './errors';
import { type EntityRef } from './record-writer';
import { hasPreference } from '../shared/odata-query';

/** Dataverse accepts at most this many requests in one batch. */
export const MAX_BATCH_REQUESTS = 1000;

/** The outer request of a batch. Header names are lower case. */
export interface BatchInput {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly rawBody: string;
  readonly serviceRoot: string;
}

/** The serialized multipart answer. */
export interface BatchOutput {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Runs one inner request (the server adds stats, faults and execution-time accounting around the core). */
export type InnerRunner = (request: DvRequest) => DvResponse;

const INHERITED_HEADERS = [
  'authorization',
  'mscrm.suppressduplicatedetection',
  'callerobjectid',
  'mscrm.bypasscustompluginexecution',
];

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Thrown inside a change set to roll it back; carries the failing part's response. */
class ChangeSetFailed extends Error {
  constructor(readonly response: DvResponse) {
    super('change set failed');
  }
}

/** Turns a part's URL into a path below the service root and a query; resolves `$n` Content-ID references. */
function resolveUrl(url: string, contentIds: ReadonlyMap<string, EntityRef>): { path: string; query: URLSearchParams } {
  let target = url;
  const ref = /^\$([^/?]+)(.*)$/.exec(target);
  if (ref !== null) {
    const entity = contentIds.get(ref[1] ?? '');
    if (entity === undefined)
      throw badRequest(`Content-ID Reference: '$${ref[1] ?? ''}' does not exist in the batch context.`);
    target = `${entity.entitySet}(${entity.id})${ref[2] ?? ''}`;
  }
  if (/^https?:\/\//i.test(target)) {
    const u = new URL(target);
    target = u.pathname + u.search;
  }
  const q = target.indexOf('?');
  let path = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  path = path.replace(/^\/?api\/data\/v\d+\.\d+\//i, '').replace(/^\/+/, '');
  return { path: decodeURIComponent(path), query };
}

function toRequest(part: BatchRequestPart, input: BatchInput, contentIds: ReadonlyMap<string, EntityRef>): DvRequest {
  const { path, query } = resolveUrl(part.url, contentIds);
  if (path === '$batch') throw badRequest('A batch cannot contain another batch.');
  let body: unknown;
  if (part.body.trim() !== '') {
    try {
      body = JSON.parse(part.body);
    } catch {
      throw badRequest('The body of a batch part is not valid JSON.', '0x80048d19');
    }
  }
  const headers: Record<string, string | undefined> = {};
  for (const name of INHERITED_HEADERS) if (input.headers[name] !== undefined) headers[name] = input.headers[name];
  Object.assign(headers, part.headers);
  return { method: part.method, path, query, headers, body, serviceRoot: input.serviceRoot, contentIds };
}

function runPart(
  part: BatchRequestPart,
  input: BatchInput,
  contentIds: Map<string, EntityRef>,
  run: InnerRunner,
): DvResponse {
  let response: DvResponse;
  try {
    response = run(toRequest(part, input, contentIds));
  } catch (error) {
    if (!(error instanceof DataverseError)) throw error;
    response = json(error.status, errorBody(error, false));
  }
  if (response.status < 400 && part.contentId !== undefined && response.entity !== undefined) {
    contentIds.set(part.contentId, response.entity);
  }
  return response;
}

function serializeResponse(response: DvResponse, contentId: string | undefined): string {
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (contentId !== undefined) lines.push(`Content-ID: ${contentId}`);
  lines.push('', `HTTP/1.1 ${response.status} ${STATUS_TEXT[response.status] ?? ''}`.trimEnd());
  const headers: Record<string, string> = { 'OData-Version': '4.0', ...response.headers };
  if (response.status === 204 && response.headers['OData-EntityId'] !== undefined) {
    headers.Location = response.headers['OData-EntityId'];
  }
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push('');
  if (response.body !== undefined) {
    lines.push(typeof response.body === 'string' ? response.body : JSON.stringify(response.body));
  }
  return lines.join('\r\n');
}

/**
 * Parses and runs a batch. Throws a Dataverse error (answered as a plain JSON 400) when the body is malformed, has
 * more than 1,000 requests, or puts a GET inside a change set.
 */
export function executeBatch(core: DataverseCore, input: BatchInput, run: InnerRunner): BatchOutput {
  const items: BatchItem[] = parseBatch(input.rawBody, input.headers['content-type']);
  const total = countOperations(items);
  if (total > MAX_BATCH_REQUESTS) {
    throw badRequest(`The number of requests in the batch (${total}) exceeds the limit of ${MAX_BATCH_REQUESTS}.`);
  }
  const continueOnError = hasPreference(input.headers.prefer, 'odata.continue-on-error');
  const contentIds = new Map<string, EntityRef>();
  const boundary = `batchresponse_${randomUUID()}`;
  const chunks: string[] = [];
  let failed = false;
  for (const item of items) {
    if (item.kind === 'request') {
      const response = runPart(item, input, contentIds, run);
      chunks.push(serializeResponse(response, item.contentId));
      if (response.status >= 400) {
        failed = true;
        if (!continueOnError) break;
      }
      continue;
    }
    const local = new Map(contentIds);
    const answered: { response: DvResponse; contentId?: string }[] = [];
    try {
      core.store.atomically(() => {
        for (const part of item.parts) {
          const response = runPart(part, input, local, run);
          if (response.status >= 400) throw new ChangeSetFailed(response);
          answered.push({ response, contentId: part.contentId });
        }
      });
      for (const [k, v] of local) contentIds.set(k, v);
      const cs = `changesetresponse_${randomUUID()}`;
      const inner = answered.map((a) => `--${cs}\r\n${serializeResponse(a.response, a.contentId)}`).join('\r\n');
      chunks.push(`Content-Type: multipart/mixed; boundary=${cs}\r\n\r\n${inner}\r\n--${cs}--`);
    } catch (error) {
      if (!(error instanceof ChangeSetFailed)) throw error;
      chunks.push(serializeResponse(error.response, undefined));
      failed = true;
      if (!continueOnError) break;
    }
  }
  const body = chunks.map((c) => `--${boundary}\r\n${c}\r\n`).join('') + `--${boundary}--\r\n`;
  const headers: Record<string, string> = {
    'Content-Type': `multipart/mixed; boundary=${boundary}`,
  };
  if (continueOnError) headers['Preference-Applied'] = 'odata.continue-on-error';
  return { status: failed && !continueOnError ? 400 : 200, headers, body };
}
