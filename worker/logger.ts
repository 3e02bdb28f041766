/**
 * The structured logger (pino): constant messages with fields; secrets are redacted twice over (DESIGN §7.5).
 *
 * 1. By field: every field that carries a secret in this code base — client secrets, API keys, access and refresh
 *    tokens, `Authorization` and cookie headers, passwords, the console's operator token, the secret environment
 *    variables and the configuration object's secret fields — is censored at any depth (`redact`). Connection strings
 *    (`mysqlUrl`, `MYSQL_URL`, …) keep their user, host and database; only the password goes.
 * 2. By value: the secret values a process knows (its configured client secrets, API key, operator token, database
 *    passwords — `secretValues(config)`) are replaced in every line, whatever field or message they hide in: an error
 *    message quoting a URL, a header copied into an `err` object, a third-party library's log.
 *
 * Built once by a composition root and passed down.
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from '../config';

export type { Logger };

/** What a censored value is replaced with. */
export const REDACTED = '[redacted]';

/** Keys whose value is a secret wherever they appear. */
const secretKeys = [
  'clientSecret',
  'client_secret',
  'apiKey',
  'api_key',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'id_token',
  'token',
  'operatorToken',
  'consoleOperatorToken',
  'consoleToken',
  'password',
  'passphrase',
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'x-api-key',
  'x-operator-token',
  // The secret environment variables, should anything log an environment.
  'BC_CLIENT_SECRET',
  'DATAVERSE_CLIENT_SECRET',
  'TEMPORAL_API_KEY',
  'CONSOLE_OPERATOR_TOKEN',
  'CONSOLE_TOKEN',
  'OPERATOR_TOKEN',
];

/** Keys whose value is a URL that may carry a password (`mysql://user:password@host/db`): only the password goes. */
const urlKeys = ['mysqlUrl', 'mysqlDefaultUrl', 'MYSQL_URL', 'MYSQL_DEFAULT_URL', 'connectionString', 'url'];

/** The censored keys, compared in lower case (`Authorization` and `authorization` are the same header). */
const secretKeySet = new Set(secretKeys.map((k) => k.toLowerCase()));
const urlKeySet = new Set(urlKeys.map((k) => k.toLowerCase()));

/** How deep `redact` looks into a logged object (`err.cause.config.headers.authorization` is five). */
const MAX_DEPTH = 8;

/** A URL without its password (`mysql://user:***@host/db`); values that are not URLs with a password are kept. */
function withoutPassword(value: string): string {
  if (!value.includes('@')) return value;
  try {
    const u = new URL(value);
    if (!u.password) return value;
    u.password = '***';
    return u.toString();
  } catch {
    return value;
  }
}

/**
 * A copy of `value` with every secret-bearing field censored, at any depth up to `MAX_DEPTH`: the keys of
 * `secretKeys` (any case) become `[redacted]`, and URL-valued keys (`mysqlUrl`, `MYSQL_URL`, `url`, …) lose their
 * password. Plain objects, arrays and errors are walked (an error keeps its class, message and stack); other values
 * are kept as they are. Objects without secrets are returned as they are, so a line without secrets costs a walk and
 * no copy.
 *
 * Why not pino's `redact` paths: they name fixed paths, and the wildcard paths that would cover a secret at any depth
 * cost 100–300 µs per line in fast-redact (measured with this key list: 2 levels 127 µs, 4 levels 310 µs, against
 * 12 µs for a plain line), while this walk costs a few µs.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = redact(v, depth + 1);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  const isError = value instanceof Error;
  if (!isError && proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | undefined;
  for (const [key, v] of Object.entries(value)) {
    const lower = key.toLowerCase();
    let r: unknown;
    if (secretKeySet.has(lower)) r = v === undefined || v === null ? v : REDACTED;
    else if (urlKeySet.has(lower) && typeof v === 'string') r = withoutPassword(v);
    else r = redact(v, depth + 1);
    if (r !== v) {
      if (!out) {
        out = isError ? (Object.create(proto) as Record<string, unknown>) : {};
        if (isError) {
          // message and stack are own but not enumerable: copied by hand so pino's error serializer still sees them.
          const e = value;
          Object.defineProperty(out, 'message', { value: e.message, enumerable: false, writable: true });
          Object.defineProperty(out, 'stack', { value: e.stack, enumerable: false, writable: true });
        }
        Object.assign(out, value);
      }
      out[key] = r;
    }
  }
  return out ?? value;
}

/**
 * The secret values of a configuration: the client secrets of both services, the Temporal API key, the passwords of
 * the MySQL URLs, and any other configuration field whose name says secret, token, password or key (so a value added
 * later, such as the console's operator token, is covered without a change here). Values shorter than 4 characters
 * are left out: replacing them would garble ordinary text without protecting anything.
 */
export function secretValues(config: Config): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (/secret|token|password|apikey|api_key/i.test(key)) found.add(value);
      if (/url$/i.test(key) && value.includes('@')) {
        try {
          const password = decodeURIComponent(new URL(value).password);
          if (password) found.add(password);
        } catch {
          // Not a URL: nothing to extract.
        }
      }
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, k);
    }
  };
  visit(config, '');
  return [...found].filter((s) => s.length >= 4);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A function that replaces each of `secrets` in a serialized log line, in every spelling it can take there: as
 * written, JSON-escaped, and URL-encoded. Returns the line unchanged when there are no secrets.
 */
export function secretScrubber(secrets: readonly string[]): (line: string) => string {
  const spellings = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    spellings.add(s);
    spellings.add(JSON.stringify(s).slice(1, -1));
    spellings.add(encodeURIComponent(s));
  }
  if (spellings.size === 0) return (line) => line;
  // Longest first, so a secret that contains another is replaced whole.
  const pattern = new RegExp(
    [...spellings]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return (line) => line.replace(pattern, REDACTED);
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** The logger's `name` field. (Default: `bcsync`) */
  name?: string;
  /** `pretty`: readable lines; `json`: one JSON object per line; `auto`: pretty on a terminal. (Default: `auto`) */
  format?: 'auto' | 'pretty' | 'json';
  /** Secret values to replace wherever they appear in a line (`secretValues(config)`). (Default: none) */
  secrets?: readonly string[];
}

/**
 * A pino logger writing to stderr (stdout stays for command output): readable lines on a terminal (`auto`) or with
 * `pretty`, JSON lines otherwise — for log collectors and files. Redaction (by path and by value) applies to both.
 * `nameOrOptions` may be the name alone (then `format` is the third argument) for older callers.
 */
export function createLogger(
  level: string,
  nameOrOptions: string | LoggerOptions = {},
  format: 'auto' | 'pretty' | 'json' = 'auto',
): Logger {
  const o: LoggerOptions = typeof nameOrOptions === 'string' ? { name: nameOrOptions, format } : nameOrOptions;
  const scrub = secretScrubber(o.secrets ?? []);
  const options: pino.LoggerOptions = {
    name: o.name ?? 'bcsync',
    level,
    // Fields first, then the serialized line as a whole. (A child's bindings skip pino's formatters: they are ids such
    // as `component`, and the line scrub still covers them.)
    formatters: { log: (obj: Record<string, unknown>) => redact(obj) as Record<string, unknown> },
    // The last line of defence: the serialized line, before it reaches the stream (pretty or JSON).
    hooks: { streamWrite: scrub },
  };
  const fmt = o.format ?? 'auto';
  if (fmt === 'pretty' || (fmt === 'auto' && process.stderr.isTTY)) {
    // Synchronous too, and without colours when stderr is not a terminal (LOG_FORMAT=pretty into a file).
    return pino(
      options,
      pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY, ignore: 'pid,hostname' }),
    );
  }
  // Synchronous: a line logged right before the process dies (a crash, a kill) is never lost.
  return pino(options, pino.destination({ dest: 2, sync: true }));
}
