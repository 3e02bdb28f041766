/**
 * SALESPRC-PRODPRICE's entity rules (bc-sync-semantics §8.10): the unit of a Dataverse price list item, which Business
 * Central derives in code, and the match before create by (price list, product, unit).
 * - `uomid` is the unit of the product's unit group named like the sales price's unit of measure code, or the
 *   product's default unit when the price has none (engine/price-list-items.ts). When there is none, the price fails
 *   alone with a message naming the unit and the item. The mapping's `unitOfMeasureCode → uomid` field (an
 *   `entity-rule` lookup) puts the unit code in the record's hash, so a price whose only change is its unit reaches
 *   this rule (decided "unchanged": the field transfer does not write the unit) and becomes an update of `uomid`.
 * - Dataverse keeps one price list item per (price list, product, unit). A price about to be created is coupled to
 *   the uncoupled price list item with its price list, product and unit instead (decided again as an update of it).
 *   The unit is computed here, so this rule does it, not the generic match before create: the mapping's match
 *   criteria (price list, product) accept the pair, and resolve a DuplicateProductPriceLevel answer the same way
 *   (activities/page/destination-writes.ts). Two prices of one page for the same price list, product and unit (BC
 *   prices that differ only in starting date, currency or minimum quantity) cannot both exist in Dataverse: the later
 *   one fails, naming the other.
 */
import type { DvEntitySet } from '../../connectors/dataverse';
import { chunk } from '../../connectors/http/odata';
import { describeRecord, type FieldChange, type RecordDecision } from '../../engine';
import { priceListItemKey, priceListItemUnit } from '../../engine/price-list-items';
import { boundId } from '../../engine/product-catalog';
import { findByDvIds } from '../../store/couplings';
import type { ApiRecord } from '../sides';
import { applyMatches } from '../page/match-before-create';
import { type Item, lower, plan, text } from '../page/work';
import type { EntityRules } from './types';

const PRODUCTS = 'products' as DvEntitySet;
const UOMS = 'uoms' as DvEntitySet;
const PRICE_LIST_ITEMS = 'productpricelevels' as DvEntitySet;
/** Values per OData `or` filter (keeps URLs well under the service's limits). */
const PER_QUERY = 10;

const idOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v.toLowerCase() : null);

/** The id a planned write binds `column` to, or the destination's current one. */
function boundOrCurrent(item: Item, column: string, entitySet: string): string | null {
  return (
    boundId(plan(item.decision)?.payload[`${column}@odata.bind`], entitySet) ??
    idOrNull(item.destination?.[`_${column}_value`])
  );
}

async function listWhere(
  dv: Parameters<NonNullable<EntityRules['beforeWrite']>>[0]['deps']['connectors']['dv'],
  set: DvEntitySet,
  clauses: readonly string[],
  select?: string[],
): Promise<ApiRecord[]> {
  const out: ApiRecord[] = [];
  for (const part of chunk(clauses, PER_QUERY)) {
    const filter = part.join(' or ');
    for await (const page of dv.listAll({ entitySet: set, filter, ...(select ? { select } : {}) })) out.push(...page);
  }
  return out;
}

/**
 * Writes `unitId` as the item's unit: added to its planned write (a create always; an update when the unit differs), or
 * an unchanged record whose unit differs becomes an update of the unit. Idempotent.
 */
function withUnit(item: Item, unitId: string, fieldIndex: number): void {
  const d = item.decision;
  const p = plan(d);
  const current = p?.operation === 'create' ? null : idOrNull(item.destination?._uomid_value);
  if (p?.operation !== 'create' && current === unitId) return;
  const change: FieldChange = {
    fieldIndex: fieldIndex < 0 ? null : fieldIndex,
    field: 'uomid',
    sourceField: 'unitOfMeasureCode',
    oldValue: current,
    newValue: unitId,
    bidirectional: false,
    origin: fieldIndex < 0 ? 'rule' : 'field',
  };
  const payload = { 'uomid@odata.bind': `/uoms(${unitId})` };
  if (p) {
    const changes = [...p.changes.filter((c) => c.field !== 'uomid'), change];
    item.decision = { ...d, write: { ...p, payload: { ...p.payload, ...payload }, changes } } as RecordDecision;
    return;
  }
  if (d.kind !== 'unchanged' || !item.row) return;
  item.decision = {
    kind: 'update',
    counter: 'modified',
    couplingResult: 'success',
    bothChanged: false,
    write: { operation: 'update', destinationId: item.row.dvId, createKey: null, payload, changes: [change] },
    // The source hash (which holds the unit code) is stored once the unit is written.
    hashes: d.hashes,
  };
}

export const priceListItemRules: EntityRules = {
  async beforeWrite({ deps, work, lookups }, items) {
    if (work.direction !== 'to-dataverse') return;
    const m = work.mapping;
    const dv = deps.connectors.dv;
    const who = (item: Item): string =>
      `${describeRecord(m, 'bc', item.source)} of customer price group '${text(item.source.salesCode) ?? ''}'`;
    // Planned writes, and records whose mapped values changed with nothing for the field transfer to write: the unit is
    // in the hash but written here, so a price whose only change is its unit arrives as "unchanged".
    const pending = items.filter(
      (i) =>
        i.written === undefined &&
        !i.failure &&
        (plan(i.decision) !== undefined || (i.decision.kind === 'unchanged' && i.decision.hashes.bcHash !== undefined)),
    );
    const unitField = m.fieldMappings.findIndex(
      (f) => f.enabled && f.lookup?.kind === 'entity-rule' && f.dvField === 'uomid',
    );

    // The unit: from the product's unit group (the product comes from the ITEM-PRODUCT lookup).
    const productOf = new Map<Item, string>();
    for (const item of pending) {
      const product = boundOrCurrent(item, 'productid', 'products');
      if (product) productOf.set(item, product);
    }
    if (!productOf.size) return;
    const products = new Map<string, ApiRecord>();
    for (const p of await dv.getByIds(PRODUCTS, [...new Set(productOf.values())], {
      select: ['productid', 'productnumber', '_defaultuomscheduleid_value', '_defaultuomid_value'],
    })) {
      products.set(lower(p.productid), p);
    }
    const groups = [
      ...new Set([...products.values()].map((p) => idOrNull(p._defaultuomscheduleid_value)).filter((g) => g !== null)),
    ];
    const units = await listWhere(
      dv,
      UOMS,
      groups.map((g) => `_uomscheduleid_value eq ${g}`),
      ['uomid', 'name', '_uomscheduleid_value'],
    );
    const unitOf = new Map<Item, string>();
    for (const [item, productId] of productOf) {
      const itemNumber = text(item.source.itemNumber) ?? '';
      const product = products.get(productId);
      if (!product) {
        item.failure = `${who(item)} cannot be synchronized: the product ${productId} of item '${itemNumber}' no longer exists in Dataverse; uncouple the item ('bcsync uncouple ITEM-PRODUCT') and run ITEM-PRODUCT`;
        continue;
      }
      const unit = priceListItemUnit(
        text(item.source.unitOfMeasureCode),
        {
          unitGroupId: idOrNull(product._defaultuomscheduleid_value),
          defaultUnitId: idOrNull(product._defaultuomid_value),
        },
        units,
        itemNumber,
      );
      if (!unit.ok) {
        item.failure = `${who(item)} cannot be synchronized: ${unit.reason}`;
        continue;
      }
      unitOf.set(item, unit.unitId);
      withUnit(item, unit.unitId, unitField);
    }

    // Match before create by (price list, product, unit); one create per key and page.
    const keyOf = new Map<Item, { key: string; clause: string }>();
    const firstOfKey = new Map<string, Item>();
    for (const [item, unitId] of unitOf) {
      if (plan(item.decision)?.operation !== 'create' || item.matchedId !== undefined) continue;
      const priceList = boundOrCurrent(item, 'pricelevelid', 'pricelevels');
      const product = productOf.get(item)!;
      if (!priceList) continue;
      const key = priceListItemKey(priceList, product, unitId);
      const first = firstOfKey.get(key);
      if (first) {
        item.failure = `${who(item)} cannot be created: ${who(first)} (unit of measure '${text(first.source.unitOfMeasureCode) ?? ''}', starting ${text(first.source.startingDate) ?? '-'}, currency '${text(first.source.currencyCode) ?? ''}', minimum quantity ${text(first.source.minimumQuantity) ?? '0'}) has the same price list, product and unit, and Dataverse keeps one price per price list, product and unit; remove one of the two prices or give them different units of measure`;
        continue;
      }
      firstOfKey.set(key, item);
      keyOf.set(item, {
        key,
        clause: `(_pricelevelid_value eq ${priceList} and _productid_value eq ${product} and _uomid_value eq ${unitId})`,
      });
    }
    if (!m.matchBeforeCreate || !keyOf.size || !lookups) return;
    const found = await listWhere(
      dv,
      PRICE_LIST_ITEMS,
      [...keyOf.values()].map((k) => k.clause),
    );
    if (!found.length) return;
    const coupled = await findByDvIds(
      deps.knex,
      m.name,
      found.map((c) => lower(c.productpricelevelid)),
    );
    const byKey = new Map<string, ApiRecord>();
    for (const c of found) {
      if (coupled.has(lower(c.productpricelevelid))) continue;
      const key = priceListItemKey(String(c._pricelevelid_value), String(c._productid_value), String(c._uomid_value));
      byKey.set(key, c);
    }
    for (const [item, { key }] of keyOf) {
      const candidate = byKey.get(key);
      if (!candidate) continue;
      // The mapping's criteria (price list, product) accept it; the unit is the same by the key.
      applyMatches(work, [item], [candidate], lookups);
      if (!item.matchedId) {
        item.failure = `${who(item)} was not coupled to ${describeRecord(m, 'dataverse', candidate)} (${lower(candidate.productpricelevelid)}), which has its price list, product and unit, because the match criteria of ${m.name} do not accept it; couple them with 'bcsync couple ${m.name}'`;
      }
    }
  },
};
