import type { Knex } from 'knex';

/** `watermarks`: per mapping and side, the modified-on high-water mark and (Dataverse) a change-tracking token. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('watermarks', (t) => {
    t.string('mapping', 64).notNullable();
    t.string('side', 16).notNullable();
    t.datetime('modified_at', { precision: 3 }).nullable();
    t.text('delta_token').nullable();
    t.bigInteger('job_id').nullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.primary(['mapping', 'side']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('watermarks');
}
