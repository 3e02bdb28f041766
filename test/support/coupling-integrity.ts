/**
 * The shared check every end-to-end scenario ends with (DESIGN §7.6, "Couplings are whole"): every coupling row of
 * the given mappings holds both ids, each id names a record that exists on its side, and no record is coupled twice.
 */
import assert from 'node:assert/strict';
import { defaultMappings, type IntegrationTableMapping } from '../../mappings';
import { all, type SyncStack } from './sync-stack';

/**
 * Asserts that the couplings of `mappingNames` (Default: every mapping that has couplings) are whole and point at
 * existing records. Reads every record of the mapped entity sets, so keep it to the test's mappings on big data sets.
 * Returns the number of coupling rows checked per mapping, so a test can also assert it checked something.
 */
export async function assertCouplingsWhole(
  stack: SyncStack,
  mappingNames?: readonly string[],
  mappings: readonly IntegrationTableMapping[] = defaultMappings(),
): Promise<Record<string, number>> {
  const knex = stack.store.knex;
  const names =
    mappingNames ?? (await knex('couplings').distinct('mapping')).map((r: { mapping: string }) => r.mapping);
  const checked: Record<string, number> = {};
  for (const name of names) {
    const m = mappings.find((x) => x.name === name);
    assert.ok(m, `unknown mapping ${name}`);
    const rows: Array<{ id: number; bc_id: string | null; dv_id: string | null }> = await knex('couplings')
      .where({ mapping: name })
      .select('id', 'bc_id', 'dv_id');
    const half = rows.filter((r) => !r.bc_id || !r.dv_id);
    assert.deepEqual(half, [], `${name}: coupling rows with a missing id`);
    const bcIds = new Set(
      (await all(stack, 'bc', m.bc.entitySet)).map((r) => String(r[m.bc.key] as string).toLowerCase()),
    );
    const dvIds = new Set(
      (await all(stack, 'dv', m.dataverse.entitySet)).map((r) => String(r[m.dataverse.key] as string).toLowerCase()),
    );
    const ghostsBc = rows.filter((r) => !bcIds.has(String(r.bc_id).toLowerCase()));
    const ghostsDv = rows.filter((r) => !dvIds.has(String(r.dv_id).toLowerCase()));
    assert.deepEqual(ghostsBc, [], `${name}: couplings to Business Central records that do not exist`);
    assert.deepEqual(ghostsDv, [], `${name}: couplings to Dataverse rows that do not exist`);
    checked[name] = rows.length;
  }
  return checked;
}
