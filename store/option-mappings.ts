/** Queries on `option_mappings`: Business Central code ↔ Dataverse choice value per option set. */
import { type Db, toNumber } from './values';

export interface OptionMapping {
  optionSet: string;
  bcCode: string;
  dvValue: number;
  dvLabel: string | null;
}

/**
 * Sets the mapping for one BC code of an option set, replacing whatever mapped that code or that Dataverse value
 * before (both are unique within the option set), in one transaction.
 */
export async function setOptionMapping(db: Db, m: OptionMapping, now: Date): Promise<void> {
  const write = async (trx: Db) => {
    await trx('option_mappings')
      .where({ option_set: m.optionSet })
      .andWhere((q) => q.where({ bc_code: m.bcCode }).orWhere({ dv_value: m.dvValue }))
      .delete();
    await trx('option_mappings').insert({
      option_set: m.optionSet,
      bc_code: m.bcCode,
      dv_value: m.dvValue,
      dv_label: m.dvLabel,
      updated_at: now,
    });
  };
  if ('commit' in db) await write(db);
  else await db.transaction(write);
}

/** Every mapping of an option set, ordered by BC code; without `optionSet`, of every set, ordered by set then code. */
export async function listOptionMappings(db: Db, optionSet?: string): Promise<OptionMapping[]> {
  const query = db('option_mappings').orderBy([{ column: 'option_set' }, { column: 'bc_code' }]);
  const rows = await (optionSet === undefined ? query : query.where({ option_set: optionSet }));
  return rows.map((r) => ({
    optionSet: r.option_set,
    bcCode: r.bc_code,
    dvValue: toNumber(r.dv_value),
    dvLabel: r.dv_label ?? null,
  }));
}

/** Deletes the mappings of these BC codes in an option set (codes that no longer exist); returns how many went. */
export async function deleteOptionMappings(db: Db, optionSet: string, bcCodes: readonly string[]): Promise<number> {
  if (bcCodes.length === 0) return 0;
  return db('option_mappings')
    .where({ option_set: optionSet })
    .whereIn('bc_code', [...bcCodes])
    .delete();
}
