// The Dataverse Web API v9.2 emulator (api-facts Part B, checklist D2): `startDataverseEmulator(options)` starts a
// fastify server with the OAuth token endpoint, the API under `/api/data/v9.2`, `$batch`, bulk actions, change
// tracking, service protection, fault injection, stats and the `/__emulator/*` control routes.
import { performance } from 'node:perf_hooks';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { TokenIssuer, registerTokenRoute } from '../shared/auth';
import { registerControlRoutes } from '../shared/control-routes';
import { type DemoDataOptions } from '../shared/demo-data';
import { EmulatorError } from '../shared/errors';
import { FaultInjector, faultMessage } from '../shared/faults';
import { createEmulatorServer, listenEmulator } from '../shared/server';
import { DEFAULT_LIMITS, ServiceProtection, ThrottledError, type ResolvedLimits } from '../shared/service-protection';
import { StateFile } from '../shared/state-file';
import { RequestStats } from '../shared/stats';
import { type CommonEmulatorOptions, type RunningEmulator, type ServiceProtectionLimits } from '../shared/types';
import { executeBatch } from './batch';
import {
  JSON_CONTENT_TYPE,
  describeTarget,
  type DataverseCore,
  type DataverseSettings,
  type DvRequest,
  type DvResponse,
} from './core';
import { CODES, errorBody } from './errors';
import { ExecutionBudget } from './execution-budget';
import { handleRequest } from './operations';
import { type DuplicateRule } from './record-writer';
import { seedDemoData } from './seed';
import { DataverseStore, type StoreSnapshot } from './store';

export { type DuplicateRule } from './record-writer';

/** Service-protection knobs of Dataverse: the shared ones plus the simulated execution time per operation. */
export interface DataverseLimits extends ServiceProtectionLimits {
  /** Simulated execution ms charged per operation (batch parts and bulk targets each count). (Default: 10) */
  executionMsPerRequest?: number;
}

/** Options of `startDataverseEmulator`; every field is optional. */
export interface DataverseEmulatorOptions extends CommonEmulatorOptions {
  /** The organization URL; the token scope must be `{orgUrl}/.default`. (Default: 'https://bcsync.crm.dynamics.com') */
  orgUrl?: string;
  /** Service-protection knobs. (Default: the real limits: 6000 requests and 1,200,000 ms per 300 s, 52 concurrent) */
  limits?: DataverseLimits;
  /** Duplicate detection rules and the status of a hit. (Default: no rules; status 500) */
  duplicateDetection?: { rules?: DuplicateRule[]; status?: 412 | 500 };
  /** Entity sets that refuse CreateMultiple/UpdateMultiple/UpsertMultiple. (Default: none) */
  bulkUnsupported?: string[];
  /** Entity sets without change tracking. (Default: none) */
  changeTrackingDisabled?: string[];
  /** Age in ms after which a delta token is refused as expired. (Default: 7 days) */
  changeTrackingRetentionMs?: number;
}

/** The running Dataverse emulator. */
export interface RunningDataverseEmulator extends RunningEmulator {
  /** Changes run-time settings (duplicate rules, bulk support, change tracking, page size). */
  configure(settings: Partial<DataverseSettingsInput>): void;
}

/** The JSON form of the run-time settings (`POST /__emulator/dataverse/settings`). */
export interface DataverseSettingsInput {
  defaultPageSize: number;
  duplicateRules: DuplicateRule[];
  duplicateStatus: 412 | 500;
  bulkUnsupported: string[];
  changeTrackingDisabled: string[];
  changeTrackingRetentionMs: number;
}

/** Dataverse's documented service-protection limits (api-facts B8). */
export const DATAVERSE_DEFAULT_LIMITS: ResolvedLimits = {
  ...DEFAULT_LIMITS,
  requestsPerWindow: 6000,
  windowMs: 300_000,
  executionMsPerWindow: 1_200_000,
  maxConcurrent: 52,
  maxQueue: 0,
  maxConnections: 52,
};

const API_PREFIX = '/api/data/v9.2';
const DEFAULT_EXECUTION_MS_PER_REQUEST = 10;
const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;

function headerMap(request: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function send(reply: FastifyReply, response: DvResponse): FastifyReply {
  reply.code(response.status).headers(response.headers);
  if (response.body === undefined || response.status === 204 || response.status === 304) return reply.send();
  // A Buffer keeps fastify from rewriting the Content-Type (it would add a charset and quote parameters).
  return reply.send(
    Buffer.from(typeof response.body === 'string' ? response.body : JSON.stringify(response.body), 'utf8'),
  );
}

function applySettings(settings: DataverseSettings, input: Partial<DataverseSettingsInput>): void {
  if (input.defaultPageSize !== undefined) settings.defaultPageSize = input.defaultPageSize;
  if (input.duplicateRules !== undefined) settings.duplicateRules = [...input.duplicateRules];
  if (input.duplicateStatus !== undefined) settings.duplicateStatus = input.duplicateStatus;
  if (input.bulkUnsupported !== undefined) settings.bulkUnsupported = new Set(input.bulkUnsupported);
  if (input.changeTrackingDisabled !== undefined)
    settings.changeTrackingDisabled = new Set(input.changeTrackingDisabled);
  if (input.changeTrackingRetentionMs !== undefined)
    settings.changeTrackingRetentionMs = input.changeTrackingRetentionMs;
}

/**
 * Starts the Dataverse emulator and resolves once it listens. Loads `stateFile` when it exists, otherwise seeds the
 * demo dataset (unless `seed: false`). Throws when the port is taken or the state file is not valid JSON.
 */
export async function startDataverseEmulator(
  options: DataverseEmulatorOptions = {},
): Promise<RunningDataverseEmulator> {
  const clock = options.clock ?? ((): Date => new Date());
  const tenant = options.tenant ?? 'cronus';
  const orgUrl = (options.orgUrl ?? 'https://bcsync.crm.dynamics.com').replace(/\/+$/, '');
  const store = new DataverseStore(clock);
  const settings: DataverseSettings = {
    defaultPageSize: Math.min(options.pageSize ?? 5000, 5000),
    duplicateRules: [...(options.duplicateDetection?.rules ?? [])],
    duplicateStatus: options.duplicateDetection?.status ?? 500,
    bulkUnsupported: new Set(options.bulkUnsupported ?? []),
    changeTrackingDisabled: new Set(options.changeTrackingDisabled ?? []),
    changeTrackingRetentionMs: options.changeTrackingRetentionMs ?? SEVEN_DAYS_MS,
  };
  const stats = new RequestStats();
  const core: DataverseCore = { store, settings, now: clock, stats };
  const issuer = new TokenIssuer({
    clientId: options.clientId ?? 'bcsync-demo',
    clientSecret: options.clientSecret ?? 'bcsync-demo-secret',
    scopes: [`${orgUrl}/.default`],
    clock,
  });
  const { executionMsPerRequest, ...sharedLimits } = options.limits ?? {};
  // The shared limiter enforces request count and concurrency; the execution-time window is DV-local (simulated).
  const protection = new ServiceProtection({ ...sharedLimits, executionMsPerWindow: 0 }, clock, {
    ...DATAVERSE_DEFAULT_LIMITS,
    executionMsPerWindow: 0,
  });
  const executionMsPerRequestOverride: { value: number | undefined } = { value: executionMsPerRequest };
  const budgetLimits = (): ExecutionBudget['limits'] => ({
    executionMsPerWindow: sharedLimits.executionMsPerWindow ?? DATAVERSE_DEFAULT_LIMITS.executionMsPerWindow,
    executionMsPerRequest: executionMsPerRequestOverride.value ?? DEFAULT_EXECUTION_MS_PER_REQUEST,
    windowMs: protection.limits.windowMs,
    requestsPerWindow: protection.limits.requestsPerWindow,
    retryAfterGrowthSeconds: protection.limits.retryAfterGrowthSeconds,
    maxRetryAfterSeconds: protection.limits.maxRetryAfterSeconds,
  });
  const budget = new ExecutionBudget(budgetLimits(), () => clock().getTime());
  const faults = new FaultInjector();
  const stateFile =
    options.stateFile === undefined
      ? undefined
      : new StateFile<StoreSnapshot>(options.stateFile, () => store.toSnapshot());

  const seedOptions: DemoDataOptions | false = options.seed ?? {};
  const loaded = stateFile?.load();
  if (loaded !== undefined) store.loadSnapshot(loaded);
  else if (seedOptions !== false) seedDemoData(store, seedOptions);
  let savedChangeCount = store.changeCount;
  const noteChanges = (): void => {
    if (stateFile !== undefined && store.changeCount !== savedChangeCount) {
      savedChangeCount = store.changeCount;
      stateFile.markDirty();
    }
  };

  const app = createEmulatorServer({ invalidJsonCode: CODES.payload });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('OData-Version', '4.0');
    return payload;
  });
  app.setErrorHandler((error, request, reply) => {
    const e =
      error instanceof EmulatorError
        ? error
        : new EmulatorError(
            (error as { statusCode?: number }).statusCode ?? 500,
            CODES.generic,
            error instanceof Error ? error.message : String(error),
          );
    const includeAnnotations = /include-annotations/i.test(String(request.headers.prefer ?? ''));
    return reply
      .code(e.status)
      .headers({ 'Content-Type': JSON_CONTENT_TYPE, ...e.headers })
      .send(Buffer.from(JSON.stringify(errorBody(e, includeAnnotations)), 'utf8'));
  });

  registerTokenRoute(app, tenant, issuer, () => stats.recordTokenRequest());

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  /** One inner operation of a batch: fault rules with a status apply per operation; counted under batchOperations. */
  const runInner =
    (client: string) =>
    (request: DvRequest): DvResponse => {
      const target = describeTarget(request.path);
      const fault = faults.match({ method: request.method, entitySet: target.entitySet, recordId: target.recordId });
      let response: DvResponse;
      if (fault?.status !== undefined) {
        stats.recordFaulted();
        response = faultResponse(fault.status, fault.retryAfterSeconds);
      } else {
        response = handleRequest(core, request);
      }
      budget.charge(client, 1, 0);
      stats.recordBatchOperation(request.method, target.entitySet, response.status);
      return response;
    };

  const faultResponse = (status: number, retryAfterSeconds: number | undefined): DvResponse => {
    const code = status === 429 ? CODES.requestLimit : CODES.generic;
    const headers: Record<string, string> = { 'Content-Type': JSON_CONTENT_TYPE };
    if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(retryAfterSeconds);
    return { status, headers, body: { error: { code, message: faultMessage(status) } } };
  };

  const throttled = (reason: string, retryAfter: number | undefined, message: string): DvResponse => {
    const limits = protection.limits;
    const [code, text] =
      reason === 'requests'
        ? [CODES.requestLimit, message]
        : reason === 'executionTime'
          ? [CODES.executionTimeLimit, message]
          : [CODES.concurrencyLimit, `Number of concurrent requests exceeded the limit of ${limits.maxConcurrent}.`];
    const headers: Record<string, string> = { 'Content-Type': JSON_CONTENT_TYPE };
    if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
    return { status: 429, headers, body: { error: { code, message: text } } };
  };

  app.all(`${API_PREFIX}/*`, async (request, reply) => {
    const rawUrl = request.url;
    const q = rawUrl.indexOf('?');
    const rawPath = (q < 0 ? rawUrl : rawUrl.slice(0, q)).slice(API_PREFIX.length + 1);
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      path = rawPath;
    }
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const method = request.method.toUpperCase();
    const target = path === '$batch' ? { entitySet: '$batch' } : describeTarget(path);
    const headers = headerMap(request);
    const finish = (response: DvResponse): FastifyReply => {
      stats.recordRequest(method, target.entitySet, response.status);
      noteChanges();
      return send(reply, response);
    };

    const auth = issuer.verify(headers.authorization);
    if (!auth.ok) {
      return finish({
        status: 401,
        headers: {
          'WWW-Authenticate': `Bearer authorization_uri=https://login.microsoftonline.com/${tenant}/oauth2/authorize, resource_id=${orgUrl}`,
        },
      });
    }
    const client = auth.clientId;
    let admission;
    try {
      admission = await protection.admit(client);
    } catch (error) {
      if (!(error instanceof ThrottledError)) throw error;
      stats.recordThrottled();
      return finish(throttled(error.reason, error.retryAfterSeconds, error.message));
    }
    try {
      budget.limits = budgetLimits();
      const wait = budget.admit(client);
      if (wait !== undefined) {
        stats.recordThrottled();
        const l = budget.limits;
        return finish(
          throttled(
            'executionTime',
            protection.limits.sendRetryAfter ? wait : undefined,
            `Combined execution time of incoming requests exceeded limit of ${l.executionMsPerWindow.toLocaleString('en-US')} ` +
              `milliseconds over time window of ${l.windowMs / 1000} seconds. Decrease number of concurrent requests or ` +
              'reduce the duration of requests and try again later.',
          ),
        );
      }
      const fault = faults.match({ method, entitySet: target.entitySet, recordId: target.recordId });
      if (fault !== undefined && fault.latencyMs > 0) {
        stats.recordDelayed();
        await sleep(fault.latencyMs);
      }
      if (fault?.resetConnection) {
        stats.recordFaulted();
        request.raw.socket.destroy();
        return reply;
      }
      if (fault?.status !== undefined) {
        stats.recordFaulted();
        return finish(faultResponse(fault.status, fault.retryAfterSeconds));
      }
      const started = performance.now();
      const serviceRoot = `http://${headers.host ?? '127.0.0.1'}${API_PREFIX}`;
      let response: DvResponse;
      let operations = 1;
      if (path === '$batch' && method === 'POST') {
        const rawBody = typeof request.body === 'string' ? request.body : '';
        try {
          const out = executeBatch(core, { headers, rawBody, serviceRoot }, runInner(client));
          response = { status: out.status, headers: out.headers, body: out.body };
        } catch (error) {
          if (!(error instanceof EmulatorError)) throw error;
          response = {
            status: error.status,
            headers: { 'Content-Type': JSON_CONTENT_TYPE },
            body: errorBody(error, false),
          };
        }
        operations = 0; // inner operations were charged one by one
      } else {
        response = handleRequest(core, { method, path, query, headers, body: request.body, serviceRoot });
        const targets = (request.body as { Targets?: unknown } | undefined)?.Targets;
        if (Array.isArray(targets) && path.includes('Microsoft.Dynamics.CRM.')) operations = targets.length;
      }
      budget.charge(client, operations, performance.now() - started);
      response.headers = { ...response.headers, ...budget.headers(client) };
      return finish(response);
    } finally {
      admission.release();
    }
  });

  registerControlRoutes(app, {
    reset: () => {
      store.clear();
      store.resetMetadata();
      faults.clear();
      stats.reset();
      protection.clearWindows();
      budget.clear();
      noteChanges();
    },
    seed: (seed) => {
      const counts = seedDemoData(store, seed);
      noteChanges();
      return counts;
    },
    setFaults: (rules) => faults.setRules(rules, CODES.generic),
    faults: () => faults.list(),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    expireTokens: () => issuer.expireAll(),
    issuedTokens: () => issuer.issuedTokens(),
    setLimits: (limits, reset) => {
      const { executionMsPerRequest: perRequest, executionMsPerWindow, ...rest } = limits as DataverseLimits;
      if (reset) {
        delete sharedLimits.executionMsPerWindow;
        executionMsPerRequestOverride.value = undefined;
      }
      if (executionMsPerWindow !== undefined) sharedLimits.executionMsPerWindow = executionMsPerWindow;
      if (perRequest !== undefined) executionMsPerRequestOverride.value = perRequest;
      protection.setLimits({ ...rest, executionMsPerWindow: 0 }, reset);
      budget.limits = budgetLimits();
      return currentLimits();
    },
    limits: () => currentLimits(),
    errorBody: (_status, code, message) => ({ error: { code: code === 'BadRequest' ? CODES.generic : code, message } }),
  });
  const currentLimits = (): ResolvedLimits => {
    const b = budgetLimits();
    return {
      ...protection.limits,
      executionMsPerWindow: b.executionMsPerWindow,
      executionMsPerRequest: executionMsPerRequestOverride.value ?? DEFAULT_EXECUTION_MS_PER_REQUEST,
    } as ResolvedLimits;
  };

  app.post('/__emulator/dataverse/settings', async (request, reply) => {
    applySettings(settings, request.body ?? {});
    return reply.send({
      ...settings,
      bulkUnsupported: [...settings.bulkUnsupported],
      changeTrackingDisabled: [...settings.changeTrackingDisabled],
    });
  });

  const { url, port } = await listenEmulator(app, options.host ?? '127.0.0.1', options.port ?? 0);
  if (stateFile !== undefined && loaded === undefined) await stateFile.saveNow();
  return {
    url,
    port,
    apiBase: `${url}${API_PREFIX}`,
    tokenUrl: `${url}/${tenant}/oauth2/v2.0/token`,
    configure: (input) => applySettings(settings, input),
    close: async () => {
      await app.close();
      await stateFile?.flush();
    },
  };
}
