/**
 * The products' default price list (bc-sync-semantics §4.10): BC puts every product it creates in Dataverse on one
 * default price list ("Business Central Default Price List", in the base currency, created when missing) — the
 * product's `pricelevelid` — and adds a price list item for the product's default unit at the product's price, whose
 * amount follows the product's price afterwards.
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

/** The name BC gives the default price list (its label with the product name "Business Central"). */
export const DEFAULT_PRICE_LIST_NAME = 'Business Central Default Price List';

/** The id of the default price list item of `productId` (stable across retries of a page). */
export function defaultPriceListItemIdFor(productId: string): string {
  return uuidV5(BC_SALES_SYNC_NAMESPACE, `default price list item:${productId.toLowerCase()}`);
}

/**
 * The id of the default price list: the price list of that name, or — when there is none — a new one in the
 * Dataverse base currency. Throws the connector's error (the page is retried).
 */
export async function defaultPriceListId(deps: SyncDeps): Promise<string> {
  const dv = deps.connectors.dv;
  const byName = `name eq ${stringLiteral(DEFAULT_PRICE_LIST_NAME)}`;
  const found = await dv.findOne(PRICE_LISTS, byName, { select: ['pricelevelid'] });
  if (found) return lower(found.pricelevelid);
  const base = await deps.cache.dataverseBaseCurrencyId();
  if (!base) {
    throw new Error(NO_BASE_CURRENCY_MESSAGE);
  }
  const id = uuidV5(BC_SALES_SYNC_NAMESPACE, 'default price list');
  try {
    await dv.createWithId(PRICE_LISTS, id, {
      name: DEFAULT_PRICE_LIST_NAME,
      'transactioncurrencyid@odata.bind': `/transactioncurrencies(${lower(base)})`,
    });
  } catch (e) {
    // Created meanwhile (another page, or an earlier attempt of this one): use the one that exists.
    if (!(e instanceof DuplicateKeyError)) throw e;
    const again = await dv.findOne(PRICE_LISTS, byName, { select: ['pricelevelid'] });
    if (again) return lower(again.pricelevelid);
    throw e;
  }
  return id;
}

/**
 * Adds the default price list item of a product just created (its default unit, at its price). Returns null when
 * done (also when an earlier attempt added it), else why Dataverse refused it. Throws transient errors.
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
    // An earlier attempt added it (same id), or the price list has one for this product and unit already.
    if (e instanceof DuplicateKeyError) return null;
    return e.message;
  }
}

/**
 * Carries a product's new price to its default price list item (BC updates it with the product). A product without
 * one (matched, not created by the sync, or its item deleted in Dataverse) is left alone. Returns null when done,
 * else why Dataverse refused it. Throws transient errors.
 */
export async function updateDefaultPrice(deps: SyncDeps, productId: string, price: number): Promise<string | null> {
  try {
    await deps.connectors.dv.update(PRICE_LIST_ITEMS, defaultPriceListItemIdFor(productId), {
      amount: Math.max(0, price),
    });
    return null;
  } catch (e) {
    if (!(e instanceof ConnectorError) || e.retryable) throw e;
    if (e instanceof NotFoundError) return null;
    return e.message;
  }
}
