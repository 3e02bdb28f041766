import type { Knex } from 'knex';

/**
 * `sync_leases`: at most one run per mapping at a time. The row names the workflow that holds the mapping (and the run
 * that last acquired or renewed it) and when the lease lapses unless renewed; a run that died leaves a row that
 * expires. One row per mapping: the primary key is what makes two acquisitions of a free mapping exclusive.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sync_leases', (t) => {
    t.string('mapping', 64).primary();
    t.string('owner_workflow_id', 255).notNullable();
    t.string('owner_run_id', 64).notNullable();
    t.datetime('acquired_at', { precision: 3 }).notNullable();
    t.datetime('expires_at', { precision: 3 }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sync_leases');
}
