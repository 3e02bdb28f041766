import { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
import { AuthenticationError, TransientServerError } from './errors';
import { type ConnectorLogger, silentLogger } from './logger';
import { type TokenProvider } from './token-provider';

export interface MsalTokenProviderOptions {
  /** https Entra authority host, e.g. `https://login.microsoftonline.com`. */
  authorityHost: string;
  /** Entra tenant id or domain. */
  tenant: string;
  clientId: string;
  clientSecret: string;
  /** e.g. `https://api.businesscentral.dynamics.com/.default` or `https://org.crm.dynamics.com/.default`. */
  scope: string;
  logger?: ConnectorLogger;
}

/**
 * Client-credentials tokens from Microsoft Entra ID through MSAL. MSAL caches app tokens in memory and refreshes them
 * proactively; after `invalidate()` the next call skips the cache once.
 */
export class MsalTokenProvider implements TokenProvider {
  private readonly app: ConfidentialClientApplication;
  private skipCache = false;
  private readonly log: ConnectorLogger;

  constructor(private readonly options: MsalTokenProviderOptions) {
    this.log = options.logger ?? silentLogger;
    const log = this.log;
    this.app = new ConfidentialClientApplication({
      auth: {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        authority: `${options.authorityHost.replace(/\/+$/, '')}/${options.tenant}`,
      },
      system: {
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (level, message) => {
            if (level <= LogLevel.Warning) log.warn({ source: 'msal' }, message);
          },
        },
      },
    });
  }

  async getToken(_signal?: AbortSignal): Promise<string> {
    const skipCache = this.skipCache;
    this.skipCache = false;
    let result;
    try {
      result = await this.app.acquireTokenByClientCredential({ scopes: [this.options.scope], skipCache });
    } catch (error) {
      const code =
        typeof (error as { errorCode?: unknown }).errorCode === 'string'
          ? (error as { errorCode: string }).errorCode
          : 'msal_error';
      const transient = /network|timeout|unavailable|server_error/i.test(code);
      const init = {
        service: 'token-endpoint' as const,
        status: 0,
        code,
        message: `Microsoft Entra ID refused a token for client '${this.options.clientId}' (${code})`,
        retryable: transient,
      };
      throw transient ? new TransientServerError(init) : new AuthenticationError(init);
    }
    if (!result?.accessToken) {
      throw new AuthenticationError({
        service: 'token-endpoint',
        status: 0,
        code: 'no_token',
        message: `Microsoft Entra ID returned no access token for client '${this.options.clientId}'`,
        retryable: false,
      });
    }
    return result.accessToken;
  }

  invalidate(): void {
    this.skipCache = true;
  }
}
