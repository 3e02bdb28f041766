import type { Knex } from 'knex';

/**
 * `sync_page_reads`: the source ids a part of a page activity read, written before the part writes anything. A part
 * that died between its writes and its commit is done again on exactly those records (read again by id), even when
 * they changed after the pass started and a read of the changes up to the pass start would no longer list them:
 * otherwise the dead attempt's writes would stay unrecorded (no coupling, no hash) and the next run would take them for
 * someone else's changes. The hashes the part planned to leave on the destination let the redo recognise those
 * writes as its own (a destination holding exactly them has not been changed by anyone else).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sync_page_reads', (t) => {
    t.bigInteger('job_id').notNullable();
    t.integer('page_no').notNullable();
    t.integer('part').notNullable();
    t.text('source_ids').notNullable();
    t.text('next').notNullable();
    t.string('max_modified_at', 32).nullable();
    // Source id → the destination hash the part's write was to leave (set after its decisions, before its writes).
    t.text('planned_hashes').nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.primary(['job_id', 'page_no', 'part']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sync_page_reads');
}
