/**
 * Opening the store: Knex over mysql2 (MySQL / MariaDB), or Knex over better-sqlite3 as the zero-setup demo default.
 * Both use the same migrations and the same query modules; dialect notes are in `store/README.md`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';

export type Dialect = 'mysql' | 'sqlite';

export interface Store {
  readonly knex: Knex;
  readonly dialect: Dialect;
  /** Human description without secrets, e.g. `mysql://root@127.0.0.1:3306/bcsync` or `sqlite:.data/bcsync.sqlite`. */
  readonly description: string;
  /** Closes the pool (STYLE: `knex.destroy()` in teardown). */
  close(): Promise<void>;
}

/** Thrown when the configured store cannot be used; `variable` names the setting to fix. */
export class StoreConnectionError extends Error {
  override readonly name: string = 'StoreConnectionError';
  constructor(
    readonly variable: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${variable}: ${message}`, options);
  }
}

/**
 * Thrown when a store opened with `create: false` does not exist (a MySQL database, or the SQLite file): read
 * commands never create one, so a misspelled database name fails instead of creating an empty database.
 */
export class StoreMissingError extends StoreConnectionError {
  override readonly name = 'StoreMissingError';
}

/** Whether opening a store may create it. (Default everywhere: true) */
export interface OpenOptions {
  /** Create the MySQL database or the SQLite file when it does not exist; false throws `StoreMissingError`. */
  create?: boolean;
}

/** `mysql://user:***@host:port/db`: the URL with its password masked, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}

function mysqlConnection(url: string, database?: string): Knex.MySql2ConnectionConfig {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: database ?? (decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined),
    // Every DATETIME(3) we write and read is UTC, independent of the server's or the machine's time zone.
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    charset: 'utf8mb4',
  };
}

/** The database name in a MySQL URL (the path), or undefined. */
export function databaseOf(url: string): string | undefined {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || undefined;
}

/**
 * Opens a MySQL store. Creates the database named in the URL if it does not exist, unless `options.create` is false.
 * Throws `StoreConnectionError` naming `variable` (Default: 'MYSQL_URL') when the server refuses or cannot be reached,
 * and `StoreMissingError` when the database does not exist and may not be created.
 */
export async function openMysqlStore(url: string, variable = 'MYSQL_URL', options: OpenOptions = {}): Promise<Store> {
  const database = databaseOf(url);
  if (!database) throw new StoreConnectionError(variable, `no database name in ${redactUrl(url)} (expected …/dbname)`);
  if (!/^[A-Za-z0-9_$-]+$/.test(database)) {
    throw new StoreConnectionError(variable, `database name '${database}' has characters outside [A-Za-z0-9_$-]`);
  }
  const admin = knexFactory({ client: 'mysql2', connection: mysqlConnection(url, ''), pool: { min: 0, max: 1 } });
  let exists = true;
  try {
    if (options.create ?? true) {
      await admin.raw('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4', [database]);
    } else {
      const rows = await admin('information_schema.SCHEMATA').select('SCHEMA_NAME').where('SCHEMA_NAME', database);
      exists = rows.length > 0;
    }
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    throw new StoreConnectionError(
      variable,
      `cannot connect to ${redactUrl(url)}: ${code ? `${code} ` : ''}${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await admin.destroy();
  }
  if (!exists) {
    const server = new URL(redactUrl(url));
    server.pathname = '/';
    throw new StoreMissingError(
      variable,
      `the database '${database}' does not exist on ${server.toString()}; check the database name in ${variable}, or create it with: npx bcsync migrate`,
    );
  }
  const knex = knexFactory({
    client: 'mysql2',
    connection: mysqlConnection(url),
    pool: {
      min: 0,
      max: 10,
      // The session time zone matters for NOW() and TIMESTAMP columns; we keep it UTC on every pooled connection.
      afterCreate: (
        conn: { query: (sql: string, cb: (err: Error | null) => void) => void },
        done: (err: Error | null, c: unknown) => void,
      ) => conn.query("SET time_zone = '+00:00'", (err) => done(err, conn)),
    },
  });
  return {
    knex,
    dialect: 'mysql',
    description: redactUrl(url),
    close: () => knex.destroy(),
  };
}

/**
 * Opens the SQLite store file, creating it if needed unless `options.create` is false. Same migrations and queries as
 * MySQL. Throws `StoreMissingError` naming DATA_DIR when the file does not exist and may not be created.
 */
export async function openSqliteStore(file: string, options: OpenOptions = {}): Promise<Store> {
  if (!(options.create ?? true) && !existsSync(file)) {
    throw new StoreMissingError(
      'DATA_DIR',
      `there is no store at ${file} (MYSQL_URL is unset and no local MySQL answers); create it with: npm start, or npx bcsync migrate`,
    );
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    pool: {
      afterCreate: (conn: { pragma: (s: string) => unknown }, done: (err: Error | null, c: unknown) => void) => {
        // WAL lets the CLI read while a worker writes; busy_timeout makes concurrent writers wait instead of failing.
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('foreign_keys = ON');
        done(null, conn);
      },
    },
  });
  return {
    knex,
    dialect: 'sqlite',
    description: `sqlite:${path.relative(process.cwd(), file) || file}`,
    close: () => knex.destroy(),
  };
}

/** True when something accepts TCP connections on host:port within `timeoutMs` (Default: 500). */
export function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface OpenStoreResult {
  store: Store;
  /** Why this store was chosen, for the start-up notice. */
  reason: string;
}

/**
 * The store selection of DESIGN §2: MYSQL_URL when set (failing fast, naming MYSQL_URL, if it cannot be used); else the
 * local MySQL of `defaultUrl` (root@127.0.0.1:3306) when one answers; else the SQLite file `<dataDir>/bcsync.sqlite`.
 * With `create: false` (Default: true) a database or file that does not exist is not created: `StoreMissingError`.
 */
export async function openDefaultStore(options: {
  mysqlUrl: string | undefined;
  defaultUrl: string;
  dataDir: string;
  create?: boolean;
}): Promise<OpenStoreResult> {
  const open = { create: options.create ?? true };
  if (options.mysqlUrl) {
    return { store: await openMysqlStore(options.mysqlUrl, 'MYSQL_URL', open), reason: 'MYSQL_URL is set' };
  }
  const local = new URL(options.defaultUrl);
  const where = `${local.hostname}:${local.port || 3306}`;
  const sqlite = path.join(options.dataDir, 'bcsync.sqlite');
  if (await isPortOpen(local.hostname, Number(local.port || 3306))) {
    try {
      return {
        store: await openMysqlStore(options.defaultUrl, 'MYSQL_DEFAULT_URL', open),
        reason: `MYSQL_URL is not set and a local MySQL answers on ${where}`,
      };
    } catch (err) {
      // The local MySQL answers but has no database yet: a worker would create it there, so SQLite is not the store.
      if (err instanceof StoreMissingError) throw err;
      return {
        store: await openSqliteStore(sqlite, open),
        reason: `MYSQL_URL is not set and the local MySQL on ${where} refused us (${(err as Error).message}); using the embedded SQLite store`,
      };
    }
  }
  return {
    store: await openSqliteStore(sqlite, open),
    reason: `MYSQL_URL is not set and no MySQL answers on ${where}; using the embedded SQLite store`,
  };
}
