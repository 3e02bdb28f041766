/**
 * Source of OAuth2 bearer tokens for one API audience. Implementations cache, refresh before expiry and are safe to
 * call concurrently.
 */
export interface TokenProvider {
  /** Returns a valid access token, fetching one when the cache is empty or expired. Throws `AuthenticationError`. */
  getToken(signal?: AbortSignal): Promise<string>;
  /** Forgets the cached token, so the next `getToken` fetches a new one (called after an API 401). */
  invalidate(): void;
}
