import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../../store/database';
import { migrateLatest, migrationStatus, rollbackAll } from '../../store/migrate';
import { migrations } from '../../store/migrations';
import { dumpSchema } from '../../scripts/schema-dump';
import { openFreshStore } from '../support/stores';

const tables = [
  'couplings',
  'watermarks',
  'sync_jobs',
  'sync_errors',
  'pending_writes',
  'field_changes',
  'option_mappings',
];
const allNames = migrations.map(([name]) => name);

async function existingTables(store: Store): Promise<string[]> {
  const found: string[] = [];
  for (const t of tables) if (await store.knex.schema.hasTable(t)) found.push(t);
  return found;
}

for (const dialect of ['mysql', 'sqlite'] as const) {
  describe(`store migrations on ${dialect}`, function () {
    let store: Store;
    beforeEach(async () => {
      store = await openFreshStore(dialect);
    });
    afterEach(async () => {
      await store.close();
    });

    it('migrates to latest, rolls everything back, and migrates to latest again', async () => {
      assert.deepEqual(await migrateLatest(store), allNames);
      assert.deepEqual(await existingTables(store), tables);
      assert.deepEqual(await rollbackAll(store), [...allNames].reverse());
      assert.deepEqual(await existingTables(store), []);
      assert.deepEqual(await migrateLatest(store), allNames);
      assert.deepEqual((await migrationStatus(store)).pending, []);
    });

    it('does nothing the second time', async () => {
      await migrateLatest(store);
      assert.deepEqual(await migrateLatest(store), []);
      assert.deepEqual(await existingTables(store), tables);
    });

    it('is harmless when two processes migrate the same database at once', async () => {
      // Two independent stores (two pools), as two worker processes would have.
      const other = dialect === 'mysql' ? await reopen(store) : store;
      try {
        const [a, b] = await Promise.all([migrateLatest(store), migrateLatest(other)]);
        assert.deepEqual([...a, ...b].sort(), [...allNames].sort(), 'each migration applied exactly once');
        assert.deepEqual((await migrationStatus(store)).applied, allNames);
      } finally {
        if (other !== store) await other.close();
      }
    });
  });
}

async function reopen(store: Store): Promise<Store> {
  const { openMysqlStore } = await import('../../store/database');
  const conn = store.knex.client.config.connection as { host: string; port: number; user: string; database: string };
  return openMysqlStore(`mysql://${conn.user}@${conn.host}:${conn.port}/${conn.database}`);
}

describe('the committed schema dump', function () {
  it('matches the schema the migrations build (regenerate with npm run schema:dump)', async () => {
    const store = await openFreshStore('mysql');
    try {
      await migrateLatest(store);
      const committed = readFileSync(path.join(__dirname, '..', '..', 'store', 'schema.sql'), 'utf8');
      assert.equal(await dumpSchema(store), committed);
    } finally {
      await store.close();
    }
  });
});
