/**
 * Opening the configured store: the one place that turns config into a `Store` (MYSQL_URL, else the local MySQL,
 * else SQLite in DATA_DIR; store/database.ts). Used by `npm start`, `bcsync worker` and every `bcsync` command.
 *
 * Only `bcsync migrate`, `bcsync worker` and `npm start` may create or migrate a database. Every other command opens
 * the store as it is: a database that does not exist (a misspelled name in MYSQL_URL) or whose schema is not up to
 * date fails with a message that says what to fix, instead of creating an empty database.
 */
import type { Config } from '../config';
import { openDefaultStore, type OpenStoreResult, type Store } from '../store/database';
import { migrateLatest, pendingMigrations } from '../store/migrate';

/**
 * How a caller may treat the store:
 * - `migrate`: create it when missing and migrate it to the latest schema (`npm start`, `bcsync worker`);
 * - `create`: create it when missing, leave the schema alone (`bcsync migrate`, which migrates or rolls back itself);
 * - `existing`: it must exist with the latest schema (every other command).
 */
export type StoreAccess = 'migrate' | 'create' | 'existing';

/** Thrown in `existing` access when the store's schema is behind this code; the message says to run the migrations. */
export class StoreSchemaError extends Error {
  override readonly name = 'StoreSchemaError';
  constructor(
    readonly store: string,
    readonly pending: readonly string[],
  ) {
    super(
      `${store} is not migrated (${pending.length} migration(s) pending, from ${pending[0]}); run: npx bcsync migrate (npm start and bcsync worker migrate too)`,
    );
  }
}

export interface OpenedStore extends OpenStoreResult {
  /** The migrations applied while opening (`migrate` access only; empty when the schema was up to date). */
  applied: string[];
}

/**
 * Opens the configured store with the given access. Throws `StoreConnectionError` (naming MYSQL_URL or
 * MYSQL_DEFAULT_URL) when the server cannot be used, `StoreMissingError` (naming MYSQL_URL, MYSQL_DEFAULT_URL or
 * DATA_DIR) when the database does not exist in `existing` access, and `StoreSchemaError` when its schema is behind.
 * The store is closed again when opening fails after connecting.
 */
export async function openConfiguredStore(
  config: Pick<Config, 'mysqlUrl' | 'mysqlDefaultUrl' | 'dataDir'>,
  access: StoreAccess,
): Promise<OpenedStore> {
  const opened = await openDefaultStore({
    mysqlUrl: config.mysqlUrl,
    defaultUrl: config.mysqlDefaultUrl,
    dataDir: config.dataDir,
    create: access !== 'existing',
  });
  const { store } = opened;
  try {
    if (access === 'migrate') return { ...opened, applied: await migrateLatest(store) };
    if (access === 'existing') await requireLatestSchema(store);
    return { ...opened, applied: [] };
  } catch (err) {
    await store.close();
    throw err;
  }
}

async function requireLatestSchema(store: Store): Promise<void> {
  const pending = await pendingMigrations(store);
  if (pending.length) throw new StoreSchemaError(store.description, pending);
}
