import type { Knex } from 'knex';

/**
 * Indexes for the console's job list (newest first by started_at, id; keyset pages; filters by mapping, status and
 * time): every filter combination gets an index ending in `started_at` (InnoDB appends the primary key `id`, which is
 * the tie-break), so a page reads only its own rows at 100,000 jobs. (mapping, started_at) exists already;
 * `sync_jobs_status_idx` (status) is replaced by (status, started_at), which serves every query it served.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_jobs', (t) => {
    t.index(['started_at'], 'sync_jobs_started_idx');
    t.index(['status', 'started_at'], 'sync_jobs_status_started_idx');
    t.index(['mapping', 'status', 'started_at'], 'sync_jobs_mapping_status_started_idx');
    t.dropIndex(['status'], 'sync_jobs_status_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_jobs', (t) => {
    t.index(['status'], 'sync_jobs_status_idx');
    t.dropIndex(['mapping', 'status', 'started_at'], 'sync_jobs_mapping_status_started_idx');
    t.dropIndex(['status', 'started_at'], 'sync_jobs_status_started_idx');
    t.dropIndex(['started_at'], 'sync_jobs_started_idx');
  });
}
