/**
 * Pure rules of the Dataverse product catalog for UNIT OF MEASURE, ITEM-PRODUCT and RESOURCE-PRODUCT
 * (bc-sync-semantics §4.10, §8.7–§8.9): which unit of a unit group is its base unit, which default unit a product
 * write needs, and which product states a create leaves to publishing. The I/O lives in
 * activities/entity-rules/unit-of-measure.ts and product.ts.
 */
import type { DataRecord } from './record-types';

/** Dataverse product `statecode` values (Microsoft's product state model). */
export const PRODUCT_STATE = { active: 0, retired: 1, draft: 2, underRevision: 3 } as const;

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The row id an `@odata.bind` value names in `entitySet` (`/uomschedules(<guid>)`, `uomschedules(<guid>)` or an
 * absolute URL ending so), lower case; null for anything else (no bind, a key form, another set).
 */
export function boundId(bind: unknown, entitySet: string): string | null {
  if (typeof bind !== 'string') return null;
  const m = new RegExp(`(?:^|/)${entitySet}\\(([^)]+)\\)$`).exec(bind.trim());
  return m && guid.test(m[1]) ? m[1].toLowerCase() : null;
}

/**
 * The base unit of each unit group among `units` (rows of `uoms`): the unit based on no other unit
 * (`_baseuom_value` empty or itself), or marked `isschedulebaseuom`. Keys and values are lower-case ids; a group
 * without such a unit is absent.
 */
export function baseUnitsByGroup(units: readonly DataRecord[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const u of units) {
    const group = u._uomscheduleid_value;
    const id = u.uomid;
    if (typeof group !== 'string' || typeof id !== 'string') continue;
    const base = u._baseuom_value;
    const isBase =
      u.isschedulebaseuom === true ||
      base == null ||
      (typeof base === 'string' && base.toLowerCase() === id.toLowerCase());
    if (isBase && !out.has(group.toLowerCase())) out.set(group.toLowerCase(), id.toLowerCase());
  }
  return out;
}

/**
 * What a product write needs for its default unit (`defaultuomid`): the unit group it leaves the product in, when
 * the write sets the group (`defaultuomscheduleid@odata.bind` in `payload`) or the existing product (`destination`,
 * null for a create) has no default unit yet; null when the default unit can stay as it is. A create without a group
 * bind needs nothing here (Dataverse refuses it with its own message).
 */
export function unitGroupNeedingDefaultUnit(
  payload: Readonly<Record<string, unknown>>,
  destination: DataRecord | null,
): string | null {
  const group = boundId(payload['defaultuomscheduleid@odata.bind'], 'uomschedules');
  if (group) return group;
  if (!destination || destination._defaultuomid_value != null) return null;
  const current = destination._defaultuomscheduleid_value;
  return typeof current === 'string' ? current.toLowerCase() : null;
}

/** Whether a product in `statecode` is published by PublishProductHierarchy (Draft or Under Revision). */
export function needsPublishing(statecode: unknown): boolean {
  return statecode === PRODUCT_STATE.draft || statecode === PRODUCT_STATE.underRevision;
}

/**
 * A product create's payload without its state: a product is created Draft and published afterwards (Dataverse
 * refuses Draft → Retired and the product lifecycle is set through its own messages). Returns the payload and the
 * state the source asked for (`statecode` of the mapping, e.g. 1 Retired for a blocked item), or null.
 */
export function splitCreateState(payload: Readonly<Record<string, unknown>>): {
  payload: Record<string, unknown>;
  requestedState: number | null;
} {
  const { statecode, statuscode: _statuscode, ...rest } = payload;
  return { payload: rest, requestedState: typeof statecode === 'number' ? statecode : null };
}
