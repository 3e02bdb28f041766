import { AuthenticationError, TransientServerError, ValidationError } from './errors';
import { type ConnectorLogger, silentLogger } from './logger';
import { type TokenProvider } from './token-provider';

export interface ClientCredentialsTokenProviderOptions {
  /** Token endpoint, e.g. `http://127.0.0.1:7048/cronus/oauth2/v2.0/token`. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** e.g. `https://api.businesscentral.dynamics.com/.default`. */
  scope: string;
  /** Refresh this long before `expires_in` runs out; the cached token is still served meanwhile. (Default: 300000 ms, capped at half the lifetime) */
  refreshBeforeExpiryMs?: number;
  /** Timeout of one token request. (Default: 30000 ms) */
  timeoutMs?: number;
  logger?: ConnectorLogger;
  /** Clock, for tests. (Default: Date.now) */
  now?: () => number;
}

interface CachedToken {
  accessToken: string;
  expiresAt: number;
  refreshAt: number;
}

/**
 * Plain OAuth2 client-credentials flow (`grant_type=client_credentials` form POST). Used for the emulators and any
 * non-Entra authority (MSAL refuses http authorities). Caches the token until shortly before `expires_in`, refreshes
 * proactively in the background, and lets concurrent callers share one in-flight request (single flight).
 */
export class ClientCredentialsTokenProvider implements TokenProvider {
  private cached: CachedToken | null = null;
  private inflight: Promise<CachedToken> | null = null;
  private readonly log: ConnectorLogger;
  private readonly now: () => number;

  constructor(private readonly options: ClientCredentialsTokenProviderOptions) {
    this.log = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
  }

  async getToken(signal?: AbortSignal): Promise<string> {
    const now = this.now();
    const cached = this.cached;
    if (cached && now < cached.expiresAt) {
      if (now >= cached.refreshAt && !this.inflight) {
        // Proactive refresh: callers keep using the current token while a new one is fetched.
        this.refresh().catch((error: unknown) =>
          this.log.warn({ err: describe(error) }, 'background token refresh failed; the cached token is still used'),
        );
      }
      return cached.accessToken;
    }
    const token = await this.refresh(signal);
    return token.accessToken;
  }

  invalidate(): void {
    this.cached = null;
  }

  private refresh(signal?: AbortSignal): Promise<CachedToken> {
    if (!this.inflight) {
      this.inflight = this.fetchToken(signal).then(
        (token) => {
          this.cached = token;
          this.inflight = null;
          return token;
        },
        (error: unknown) => {
          this.inflight = null;
          throw error;
        },
      );
    }
    return this.inflight;
  }

  private async fetchToken(signal?: AbortSignal): Promise<CachedToken> {
    const { tokenUrl, clientId, clientSecret, scope } = this.options;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const started = this.now();
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
          scope,
        }).toString(),
        signal: combined,
      });
    } catch (error) {
      throw new TransientServerError({
        service: 'token-endpoint',
        status: 0,
        code: 'NetworkError',
        message: `The token endpoint ${tokenUrl} could not be reached: ${errorName(error)}`,
        retryable: true,
        cause: error,
      });
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Non-JSON body: handled below through the status.
    }
    if (!response.ok || typeof body.access_token !== 'string') {
      const code = typeof body.error === 'string' ? body.error : `HTTP_${response.status}`;
      const description = typeof body.error_description === 'string' ? body.error_description : '';
      const message =
        `The token endpoint refused client '${clientId}' (${response.status} ${code})` +
        (description ? `: ${firstLine(description)}` : '');
      if (response.status >= 500 || response.status === 429) {
        throw new TransientServerError({
          service: 'token-endpoint',
          status: response.status,
          code,
          message,
          retryable: true,
        });
      }
      if (code === 'invalid_scope' || code === 'invalid_request') {
        throw new ValidationError({
          service: 'token-endpoint',
          status: response.status,
          code,
          message,
          retryable: false,
        });
      }
      throw new AuthenticationError({
        service: 'token-endpoint',
        status: response.status,
        code,
        message,
        retryable: false,
      });
    }
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in) || 3600) * 1000;
    const margin = Math.min(this.options.refreshBeforeExpiryMs ?? 300_000, lifetimeMs / 2);
    // Count the lifetime from the moment the request was sent, so network time never makes us use an expired token.
    return {
      accessToken: body.access_token,
      expiresAt: started + lifetimeMs - 5_000,
      refreshAt: started + lifetimeMs - margin,
    };
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0].slice(0, 300);
}

function errorName(error: unknown): string {
  if (error instanceof Error) return error.name === 'TimeoutError' ? 'timed out' : error.message;
  return 'unknown error';
}

function describe(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { message: 'unknown error' };
}
