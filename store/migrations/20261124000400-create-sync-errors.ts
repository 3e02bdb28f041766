import type { Knex } from 'knex';

/** `sync_errors`: one row per failed record per job; (job, source id) is its identity so a retried page upserts. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sync_errors', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('job_id').notNullable();
    t.string('mapping', 64).notNullable();
    t.string('direction', 16).notNullable();
    t.string('source_id', 64).notNullable();
    t.string('destination_id', 64).nullable();
    t.text('message').notNullable();
    t.text('detail').nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.bigInteger('resolved_by_job_id').nullable();
    t.unique(['job_id', 'source_id'], { indexName: 'sync_errors_job_source_unique' });
    t.index(['mapping', 'created_at'], 'sync_errors_mapping_created_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sync_errors');
}
