import type { Knex } from 'knex';

/** `option_mappings`: Business Central code ↔ Dataverse choice value for option-set columns (payment terms, …). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('option_mappings', (t) => {
    t.string('option_set', 64).notNullable();
    t.string('bc_code', 64).notNullable();
    t.integer('dv_value').notNullable();
    t.string('dv_label', 255).nullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.primary(['option_set', 'bc_code']);
    t.unique(['option_set', 'dv_value'], { indexName: 'option_mappings_dv_value_unique' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('option_mappings');
}
