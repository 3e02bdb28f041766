/**
 * The entity rules of ITEM-PRODUCT and RESOURCE-PRODUCT (bc-sync-semantics §4.10, §8.8, §8.9):
 * - a product's default unit (`defaultuomid`) is the base unit of its unit group (the group comes from the UNIT OF
 *   MEASURE coupling of the item's/resource's base unit of measure, through the mapping's lookup);
 * - a product is created without a state (Dataverse creates it Draft) and published right after its create with
 *   `PublishProductHierarchy`, so price lists can use it; an Active product is left alone;
 * - a blocked item/resource is not created as a new product (BC's filter `Blocked = false` for new records); a coupled
 *   one that becomes blocked retires its product, and unblocking it activates the product again (the mapping's
 *   `blocked → statecode` field).
 * - a new product is put on the default price list (its `pricelevelid`) with a price list item for its default unit at
 *   its price, which follows the product's price (./default-price-list.ts);
 * The reverse rule of BC (a Dataverse product retired blocks the item or resource, an active one unblocks it) is the
 * mappings' bidirectional `blocked ⇔ statecode` field (with `name`); it needs no rule here, and these rules act on the
 * Business Central → Dataverse pass only. A Dataverse product never creates an item or resource (`createsIn`).
 */
import type { DvEntitySet } from '../../connectors/dataverse';
import { ConnectorError } from '../../connectors/http';
import { describeRecord } from '../../engine';
import {
  needsPublishing,
  PRODUCT_STATE,
  splitCreateState,
  unitGroupNeedingDefaultUnit,
} from '../../engine/product-catalog';
import { type Item, lower, plan, setPayload, text } from '../page/work';
import type { EntityRules } from './types';
import { addDefaultPriceListItem, defaultPriceListId, updateDefaultPrice } from './default-price-list';
import { baseUnitsOf } from './unit-of-measure';

const PRODUCTS = 'products' as DvEntitySet;

export const productRules: EntityRules = {
  neverCreates(m, record) {
    if (!record.blocked) return undefined;
    const caption = m.bc.caption.toLowerCase();
    return `${m.name} creates no product for a blocked ${caption}: unblock the ${caption} and run ${m.name}, or couple it to an existing product with 'bcsync couple ${m.name} --bc ${String(record.id)} --dv <product id>'`;
  },
  async beforeWrite({ deps, work }, items) {
    if (work.direction !== 'to-dataverse') return;
    const m = work.mapping;
    const pending = items.filter((i) => plan(i.decision) && i.written === undefined && !i.failure);

    // Creates: no state in the payload (published after the create); a blocked source is not created; the product is
    // put on the default price list.
    const priceList = pending.some((i) => plan(i.decision)!.operation === 'create')
      ? await defaultPriceListId(deps)
      : null;
    for (const item of pending) {
      const p = plan(item.decision)!;
      if (p.operation !== 'create') continue;
      const { payload, requestedState } = splitCreateState(p.payload);
      if (requestedState === PRODUCT_STATE.retired) {
        item.decision = {
          kind: 'ignore',
          counter: null,
          couplingResult: null,
          reason: `${describeRecord(m, 'bc', item.source)} is blocked: no product is created for it`,
        };
        continue;
      }
      setPayload(item, { ...payload, 'pricelevelid@odata.bind': `/pricelevels(${priceList!})` });
    }

    // The default unit: the base unit of the unit group the write leaves the product in.
    const groupOf = new Map<Item, string>();
    for (const item of pending) {
      const p = plan(item.decision);
      if (!p) continue;
      const group = unitGroupNeedingDefaultUnit(p.payload, p.operation === 'update' ? item.destination : null);
      if (group) groupOf.set(item, group);
    }
    if (!groupOf.size) return;
    const bases = await baseUnitsOf(deps.connectors.dv, [...groupOf.values()]);
    for (const [item, group] of groupOf) {
      const base = bases.get(group);
      if (!base) {
        item.failure = `${describeRecord(m, 'bc', item.source)} cannot be synchronized: its unit group (${group}, base unit of measure '${text(item.source.baseUnitOfMeasureCode) ?? ''}') has no base unit in Dataverse; run UNIT OF MEASURE (it adds the base unit) or add a unit of quantity 1 to that group`;
        continue;
      }
      const p = plan(item.decision)!;
      setPayload(item, { ...p.payload, 'defaultuomid@odata.bind': `/uoms(${base})` });
    }
  },

  async afterWrite({ deps, work }, items) {
    if (work.direction !== 'to-dataverse') return;
    // Updated prices: the default price list item follows (idempotent: it sets the same amount again).
    for (const item of items) {
      const p = plan(item.decision);
      if (p?.operation !== 'update' || !item.written || item.failure || typeof p.payload.price !== 'number') continue;
      const refused = await updateDefaultPrice(deps, lower(p.destinationId), p.payload.price);
      if (refused) {
        item.failure = `${describeRecord(work.mapping, 'bc', item.source)}: its product's price was written but Dataverse refused it on the default price list: ${refused}`;
      }
    }
    // Created products (also creates an earlier attempt made): publish the ones still Draft. Idempotent.
    const createdItem = new Map<string, Item>();
    for (const item of items) {
      const p = plan(item.decision);
      if (p?.operation !== 'create' || !item.written || item.failure) continue;
      createdItem.set(lower(item.written.productid ?? p.destinationId), item);
    }
    if (!createdItem.size) return;
    const states = await deps.connectors.dv.getByIds(PRODUCTS, [...createdItem.keys()], {
      select: ['statecode', 'price', '_defaultuomid_value', '_pricelevelid_value'],
    });
    for (const product of states) {
      if (!needsPublishing(product.statecode)) continue;
      const id = String(product.productid).toLowerCase();
      try {
        await deps.connectors.dv.callBoundAction(PRODUCTS, id, 'PublishProductHierarchy', {}, { idempotent: true });
      } catch (e) {
        if (!(e instanceof ConnectorError) || e.retryable) throw e; // the page is retried
        // Refused: the product stays uncoupled and this record fails; the next run finds it by its id and publishes.
        const item = createdItem.get(id)!;
        item.failure = `${describeRecord(work.mapping, 'bc', item.source)}: its product was created but Dataverse refused to publish it: ${e.message}`;
      }
    }
    // The default price list item of each created product (idempotent: a repeat finds it by its id).
    for (const product of states) {
      const item = createdItem.get(String(product.productid).toLowerCase())!;
      const priceList = product._pricelevelid_value;
      if (item.failure || typeof priceList !== 'string') continue;
      const refused = await addDefaultPriceListItem(deps, priceList.toLowerCase(), product);
      if (refused) {
        item.failure = `${describeRecord(work.mapping, 'bc', item.source)}: its product was created but Dataverse refused its price on the default price list: ${refused}`;
      }
    }
  },
};
