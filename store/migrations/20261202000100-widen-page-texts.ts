import type { Knex } from 'knex';

/**
 * Page records hold a page's worth of text: `sync_page_reads` lists a part's source ids and the destination hashes
 * each of its attempts planned (about 110 bytes a record per attempt), and `sync_pages` a page's result, whose match
 * reports name up to 200 pairs, ambiguities and unmatched records each. MySQL's TEXT holds 65,535 bytes, which a page
 * of about 600 records outgrew: with `SYNC_PAGE_SIZE` above that every page failed on "Data too long". MEDIUMTEXT
 * holds 16 MB (SQLite's TEXT has no such limit; its columns are rebuilt the same).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_page_reads', (t) => {
    t.text('source_ids', 'mediumtext').notNullable().alter();
    t.text('planned_hashes', 'mediumtext').nullable().alter();
  });
  await knex.schema.alterTable('sync_pages', (t) => {
    t.text('result', 'mediumtext').notNullable().alter();
  });
}

/**
 * Narrows the columns again. While a row holds more than TEXT does, MySQL in strict mode refuses it ("Data too long")
 * and without strict mode cuts the row off: close every running pass first.
 */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sync_page_reads', (t) => {
    t.text('source_ids').notNullable().alter();
    t.text('planned_hashes').nullable().alter();
  });
  await knex.schema.alterTable('sync_pages', (t) => {
    t.text('result').notNullable().alter();
  });
}
