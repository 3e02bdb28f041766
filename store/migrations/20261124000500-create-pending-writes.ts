import type { Knex } from 'knex';

/**
 * `pending_writes`: the intent log that makes non-idempotent creates (Business Central POST) safe to retry: the
 * intent row with its deterministic look-up key is written before the call (DESIGN §7.1).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pending_writes', (t) => {
    t.bigIncrements('id').primary();
    t.string('mapping', 64).notNullable();
    t.string('direction', 16).notNullable();
    t.string('source_id', 64).notNullable();
    t.string('lookup_key', 255).notNullable();
    t.string('destination_id', 64).nullable();
    t.string('state', 16).notNullable();
    t.bigInteger('job_id').nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.unique(['mapping', 'direction', 'source_id'], { indexName: 'pending_writes_source_unique' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pending_writes');
}
