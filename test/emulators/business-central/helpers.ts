// Raw-HTTP helpers for the Business Central emulator tests: start an emulator on a random port, fetch a token, call
// the API. No connector code (DESIGN §3).

import {
  startBusinessCentralEmulator,
  type BusinessCentralEmulatorOptions,
  type RunningBusinessCentralEmulator,
} from '../../../emulators/business-central';

/** A parsed JSON value (JSON.parse's own type): tests inspect response bodies structurally. */
export type Json = ReturnType<typeof JSON.parse>;

export const BC_SCOPE = 'https://api.businesscentral.dynamics.com/.default';

/** A started emulator with a token and small request helpers. */
export interface BcHarness {
  bc: RunningBusinessCentralEmulator;
  token: string;
  /** `{apiBase}/companies({companyId})/{path}`. */
  companyUrl(path: string): string;
  /** `{customApiBase}/companies({companyId})/{path}`. */
  customUrl(path: string): string;
  /** fetch with the bearer token (and JSON content type when a body is given). */
  call(url: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  /** call() and parse JSON. */
  json<T = Json>(
    url: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T; headers: Headers }>;
  control(path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

/** Requests a token with the given form fields (defaults: the demo client and the BC scope). */
export async function requestToken(
  tokenUrl: string,
  fields: Record<string, string> = {},
): Promise<{ status: number; body: Json }> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'bcsync-demo',
    client_secret: 'bcsync-demo-secret',
    scope: BC_SCOPE,
    ...fields,
  });
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  return { status: response.status, body: await response.json() };
}

/** Starts an emulator (small default page size unless given) and acquires a token. */
export async function startHarness(options: BusinessCentralEmulatorOptions = {}): Promise<BcHarness> {
  const bc = await startBusinessCentralEmulator(options);
  const { body } = await requestToken(bc.tokenUrl);
  const token = body.access_token as string;
  const call = (url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    fetch(url, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.headers ?? {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  return {
    bc,
    token,
    companyUrl: (path) => `${bc.apiBase}/companies(${bc.companyId})/${path}`,
    customUrl: (path) => `${bc.customApiBase}/companies(${bc.companyId})/${path}`,
    call,
    json: async (url, init) => {
      const response = await call(url, init);
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
    },
    control: (path, body) =>
      fetch(`${bc.url}/__emulator/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      }),
    close: () => bc.close(),
  };
}

/** Asserts the BC error shape and returns the code. */
export function errorCode(body: Json): string {
  if (!body?.error || typeof body.error.code !== 'string' || typeof body.error.message !== 'string')
    throw new Error(`not a BC error body: ${JSON.stringify(body)}`);
  if (!/CorrelationId: [0-9a-f-]{36}\.$/.test(body.error.message))
    throw new Error(`error message lacks the CorrelationId suffix: ${body.error.message}`);
  return body.error.code;
}

/** Follows @odata.nextLink until the end; returns all rows and the number of pages. */
export async function readAll(
  h: BcHarness,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ rows: Json[]; pages: number }> {
  const rows: Json[] = [];
  let next: string | undefined = url;
  let pages = 0;
  while (next) {
    const { status, body }: { status: number; body: Json } = await h.json(next, { headers });
    if (status !== 200) throw new Error(`GET ${next} → ${status} ${JSON.stringify(body)}`);
    rows.push(...body.value);
    pages++;
    next = body['@odata.nextLink'];
  }
  return { rows, pages };
}
