/**
 * POSTEDSALESINV-INV's entity rules (bc-sync-semantics §4.10, §8.11; BC's "CRM Int. Table. Subscriber"):
 * - a posted invoice is created once and never re-sent: posted invoices do not change in BC, and BC's job only
 *   inserts; a coupled invoice whose BC record changed (its payment status, say) is counted unchanged. Its payment
 *   state in Dataverse is the Customer Statistics job's;
 * - the invoice is created together with its lines (the line mapping POSTEDSALESLINE-INV has no job in BC) in one
 *   Dataverse deep insert — `POST invoices` with the lines in `invoice_details` — so an invoice never exists
 *   without its lines. The invoice's id is deterministic (POSTEDSALESINV-INV + BC id) and so is each line's
 *   (POSTEDSALESLINE-INV + BC line id): a create repeated after a crash answers "already exists" and is coupled;
 * - the price list (`pricelevelid`, which Dataverse requires) is BC's: an active Dataverse price list in the
 *   invoice's currency, else a new one "Price List in <ISO code>" in that currency;
 * - a line of an item or resource needs its product coupled (ITEM-PRODUCT / RESOURCE-PRODUCT); the line gets that
 *   product and its default unit. An item or resource not coupled yet is synchronized on demand first, as BC does
 *   (activities/page/on-demand.ts); a line that still has no product fails the whole invoice, naming the line, the
 *   item or resource and why; nothing is written, and the invoice is created whole by the run after the product is.
 *   Lines of other types (G/L account, charge, fixed asset, comment) become write-in products "<No.> <Description>.";
 * - line amounts: quantity, unit price (price overridden), line discount amount, tax (amount including VAT −
 *   amount). Dataverse computes the line and invoice totals from these, as it does for every invoice.
 */
import { DuplicateKeyError, ConnectorError } from '../../connectors/http';
import { chunk, guidLiteral, stringLiteral } from '../../connectors/http/odata';
import type { DvEntitySet } from '../../connectors/dataverse';
import { describeRecord } from '../../engine';
import { BC_SALES_SYNC_NAMESPACE, dataverseIdFor, uuidV5 } from '../../engine/deterministic-ids';
import { findByBcIds } from '../../store/couplings';
import type { SyncDeps } from '../deps';
import type { SyncOnDemand } from '../page/on-demand';
import { lower, plan, text } from '../page/work';
import type { EntityRules } from './types';

/** The (unscheduled) line mapping of BC: names the deterministic ids of invoice lines. */
export const INVOICE_LINE_MAPPING = 'POSTEDSALESLINE-INV';
const INVOICES = 'invoices' as DvEntitySet;
const PRICE_LEVELS = 'pricelevels' as DvEntitySet;

type Line = Record<string, unknown>;

/**
 * The id of the price list the sync creates for invoices in a currency that has none ("Price List in <ISO code>"):
 * the same on every page, retry and worker.
 */
export function invoicePriceListIdFor(currencyId: string): string {
  return uuidV5(BC_SALES_SYNC_NAMESPACE, `POSTEDSALESINV-INV:pricelevel:${currencyId}`);
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0) || 0);
const round2 = (n: number): number => Math.round(n * 100) / 100;

/** `/transactioncurrencies(<id>)` → the id. */
function boundId(payload: Record<string, unknown>, nav: string): string | null {
  const bind = payload[`${nav}@odata.bind`];
  const match = typeof bind === 'string' ? /\(([0-9a-f-]{36})\)$/i.exec(bind) : null;
  return match ? match[1].toLowerCase() : null;
}

/** The product a line sells: its coupled Dataverse product and unit, a write-in description, or why it has none. */
type LineProduct =
  | { kind: 'product'; productId: string; uomId: string }
  | { kind: 'write-in'; description: string }
  | { kind: 'missing'; reason: string };

export const postedSalesInvoiceRules: EntityRules = {
  async beforeWrite({ deps, work, syncOnDemand }, items) {
    if (work.direction !== 'to-dataverse') return;
    // Created once, never re-sent.
    for (const item of items) {
      const d = item.decision;
      if ('write' in d && d.write.operation === 'update' && 'hashes' in d) {
        item.decision = { kind: 'unchanged', counter: 'unchanged', couplingResult: 'success', hashes: d.hashes };
      }
    }
    const creates = items.filter(
      (i) => plan(i.decision)?.operation === 'create' && i.written === undefined && !i.failure,
    );
    if (!creates.length) return;

    const linesOf = await invoiceLines(
      deps,
      creates.map((i) => i.sourceId),
    );
    const products = await lineProducts(deps, [...linesOf.values()].flat(), syncOnDemand);
    const priceLists = new PriceLists(deps);

    for (const item of creates) {
      const who = describeRecord(work.mapping, 'bc', item.source);
      const p = plan(item.decision)!;
      const lines = linesOf.get(item.sourceId) ?? [];
      if (!lines.length) {
        item.failure = `${who} has no lines in Business Central yet, so it is not created (an invoice is never created without its lines); it is retried on every run`;
        item.waitsForOthers = true;
        continue;
      }
      const missing = lines
        .map((line) => ({ line, product: products.get(line) }))
        .filter(
          (x): x is { line: Line; product: { kind: 'missing'; reason: string } } => x.product?.kind === 'missing',
        );
      if (missing.length) {
        item.failure = `${who} cannot be created: ${missing.map((x) => `line ${text(x.line.sequence) ?? '?'} ${x.product.reason}`).join('; ')}. Nothing of the invoice is written; it is retried on every run and created with all its lines on the first run after that`;
        item.waitsForOthers = true;
        continue;
      }
      const currencyId = boundId(p.payload, 'transactioncurrencyid');
      const priceList = currencyId
        ? await priceLists.forCurrency(currencyId)
        : { error: 'the invoice has no currency' };
      if ('error' in priceList) {
        item.failure = `${who} cannot be created: no price list: ${priceList.error}`;
        continue;
      }
      const body: Record<string, unknown> = {
        ...p.payload,
        invoiceid: p.destinationId,
        'pricelevelid@odata.bind': `/pricelevels(${priceList.id})`,
        invoice_details: lines.map((line) => invoiceDetail(line, products.get(line)!)),
      };
      try {
        item.written = await deps.connectors.dv.create(INVOICES, body);
      } catch (e) {
        if (e instanceof DuplicateKeyError) {
          // An earlier attempt created it (with its lines, in the same transaction).
          const mine = await deps.connectors.dv.get(INVOICES, p.destinationId!);
          if (mine) {
            item.written = mine;
            item.recovered = true;
            continue;
          }
        }
        if (!(e instanceof ConnectorError) || e.retryable) throw e; // the page is retried; the id keeps it single
        // Refused for good: this invoice fails alone, with Dataverse's reason. It must not reach the generic write,
        // which would send the header without its lines.
        item.writeError = e;
        item.failure = `${who} cannot be created: Dataverse refused the invoice with its lines: ${e.message}`;
      }
    }
  },
};

/** The BC lines of each invoice (by invoice id), in line order. */
async function invoiceLines(deps: SyncDeps, invoiceIds: string[]): Promise<Map<string, Line[]>> {
  const out = new Map<string, Line[]>();
  for (const part of chunk(invoiceIds, 20)) {
    const invoices = await deps.connectors.bc.getByIds('salesInvoices', part, {
      select: ['id', 'number'],
      expand: 'salesInvoiceLines',
    });
    for (const invoice of invoices) {
      const lines = ((invoice['salesInvoiceLines'] as Line[] | undefined) ?? []).slice();
      lines.sort((a, b) => num(a.sequence) - num(b.sequence));
      out.set(lower(invoice.id), lines);
    }
  }
  return out;
}

/** The product of every line: items and resources through their couplings, everything else a write-in. */
async function lineProducts(
  deps: SyncDeps,
  lines: Line[],
  syncOnDemand?: SyncOnDemand,
): Promise<Map<Line, LineProduct>> {
  const out = new Map<Line, LineProduct>();
  const itemIds = lines.filter((l) => l.lineType === 'Item').map((l) => lower(l.itemId));
  const resourceNumbers = [
    ...new Set(lines.filter((l) => l.lineType === 'Resource').map((l) => String(l.lineObjectNumber))),
  ];
  const resourceIdOf = new Map<string, string>();
  for (const part of chunk(resourceNumbers, 20)) {
    for await (const page of deps.connectors.bc.listAll({
      entitySet: 'resources',
      filter: part.map((n) => `number eq ${stringLiteral(n)}`).join(' or '),
      select: ['id', 'number'],
    })) {
      for (const r of page) resourceIdOf.set(String(r.number), lower(r.id));
    }
  }
  const itemCouplings = await findByBcIds(deps.knex, 'ITEM-PRODUCT', [...new Set(itemIds)]);
  const resourceCouplings = await findByBcIds(deps.knex, 'RESOURCE-PRODUCT', [...new Set(resourceIdOf.values())]);
  // Why an uncoupled item or resource has no product: a blocked one never gets one (ITEM-/RESOURCE-PRODUCT filter).
  const blocked = new Set<string>();
  const onDemandFailure = new Map<string, string>();
  for (const [set, mapping, ids, couplings] of [
    ['items', 'ITEM-PRODUCT', itemIds, itemCouplings],
    ['resources', 'RESOURCE-PRODUCT', [...resourceIdOf.values()], resourceCouplings],
  ] as const) {
    const uncoupled = [...new Set(ids)].filter((id) => !couplings.has(id));
    if (!uncoupled.length) continue;
    for (const r of await deps.connectors.bc.getByIds(set, uncoupled, { select: ['id', 'blocked'] }))
      if (r.blocked === true) blocked.add(lower(r.id));
    // As in BC, the products an invoice sells are synchronized on demand (not the blocked ones: they get none).
    const target = deps.mappings.find((m) => m.name === mapping);
    const wanted = uncoupled.filter((id) => !blocked.has(id));
    if (!syncOnDemand || !target || !wanted.length) continue;
    for (const [id, why] of await syncOnDemand(target, wanted)) onDemandFailure.set(id, why);
    for (const [id, c] of await findByBcIds(deps.knex, mapping, wanted)) couplings.set(id, c);
  }
  const productIds = [...itemCouplings.values(), ...resourceCouplings.values()].map((c) => c.dvId);
  const products = new Map<string, Record<string, unknown>>();
  if (productIds.length) {
    const found = await deps.connectors.dv.getByIds('products', [...new Set(productIds)], {
      select: ['productid', '_defaultuomid_value'],
    });
    for (const product of found) products.set(lower(product.productid), product);
  }
  for (const line of lines) {
    const number = text(line.lineObjectNumber) ?? '';
    const description = text(line.description) ?? '';
    if (line.lineType !== 'Item' && line.lineType !== 'Resource') {
      out.set(line, { kind: 'write-in', description: `${number} ${description}.`.trim() });
      continue;
    }
    const isItem = line.lineType === 'Item';
    const mapping = isItem ? 'ITEM-PRODUCT' : 'RESOURCE-PRODUCT';
    const what = `${isItem ? 'item' : 'resource'} ${number}${description ? ` '${description}'` : ''}`;
    const bcId = isItem ? lower(line.itemId) : resourceIdOf.get(number);
    const coupling = bcId ? (isItem ? itemCouplings : resourceCouplings).get(bcId) : undefined;
    if (!bcId) {
      out.set(line, { kind: 'missing', reason: `(${what}): the ${isItem ? 'item' : 'resource'} does not exist` });
      continue;
    }
    if (!coupling && blocked.has(bcId)) {
      out.set(line, {
        kind: 'missing',
        reason: `(${what}) has no product in Dataverse: the ${isItem ? 'item' : 'resource'} is blocked, and blocked ones get no product; unblock it and run ${mapping}`,
      });
      continue;
    }
    if (!coupling) {
      out.set(line, {
        kind: 'missing',
        reason: onDemandFailure.has(bcId)
          ? `(${what}) has no product in Dataverse: synchronizing the ${isItem ? 'item' : 'resource'} on demand through ${mapping} failed: ${onDemandFailure.get(bcId)}`
          : `(${what}) has no product in Dataverse: the ${isItem ? 'item' : 'resource'} is not coupled; run ${mapping} (or couple it with 'bcsync couple ${mapping} --bc ${bcId} --dv <product id>')`,
      });
      continue;
    }
    const product = products.get(lower(coupling.dvId));
    const uom = product ? text(product._defaultuomid_value) : null;
    if (!product || !uom) {
      out.set(line, {
        kind: 'missing',
        reason: product
          ? `(${what}): its product ${coupling.dvId} has no default unit; run UNIT OF MEASURE, then ${mapping}`
          : `(${what}): its coupled product ${coupling.dvId} no longer exists in Dataverse; run ${mapping} to create it again`,
      });
      continue;
    }
    out.set(line, { kind: 'product', productId: lower(coupling.dvId), uomId: lower(uom) });
  }
  return out;
}

/** The Dataverse invoice line (for the deep insert) of a BC line. */
function invoiceDetail(line: Line, product: LineProduct): Record<string, unknown> {
  const body: Record<string, unknown> = {
    invoicedetailid: dataverseIdFor(INVOICE_LINE_MAPPING, String(line.id)),
    lineitemnumber: Math.max(0, Math.trunc(num(line.sequence))),
    quantity: num(line.quantity),
    priceperunit: num(line.unitPrice),
    ispriceoverridden: true,
    manualdiscountamount: num(line.discountAmount),
    tax: round2(num(line.amountIncludingTax) - num(line.amountExcludingTax)),
  };
  if (product.kind === 'product') {
    body['productid@odata.bind'] = `/products(${product.productId})`;
    body['uomid@odata.bind'] = `/uoms(${product.uomId})`;
  } else if (product.kind === 'write-in') {
    body.isproductoverridden = true;
    body.productdescription = product.description.slice(0, 500);
  }
  return body;
}

/** BC's price list for an invoice: an active price list in its currency, else a new one in that currency. */
class PriceLists {
  private readonly byCurrency = new Map<string, { id: string } | { error: string }>();

  constructor(private readonly deps: SyncDeps) {}

  async forCurrency(currencyId: string): Promise<{ id: string } | { error: string }> {
    let found = this.byCurrency.get(currencyId);
    if (!found) {
      found = await this.find(currencyId);
      this.byCurrency.set(currencyId, found);
    }
    return found;
  }

  private async find(currencyId: string): Promise<{ id: string } | { error: string }> {
    const dv = this.deps.connectors.dv;
    const ids: string[] = [];
    for await (const page of dv.listAll({
      entitySet: PRICE_LEVELS,
      filter: `_transactioncurrencyid_value eq ${guidLiteral(currencyId, 'dataverse')} and statecode eq 0`,
      select: ['pricelevelid'],
    })) {
      for (const row of page) ids.push(lower(row.pricelevelid));
    }
    // BC takes the first one by id.
    if (ids.length) return { id: ids.sort()[0] };
    const currency = await dv.get('transactioncurrencies', currencyId, { select: ['isocurrencycode'] });
    if (!currency) {
      return { error: `its currency ${currencyId} does not exist in Dataverse; run CURRENCY` };
    }
    const name = `Price List in ${text(currency.isocurrencycode) ?? currencyId}`;
    // Deterministic: two pages (or a retried one) creating it make one price list.
    const id = invoicePriceListIdFor(currencyId);
    try {
      await dv.createWithId(PRICE_LEVELS, id, {
        name,
        'transactioncurrencyid@odata.bind': `/transactioncurrencies(${currencyId})`,
      });
    } catch (e) {
      if (e instanceof DuplicateKeyError) return { id };
      if (!(e instanceof ConnectorError) || e.retryable) throw e;
      return {
        error: `there is no active price list in currency ${text(currency.isocurrencycode) ?? currencyId} and Dataverse refused to create '${name}' (${e.message}); create an active price list in that currency in Dataverse`,
      };
    }
    return { id };
  }
}
