// JSON `$batch` (api-facts A6): `{requests:[{id,method,url,headers,body}]}` → `{responses:[{id,status,headers,body}]}`,
// at most 100 operations, relative URLs, a per-operation `Company` header. With `Isolation: snapshot` the batch is one
// transaction: the first failing operation rolls back every change. Without it, operations are independent.

import { EmulatorError } from '../shared/errors';
import type { FaultInjector } from '../shared/faults';
import { faultMessage } from '../shared/faults';
import type { RequestStats } from '../shared/stats';
import {
  describeTarget,
  errorResponse,
  executeOperation,
  type ApiContext,
  type OperationRequest,
  type OperationResponse,
} from './api';
import type { ApiRoot } from './entities';

/** BC online's operation limit per batch (api-facts A6). */
export const MAX_BATCH_OPERATIONS = 100;

/** Where the API roots live, to resolve the URLs of inner requests. */
export interface BatchRoots {
  /** Absolute URL of the API root the batch was posted to. */
  apiRootUrl: string;
  api: ApiRoot;
  /** Path of each API root (e.g. `/v2.0/cronus/production/api/v2.0`) and its absolute URL. */
  roots: { api: ApiRoot; path: string; url: string }[];
}

interface InnerRequest {
  id?: unknown;
  method?: unknown;
  url?: unknown;
  headers?: unknown;
  body?: unknown;
}

/** What the batch reports back per inner operation. */
export interface BatchOutcome {
  response: OperationResponse;
  /** Total latency injected by fault rules into inner operations (the caller waits it before answering). */
  latencyMs: number;
  /** A fault rule asked to drop the connection. */
  resetConnection: boolean;
}

function lowerHeaders(raw: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (raw && typeof raw === 'object')
    for (const [k, v] of Object.entries(raw as Record<string, unknown>))
      if (v !== undefined) out[k.toLowerCase()] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/**
 * Runs a JSON batch. Throws `EmulatorError(400)` when the body is not a batch or has more than 100 operations; inner
 * failures are reported per operation. Fault rules apply to inner operations (status and reset; latency is summed).
 */
export function executeBatch(
  ctx: ApiContext,
  roots: BatchRoots,
  body: unknown,
  outerHeaders: Record<string, string | undefined>,
  faults: FaultInjector,
  stats: RequestStats,
): BatchOutcome {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests))
    throw new EmulatorError(400, 'BadRequest', 'The batch request body must be a JSON object with a "requests" array.');
  if (requests.length > MAX_BATCH_OPERATIONS)
    throw new EmulatorError(
      400,
      'BadRequest',
      `The number of operations in a batch request (${requests.length}) exceeds the maximum of ${MAX_BATCH_OPERATIONS}.`,
    );
  const snapshot = (outerHeaders['isolation'] ?? '').toLowerCase() === 'snapshot';
  let latencyMs = 0;
  let resetConnection = false;
  const responses: Record<string, unknown>[] = [];
  if (snapshot) ctx.store.beginTransaction();
  let failedId: string | undefined;
  let failure: OperationResponse | undefined;
  for (let i = 0; i < requests.length; i++) {
    const inner = (requests[i] ?? {}) as InnerRequest;
    const id = opId(inner.id, i);
    const method = typeof inner.method === 'string' ? inner.method.toUpperCase() : 'GET';
    let response: OperationResponse;
    let entitySet: string | undefined;
    try {
      const op = innerOperation(roots, inner, method);
      const target = describeTarget(op.path);
      entitySet = target.entitySet;
      const fault = faults.match({ method, entitySet: target.entitySet, recordId: target.recordId });
      if (fault) {
        latencyMs += fault.latencyMs;
        if (fault.latencyMs > 0) stats.recordDelayed();
        if (fault.resetConnection) {
          // The operations still run; the connection is dropped instead of the answer (an outcome the client cannot know).
          if (!resetConnection) stats.recordFaulted();
          resetConnection = true;
        }
      }
      if (fault?.status !== undefined) {
        stats.recordFaulted();
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        response = errorResponse(
          new EmulatorError(fault.status, faultCode(fault.status), faultMessage(fault.status), headers),
        );
      } else response = executeOperation(ctx, { ...op, apiRootUrl: op.apiRootUrl, headers: { ...op.headers } });
    } catch (error) {
      response = errorResponse(error);
    }
    stats.recordBatchOperation(method, entitySet, response.status);
    responses.push({
      id,
      status: response.status,
      headers: response.headers,
      ...(response.body !== undefined ? { body: response.body } : {}),
    });
    if (snapshot && response.status >= 400) {
      failedId = id;
      failure = response;
      break;
    }
  }
  if (snapshot) {
    if (failure) {
      ctx.store.rollback();
      // Every operation of a rolled-back transaction reports failure: those that had succeeded were undone, those
      // after the failing one never ran.
      const rolledBack = (respId: string): Record<string, unknown> => ({
        id: respId,
        status: 424,
        headers: { 'content-type': 'application/json' },
        body: errorResponse(
          new EmulatorError(
            424,
            'BadRequest_TransactionRolledBack',
            `The operation was rolled back because operation '${failedId!}' of the same Isolation: snapshot batch failed.`,
          ),
        ).body,
      });
      const all: Record<string, unknown>[] = [];
      for (let i = 0; i < requests.length; i++) {
        const inner = (requests[i] ?? {}) as InnerRequest;
        const respId = opId(inner.id, i);
        all.push(
          respId === failedId
            ? { id: respId, status: failure.status, headers: failure.headers, body: failure.body }
            : rolledBack(respId),
        );
      }
      return {
        response: { status: 200, headers: { 'content-type': 'application/json' }, body: { responses: all } },
        latencyMs,
        resetConnection,
      };
    }
    ctx.store.commit();
  }
  return {
    response: { status: 200, headers: { 'content-type': 'application/json' }, body: { responses } },
    latencyMs,
    resetConnection,
  };
}

function opId(id: unknown, index: number): string {
  if (id === undefined || id === null) return String(index + 1);
  return typeof id === 'string' ? id : JSON.stringify(id);
}

function faultCode(status: number): string {
  if (status === 429) return 'Application_TooManyRequests';
  if (status === 408 || status === 504) return 'Internal_RequestTimeout';
  return 'Internal_ServiceUnavailable';
}

function innerOperation(roots: BatchRoots, inner: InnerRequest, method: string): OperationRequest {
  if (typeof inner.url !== 'string' || inner.url === '')
    throw new EmulatorError(400, 'BadRequest', 'Every batch operation needs a "url".');
  const base = `${roots.apiRootUrl}/`;
  const url = new URL(inner.url, base);
  let api: ApiRoot | undefined;
  let rest: string | undefined;
  let apiRootUrl = roots.apiRootUrl;
  for (const root of roots.roots) {
    if (url.pathname === root.path || url.pathname.startsWith(`${root.path}/`)) {
      api = root.api;
      rest = url.pathname.slice(root.path.length).replace(/^\//, '');
      apiRootUrl = root.url;
      break;
    }
  }
  if (api === undefined || rest === undefined)
    throw new EmulatorError(
      404,
      'BadRequest_ResourceNotFound',
      `The batch operation URL '${inner.url}' is not below an API root.`,
    );
  if (rest === '$batch') throw new EmulatorError(400, 'BadRequest', 'A batch cannot contain another batch.');
  return {
    method,
    api,
    path: rest,
    query: url.searchParams,
    headers: lowerHeaders(inner.headers),
    body: inner.body,
    apiRootUrl,
  };
}

/** The fault status codes' BC error codes (exported for the top-level handler). */
export { faultCode };
