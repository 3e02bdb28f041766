/**
 * The logging surface the connectors need: a subset of pino's API, so a pino logger (or a child of one) can be passed
 * straight in. Connectors log constant messages with ids and statuses in fields; never headers, bodies or tokens.
 */
export interface ConnectorLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

const noop = (): void => undefined;

/** A logger that drops everything (the default when none is passed). */
export const silentLogger: ConnectorLogger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * Removes the query string from a URL for logging: `$filter` values can contain customer data, and nextLinks carry
 * opaque tokens nobody needs in a log line.
 */
export function urlForLog(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
