import { type ConnectorService, ValidationError } from './errors';

/** `{ signal }` when defined, `{}` otherwise (exactOptionalPropertyTypes-friendly spreading). */
export function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}

/** Drops keys whose value is undefined, so defaults spread underneath survive. */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Waits `ms`, rejecting with the signal's reason when it aborts first. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(asError(signal.reason));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(asError(signal!.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Resolves a server-provided link (nextLink, deltaLink) and checks it points at the configured host: the bearer
 * token must never be sent anywhere else.
 */
export function sameOriginLink(link: string, base: string, service: ConnectorService): string {
  const url = new URL(link, base);
  if (url.origin !== new URL(base).origin) {
    throw new ValidationError({
      service,
      status: 0,
      code: 'ForeignLink',
      message: `The server returned a link to another host (${url.host}); refusing to follow it`,
      retryable: false,
    });
  }
  return url.toString();
}

/** An abort reason as an Error (reasons are DOMExceptions unless a caller passed something else). */
export function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error('The operation was aborted');
}
