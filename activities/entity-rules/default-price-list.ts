/**
 * The products' default price list (bc-sync-semantics §4.10): BC puts every product it creates in Dataverse on one
 * default price list ("Business Central Default Price List", in the base currency, created when missing) — the
 * product's `pricelevelid` — and adds a price list item for the product's default unit at the product's price, whose
 * amount follows the product's price afterwards.
 * The list is found by its name, else by the deterministic id the sync created it with (an operator may rename it);
 * the price goes to the item the sync added, else to the item of the list that holds the product and its default unit
 * (Dataverse keeps one per price list, product and unit).
 * Used by the ITEM-PRODUCT and RESOURCE-PRODUCT rules (./product.ts).
 */
import type { DvEntitySet } from '../../connectors/dataverse';
import { ConnectorError, DuplicateKeyError, NotFoundError } from '../../connectors/http';
import { stringLiteral } from '../../connectors/http/odata';
import { BC_SALES_SYNC_NAMESPACE, NO_BASE_CURRENCY_MESSAGE, uuidV5 } from '../../engine';
import type { SyncDeps } from '../deps';
import { lower } from '../page/work';

const PRICE_LISTS = 'pricelevels' as DvEntitySet;
const PRICE_LIST_ITEMS = 'productpricelevels' as DvEntitySet;
const PRODUCTS = 'products' as DvEntitySet;

/** The name BC gives the default price list (its label with the product name "Business Central"). */
export const DEFAULT_PRICE_LIST_NAME = 'Business Central Default Price List';

/** The id of the default price list item of `productId` (stable across retries of a page). */
export function defaultPriceListItemIdFor(productId: string): string {
  return uuidV5(BC_SALES_SYNC_NAMESPACE, `default price list item:${productId.toLowerCase()}`);
}

/** The id the sync gives the default price list it creates (the same in every run and on every worker). */
export const DEFAULT_PRICE_LIST_ID = uuidV5(BC_SALES_SYNC_NAMESPACE, 'default price list');

/**
 * The existing default price list: the price list of that name, else the one the sync created (its deterministic id),
 * which an operator may have renamed since; null when there is neither. Throws the connector's error.
 */
async function findDefaultPriceList(deps: SyncDeps): Promise<string | null> {
  const dv = deps.connectors.dv;
  const byName = await dv.findOne(PRICE_LISTS, `name eq ${stringLiteral(DEFAULT_PRICE_LIST_NAME)}`, {
    select: ['pricelevelid'],
  });
  if (byName) return lower(byName.pricelevelid);
  const byId = await dv.get(PRICE_LISTS, DEFAULT_PRICE_LIST_ID, { select: ['pricelevelid'] });
  return byId ? DEFAULT_PRICE_LIST_ID : null;
}

/**
 * The id of the default price list: the price list of that name, or the one the sync created under another name (an
 * operator renamed it), or — when there is none — a new one in the Dataverse base currency. Throws the connector's
 * error (the page is retried).
 */
export async function defaultPriceListId(deps: SyncDeps): Promise<string> {
  const dv = deps.connectors.dv;
  const found = await findDefaultPriceList(deps);
  if (found) return found;
  const base = await deps.cache.dataverseBaseCurrencyId();
  if (!base) {
    throw new Error(NO_BASE_CURRENCY_MESSAGE);
  }
  const id = DEFAULT_PRICE_LIST_ID;
  try {
    await dv.createWithId(PRICE_LISTS, id, {
      name: DEFAULT_PRICE_LIST_NAME,
      'transactioncurrencyid@odata.bind': `/transactioncurrencies(${lower(base)})`,
    });
  } catch (e) {
    // Created meanwhile (another page, or an earlier attempt of this one): use the one that exists.
    if (!(e instanceof DuplicateKeyError)) throw e;
    const again = await findDefaultPriceList(deps);
    if (again) return again;
    throw e;
  }
  return id;
}

/**
 * The price list item that holds (price list, product, unit) — Dataverse keeps one per combination — or null.
 * Throws the connector's error.
 */
async function itemHolding(
  deps: SyncDeps,
  priceListId: string,
  productId: string,
  unitId: string,
): Promise<string | null> {
  const found = await deps.connectors.dv.findOne(
    PRICE_LIST_ITEMS,
    `_pricelevelid_value eq ${priceListId} and _productid_value eq ${productId} and _uomid_value eq ${unitId}`,
    { select: ['productpricelevelid'] },
  );
  return found ? lower(found.productpricelevelid) : null;
}

/** Sets a price list item's amount. Returns null when done or the item is gone, else why Dataverse refused it. */
async function setAmount(deps: SyncDeps, itemId: string, amount: number): Promise<string | null> {
  try {
    await deps.connectors.dv.update(PRICE_LIST_ITEMS, itemId, { amount: Math.max(0, amount) });
    return null;
  } catch (e) {
    if (!(e instanceof ConnectorError) || e.retryable) throw e;
    if (e instanceof NotFoundError) return null;
    return e.message;
  }
}

/**
 * Adds the default price list item of a product just created (its default unit, at its price). When the price list
 * already has an item for that product and unit (an earlier attempt's, or one added in Dataverse), that item gets the
 * price instead. Returns null when done, else why Dataverse refused it. Throws transient errors.
 */
export async function addDefaultPriceListItem(
  deps: SyncDeps,
  priceListId: string,
  product: Record<string, unknown>,
): Promise<string | null> {
  const productId = lower(product.productid);
  const unitId = product._defaultuomid_value;
  if (typeof unitId !== 'string' || unitId === '') return null; // no unit: Dataverse cannot price it
  try {
    await deps.connectors.dv.createWithId(PRICE_LIST_ITEMS, defaultPriceListItemIdFor(productId), {
      'pricelevelid@odata.bind': `/pricelevels(${priceListId})`,
      'productid@odata.bind': `/products(${productId})`,
      'uomid@odata.bind': `/uoms(${lower(unitId)})`,
      pricingmethodcode: 1,
      amount: typeof product.price === 'number' ? Math.max(0, product.price) : 0,
    });
    return null;
  } catch (e) {
    if (!(e instanceof ConnectorError) || e.retryable) throw e;
    if (!(e instanceof DuplicateKeyError)) return e.message;
    // An earlier attempt added it (same id), or the price list has one for this product and unit already: the price
    // goes to the one that holds them (updateDefaultPrice finds it the same way).
    const holder = await itemHolding(deps, priceListId, productId, lower(unitId));
    return holder ? await setAmount(deps, holder, typeof product.price === 'number' ? product.price : 0) : null;
  }
}

/**
 * Carries a product's new price to its default price list item (BC updates it with the product): the item the sync
 * added (its deterministic id), else the item of the default price list that holds the product and its default unit
 * (one that was there before the product's, or re-added in Dataverse under another id). A product without one
 * (matched, not created by the sync, and not on the default price list) is left alone. Returns null when done, else
 * why Dataverse refused it. Throws transient errors.
 */
export async function updateDefaultPrice(deps: SyncDeps, productId: string, price: number): Promise<string | null> {
  const id = lower(productId);
  try {
    await deps.connectors.dv.update(PRICE_LIST_ITEMS, defaultPriceListItemIdFor(id), { amount: Math.max(0, price) });
    return null;
  } catch (e) {
    if (!(e instanceof ConnectorError) || e.retryable) throw e;
    if (!(e instanceof NotFoundError)) return e.message;
  }
  const product = await deps.connectors.dv.get(PRODUCTS, id, { select: ['productid', '_defaultuomid_value'] });
  const unitId = product?._defaultuomid_value;
  if (typeof unitId !== 'string' || unitId === '') return null;
  const priceList = await findDefaultPriceList(deps);
  const holder = priceList ? await itemHolding(deps, priceList, id, lower(unitId)) : null;
  return holder ? await setAmount(deps, holder, price) : null;
}
