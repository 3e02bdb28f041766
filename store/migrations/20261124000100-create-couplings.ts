import type { Knex } from 'knex';

/**
 * `couplings`: one row per coupled pair per mapping (DESIGN §4). A row with one id still NULL marks a record whose
 * create on the other side failed and must be retried first on the next pass (NULLs never collide in a unique key).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('couplings', (t) => {
    t.bigIncrements('id').primary();
    t.string('mapping', 64).notNullable();
    t.string('bc_id', 36).nullable();
    t.string('dv_id', 36).nullable();
    t.datetime('bc_modified_at', { precision: 3 }).nullable();
    t.datetime('dv_modified_at', { precision: 3 }).nullable();
    t.string('bc_hash', 64).nullable();
    t.string('dv_hash', 64).nullable();
    t.string('to_dv_result', 16).nullable();
    t.bigInteger('to_dv_job_id').nullable();
    t.text('to_dv_last_error').nullable();
    t.integer('to_dv_error_count').notNullable().defaultTo(0);
    t.string('to_bc_result', 16).nullable();
    t.bigInteger('to_bc_job_id').nullable();
    t.text('to_bc_last_error').nullable();
    t.integer('to_bc_error_count').notNullable().defaultTo(0);
    t.boolean('skipped').notNullable().defaultTo(false);
    t.datetime('skipped_at', { precision: 3 }).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.unique(['mapping', 'bc_id'], { indexName: 'couplings_mapping_bc_id_unique' });
    t.unique(['mapping', 'dv_id'], { indexName: 'couplings_mapping_dv_id_unique' });
    t.index(['mapping', 'to_dv_result', 'skipped'], 'couplings_to_dv_retry_idx');
    t.index(['mapping', 'to_bc_result', 'skipped'], 'couplings_to_bc_retry_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('couplings');
}
