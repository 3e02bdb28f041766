// The product-catalog rules Dynamics 365 Sales runs on writes (its platform plug-ins), as Microsoft documents them:
// - a unit group created with `baseuomname` gets its base unit (quantity 1) in `uoms`; renaming `baseuomname` renames
//   it; the base unit's quantity cannot change (QuantityReadonly);
// - a unit created in a group without a base unit reference is based on the group's base unit;
// - a product needs a unit group (ProductMissingUomSheduleId) and its default unit must belong to it
//   (ProductInvalidUnit); a price list item's unit must belong to its product's unit group, its product number
//   (read-only) is its product's, and a new one is in its price list's currency (its currency is not valid for create);
// - a new product starts Draft unless Organization.createproductswithoutparentinactivestate is true (then Active,
//   for products without a parent family); state changes follow the product lifecycle (publish, revise, retire,
//   activate) and refuse the transitions Microsoft lists with their error codes.
import { CODES, DataverseError, badRequest } from './errors';
import { type TableDef } from './schema';
import { type DataverseStore, type Row } from './store';

/** What the rules know about the write being checked. */
export interface WriteContext {
  readonly store: DataverseStore;
  readonly creating: boolean;
  /** True when the body set statecode or statuscode. */
  readonly stateGiven: boolean;
  /** The row's values before the write (updates only). */
  readonly previous?: Readonly<Record<string, unknown>>;
}

/** Writes the rules make on related tables after a row is stored (the record writer passes itself in). */
export interface RelatedWriter {
  create(entitySet: string, body: Record<string, unknown>): Row;
  update(entitySet: string, row: Row, body: Record<string, unknown>): Row;
}

const PRODUCT = { active: 0, retired: 1, draft: 2, underRevision: 3 } as const;

/**
 * Checks and completes a row before it is stored (the row as it will be stored). Throws the documented
 * Dataverse error when a catalog rule is broken.
 */
export function beforeStore(table: TableDef, row: Row, ctx: WriteContext): void {
  if (table.entitySet === 'products') checkProduct(row.values, ctx);
  else if (table.entitySet === 'productpricelevels') checkPriceListItem(row, ctx);
  else if (table.entitySet === 'uoms') checkUnit(row, ctx);
  else if (table.entitySet === 'invoices') checkInvoice(row.values, ctx);
  else if (table.entitySet === 'invoicedetails') checkInvoiceLine(row.values, ctx);
}

/** Runs the follow-up writes of a stored row (the base unit of a new unit group, an invoice's totals). */
export function afterStore(table: TableDef, row: Row, ctx: WriteContext, writer: RelatedWriter): void {
  if (table.entitySet === 'invoicedetails') {
    // The system price calculation: the invoice's totals follow its lines.
    const invoice = ctx.store.get('invoices', String(row.values._invoiceid_value));
    if (invoice !== undefined) writer.update('invoices', invoice, {});
    return;
  }
  if (table.entitySet !== 'uomschedules') return;
  const name = row.values.baseuomname;
  const id = String(row.values.uomscheduleid);
  if (typeof name !== 'string' || name === '') return;
  if (ctx.creating) {
    writer.create('uoms', { name, quantity: 1, 'uomscheduleid@odata.bind': `/uomschedules(${id})` });
    return;
  }
  if (ctx.previous?.baseuomname === name) return;
  const base = baseUnitOf(ctx.store, id);
  if (base !== undefined && base.values.name !== name) writer.update('uoms', base, { name });
}

/** The base unit of a unit group: the unit of the group that is based on no other unit. */
export function baseUnitOf(store: DataverseStore, scheduleId: string): Row | undefined {
  for (const row of store.rows('uoms')) {
    if (row.values._uomscheduleid_value !== scheduleId) continue;
    const base = row.values._baseuom_value;
    if (base == null || base === row.values.uomid) return row;
  }
  return undefined;
}

function checkUnit(row: Row, ctx: WriteContext): void {
  const values = row.values;
  const scheduleId = values._uomscheduleid_value;
  if (typeof scheduleId !== 'string') return;
  const base = baseUnitOf(ctx.store, scheduleId);
  const isBase = base === undefined || base.values.uomid === values.uomid;
  if (ctx.creating && base !== undefined && !isBase && values._baseuom_value == null) {
    values._baseuom_value = base.values.uomid;
    row.targets.baseuom = 'uoms';
  }
  if (!ctx.creating && isBase && ctx.previous !== undefined && values.quantity !== ctx.previous.quantity) {
    throw badRequest('Do not modify the Quantity field when you update the primary unit.', CODES.quantityReadonly);
  }
}

function unitGroupOf(store: DataverseStore, uomId: unknown): unknown {
  return typeof uomId === 'string' ? store.get('uoms', uomId)?.values._uomscheduleid_value : undefined;
}

function checkProduct(values: Record<string, unknown>, ctx: WriteContext): void {
  const scheduleId = values._defaultuomscheduleid_value;
  if (scheduleId == null) {
    throw badRequest('The unit schedule id of the product is missing.', CODES.productMissingUomSchedule);
  }
  if (values._defaultuomid_value != null && unitGroupOf(ctx.store, values._defaultuomid_value) !== scheduleId) {
    throw badRequest('The specified unit is not valid for this product.', CODES.productInvalidUnit);
  }
  if (ctx.creating) {
    if (!ctx.stateGiven && values._parentproductid_value == null && createsActiveProducts(ctx.store)) {
      values.statecode = PRODUCT.active;
      values.statuscode = 1;
    }
    return;
  }
  const from = ctx.previous?.statecode;
  const to = values.statecode;
  if (ctx.stateGiven && typeof from === 'number' && typeof to === 'number' && from !== to) {
    checkProductTransition(from, to);
  }
}

/** Organization.createproductswithoutparentinactivestate of the (single) organization row; false when absent. */
function createsActiveProducts(store: DataverseStore): boolean {
  for (const org of store.rows('organizations')) return org.values.createproductswithoutparentinactivestate === true;
  return false;
}

/** Refuses the product state changes of the lifecycle that Microsoft lists as errors. */
export function checkProductTransition(from: number, to: number): void {
  const refuse = (code: string, message: string): never => {
    throw new DataverseError(400, code, message);
  };
  if (to === PRODUCT.draft) {
    if (from === PRODUCT.retired)
      refuse(CODES.productRetiredToDraft, 'It is not possible to move product from Retired to Draft State.');
    refuse(CODES.productActiveToDraft, "You can't set a published product to the draft state.");
  }
  if (to === PRODUCT.retired && from === PRODUCT.draft) {
    refuse(
      CODES.productDraftToRetired,
      "You can't retire this product because it is in draft state. A product should be in Active/ Under Revision state for retiring.",
    );
  }
  if (to === PRODUCT.underRevision && from !== PRODUCT.active) {
    refuse(CODES.productDraftToRevised, "You can't revise a draft or a retired product.");
  }
}

function checkPriceListItem(row: Row, ctx: WriteContext): void {
  const values = row.values;
  const store = ctx.store;
  if (ctx.creating) {
    // TransactionCurrencyId is not valid for create on a price list item (IsValidForCreate false, valid for update):
    // a new item is in its price list's currency, whatever the request says.
    const list =
      typeof values._pricelevelid_value === 'string' ? store.get('pricelevels', values._pricelevelid_value) : undefined;
    values._transactioncurrencyid_value = list?.values._transactioncurrencyid_value ?? null;
    if (values._transactioncurrencyid_value == null) delete row.targets.transactioncurrencyid;
    else row.targets.transactioncurrencyid = 'transactioncurrencies';
  }
  const productId = values._productid_value;
  const product = typeof productId === 'string' ? store.get('products', productId) : undefined;
  if (product === undefined) return;
  // ProductNumber is read-only on a price list item (not valid for create or update): it is the product's number.
  values.productnumber = product.values.productnumber ?? null;
  if (values._uomid_value == null) return;
  if (unitGroupOf(store, values._uomid_value) !== product.values._defaultuomscheduleid_value) {
    throw badRequest('The specified unit is not valid for this product.', CODES.productInvalidUnit);
  }
}

/**
 * `PublishProductHierarchy` bound to a product: the product and every descendant (through parentproductid) in Draft
 * or Under Revision become Active. Microsoft documents the action for product families; the emulator also accepts a
 * product or bundle without children (it publishes that record). An Active product is left as it is (idempotent); a
 * Retired one is refused. Returns the rows to publish (the caller updates each to Active).
 */
export function publishHierarchy(store: DataverseStore, productId: string): Row[] {
  const target = store.get('products', productId);
  if (target === undefined) throw new Error(`publishHierarchy: no product ${productId}`);
  if (target.values.statecode === PRODUCT.retired) {
    throw new DataverseError(400, CODES.productRetiredToActive, "You can't set a retired property to an active state.");
  }
  const out: Row[] = [];
  const visit = (row: Row, seen: Set<string>): void => {
    const id = String(row.values.productid);
    if (seen.has(id)) return;
    seen.add(id);
    const state = row.values.statecode;
    if (state === PRODUCT.draft || state === PRODUCT.underRevision) {
      out.push(row);
    }
    for (const child of store.rows('products')) {
      if (child.values._parentproductid_value === id) visit(child, seen);
    }
  };
  visit(target, new Set());
  return out;
}

/** Invoice states whose invoices are read-only until they are reactivated (statecode back to 0 Active). */
const INVOICE_LOCKED_STATES = new Set([2, 3]); // Paid, Canceled

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const money2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * An invoice: paid and canceled invoices are read-only but for SetState (a PATCH of statecode/statuscode alone: back
 * to Active to reactivate, or another status such as Partial → Complete); the
 * totals are the system price calculation's, from the invoice's lines (values a client sends for them are
 * overwritten, as Dynamics 365 Sales does with system pricing):
 * detail amount = Σ(line base amount − manual discount − volume discount), total tax = Σ line tax,
 * discount = invoice discount amount + discount % of the detail amount, pre-freight = detail − discount,
 * total = pre-freight + freight + tax.
 */
function checkInvoice(values: Record<string, unknown>, ctx: WriteContext): void {
  const previous = ctx.previous;
  if (previous !== undefined && INVOICE_LOCKED_STATES.has(num(previous.statecode))) {
    // SetState alone is allowed: back to Active (reactivation), or to another paid/canceled status.
    const setStateOnly = ctx.stateGiven;
    const changed = Object.keys(values).filter(
      (c) => !['statecode', 'statuscode', 'modifiedon', 'versionnumber'].includes(c) && values[c] !== previous[c],
    );
    if (!setStateOnly || changed.length > 0) {
      throw badRequest(
        `The invoice cannot be modified because it is ${previous.statecode === 2 ? 'paid' : 'canceled'}; reactivate it first (statecode 0, Active), then change it.`,
        CODES.invoiceReadOnly,
      );
    }
  }
  const id = values.invoiceid;
  let detail = 0;
  let lineDiscounts = 0;
  let tax = 0;
  for (const line of ctx.store.rows('invoicedetails')) {
    if (line.values._invoiceid_value !== id) continue;
    detail +=
      num(line.values.baseamount) - num(line.values.manualdiscountamount) - num(line.values.volumediscountamount);
    lineDiscounts += num(line.values.manualdiscountamount);
    tax += num(line.values.tax);
  }
  const discount = num(values.discountamount) + (detail * num(values.discountpercentage)) / 100;
  values.totallineitemamount = money2(detail);
  values.totallineitemdiscountamount = money2(lineDiscounts);
  values.totaldiscountamount = money2(discount);
  values.totaltax = money2(tax);
  values.totalamountlessfreight = money2(detail - discount);
  values.totalamount = money2(detail - discount + num(values.freightamount) + tax);
}

/**
 * An invoice line: not on a paid or canceled invoice; an existing product (with its unit) or a write-in product
 * (`isproductoverridden` with a `productdescription`), not both.
 */
function checkInvoiceLine(values: Record<string, unknown>, ctx: WriteContext): void {
  const invoice = ctx.store.get('invoices', String(values._invoiceid_value));
  if (invoice !== undefined && INVOICE_LOCKED_STATES.has(num(invoice.values.statecode))) {
    throw badRequest(
      'The invoice product cannot be added or changed because its invoice is paid or canceled; reactivate the invoice first.',
      CODES.invoiceReadOnly,
    );
  }
  const writeIn = values.isproductoverridden === true;
  if (writeIn && values._productid_value != null) {
    throw badRequest(
      'A write-in product cannot have a product; clear productid or isproductoverridden.',
      CODES.invalidArgument,
    );
  }
  if (!writeIn && values._productid_value == null) {
    throw badRequest(
      'An invoice product needs an existing product (productid and uomid) or a write-in product (isproductoverridden and productdescription).',
      CODES.invalidArgument,
    );
  }
  if (!writeIn && values._uomid_value == null) {
    throw badRequest('The unit (uomid) is required for an existing product.', CODES.invalidArgument);
  }
}
