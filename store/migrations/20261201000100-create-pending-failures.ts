import type { Knex } from 'knex';

/**
 * `pending_failures`: source records that failed before they were ever coupled (their create on the other side was
 * refused), per mapping and direction. They are retried first on the next pass, counted towards the "two identical
 * failures ⇒ skipped" rule, and restored like skipped couplings — without a coupling row holding one id only.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pending_failures', (t) => {
    t.bigIncrements('id').primary();
    t.string('mapping', 64).notNullable();
    t.string('direction', 16).notNullable();
    t.string('source_id', 36).notNullable();
    t.bigInteger('job_id').nullable();
    t.text('last_error').nullable();
    t.integer('error_count').notNullable().defaultTo(0);
    t.boolean('skipped').notNullable().defaultTo(false);
    t.datetime('skipped_at', { precision: 3 }).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.unique(['mapping', 'direction', 'source_id'], { indexName: 'pending_failures_identity_unique' });
    t.index(['mapping', 'direction', 'skipped', 'id'], 'pending_failures_retry_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pending_failures');
}
