// OAuth 2.0 client-credentials, as Microsoft Entra ID answers it (api-facts A8, B8): a token endpoint that checks the
// client id, secret and scope, and a verifier for `Authorization: Bearer …` on API calls. Tokens are opaque random
// strings held in memory: they do not survive a restart (a client must re-acquire on 401, as after any expiry).

import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Clock } from './types';

/** Options of `TokenIssuer`. */
export interface TokenIssuerOptions {
  clientId: string;
  clientSecret: string;
  /** The accepted `scope` values, e.g. `['https://api.businesscentral.dynamics.com/.default']`. */
  scopes: readonly string[];
  clock: Clock;
  /** Token lifetime in seconds. (Default: 3599) */
  lifetimeSeconds?: number;
}

/** The outcome of `TokenIssuer.verify`. */
export type TokenCheck =
  { ok: true; clientId: string } | { ok: false; reason: 'missing' | 'invalid' | 'expired'; message: string };

/** The answer of the token endpoint: status and JSON body. */
export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

interface IssuedToken {
  clientId: string;
  expiresAt: number;
  epoch: number;
}

/** How many issued tokens `TokenIssuer.issuedTokens()` remembers (the oldest are forgotten first). */
const ISSUED_TOKENS_KEPT = 10_000;

/**
 * Issues and verifies bearer tokens; `expireAll()` invalidates every token issued so far; `issuedTokens()` lists every
 * token issued (valid or not), for tests that prove no token leaked into logs, the store or workflow histories.
 */
export class TokenIssuer {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly issued = new Set<string>();
  private epoch = 0;
  private readonly lifetimeSeconds: number;

  constructor(private readonly options: TokenIssuerOptions) {
    this.lifetimeSeconds = options.lifetimeSeconds ?? 3599;
  }

  /**
   * Handles a token request (form fields; a client_secret_basic `Authorization: Basic` header is honoured too).
   * Returns 200 `{token_type:'Bearer', expires_in, ext_expires_in, access_token}`, 400 `unsupported_grant_type` /
   * `invalid_request` / `invalid_scope`, or 401 `invalid_client` (unknown client id or wrong secret). Never throws.
   */
  issue(form: Record<string, unknown>, authorization?: string): TokenResponse {
    let clientId = typeof form['client_id'] === 'string' ? form['client_id'] : undefined;
    let clientSecret = typeof form['client_secret'] === 'string' ? form['client_secret'] : undefined;
    if (authorization?.toLowerCase().startsWith('basic ')) {
      const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        clientId = decodeURIComponent(decoded.slice(0, colon));
        clientSecret = decodeURIComponent(decoded.slice(colon + 1));
      }
    }
    if (form['grant_type'] !== 'client_credentials')
      return entraError(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
    if (!clientId || !clientSecret)
      return entraError(
        400,
        'invalid_request',
        "AADSTS900144: The request body must contain 'client_id' and 'client_secret'.",
      );
    if (clientId !== this.options.clientId || clientSecret !== this.options.clientSecret)
      return entraError(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    const scope = typeof form['scope'] === 'string' ? form['scope'] : '';
    if (!this.options.scopes.includes(scope))
      return entraError(400, 'invalid_scope', `AADSTS1002012: The provided value for scope ${scope} is not valid.`);
    const now = this.options.clock().getTime();
    for (const [token, issued] of this.tokens)
      if (issued.expiresAt <= now || issued.epoch < this.epoch) this.tokens.delete(token);
    const accessToken = randomBytes(32).toString('base64url');
    this.tokens.set(accessToken, { clientId, expiresAt: now + this.lifetimeSeconds * 1000, epoch: this.epoch });
    this.issued.add(accessToken);
    if (this.issued.size > ISSUED_TOKENS_KEPT) this.issued.delete(this.issued.values().next().value as string);
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: this.lifetimeSeconds,
        ext_expires_in: this.lifetimeSeconds,
        access_token: accessToken,
      },
    };
  }

  /** Checks an `Authorization` header value. Never throws. */
  verify(authorization: string | undefined): TokenCheck {
    if (!authorization || !/^bearer\s+\S+/i.test(authorization))
      return { ok: false, reason: 'missing', message: 'The request does not carry a bearer token.' };
    const token = authorization.replace(/^bearer\s+/i, '').trim();
    const issued = this.tokens.get(token);
    if (!issued) return { ok: false, reason: 'invalid', message: 'The credentials provided are incorrect.' };
    if (issued.epoch < this.epoch || issued.expiresAt <= this.options.clock().getTime())
      return { ok: false, reason: 'expired', message: 'The access token has expired.' };
    return { ok: true, clientId: issued.clientId };
  }

  /**
   * Every access token issued since the emulator started (expired or invalidated ones too), oldest first, up to the
   * last 10,000 (`GET /__emulator/tokens`).
   */
  issuedTokens(): string[] {
    return [...this.issued];
  }

  /** Makes every token issued so far invalid (`POST /__emulator/tokens/expire`). */
  expireAll(): void {
    this.epoch++;
  }
}

function entraError(status: number, error: string, description: string): TokenResponse {
  return {
    status,
    body: {
      error,
      error_description: description,
      error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)],
      timestamp: new Date()
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z'),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    },
  };
}

/**
 * Registers `POST /{tenant}/oauth2/v2.0/token` on `app` (needs the urlencoded body parser of `createEmulatorServer`).
 * `onRequest` (optional) is called for each token request, e.g. to count it in stats.
 */
export function registerTokenRoute(
  app: FastifyInstance,
  tenant: string,
  issuer: TokenIssuer,
  onRequest?: (status: number) => void,
): void {
  app.post(`/${tenant}/oauth2/v2.0/token`, async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, unknown>;
    const result = issuer.issue(form, request.headers.authorization);
    onRequest?.(result.status);
    return reply.code(result.status).header('cache-control', 'no-store').send(result.body);
  });
}
