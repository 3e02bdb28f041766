// Test helpers for the Dataverse emulator tests: start an emulator on a random port, get a token, and call the API
// with raw fetch (no connector code).
import {
  startDataverseEmulator,
  type DataverseEmulatorOptions,
  type RunningDataverseEmulator,
} from '../../../emulators/dataverse';

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface Harness {
  emulator: RunningDataverseEmulator;
  token: string;
  api(method: string, path: string, init?: { body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse>;
  control(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  close(): Promise<void>;
}

async function toResponse(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Requests a client-credentials token from the emulator. */
export async function getToken(
  emulator: RunningDataverseEmulator,
  scope = 'https://bcsync.crm.dynamics.com/.default',
): Promise<string> {
  const res = await fetch(emulator.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'bcsync-demo',
      client_secret: 'bcsync-demo-secret',
      scope,
    }).toString(),
  });
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

/** Starts an emulator (empty by default) and returns helpers bound to it. */
export async function startHarness(options: DataverseEmulatorOptions = {}): Promise<Harness> {
  const emulator = await startDataverseEmulator({ seed: false, ...options });
  const token = await getToken(emulator);
  const harness: Harness = {
    emulator,
    token,
    async api(method, path, init = {}) {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${harness.token}`,
        Accept: 'application/json',
        'OData-MaxVersion': '4.0',
        'OData-Version': '4.0',
        ...init.headers,
      };
      let body: string | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
        headers['Content-Type'] ??= 'application/json';
      }
      const url = /^https?:/.test(path) ? path : `${emulator.apiBase}/${path}`;
      return toResponse(await fetch(url, { method, headers, body }));
    },
    async control(method, path, body) {
      const res = await fetch(`${emulator.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return toResponse(res);
    },
    close: () => emulator.close(),
  };
  return harness;
}

/**
 * Creates the reference rows most tests need (currency, unit group with its base unit, price list) and returns their
 * ids. The base unit 'PCS' is the one Dataverse creates from the group's `baseuomname`.
 */
export async function createReferenceData(
  h: Harness,
): Promise<{ currencyId: string; scheduleId: string; uomId: string; priceLevelId: string }> {
  const currencyId = 'aaaaaaaa-0000-0000-0000-000000000001';
  const scheduleId = 'aaaaaaaa-0000-0000-0000-000000000002';
  const priceLevelId = 'aaaaaaaa-0000-0000-0000-000000000004';
  const ok = (r: ApiResponse): void => {
    if (r.status >= 300) throw new Error(`setup failed: ${r.status} ${r.text}`);
  };
  ok(
    await h.api('PATCH', `transactioncurrencies(${currencyId})`, {
      body: {
        isocurrencycode: 'NOK',
        currencyname: 'Norwegian Krone',
        currencysymbol: 'kr',
        exchangerate: 1,
        currencyprecision: 2,
      },
    }),
  );
  ok(await h.api('PATCH', `uomschedules(${scheduleId})`, { body: { name: 'NAV PCS', baseuomname: 'PCS' } }));
  const base = await h.api('GET', `uoms(_uomscheduleid_value=${scheduleId},name='PCS')?$select=uomid`);
  ok(base);
  const uomId = String(base.json.uomid);
  ok(
    await h.api('PATCH', `pricelevels(${priceLevelId})`, {
      body: { name: 'RETAIL', 'transactioncurrencyid@odata.bind': `/transactioncurrencies(${currencyId})` },
    }),
  );
  return { currencyId, scheduleId, uomId, priceLevelId };
}

/** Polls `condition` until it returns true or the deadline passes. */
export async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not met before the deadline');
}
