import type { Knex } from 'knex';

/**
 * Couplings are whole (DESIGN §7.6): `bc_id` and `dv_id` become NOT NULL. Earlier versions stored a failed create as
 * a coupling row holding the source id only, and match-before-create could leave the destination id NULL. Before the
 * columns are tightened, such half rows are repaired: a row that records a failure becomes a `pending_failures` row of
 * its source record (so the record is still retried, and still skipped if it was), every half row is then removed, and
 * the migration says on stderr how many it moved and removed.
 */
export async function up(knex: Knex): Promise<void> {
  const half: Array<Record<string, unknown>> = await knex('couplings').whereNull('bc_id').orWhereNull('dv_id');
  let moved = 0;
  for (const row of half) {
    for (const [prefix, direction, sourceColumn] of [
      ['to_dv', 'to-dataverse', 'bc_id'],
      ['to_bc', 'to-bc', 'dv_id'],
    ] as const) {
      const sourceId = row[sourceColumn] as string | null;
      if (!sourceId || row[`${prefix}_result`] !== 'failure') continue;
      const exists = await knex('pending_failures')
        .where({ mapping: row.mapping, direction, source_id: sourceId })
        .first('id');
      if (exists) continue;
      await knex('pending_failures').insert({
        mapping: row.mapping,
        direction,
        source_id: sourceId,
        job_id: row[`${prefix}_job_id`] ?? null,
        last_error: row[`${prefix}_last_error`] ?? null,
        error_count: row[`${prefix}_error_count`] ?? 0,
        skipped: row.skipped ?? false,
        skipped_at: row.skipped_at ?? null,
        created_at: row.created_at,
        updated_at: row.updated_at,
      });
      moved += 1;
    }
  }
  if (half.length) {
    await knex('couplings')
      .whereIn(
        'id',
        half.map((r) => r.id as number),
      )
      .delete();
    // A migration has no logger; stderr is where an operator running `bcsync migrate` or `npm start` sees it.
    process.stderr.write(
      `migration couplings-require-both-ids: removed ${half.length} coupling row(s) holding one id only; ` +
        `${moved} failed record(s) among them are kept in pending_failures and retried on the next run\n`,
    );
  }
  await knex.schema.alterTable('couplings', (t) => {
    t.string('bc_id', 36).notNullable().alter();
    t.string('dv_id', 36).notNullable().alter();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('couplings', (t) => {
    t.string('bc_id', 36).nullable().alter();
    t.string('dv_id', 36).nullable().alter();
  });
}
