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
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v))
  .meta({ type: 'boolean (true/false, yes/no, on/off, 1/0)' });

const PORT_MESSAGE = 'expected a port number from 0 to 65535';
const port = z.coerce
  .number({ message: PORT_MESSAGE })
  .int({ message: PORT_MESSAGE })
  .min(0, { message: PORT_MESSAGE })
  .max(65535, { message: PORT_MESSAGE })
  .meta({ type: 'port (0–65535)' });
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
  .transform((v) => v.replace(/\/+$/, ''))
  .meta({ type: 'http(s) URL' });
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
  )
  .meta({ type: 'mysql://user:password@host:port/database' });
const duration = z
  .string()
  .trim()
  .regex(/^\d+(ms|s|m|h|d)$/, { message: "expected a duration such as '90s', '30m' or '2h'" })
  .meta({ type: 'duration (ms, s, m, h, d: 90s, 30m, 2h)' });
/** A path to a file holding a secret (`…_FILE`): the file's content, trimmed, is the secret. */
const secretFile = (variable: string) =>
  optionalString.describe(`A file holding ${variable} instead of the variable (a mounted secret); set one of the two.`);
const secret = (description: string) => optionalString.meta({ description, secret: true });
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** A schedule interval: a duration from 10 s to 366 days, the bounds `bcsync schedule start --every` enforces. */
const interval = duration.superRefine((text, ctx) => {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match) return;
  const problem = intervalProblem(text, Number(match[1]) * UNIT_MS[match[2]]);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * Every variable, with its description (`.describe()`, or `.meta({ description, secret })` for secrets): the source of
 * docs/configuration.md (`npm run docs:config`) and of the `.env.example` comments.
 */
const schema = z.object({
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info')
    .describe('Log level. Secrets are redacted at every level, debug included.'),
  LOG_FORMAT: z
    .enum(['auto', 'pretty', 'json'])
    .default('auto')
    .describe(
      'Log format: readable lines (pretty), one JSON object per line (json), or pretty on a terminal and JSON otherwise (auto). Logs go to stderr.',
    ),
  DATA_DIR: z
    .string()
    .trim()
    .min(1)
    .default('.data')
    .describe(
      "Where embedded state lives: the dev server's database, the SQLite store, emulator state, and the demo's mapping overrides (demo-mappings.json, written by npm start).",
    ),

  TEMPORAL_ADDRESS: optionalString.describe(
    'host:port of an existing Temporal cluster (self-hosted or Temporal Cloud). Unset: npm start runs the embedded dev server and every command talks to it.',
  ),
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default').describe('Namespace of the workflows and schedules.'),
  TEMPORAL_TASK_QUEUE: z
    .string()
    .trim()
    .min(1)
    .default('bc-sales-sync')
    .describe('Task queue the workers poll and the CLI starts runs on; every worker of one deployment uses the same.'),
  TEMPORAL_API_KEY: secret('API key for Temporal Cloud (turns TLS on).'),
  TEMPORAL_API_KEY_FILE: secretFile('TEMPORAL_API_KEY'),
  TEMPORAL_TLS: bool
    .optional()
    .describe('Force TLS to Temporal on or off. Unset: on when an API key or a client certificate is set.'),
  TEMPORAL_TLS_CERT_PATH: optionalString.describe('mTLS client certificate (PEM file); needs TEMPORAL_TLS_KEY_PATH.'),
  TEMPORAL_TLS_KEY_PATH: optionalString.describe('mTLS client key (PEM file); needs TEMPORAL_TLS_CERT_PATH.'),
  TEMPORAL_TLS_CA_PATH: optionalString.describe(
    "CA bundle to trust for the Temporal server (PEM file). Unset: the system's.",
  ),
  TEMPORAL_TLS_SERVER_NAME: optionalString.describe('TLS server name (SNI) override for the Temporal server.'),
  TEMPORAL_DEV_PORT: port
    .default(7233)
    .describe('gRPC port of the embedded dev server (when TEMPORAL_ADDRESS is unset).'),
  TEMPORAL_UI_PORT: port.default(8233).describe('Web UI port of the embedded dev server.'),
  TEMPORAL_CLI_PATH: optionalString.describe(
    'An explicit Temporal CLI binary for the embedded dev server (must be v1.5.1).',
  ),
  TEMPORAL_CLI_CACHE_DIR: optionalString.describe(
    'Where the Temporal CLI is cached outside the checkout. Unset: ~/.cache/bc-sales-sync/temporal-cli (or under XDG_CACHE_HOME).',
  ),

  MYSQL_URL: mysqlUrl
    .optional()
    .or(z.literal('').transform(() => undefined))
    .meta({
      description:
        'The store: mysql://user:password@host:port/database (mariadb:// too). The password is a secret: it is redacted from logs and never stored. Unset: a local MySQL at MYSQL_DEFAULT_URL if one answers, else SQLite in DATA_DIR.',
      secret: true,
    }),
  MYSQL_DEFAULT_URL: mysqlUrl.default('mysql://root@127.0.0.1:3306/bcsync').meta({
    description:
      "The local MySQL the embedded default tries when MYSQL_URL is unset (the demo and the test suite); its password, if any, is a secret like MYSQL_URL's.",
    secret: true,
  }),

  BC_API_URL: httpUrl
    .default('http://127.0.0.1:7048/v2.0')
    .describe('Business Central API root up to /v2.0 (real: https://api.businesscentral.dynamics.com/v2.0).'),
  BC_TENANT_ID: z
    .string()
    .trim()
    .min(1)
    .default('cronus')
    .describe('Microsoft Entra tenant id or domain of Business Central.'),
  BC_ENVIRONMENT: z
    .string()
    .trim()
    .min(1)
    .default('production')
    .describe('Business Central environment name (production, sandbox, …).'),
  BC_COMPANY_ID: optionalString.describe('Company SystemId (GUID); takes precedence over BC_COMPANY_NAME.'),
  BC_COMPANY_NAME: optionalString.describe(
    "Company name. Unset (and no BC_COMPANY_ID): the environment's only company.",
  ),
  BC_AUTHORITY_HOST: httpUrl
    .default('http://127.0.0.1:7048')
    .describe('Token authority host (real: https://login.microsoftonline.com).'),
  BC_SCOPE: z
    .string()
    .trim()
    .min(1)
    .default('https://api.businesscentral.dynamics.com/.default')
    .describe('OAuth2 scope of the Business Central token.'),
  BC_CLIENT_ID: z
    .string()
    .trim()
    .min(1)
    .default('bcsync-demo')
    .describe('App registration (client) id for Business Central.'),
  BC_CLIENT_SECRET: secret(
    "Client secret of the Business Central app registration. Required with a real authority; the emulator's demo secret otherwise.",
  ),
  BC_CLIENT_SECRET_FILE: secretFile('BC_CLIENT_SECRET'),

  DATAVERSE_URL: httpUrl
    .default('http://127.0.0.1:7049')
    .describe('Dataverse organization root (real: https://<org>.crm.dynamics.com).'),
  DATAVERSE_TENANT_ID: z
    .string()
    .trim()
    .min(1)
    .default('cronus')
    .describe('Microsoft Entra tenant id or domain of Dataverse.'),
  DATAVERSE_AUTHORITY_HOST: httpUrl
    .default('http://127.0.0.1:7049')
    .describe('Token authority host (real: https://login.microsoftonline.com).'),
  DATAVERSE_SCOPE: optionalString.describe(
    'OAuth2 scope of the Dataverse token. Unset: <DATAVERSE_URL>/.default (for the emulator: <EMULATOR_DV_ORG_URL>/.default).',
  ),
  DATAVERSE_CLIENT_ID: z
    .string()
    .trim()
    .min(1)
    .default('bcsync-demo')
    .describe('App registration (client) id for Dataverse.'),
  DATAVERSE_CLIENT_SECRET: secret(
    "Client secret of the Dataverse app registration. Required with a real authority; the emulator's demo secret otherwise.",
  ),
  DATAVERSE_CLIENT_SECRET_FILE: secretFile('DATAVERSE_CLIENT_SECRET'),

  EMULATORS: bool.default(true).describe('Start the bundled emulators of both APIs with npm start.'),
  EMULATOR_BC_PORT: port.default(7048).describe('Port of the Business Central emulator.'),
  EMULATOR_DV_PORT: port.default(7049).describe('Port of the Dataverse emulator.'),
  EMULATOR_DV_ORG_URL: httpUrl
    .default('https://bcsync.crm.dynamics.com')
    .describe("The organization URL the Dataverse emulator expects as the token scope's audience."),

  METRICS_PORT: port.default(9464).describe("Port of the worker's Prometheus metrics endpoint (/metrics)."),
  CONSOLE_ENABLED: bool
    .default(true)
    .describe('Serve the sync console from worker processes (bcsync console serves it on its own).'),
  CONSOLE_PORT: port.default(8090).describe('Port of the sync console (http://CONSOLE_HOST:CONSOLE_PORT/).'),
  CONSOLE_HOST: z
    .string()
    .trim()
    .min(1)
    .default('127.0.0.1')
    .describe('Interface the console listens on; put a TLS proxy in front before opening it beyond 127.0.0.1.'),
  CONSOLE_OPERATOR_TOKEN: secret(
    "Unlocks the console's actions (run, retry, sync a record, pause/resume, couple/uncouple, restore); at least 16 characters. Unset: the console is read-only.",
  ),
  CONSOLE_OPERATOR_TOKEN_FILE: secretFile('CONSOLE_OPERATOR_TOKEN'),
  SYNC_METRICS_PORT: z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => v === 'off' || (/^\d+$/.test(v) && Number(v) <= 65535), {
      message: "expected a port (0 = any free port) or 'off'",
    })
    .transform((v) => (v === 'off' ? null : Number(v)))
    .default(9465)
    .meta({ type: "port, 0 (any free port) or 'off'" })
    .describe(
      "Port of the worker's sync metrics endpoint (prom-client /metrics: records, passes, API requests, couplings, skipped records, last success), beside the Temporal runtime's METRICS_PORT.",
    ),
  SYNC_METRICS_HOST: z
    .string()
    .trim()
    .min(1)
    .default('127.0.0.1')
    .describe('Interface the sync metrics endpoint listens on (0.0.0.0 lets a Prometheus on another host scrape it).'),
  CONSOLE_URL: httpUrl
    .optional()
    .or(z.literal('').transform(() => undefined))
    .describe(
      "Base URL of the sync console as operators reach it; each run's details in the Temporal UI link to <url>/jobs/<id>. Unset: http://CONSOLE_HOST:CONSOLE_PORT when the console is enabled.",
    ),
  MAPPINGS_FILE: optionalString.describe(
    'A JSON file of mapping overrides (direction, filters, policies, schedule, field mappings; docs/mappings.md). Unset: DATA_DIR/demo-mappings.json if npm start wrote it, else the defaults.',
  ),
  DEMO_SCHEDULE_EVERY: interval.default('1m').describe('Schedule interval of the demo schedules npm start creates.'),
  SCHEDULE_EVERY: interval.default('30m').describe('Default schedule interval of `bcsync schedule start`.'),
  SYNC_PAGE_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(5000)
    .default(200)
    .meta({ type: 'integer (1–5000)' })
    .describe("Records per sync page (one activity call; bounds a worker's memory)."),
  WRITE_BATCH_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(100)
    .meta({ type: 'integer (1–100)' })
    .describe('Writes per $batch request on either API (1 = one HTTP request per record, for comparisons only).'),
  FAULT_KILL_AFTER_WRITE: z
    .string()
    .trim()
    .regex(/^[A-Z0-9 -]+:(to-dataverse|to-bc)$/, { message: 'expected MAPPING:to-dataverse or MAPPING:to-bc' })
    .optional()
    .meta({ type: 'MAPPING:to-dataverse or MAPPING:to-bc' })
    .describe(
      "Crash tests only: the worker kills itself after a page's destination writes for that mapping and direction, before the coupling commit. Never set in production.",
    ),
});

/** The schema of every variable, for the configuration reference (config/reference.ts). */
export const configSchema = schema;

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
  const operatorToken =
    e.CONSOLE_OPERATOR_TOKEN || e.CONSOLE_OPERATOR_TOKEN_FILE
      ? readSecret(env, 'CONSOLE_OPERATOR_TOKEN', 'CONSOLE_OPERATOR_TOKEN_FILE', undefined)
      : undefined;
  if (operatorToken !== undefined && operatorToken.length < 16) {
    throw new ConfigError(
      'CONSOLE_OPERATOR_TOKEN',
      'is too short: use at least 16 characters (e.g. openssl rand -hex 24)',
    );
  }
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
    /** Port of the Temporal runtime's own Prometheus endpoint (SDK metrics). (Default: 9464) */
    metricsPort: e.METRICS_PORT,
    console: {
      /** Serve the console from worker processes. (Default: true) */
      enabled: e.CONSOLE_ENABLED,
      /** (Default: 8090) */
      port: e.CONSOLE_PORT,
      /** (Default: 127.0.0.1) */
      host: e.CONSOLE_HOST,
      /** The secret that unlocks the console's actions; undefined: read-only. Never logged or rendered. */
      operatorToken,
    },
    /**
     * The sync metrics endpoint (prom-client, `/metrics`) the worker serves beside the Temporal runtime's: records,
     * passes, API requests and gauges read from MySQL (docs/operations.md, "Metrics and alerts"). `port` null = not
     * served, 0 = any free port. (Default: 127.0.0.1:9465)
     */
    syncMetrics: { port: e.SYNC_METRICS_PORT, host: e.SYNC_METRICS_HOST },
    /**
     * Base URL of the sync console as operators reach it (`<url>/jobs/<id>` is a job's page); named in each run's
     * Temporal UI details. (Default: the console's own address when it is enabled)
     */
    consoleUrl:
      e.CONSOLE_URL ??
      (e.CONSOLE_ENABLED
        ? `http://${e.CONSOLE_HOST === '0.0.0.0' ? '127.0.0.1' : e.CONSOLE_HOST}:${e.CONSOLE_PORT}`
        : undefined),
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
