/**
 * UNIT OF MEASURE's entity rules (bc-sync-semantics §8.7): every unit group the sync writes has its base unit
 * (quantity 1, named after the BC code). Dataverse creates it itself from `baseuomname` when the group is created, so
 * this adds it only to a group that has none (a matched group created without `baseuomname`) — never a second one
 * (the name is unique per group). Also the look-up of base units that products and price lines use.
 */
import type { DataverseClient, DvEntitySet } from '../../connectors/dataverse';
import { ConnectorError, DuplicateKeyError } from '../../connectors/http';
import { BC_SALES_SYNC_NAMESPACE, describeRecord, uuidV5 } from '../../engine';
import { baseUnitsByGroup } from '../../engine/product-catalog';
import { type Item, lower, plan } from '../page/work';
import type { EntityRules } from './types';

const UOMS = 'uoms' as DvEntitySet;
/** Groups per OData `or` filter (keeps URLs short). */
const GROUPS_PER_QUERY = 20;

/**
 * The base unit of each of `groupIds` (unit group id → base unit id, lower case): one query per 20 groups on
 * `uoms` by `_uomscheduleid_value`. A group without a base unit is absent. Throws the connector's error.
 */
export async function baseUnitsOf(
  dv: DataverseClient,
  groupIds: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const ids = [...new Set(groupIds.map((g) => g.toLowerCase()))];
  const units: Record<string, unknown>[] = [];
  for (let n = 0; n < ids.length; n += GROUPS_PER_QUERY) {
    const filter = ids
      .slice(n, n + GROUPS_PER_QUERY)
      .map((id) => `_uomscheduleid_value eq ${id}`)
      .join(' or ');
    for await (const page of dv.listAll({
      entitySet: UOMS,
      filter,
      select: ['name', 'quantity', '_uomscheduleid_value', '_baseuom_value', 'isschedulebaseuom'],
      signal,
    })) {
      units.push(...page);
    }
  }
  return baseUnitsByGroup(units);
}

/** The id the base unit of group `groupId` is created with when the sync has to add it (stable across retries). */
export function baseUnitIdFor(groupId: string): string {
  return uuidV5(BC_SALES_SYNC_NAMESPACE, `UNIT OF MEASURE base unit:${groupId.toLowerCase()}`);
}

export const unitOfMeasureRules: EntityRules = {
  async afterWrite({ deps, work }, items) {
    if (work.direction !== 'to-dataverse') return;
    // Every group written this page (created, recovered or updated), with the item and the name of its base unit.
    const written = new Map<string, { item: Item; name: string }>();
    for (const item of items) {
      const p = plan(item.decision);
      if (!p || !item.written || item.failure) continue;
      const groupId = lower(item.written.uomscheduleid ?? p.destinationId ?? '');
      const name = p.payload.baseuomname ?? item.destination?.baseuomname ?? item.source.code;
      if (groupId && typeof name === 'string' && name !== '') written.set(groupId, { item, name });
    }
    if (!written.size) return;
    const bases = await baseUnitsOf(deps.connectors.dv, [...written.keys()]);
    for (const [groupId, { item, name }] of written) {
      if (bases.has(groupId)) continue;
      try {
        await deps.connectors.dv.createWithId(UOMS, baseUnitIdFor(groupId), {
          name,
          quantity: 1,
          'uomscheduleid@odata.bind': `/uomschedules(${groupId})`,
        });
      } catch (e) {
        if (!(e instanceof ConnectorError) || e.retryable) throw e; // the page is retried
        // Already there (an earlier attempt of this page), or refused: say so on the record, it is retried next run.
        if (e instanceof DuplicateKeyError && (await deps.connectors.dv.get(UOMS, baseUnitIdFor(groupId)))) continue;
        item.failure = `${describeRecord(work.mapping, 'bc', item.source)}: its unit group has no base unit and Dataverse refused to add '${name}' (quantity 1): ${e.message}; make a unit of quantity 1 named '${name}' the group's base unit in Dataverse`;
      }
    }
  },
};
