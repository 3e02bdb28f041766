import type { Knex } from 'knex';

/**
 * An index for the errors of one job, newest first (the console's job page and `bcsync errors --job`): (job_id,
 * created_at), with InnoDB's appended primary key as the tie-break, so keyset pages of a job with 100,000 failed
 * records read only their own rows. The unique (job_id, source_id) key finds a job's rows but not in this order.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_errors', (t) => {
    t.index(['job_id', 'created_at'], 'sync_errors_job_created_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_errors', (t) => {
    t.dropIndex(['job_id', 'created_at'], 'sync_errors_job_created_idx');
  });
}
