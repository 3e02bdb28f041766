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

/** Every mapping of an option set, ordered by BC code. */
export async function listOptionMappings(db: Db, optionSet: string): Promise<OptionMapping[]> {
  const rows = await db('option_mappings').where({ option_set: optionSet }).orderBy('bc_code');
  return rows.map((r) => ({
    optionSet: r.option_set,
    bcCode: r.bc_code,
    dvValue: toNumber(r.dv_value),
    dvLabel: r.dv_label ?? null,
  }));
}
