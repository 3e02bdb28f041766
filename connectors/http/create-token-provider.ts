import { ClientCredentialsTokenProvider } from './client-credentials-token-provider';
import { type ConnectorLogger } from './logger';
import { MsalTokenProvider } from './msal-token-provider';
import { type TokenProvider } from './token-provider';

export interface TokenProviderOptions {
  /** Authority host: `https://login.microsoftonline.com` (or a sovereign cloud), or an emulator root such as `http://127.0.0.1:7048`. */
  authorityHost: string;
  tenant: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  logger?: ConnectorLogger;
}

/** Entra ID authority hosts (public and sovereign clouds) that MSAL knows. */
const ENTRA_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.microsoftonline.de',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login-us.microsoftonline.com',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
]);

/** True when the authority is a Microsoft Entra host reached over https (the only kind MSAL accepts). */
export function isEntraAuthority(authorityHost: string): boolean {
  let url: URL;
  try {
    url = new URL(authorityHost);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && ENTRA_HOSTS.has(url.hostname.toLowerCase());
}

/**
 * Picks the token provider for an authority: MSAL for https Entra hosts, the plain client-credentials POST to
 * `{authorityHost}/{tenant}/oauth2/v2.0/token` otherwise (the emulators; MSAL refuses http authorities).
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  if (isEntraAuthority(options.authorityHost)) return new MsalTokenProvider(options);
  const host = options.authorityHost.replace(/\/+$/, '');
  return new ClientCredentialsTokenProvider({
    tokenUrl: `${host}/${encodeURIComponent(options.tenant)}/oauth2/v2.0/token`,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scope: options.scope,
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
