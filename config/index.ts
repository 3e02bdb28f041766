/**
 * The only reader of `process.env` (STYLE rule 6). `loadConfig()` validates every variable once with one zod schema
 * and returns a frozen `Config`; a bad or missing value throws `ConfigError` naming the variable.
 *
 * Every variable is listed with its default and a one-line comment in `.env.example`.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { intervalProblem } from '../mappings/duration';

/** Thrown by `loadConfig` when a variable is malformed or a required one is missing; `variable` names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`${variable}: ${reason}`);
  }
}

// Booleans are parsed explicitly: only these spellings are accepted, anything else is an error.
const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'expected true or false',
  })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const PORT_MESSAGE = 'expected a port number from 0 to 65535';
const port = z.coerce
  .number({ message: PORT_MESSAGE })
  .int({ message: PORT_MESSAGE })
  .min(0, { message: PORT_MESSAGE })
  .max(65535, { message: PORT_MESSAGE });
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const httpUrl = z
  .string()
  .trim()
  .refine(
    (v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { message: 'expected an http(s) URL' },
  )
  .transform((v) => v.replace(/\/+$/, ''));
const mysqlUrl = z
  .string()
  .trim()
  .refine(
    (v) => {
      try {
        const u = new URL(v);
        return (u.protocol === 'mysql:' || u.protocol === 'mariadb:') && u.hostname !== '';
      } catch {
        return false;
      }
    },
    { message: 'expected mysql://user:password@host:port/database' },
  );
const duration = z
  .string()
  .trim()
  .regex(/^\d+(ms|s|m|h|d)$/, { message: "expected a duration such as '90s', '30m' or '2h'" });
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** A schedule interval: a duration from 10 s to 366 days, the bounds `bcsync schedule start --every` enforces. */
const interval = duration.superRefine((text, ctx) => {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match) return;
  const problem = intervalProblem(text, Number(match[1]) * UNIT_MS[match[2]]);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const schema = z.object({
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  DATA_DIR: z.string().trim().min(1).default('.data'),

  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('bc-sales-sync'),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_API_KEY_FILE: optionalString,
  TEMPORAL_TLS: bool.optional(),
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_TLS_CA_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_CLI_CACHE_DIR: optionalString,

  MYSQL_URL: mysqlUrl.optional().or(z.literal('').transform(() => undefined)),
  MYSQL_DEFAULT_URL: mysqlUrl.default('mysql://root@127.0.0.1:3306/bcsync'),

  BC_API_URL: httpUrl.default('http://127.0.0.1:7048/v2.0'),
  BC_TENANT_ID: z.string().trim().min(1).default('cronus'),
  BC_ENVIRONMENT: z.string().trim().min(1).default('production'),
  BC_COMPANY_ID: optionalString,
  BC_COMPANY_NAME: optionalString,
  BC_AUTHORITY_HOST: httpUrl.default('http://127.0.0.1:7048'),
  BC_SCOPE: z.string().trim().min(1).default('https://api.businesscentral.dynamics.com/.default'),
  BC_CLIENT_ID: z.string().trim().min(1).default('bcsync-demo'),
  BC_CLIENT_SECRET: optionalString,
  BC_CLIENT_SECRET_FILE: optionalString,

  DATAVERSE_URL: httpUrl.default('http://127.0.0.1:7049'),
  DATAVERSE_TENANT_ID: z.string().trim().min(1).default('cronus'),
  DATAVERSE_AUTHORITY_HOST: httpUrl.default('http://127.0.0.1:7049'),
  DATAVERSE_SCOPE: optionalString,
  DATAVERSE_CLIENT_ID: z.string().trim().min(1).default('bcsync-demo'),
  DATAVERSE_CLIENT_SECRET: optionalString,
  DATAVERSE_CLIENT_SECRET_FILE: optionalString,

  EMULATORS: bool.default(true),
  EMULATOR_BC_PORT: port.default(7048),
  EMULATOR_DV_PORT: port.default(7049),
  EMULATOR_DV_ORG_URL: httpUrl.default('https://bcsync.crm.dynamics.com'),

  METRICS_PORT: port.default(9464),
  MAPPINGS_FILE: optionalString,
  DEMO_SCHEDULE_EVERY: interval.default('1m'),
  SCHEDULE_EVERY: interval.default('30m'),
  SYNC_PAGE_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
  WRITE_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(100),
  FAULT_KILL_AFTER_WRITE: z
    .string()
    .trim()
    .regex(/^[A-Z0-9 -]+:(to-dataverse|to-bc)$/, { message: 'expected MAPPING:to-dataverse or MAPPING:to-bc' })
    .optional(),
});

type Env = Record<string, string | undefined>;

/** The variables as the schema outputs them: trimmed, defaults applied, numbers and booleans parsed. */
type Variables = z.output<typeof schema>;

/** `T` with every property readonly, all the way down (the shape `deepFreeze` enforces at run time). */
type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * The validated configuration. Its type is derived from the schema through `toConfig` (the one place that names each
 * variable's field), so a variable is written twice — once in the schema, once where it lands — and never in a type.
 */
export type Config = DeepReadonly<ReturnType<typeof toConfig>>;

/** Where and how to reach Temporal; the embedded dev server's settings are used when `address` is undefined. */
export type TemporalConfig = Config['temporal'];

/** Credentials of one OAuth2 client-credentials application. The secret never leaves this object except to the token endpoint. */
export type ClientCredentials = Config['businessCentral']['credentials'];

/** The demo credentials the bundled emulators accept (only used when no secret is configured). */
export const DEMO_CLIENT_SECRET = 'bcsync-demo-secret';

function readSecret(env: Env, name: string, fileName: string, fallback: string | undefined): string {
  const direct = env[name]?.trim();
  const file = env[fileName]?.trim();
  if (direct && file) throw new ConfigError(name, `set either ${name} or ${fileName}, not both`);
  if (file) {
    try {
      const value = readFileSync(file, 'utf8').trim();
      if (!value) throw new ConfigError(fileName, `the file ${file} is empty`);
      return value;
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(fileName, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  if (direct) return direct;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(name, 'is required (or set ' + fileName + ')');
}

/**
 * Validates the environment and returns the frozen configuration.
 * Throws `ConfigError` naming the first offending variable.
 * @param env the variables to read (Default: `process.env`)
 */
export function loadConfig(env: Env = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, issue.message);
  }
  return deepFreeze(toConfig(parsed.data, env));
}

/**
 * Shapes the validated variables into the configuration and applies the rules that span variables (secrets read from
 * files, demo secrets for the emulators, TLS implied by an API key or a certificate). Not a zod `.transform()`: it
 * also reads `XDG_CACHE_HOME`, which is not one of our variables. Throws `ConfigError` naming the culprit.
 */
function toConfig(e: Variables, env: Env) {
  const talksToEmulator = (url: string) => /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(url);
  const bcSecret = readSecret(
    env,
    'BC_CLIENT_SECRET',
    'BC_CLIENT_SECRET_FILE',
    talksToEmulator(e.BC_AUTHORITY_HOST) ? DEMO_CLIENT_SECRET : undefined,
  );
  const dvSecret = readSecret(
    env,
    'DATAVERSE_CLIENT_SECRET',
    'DATAVERSE_CLIENT_SECRET_FILE',
    talksToEmulator(e.DATAVERSE_AUTHORITY_HOST) ? DEMO_CLIENT_SECRET : undefined,
  );
  const apiKey = e.TEMPORAL_API_KEY_FILE
    ? readSecret(env, 'TEMPORAL_API_KEY', 'TEMPORAL_API_KEY_FILE', undefined)
    : e.TEMPORAL_API_KEY;
  if ((e.TEMPORAL_TLS_CERT_PATH === undefined) !== (e.TEMPORAL_TLS_KEY_PATH === undefined)) {
    throw new ConfigError(
      e.TEMPORAL_TLS_CERT_PATH ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH',
      'mTLS needs both TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH',
    );
  }
  const tlsWanted = e.TEMPORAL_TLS ?? (apiKey !== undefined || e.TEMPORAL_TLS_CERT_PATH !== undefined);
  if (!e.TEMPORAL_ADDRESS && (apiKey || tlsWanted)) {
    throw new ConfigError('TEMPORAL_ADDRESS', 'is required when TEMPORAL_API_KEY or TLS is set');
  }
  const tls = tlsWanted
    ? {
        certPath: e.TEMPORAL_TLS_CERT_PATH,
        keyPath: e.TEMPORAL_TLS_KEY_PATH,
        caPath: e.TEMPORAL_TLS_CA_PATH,
        serverName: e.TEMPORAL_TLS_SERVER_NAME,
      }
    : (false as const);

  return {
    logLevel: e.LOG_LEVEL,
    /** `pretty`: readable lines; `json`: one JSON object per line; `auto`: pretty on a terminal. (Default: `auto`) */
    logFormat: e.LOG_FORMAT,
    /** Where embedded state lives (dev-server DB, SQLite store, emulator state, demo mappings). (Default: `.data`) */
    dataDir: path.resolve(e.DATA_DIR),
    temporal: {
      /** `host:port` of an external cluster, or undefined to run the embedded dev server (Default: embedded). */
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      apiKey,
      tls,
      devServer: {
        port: e.TEMPORAL_DEV_PORT,
        uiPort: e.TEMPORAL_UI_PORT,
        cliPath: e.TEMPORAL_CLI_PATH,
        cliCacheDir: path.resolve(
          e.TEMPORAL_CLI_CACHE_DIR ??
            path.join(env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'bc-sales-sync', 'temporal-cli'),
        ),
      },
    },
    /** MySQL connection URL, or undefined for the embedded default (local MySQL if it answers, else SQLite). */
    mysqlUrl: e.MYSQL_URL,
    /** The local MySQL the embedded default tries when MYSQL_URL is unset. (Default: mysql://root@127.0.0.1:3306/bcsync) */
    mysqlDefaultUrl: e.MYSQL_DEFAULT_URL,
    businessCentral: {
      apiUrl: e.BC_API_URL,
      environment: e.BC_ENVIRONMENT,
      companyId: e.BC_COMPANY_ID,
      companyName: e.BC_COMPANY_NAME,
      credentials: {
        authorityHost: e.BC_AUTHORITY_HOST,
        tenant: e.BC_TENANT_ID,
        clientId: e.BC_CLIENT_ID,
        clientSecret: bcSecret,
        scope: e.BC_SCOPE,
      },
    },
    dataverse: {
      url: e.DATAVERSE_URL,
      credentials: {
        authorityHost: e.DATAVERSE_AUTHORITY_HOST,
        tenant: e.DATAVERSE_TENANT_ID,
        clientId: e.DATAVERSE_CLIENT_ID,
        clientSecret: dvSecret,
        scope:
          e.DATAVERSE_SCOPE ?? `${talksToEmulator(e.DATAVERSE_URL) ? e.EMULATOR_DV_ORG_URL : e.DATAVERSE_URL}/.default`,
      },
    },
    emulators: {
      /** Start the bundled emulators with `npm start`. (Default: true) */
      enabled: e.EMULATORS,
      bcPort: e.EMULATOR_BC_PORT,
      dvPort: e.EMULATOR_DV_PORT,
      dvOrgUrl: e.EMULATOR_DV_ORG_URL,
    },
    metricsPort: e.METRICS_PORT,
    /** The user's mapping override file (docs/mappings.md), or undefined. */
    mappingsFile: e.MAPPINGS_FILE,
    schedules: { demoEvery: e.DEMO_SCHEDULE_EVERY, every: e.SCHEDULE_EVERY },
    /** Records per sync page. (Default: 200) */
    pageSize: e.SYNC_PAGE_SIZE,
    /** Writes per `$batch` request on either API (1 = one request per record). (Default: 100) */
    writeBatchSize: e.WRITE_BATCH_SIZE,
    /** Crash-test fault injection; never set in production. */
    faults: { killAfterWrite: e.FAULT_KILL_AFTER_WRITE },
  };
}

/** A copy of the process environment for child processes (the Temporal CLI); config/ is its only reader. */
export function childProcessEnv(extra: Env = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
