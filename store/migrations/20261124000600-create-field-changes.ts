import type { Knex } from 'knex';

/** `field_changes`: the audit trail; per written (or conflict-losing) field its old and new value. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('field_changes', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('job_id').notNullable();
    t.string('mapping', 64).notNullable();
    t.string('direction', 16).notNullable();
    t.string('source_id', 64).notNullable();
    t.string('destination_id', 64).nullable();
    t.string('field', 128).notNullable();
    t.string('kind', 16).notNullable();
    t.text('old_value').nullable();
    t.text('new_value').nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.unique(['job_id', 'source_id', 'field', 'kind'], { indexName: 'field_changes_identity_unique' });
    t.index(['mapping', 'destination_id'], 'field_changes_destination_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('field_changes');
}
