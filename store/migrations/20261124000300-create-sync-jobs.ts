import type { Knex } from 'knex';

/**
 * `sync_jobs`: one row per pass. `idempotency_key` (workflow id, run id, pass) is the one identity an activity retry
 * upserts on, so a retried `startPass` never opens a second row.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sync_jobs', (t) => {
    t.bigIncrements('id').primary();
    t.string('idempotency_key', 255).notNullable().unique({ indexName: 'sync_jobs_idempotency_key_unique' });
    t.string('mapping', 64).notNullable();
    t.string('direction', 16).nullable();
    t.string('type', 16).notNullable();
    t.string('mode', 16).notNullable();
    t.string('workflow_id', 255).nullable();
    t.string('run_id', 64).nullable();
    t.bigInteger('retry_of_job_id').nullable();
    t.datetime('started_at', { precision: 3 }).notNullable();
    t.datetime('finished_at', { precision: 3 }).nullable();
    t.string('status', 32).notNullable();
    t.integer('inserted').notNullable().defaultTo(0);
    t.integer('modified').notNullable().defaultTo(0);
    t.integer('deleted').notNullable().defaultTo(0);
    t.integer('unchanged').notNullable().defaultTo(0);
    t.integer('skipped').notNullable().defaultTo(0);
    t.integer('failed').notNullable().defaultTo(0);
    t.integer('coupled').notNullable().defaultTo(0);
    t.integer('uncoupled').notNullable().defaultTo(0);
    t.text('message').nullable();
    t.index(['mapping', 'started_at'], 'sync_jobs_mapping_started_idx');
    t.index(['status'], 'sync_jobs_status_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sync_jobs');
}
