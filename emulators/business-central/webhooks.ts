// Webhook subscriptions (api-facts A9, D1.11): `subscriptions` at the API root with the validation handshake, expiry
// after 3 days and renewal by PATCH (If-Match + a fresh handshake); change notifications debounced per notification
// URL and grouped in one `value[]`, a single `collection` notification above the threshold, line changes notifying the
// invoice header, retries on 408/429/5xx and deletion of the subscription on any other answer.

import { randomBytes, randomUUID } from 'node:crypto';
import { EmulatorError } from '../shared/errors';
import type { MonotonicClock } from '../shared/clock';
import type { ChangeEvent } from './store';

/** Webhook knobs (BC's real values by default). */
export interface WebhookOptions {
  /** Quiet time after the first change before notifications are sent. (Default: 30000) */
  debounceMs?: number;
  /** More changes than this for one subscription in one window → a single `collection` notification. (Default: 1000) */
  collectionThreshold?: number;
  /** Subscription lifetime. (Default: 3 days) */
  expirationMs?: number;
  /** Subscriptions per environment. (Default: 200) */
  maxSubscriptions?: number;
  /** First retry delay after 408/429/5xx or a network error; doubles per attempt. (Default: 60000) */
  retryDelayMs?: number;
  /** Retries stop this long after the first attempt. (Default: 36 hours) */
  maxRetryMs?: number;
  /** Timeout of the handshake and of each notification POST. (Default: 10000) */
  requestTimeoutMs?: number;
}

/** The entity sets BC supports webhooks for, among those the emulator serves (contacts are not supported). */
export const WEBHOOK_SETS = new Set([
  'customers',
  'currencies',
  'items',
  'salesInvoices',
  'unitsOfMeasure',
  'employees',
  'resources',
  'customerPriceGroups',
  'salesPrices',
]);

interface Subscription {
  subscriptionId: string;
  notificationUrl: string;
  resource: string;
  clientState: string;
  userId: string;
  expirationDateTime: string;
  lastModifiedDateTime: string;
  version: number;
  /** Parsed from `resource`. */
  api: string;
  companyId: string;
  set: string;
}

interface PendingBatch {
  timer: NodeJS.Timeout;
  /** Per subscription: record id → notification kind and time. */
  changes: Map<string, Map<string, { kind: ChangeEvent['kind']; at: string }>>;
  firstAt: Map<string, string>;
}

const RESOURCE = /(?:^|\/)api\/(v2\.0|bcsync\/sync\/v1\.0)\/companies\(([0-9a-fA-F-]{36})\)\/(\w+)$/;

/** Subscriptions and outgoing notifications of one emulator. */
export class WebhookManager {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly pending = new Map<string, PendingBatch>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private version = 0;
  private readonly o: Required<WebhookOptions>;

  constructor(
    options: WebhookOptions | undefined,
    private readonly clock: MonotonicClock,
    private readonly companyExists: (id: string) => boolean,
  ) {
    this.o = {
      debounceMs: options?.debounceMs ?? 30_000,
      collectionThreshold: options?.collectionThreshold ?? 1000,
      expirationMs: options?.expirationMs ?? 3 * 86_400_000,
      maxSubscriptions: options?.maxSubscriptions ?? 200,
      retryDelayMs: options?.retryDelayMs ?? 60_000,
      maxRetryMs: options?.maxRetryMs ?? 36 * 3_600_000,
      requestTimeoutMs: options?.requestTimeoutMs ?? 10_000,
    };
  }

  /** The live subscriptions as the API shows them (expired ones are dropped first). */
  list(): Record<string, unknown>[] {
    this.dropExpired();
    return [...this.subscriptions.values()].map(wire);
  }

  /** One subscription; throws 404 when unknown or expired. */
  get(id: string): Record<string, unknown> {
    this.dropExpired();
    const sub = this.subscriptions.get(id);
    if (!sub) throw notFound(id);
    return wire(sub);
  }

  /**
   * Creates a subscription after a successful handshake (GET `notificationUrl?validationToken=…` must answer 200
   * with the token). Throws `EmulatorError(400)` for a bad body, an unsupported resource, a failed handshake or the
   * subscription limit.
   */
  async create(body: unknown, userId: string): Promise<Record<string, unknown>> {
    const b = (body ?? {}) as Record<string, unknown>;
    const notificationUrl = b['notificationUrl'];
    const resource = b['resource'];
    const clientState = b['clientState'] ?? '';
    if (typeof notificationUrl !== 'string' || !/^https?:\/\//.test(notificationUrl))
      throw new EmulatorError(400, 'BadRequest', 'A valid "notificationUrl" must be provided.');
    if (typeof resource !== 'string') throw new EmulatorError(400, 'BadRequest', 'A "resource" must be provided.');
    if (typeof clientState !== 'string' || clientState.length > 2048)
      throw new EmulatorError(400, 'BadRequest', 'The "clientState" must be a string of at most 2048 characters.');
    const m = RESOURCE.exec(resource.split('?')[0]);
    if (!m) throw new EmulatorError(400, 'BadRequest', `The resource '${resource}' is not valid.`);
    const [, api, companyId, set] = m;
    if (!this.companyExists(companyId.toLowerCase()))
      throw new EmulatorError(404, 'Internal_CompanyNotFound', `The company '${companyId}' does not exist.`);
    if (!WEBHOOK_SETS.has(set))
      throw new EmulatorError(400, 'BadRequest', `The entity set '${set}' does not support webhooks.`);
    this.dropExpired();
    if (this.subscriptions.size >= this.o.maxSubscriptions)
      throw new EmulatorError(
        400,
        'BadRequest',
        `The maximum number of subscriptions (${this.o.maxSubscriptions}) has been reached.`,
      );
    await this.handshake(notificationUrl);
    const now = this.clock.nextWriteTime();
    const sub: Subscription = {
      subscriptionId: randomUUID().replace(/-/g, ''),
      notificationUrl,
      resource,
      clientState,
      userId,
      expirationDateTime: new Date(now.getTime() + this.o.expirationMs).toISOString(),
      lastModifiedDateTime: now.toISOString(),
      version: ++this.version,
      api: api,
      companyId: companyId.toLowerCase(),
      set: set,
    };
    this.subscriptions.set(sub.subscriptionId, sub);
    return wire(sub);
  }

  /** Renews (PATCH): needs a matching `If-Match` (400 without, 409 stale) and a fresh handshake; extends expiry. */
  async renew(id: string, ifMatch: string | undefined, body: unknown): Promise<Record<string, unknown>> {
    this.dropExpired();
    const sub = this.subscriptions.get(id);
    if (!sub) throw notFound(id);
    if (!ifMatch)
      throw new EmulatorError(
        400,
        'BadRequest_InvalidToken',
        'Could not validate the client concurrency token required by the service. Please provide a valid token in the client request.',
      );
    if (ifMatch !== '*' && ifMatch !== etag(sub))
      throw new EmulatorError(409, 'Request_EntityChanged', 'Another user has already changed the record.');
    const b = (body ?? {}) as Record<string, unknown>;
    const notificationUrl = typeof b['notificationUrl'] === 'string' ? b['notificationUrl'] : sub.notificationUrl;
    await this.handshake(notificationUrl);
    const now = this.clock.nextWriteTime();
    sub.notificationUrl = notificationUrl;
    if (typeof b['clientState'] === 'string') sub.clientState = b['clientState'];
    sub.expirationDateTime = new Date(now.getTime() + this.o.expirationMs).toISOString();
    sub.lastModifiedDateTime = now.toISOString();
    sub.version = ++this.version;
    return wire(sub);
  }

  /** Deletes a subscription; throws 404 when unknown. */
  remove(id: string): void {
    if (!this.subscriptions.delete(id)) throw notFound(id);
  }

  /** Records a committed change for every matching subscription and (re)arms the debounce timer of its URL. */
  onChange(event: ChangeEvent): void {
    if (this.subscriptions.size === 0) return;
    // Line changes notify the header (api-facts A9).
    const target =
      event.set === 'salesInvoiceLines' && event.documentId
        ? { set: 'salesInvoices', id: event.documentId, kind: 'updated' as const }
        : { set: event.set, id: event.id, kind: event.kind };
    this.dropExpired();
    for (const sub of this.subscriptions.values()) {
      if (sub.companyId !== event.companyId || sub.set !== target.set) continue;
      let batch = this.pending.get(sub.notificationUrl);
      if (!batch) {
        const url = sub.notificationUrl;
        batch = {
          timer: setTimeout(() => this.flush(url), this.o.debounceMs),
          changes: new Map(),
          firstAt: new Map(),
        };
        batch.timer.unref();
        this.pending.set(url, batch);
      }
      let changes = batch.changes.get(sub.subscriptionId);
      if (!changes) batch.changes.set(sub.subscriptionId, (changes = new Map()));
      if (!batch.firstAt.has(sub.subscriptionId)) batch.firstAt.set(sub.subscriptionId, event.at);
      const previous = changes.get(target.id);
      const kind = target.kind === 'deleted' ? 'deleted' : previous?.kind === 'created' ? 'created' : target.kind;
      changes.set(target.id, { kind, at: event.at });
    }
  }

  /** Stops all timers (pending notifications are dropped). */
  close(): void {
    for (const batch of this.pending.values()) clearTimeout(batch.timer);
    this.pending.clear();
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
  }

  /** Removes all subscriptions and pending notifications (`/__emulator/reset`). */
  clear(): void {
    this.close();
    this.subscriptions.clear();
  }

  private flush(url: string): void {
    const batch = this.pending.get(url);
    if (!batch) return;
    this.pending.delete(url);
    const value: Record<string, unknown>[] = [];
    const included = new Set<string>();
    for (const [subId, changes] of batch.changes) {
      const sub = this.subscriptions.get(subId);
      if (!sub) continue;
      included.add(subId);
      const base = `api/${sub.api}/companies(${sub.companyId})/${sub.set}`;
      const common = {
        subscriptionId: sub.subscriptionId,
        clientState: sub.clientState,
        expirationDateTime: sub.expirationDateTime,
      };
      if (changes.size > this.o.collectionThreshold) {
        const latest = [...changes.values()]
          .map((c) => c.at)
          .sort()
          .at(-1)!;
        value.push({
          ...common,
          resource: `${base}?$filter=lastModifiedDateTime%20gt%20${batch.firstAt.get(subId)!}`,
          changeType: 'collection',
          lastModifiedDateTime: latest,
        });
        continue;
      }
      for (const [id, change] of changes)
        value.push({ ...common, resource: `${base}(${id})`, changeType: change.kind, lastModifiedDateTime: change.at });
    }
    if (value.length > 0) this.deliver(url, value, included, Date.now(), 0);
  }

  private deliver(
    url: string,
    value: Record<string, unknown>[],
    subs: Set<string>,
    firstTry: number,
    attempt: number,
  ): void {
    void fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value }),
      signal: AbortSignal.timeout(this.o.requestTimeoutMs),
    })
      .then(async (response) => {
        await response.arrayBuffer().catch(() => undefined);
        return response.status;
      })
      .catch(() => 0)
      .then((status) => {
        if (status >= 200 && status < 300) return;
        const retryable = status === 0 || status === 408 || status === 429 || status >= 500;
        if (!retryable) {
          // Any other error code deletes the subscription (api-facts A9).
          for (const id of subs) this.subscriptions.delete(id);
          return;
        }
        const delay = this.o.retryDelayMs * 2 ** attempt;
        if (Date.now() + delay - firstTry > this.o.maxRetryMs) return;
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          this.deliver(url, value, subs, firstTry, attempt + 1);
        }, delay);
        timer.unref();
        this.retryTimers.add(timer);
      });
  }

  private async handshake(notificationUrl: string): Promise<void> {
    const token = randomBytes(16).toString('hex');
    const separator = notificationUrl.includes('?') ? '&' : '?';
    let ok = false;
    try {
      const response = await fetch(`${notificationUrl}${separator}validationToken=${token}`, {
        signal: AbortSignal.timeout(this.o.requestTimeoutMs),
      });
      ok = response.status === 200 && (await response.text()).trim() === token;
    } catch {
      ok = false;
    }
    if (!ok)
      throw new EmulatorError(
        400,
        'BadRequest',
        'The subscription could not be validated: the notification URL did not answer 200 with the validation token.',
      );
  }

  private dropExpired(): void {
    const now = this.clock.now().toISOString();
    for (const [id, sub] of this.subscriptions) if (sub.expirationDateTime <= now) this.subscriptions.delete(id);
  }
}

function etag(sub: Subscription): string {
  return `W/"${Buffer.from(`'${sub.version};${sub.subscriptionId.slice(0, 8)};'`).toString('base64')}"`;
}

function wire(sub: Subscription): Record<string, unknown> {
  return {
    '@odata.etag': etag(sub),
    subscriptionId: sub.subscriptionId,
    notificationUrl: sub.notificationUrl,
    resource: sub.resource,
    userId: sub.userId,
    lastModifiedDateTime: sub.lastModifiedDateTime,
    clientState: sub.clientState,
    expirationDateTime: sub.expirationDateTime,
  };
}

function notFound(id: string): EmulatorError {
  return new EmulatorError(404, 'BadRequest_NotFound', `The subscription '${id}' does not exist.`);
}
