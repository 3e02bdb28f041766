import type { Knex } from 'knex';

/**
 * `sync_pages`: the committed result (counts and next cursor) of each page of a pass, written in the same transaction
 * as the page's couplings and errors. A `syncPage` activity retried after it committed returns the stored result
 * instead of processing the page again, so counters stay exact under retries.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sync_pages', (t) => {
    t.bigInteger('job_id').notNullable();
    t.integer('page_no').notNullable();
    t.text('result').notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.primary(['job_id', 'page_no']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sync_pages');
}
