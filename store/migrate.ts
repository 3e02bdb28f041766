/**
 * Running the migrations. Safe to run twice and from several processes at once: on MySQL a named lock
 * (`GET_LOCK`) serialises the runners, and Knex's own migration lock is waited for instead of failing.
 */
import type { Knex } from 'knex';
import { migrations, migrationSource } from './migrations';
import type { Store } from './database';

const LOCK_NAME = 'bcsync_migrations';
const MIGRATIONS_TABLE = 'knex_migrations';
const config: Knex.MigratorConfig = {
  migrationSource,
  tableName: MIGRATIONS_TABLE,
  disableMigrationsListValidation: false,
};

async function withMigrationLock<T>(store: Store, timeoutSeconds: number, fn: () => Promise<T>): Promise<T> {
  if (store.dialect !== 'mysql') return withKnexLockRetry(timeoutSeconds, fn);
  // GET_LOCK is held by one connection: pin one for the lock and release it on that same connection.
  const conn = await store.knex.client.acquireConnection();
  try {
    const rows = await new Promise<Array<{ got: number | null }>>((resolve, reject) =>
      conn.query('SELECT GET_LOCK(?, ?) AS got', [LOCK_NAME, timeoutSeconds], (err: Error | null, res: unknown) =>
        err ? reject(err) : resolve(res as Array<{ got: number | null }>),
      ),
    );
    if (rows[0]?.got !== 1) throw new Error(`timed out after ${timeoutSeconds}s waiting for the migration lock`);
    try {
      return await withKnexLockRetry(timeoutSeconds, fn);
    } finally {
      await new Promise<void>((resolve) => conn.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME], () => resolve()));
    }
  } finally {
    await store.knex.client.releaseConnection(conn);
  }
}

/** Knex refuses to run while `knex_migrations_lock` is held (or while another runner creates its tables): wait and retry. */
async function withKnexLockRetry<T>(timeoutSeconds: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await fn();
    } catch (err) {
      const text = String((err as Error).message);
      const transient =
        (err as Error).name === 'MigrationLocked' ||
        /already locked|already exists|SQLITE_BUSY|database is locked|ER_TABLE_EXISTS|Duplicate entry/i.test(text);
      if (!transient || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Brings the schema to the latest migration. Returns the names of the migrations it applied (empty when up to date). */
export async function migrateLatest(store: Store, timeoutSeconds = 60): Promise<string[]> {
  return withMigrationLock(store, timeoutSeconds, async () => {
    const [, applied] = (await store.knex.migrate.latest(config)) as [number, string[]];
    return applied;
  });
}

/** Rolls back every applied migration (tests and `bcsync migrate --down`). Returns the names rolled back. */
export async function rollbackAll(store: Store, timeoutSeconds = 60): Promise<string[]> {
  return withMigrationLock(store, timeoutSeconds, async () => {
    const [, rolledBack] = (await store.knex.migrate.rollback(config, true)) as [number, string[]];
    return rolledBack;
  });
}

/** The applied and pending migration names. */
export async function migrationStatus(store: Store): Promise<{ applied: string[]; pending: string[] }> {
  const [applied, pending] = (await store.knex.migrate.list(config)) as [
    Array<{ name: string }>,
    Array<{ file: string }>,
  ];
  return {
    applied: applied.map((m) => (typeof m === 'string' ? m : m.name)),
    pending: pending.map((m) => (typeof m === 'string' ? m : m.file)),
  };
}

/**
 * The names of the migrations not yet applied, read without writing anything (Knex's own `list` creates its
 * bookkeeping tables, which a read-only caller must not do). A store no migration ever ran on has them all pending.
 */
export async function pendingMigrations(store: Store): Promise<string[]> {
  const known = migrations.map(([name]) => name);
  if (!(await store.knex.schema.hasTable(MIGRATIONS_TABLE))) return known;
  const rows = await store.knex<{ name: string }>(MIGRATIONS_TABLE).select('name');
  const applied = new Set(rows.map((r) => r.name));
  return known.filter((name) => !applied.has(name));
}
