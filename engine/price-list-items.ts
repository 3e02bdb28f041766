/**
 * Pure rules of the Dataverse price list items SALESPRC-PRODPRICE writes (bc-sync-semantics §8.10): which unit
 * (`uomid`) a Business Central sales price is for, and the key Dataverse keeps one price list item per (price list,
 * product, unit). The I/O lives in activities/entity-rules/price-list-item.ts.
 */
import type { DataRecord } from './record-types';

/** What the unit rule needs of the price's Dataverse product. */
export interface PriceProduct {
  /** The product's unit group (`_defaultuomscheduleid_value`). */
  readonly unitGroupId: string | null;
  /** The product's default unit (`_defaultuomid_value`). */
  readonly defaultUnitId: string | null;
}

export type PriceUnit =
  | { readonly ok: true; readonly unitId: string }
  | {
      readonly ok: false;
      /** Why, to be completed with the record's name: "its unit of measure 'BOX' is not …". */
      readonly reason: string;
    };

const lowerOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v.toLowerCase() : null);

/**
 * The unit of a price list item: the unit of the product's unit group named like the BC price's unit of measure code
 * (case-insensitively), or the product's default unit when the price has no unit of measure code. `units` are rows of
 * `uoms` (any groups; only the product's group counts).
 */
export function priceListItemUnit(
  unitCode: string | null,
  product: PriceProduct,
  units: readonly DataRecord[],
  itemNumber: string,
): PriceUnit {
  const group = lowerOrNull(product.unitGroupId);
  const code = (unitCode ?? '').trim();
  if (code === '') {
    const unitId = lowerOrNull(product.defaultUnitId);
    return unitId
      ? { ok: true, unitId }
      : {
          ok: false,
          reason: `it has no unit of measure and the product of item '${itemNumber}' has no default unit; run ITEM-PRODUCT (it sets the default unit) or give the price a unit of measure`,
        };
  }
  const inGroup = units.filter((u) => group !== null && lowerOrNull(u._uomscheduleid_value) === group);
  const hit = inGroup.find((u) => typeof u.name === 'string' && u.name.toUpperCase() === code.toUpperCase());
  if (hit && typeof hit.uomid === 'string') return { ok: true, unitId: hit.uomid.toLowerCase() };
  const names = inGroup
    .map((u) => u.name)
    .filter((n): n is string => typeof n === 'string')
    .sort();
  return {
    ok: false,
    reason:
      `its unit of measure '${code}' is not a unit of the unit group of item '${itemNumber}''s product` +
      ` (its units: ${names.length ? names.map((n) => `'${n}'`).join(', ') : 'none'}); give the price one of those units` +
      ` in Business Central, or add a unit '${code}' to that unit group in Dataverse`,
  };
}

/** The key Dataverse keeps unique among price list items: price list, product and unit (lower-case ids). */
export function priceListItemKey(priceListId: string, productId: string, unitId: string): string {
  return [priceListId, productId, unitId].map((v) => v.toLowerCase()).join('|');
}
