import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../../store/database';
import { migrateLatest, migrationStatus, rollbackAll } from '../../store/migrate';
import { migrations } from '../../store/migrations';
import { dumpSchema } from '../../scripts/schema-dump';
import * as couplingsRequireBothIds from '../../store/migrations/20261201000200-couplings-require-both-ids';
import { openFreshStore } from '../support/stores';

const tables = [
  'couplings',
  'watermarks',
  'sync_jobs',
  'sync_errors',
  'pending_writes',
  'field_changes',
  'option_mappings',
  'sync_pages',
  'pending_failures',
  'sync_leases',
  'sync_page_reads',
];
const allNames = migrations.map(([name]) => name);

/**
 * Every table of the database except knex's own bookkeeping, in the order of `tables` (unknown ones last): a table a
 * migration adds without this list naming it fails the comparison instead of going unnoticed.
 */
async function existingTables(store: Store): Promise<string[]> {
  const names =
    store.dialect === 'mysql'
      ? (await store.knex.raw<[Array<Record<string, string>>]>('SHOW TABLES'))[0].map((r) => Object.values(r)[0])
      : (await store.knex.raw<Array<{ name: string }>>("SELECT name FROM sqlite_master WHERE type = 'table'")).map(
          (r) => r.name,
        );
  const found = names.filter((n) => !n.startsWith('knex_migrations') && !n.startsWith('sqlite_'));
  const rank = (n: string) => (tables.includes(n) ? tables.indexOf(n) : tables.length);
  return found.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
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

    it('repairs half coupling rows of earlier versions: failures move to pending_failures, the columns become NOT NULL', async () => {
      await migrateLatest(store);
      const knex = store.knex;
      await couplingsRequireBothIds.down(knex); // the schema of earlier versions
      const t = new Date('2026-11-30T10:00:00.000Z');
      const row = (o: Record<string, unknown>) => ({
        mapping: 'CUSTOMER',
        bc_id: null,
        dv_id: null,
        to_dv_result: null,
        to_dv_last_error: null,
        to_dv_error_count: 0,
        to_bc_result: null,
        to_bc_last_error: null,
        to_bc_error_count: 0,
        skipped: false,
        skipped_at: null,
        created_at: t,
        updated_at: t,
        ...o,
      });
      await knex('couplings').insert([
        row({ bc_id: 'b1', dv_id: 'd1' }),
        row({
          bc_id: 'b2',
          dv_id: null,
          to_dv_result: 'failure',
          to_dv_last_error: 'name too long',
          to_dv_error_count: 2,
          skipped: true,
          skipped_at: t,
        }),
        row({ bc_id: null, dv_id: 'd3', to_bc_result: 'failure', to_bc_last_error: 'blocked', to_bc_error_count: 1 }),
        row({ bc_id: 'b4', dv_id: null }),
      ]);
      await couplingsRequireBothIds.up(knex);
      const left = await knex('couplings').select('bc_id', 'dv_id');
      assert.deepEqual(
        left.map((r: Record<string, unknown>) => [r.bc_id, r.dv_id]),
        [['b1', 'd1']],
      );
      const moved = await knex('pending_failures').orderBy('source_id');
      assert.deepEqual(
        moved.map((r: Record<string, unknown>) => [
          r.direction,
          r.source_id,
          r.last_error,
          Number(r.error_count),
          Boolean(r.skipped),
        ]),
        [
          ['to-dataverse', 'b2', 'name too long', 2, true],
          ['to-bc', 'd3', 'blocked', 1, false],
        ],
      );
      await assert.rejects(knex('couplings').insert(row({ bc_id: 'b9', dv_id: null })));
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
