// The Business Central API v2.0 emulator (DESIGN §8.3, api-facts Part D1): OAuth client credentials, the standard API
// root and the bcsync custom API pages, OData queries with keyset paging, ETag rules, JSON $batch, service protection,
// fault injection, request stats and the /__emulator control routes. State lives in memory, optionally in a JSON file.

import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TokenIssuer, registerTokenRoute } from '../shared/auth';
import { MonotonicClock } from '../shared/clock';
import { registerControlRoutes } from '../shared/control-routes';
import { DEMO_COMPANY, generateBusinessCentralDemoData } from '../shared/demo-data';
import { businessCentralErrorBody, EmulatorError } from '../shared/errors';
import { FaultInjector, faultMessage } from '../shared/faults';
import { createEmulatorServer, listenEmulator } from '../shared/server';
import { ServiceProtection, ThrottledError } from '../shared/service-protection';
import { StateFile } from '../shared/state-file';
import { RequestStats } from '../shared/stats';
import type { CommonEmulatorOptions, RunningEmulator } from '../shared/types';
import { describeTarget, executeOperation, type ApiContext, type OperationResponse } from './api';
import { executeBatch, faultCode, type BatchRoots } from './batch';
import type { ApiRoot } from './entities';
import { BcStore, type StoreSnapshot } from './store';
import { LEDGER_ACTIVITY_AT } from './views';
import { WebhookManager, type WebhookOptions } from './webhooks';

/** The OAuth scope BC accepts (api-facts A8). */
export const BUSINESS_CENTRAL_SCOPE = 'https://api.businesscentral.dynamics.com/.default';

/** The path of the custom API pages below `/api/` (DESIGN §8.3). */
export const CUSTOM_API_PATH = 'bcsync/sync/v1.0';

/** Options of `startBusinessCentralEmulator`; see `CommonEmulatorOptions` for the shared ones. */
export interface BusinessCentralEmulatorOptions extends CommonEmulatorOptions {
  /** Environment segment of API URLs. (Default: 'production') */
  environment?: string;
  /** Largest accepted request body in bytes. (Default: 350 MiB) */
  bodyLimit?: number;
  /** Webhook knobs (debounce, collection threshold, expiry, retries); BC's real values by default. */
  webhooks?: WebhookOptions;
}

/** A running BC emulator: the contract's `RunningEmulator` plus the default company and the custom API root. */
export interface RunningBusinessCentralEmulator extends RunningEmulator {
  /** GUID of the default company (the demo company "CRONUS"). */
  readonly companyId: string;
  /** `{url}/v2.0/{tenant}/{environment}/api/bcsync/sync/v1.0`. */
  readonly customApiBase: string;
  /**
   * Adds a record to the default company as a user of Business Central would (a page, not the API) — also to sets the
   * API serves read-only, such as `currencyExchangeRates` (rates are entered on the Currency Exchange Rates page).
   * `id` defaults to a new GUID; `lastModifiedDateTime` is stamped. For tests and demos; throws on an unknown set or a
   * taken unique key.
   */
  enterRecord(entitySet: string, data: Record<string, unknown>): Record<string, unknown>;
  /**
   * Posts a customer payment of `amount` (LCY) applied to the posted sales invoice `invoiceId`, as a user would with a
   * payment journal: the invoice's `remainingAmount` (its customer ledger entry's remaining amount) drops, its
   * `status` becomes `Paid` at 0. Its `lastModifiedDateTime` does not move (remainingAmount and status are computed
   * from the ledger entries, not written to the invoice); the customer's `customerStatistics` and
   * `customerFinancialDetails` rows report the activity.
   * For tests and demos; throws when the invoice is not posted or the amount exceeds what remains.
   */
  applyPayment(invoiceId: string, amount: number): Record<string, unknown>;
}

const API_PATH = /^\/v2\.0\/(?:([^/]+)\/)?([^/]+)\/api\/(v2\.0|bcsync\/sync\/v1\.0)(?:\/(.*))?$/;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function lowerHeaders(request: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(request.headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/**
 * Starts the emulator and resolves once it listens. Loads `stateFile` when it exists, otherwise seeds the demo data
 * (unless `seed: false`). Throws when the port is taken or the state file is unreadable.
 */
export async function startBusinessCentralEmulator(
  options: BusinessCentralEmulatorOptions = {},
): Promise<RunningBusinessCentralEmulator> {
  const host = options.host ?? '127.0.0.1';
  const tenant = options.tenant ?? 'cronus';
  const environment = options.environment ?? 'production';
  const clock = new MonotonicClock(options.clock ?? (() => new Date()));
  const pageSize = options.pageSize ?? 20_000;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer');

  let stateFile: StateFile<StoreSnapshot> | undefined;
  const store = new BcStore(clock, () => stateFile?.markDirty());
  if (options.stateFile) stateFile = new StateFile<StoreSnapshot>(options.stateFile, () => store.snapshot());
  const saved = stateFile?.load();
  if (saved) store.restore(saved);
  else if (options.seed === false) store.addCompany(DEMO_COMPANY);
  else store.loadDemo(generateBusinessCentralDemoData(options.seed ?? {}));
  if (stateFile && !saved) await stateFile.saveNow();

  const issuer = new TokenIssuer({
    clientId: options.clientId ?? 'bcsync-demo',
    clientSecret: options.clientSecret ?? 'bcsync-demo-secret',
    scopes: [BUSINESS_CENTRAL_SCOPE],
    clock: () => clock.now(),
  });
  const protection = new ServiceProtection(options.limits, () => clock.now());
  const faults = new FaultInjector();
  const stats = new RequestStats();
  const ctx: ApiContext = { store, clock, pageSize, stats };
  const webhooks = new WebhookManager(options.webhooks, clock, (id) => store.companies.has(id));
  store.changeListener = (event) => webhooks.onChange(event);

  const app = createEmulatorServer({ bodyLimit: options.bodyLimit });
  let baseUrl = '';

  app.setErrorHandler((error: unknown, _request, reply) => {
    if (error instanceof EmulatorError)
      return reply.code(error.status).headers(error.headers).send(businessCentralErrorBody(error.code, error.message));
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    const code =
      status === 413 ? 'BadRequest_RequestEntityTooLarge' : status < 500 ? 'BadRequest' : 'Internal_ServerError';
    return reply.code(status).send(businessCentralErrorBody(code, (error as Error).message));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        businessCentralErrorBody(
          'BadRequest_ResourceNotFound',
          `No HTTP resource was found that matches the request URI '${request.url}'.`,
        ),
      ),
  );

  registerTokenRoute(app, tenant, issuer, () => stats.recordTokenRequest());
  registerControlRoutes(app, {
    reset: () => {
      webhooks.clear();
      store.clear();
      faults.clear();
      stats.reset();
      protection.clearWindows();
    },
    seed: (seedOptions) => {
      try {
        return store.loadDemo(generateBusinessCentralDemoData(seedOptions));
      } catch (error) {
        if (error instanceof RangeError) throw new EmulatorError(400, 'BadRequest', error.message);
        throw error;
      }
    },
    setFaults: (rules) => faults.setRules(rules),
    faults: () => faults.list(),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    expireTokens: () => issuer.expireAll(),
    issuedTokens: () => issuer.issuedTokens(),
    setLimits: (limits, reset) => protection.setLimits(limits, reset),
    limits: () => protection.limits,
    errorBody: (_status, code, message) => businessCentralErrorBody(code, message),
  });

  const send = (reply: FastifyReply, response: OperationResponse): FastifyReply => {
    reply.code(response.status).headers({ 'odata-version': '4.0', ...response.headers });
    return response.body === undefined ? reply.send() : reply.send(response.body);
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const method = request.method.toUpperCase();
    const url = new URL(request.url, 'http://emulator');
    const match = API_PATH.exec(url.pathname);
    const rest = match?.[4] ?? '';
    const subscriptionPath = /^subscriptions(?:\('([^'/]*)'\))?$/.exec(rest);
    const target =
      rest === '$batch'
        ? { entitySet: '$batch' }
        : subscriptionPath
          ? { entitySet: 'subscriptions', recordId: subscriptionPath[1] }
          : describeTarget(rest);
    const respond = (response: OperationResponse): FastifyReply => {
      stats.recordRequest(method, target.entitySet, response.status);
      return send(reply, response);
    };
    const fail = (error: EmulatorError): FastifyReply =>
      respond({
        status: error.status,
        headers: { 'content-type': 'application/json', ...error.headers },
        body: businessCentralErrorBody(error.code, error.message),
      });

    const auth = issuer.verify(request.headers.authorization);
    if (!auth.ok) {
      reply.header(
        'www-authenticate',
        auth.reason === 'expired'
          ? 'Bearer error="invalid_token", error_description="The access token has expired"'
          : `Bearer authorization_uri="${baseUrl}/${tenant}/oauth2/v2.0/authorize"`,
      );
      return fail(new EmulatorError(401, 'Authentication_InvalidCredentials', auth.message));
    }
    if (!match)
      return fail(new EmulatorError(404, 'BadRequest_ResourceNotFound', `No API is served at '${url.pathname}'.`));
    const [, tenantSegment, envSegment, apiSegment] = match;
    if (tenantSegment !== undefined && tenantSegment.toLowerCase() !== tenant.toLowerCase())
      return fail(
        new EmulatorError(404, 'BadRequest_ResourceNotFound', `The tenant '${tenantSegment}' is not served here.`),
      );
    if (envSegment.toLowerCase() !== environment.toLowerCase())
      return fail(
        new EmulatorError(404, 'BadRequest_ResourceNotFound', `The environment '${envSegment}' does not exist.`),
      );

    let admission;
    try {
      admission = await protection.admit(auth.clientId);
    } catch (error) {
      if (!(error instanceof ThrottledError)) throw error;
      stats.recordThrottled();
      const headers: Record<string, string> = {};
      if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
      return fail(
        new EmulatorError(
          error.status,
          error.status === 429 ? 'Application_TooManyRequests' : 'Internal_ServiceUnavailable',
          error.message,
          headers,
        ),
      );
    }
    try {
      const fault = faults.match({ method, entitySet: target.entitySet, recordId: target.recordId });
      if (fault && fault.latencyMs > 0) {
        stats.recordDelayed();
        await sleep(fault.latencyMs);
      }
      if (fault?.resetConnection) {
        stats.recordFaulted();
        stats.recordRequest(method, target.entitySet, 0);
        reply.hijack();
        request.raw.socket.destroy();
        return undefined;
      }
      if (fault?.status !== undefined) {
        stats.recordFaulted();
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        return fail(new EmulatorError(fault.status, faultCode(fault.status), faultMessage(fault.status), headers));
      }
      const api: ApiRoot = apiSegment === 'v2.0' ? 'v2.0' : 'custom';
      const prefix =
        tenantSegment !== undefined ? `/v2.0/${tenantSegment}/${envSegment}/api` : `/v2.0/${envSegment}/api`;
      const apiRootPath = `${prefix}/${apiSegment}`;
      const headers = lowerHeaders(request);
      if (subscriptionPath && api === 'v2.0') {
        const id = subscriptionPath[1];
        const json = (status: number, body?: unknown): FastifyReply =>
          respond({ status, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body });
        if (id === undefined && method === 'GET')
          return json(200, {
            '@odata.context': `${baseUrl}${apiRootPath}/$metadata#subscriptions`,
            value: webhooks.list(),
          });
        if (id === undefined && method === 'POST') return json(201, await webhooks.create(request.body, auth.clientId));
        if (id !== undefined && method === 'GET') return json(200, webhooks.get(id));
        if (id !== undefined && method === 'PATCH')
          return json(200, await webhooks.renew(id, headers['if-match'], request.body));
        if (id !== undefined && method === 'DELETE') {
          webhooks.remove(id);
          return json(204);
        }
        return fail(
          new EmulatorError(405, 'BadRequest_MethodNotAllowed', `'${method}' is not allowed on subscriptions.`),
        );
      }
      if (rest === '$batch') {
        if (method !== 'POST')
          return fail(new EmulatorError(405, 'BadRequest_MethodNotAllowed', 'A batch must be sent with POST.'));
        const roots: BatchRoots = {
          apiRootUrl: `${baseUrl}${apiRootPath}`,
          api,
          roots: [
            { api: 'v2.0', path: `${prefix}/v2.0`, url: `${baseUrl}${prefix}/v2.0` },
            { api: 'custom', path: `${prefix}/${CUSTOM_API_PATH}`, url: `${baseUrl}${prefix}/${CUSTOM_API_PATH}` },
          ],
        };
        const outcome = executeBatch(ctx, roots, request.body, headers, faults, stats);
        if (outcome.latencyMs > 0) await sleep(outcome.latencyMs);
        if (outcome.resetConnection) {
          stats.recordRequest(method, '$batch', 0);
          reply.hijack();
          request.raw.socket.destroy();
          return undefined;
        }
        return respond(outcome.response);
      }
      return respond(
        executeOperation(ctx, {
          method,
          api,
          path: rest,
          query: url.searchParams,
          headers,
          body: request.body,
          apiRootUrl: `${baseUrl}${apiRootPath}`,
        }),
      );
    } catch (error) {
      if (error instanceof EmulatorError) return fail(error);
      throw error;
    } finally {
      admission.release();
    }
  };
  app.route({ method: ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'], url: '/v2.0/*', handler });

  const { url, port } = await listenEmulator(app, host, options.port ?? 0);
  baseUrl = url;
  const apiPrefix = `${url}/v2.0/${tenant}/${environment}/api`;
  return {
    url,
    port,
    apiBase: `${apiPrefix}/v2.0`,
    customApiBase: `${apiPrefix}/${CUSTOM_API_PATH}`,
    tokenUrl: `${url}/${tenant}/oauth2/v2.0/token`,
    companyId: DEMO_COMPANY.id,
    enterRecord: (entitySet, data) => store.insert(DEMO_COMPANY.id, entitySet, { id: randomUUID(), ...data }).data,
    applyPayment: (invoiceId, amount) => {
      const invoice = store.get(DEMO_COMPANY.id, 'salesInvoices', invoiceId);
      const status = invoice?.data['status'];
      if (!invoice || (status !== 'Open' && status !== 'Paid')) throw new Error(`no open posted invoice ${invoiceId}`);
      const remaining = Math.round(((invoice.data['remainingAmount'] as number) - amount) * 100) / 100;
      if (amount <= 0 || remaining < 0) throw new Error(`a payment of ${amount} does not fit invoice ${invoiceId}`);
      // The payment is a new customer ledger entry applied to the invoice's entry: remainingAmount is a FlowField of
      // the entry and status is computed, so the invoice's lastModifiedDateTime (the aggregate table's
      // SystemModifiedAt) does not move — the API docs promise nothing else. The ledger activity is kept apart
      // (never on the wire) for the pages that report it (customerStatistics, customerFinancialDetails).
      const data = {
        ...invoice.data,
        remainingAmount: remaining,
        status: remaining === 0 ? 'Paid' : 'Open',
        [LEDGER_ACTIVITY_AT]: clock.nextWriteTime().toISOString(),
      };
      return store.update(DEMO_COMPANY.id, 'salesInvoices', invoiceId, data, { keepModifiedAt: true }).data;
    },
    close: async () => {
      protection.close();
      webhooks.close();
      await app.close();
      await stateFile?.flush();
    },
  };
}
