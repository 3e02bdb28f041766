// Entity rules Business Central applies when a record is written through the API: defaults and number series, the
// lookups behind code/id pairs (currencyCode/currencyId must agree, api-facts A2), the customer ↔ company-contact
// relation, invoice lines and totals, and the draft/posted state of sales invoices.

import { randomUUID } from 'node:crypto';
import { EmulatorError } from '../shared/errors';
import { EMPTY_GUID } from '../shared/demo-data';
import { ENTITIES, FIELD_DEFAULTS, tableFields } from './entities';
import type { BcStore, StoredRecord } from './store';
import { emptyValue } from './validation';

/** What the rules need: the store, the company and the current time. */
export interface RuleContext {
  store: BcStore;
  companyId: string;
  now: Date;
}

const dialog = (message: string): EmulatorError => new EmulatorError(400, 'Application_DialogException', message);

/** The fields of a new record of the stored table `set`: every field of every page over it empty, then defaults. */
export function newRecordTemplate(set: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(tableFields(set))) out[name] = emptyValue(field);
  return { ...out, ...(FIELD_DEFAULTS[set] ?? {}) };
}

function money(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * Resolves a pair of fields that name the same related record by id and by code (e.g. currencyId/currencyCode).
 * Throws 400 when both are given and disagree, or when the referenced record does not exist.
 */
function resolvePair(
  ctx: RuleContext,
  merged: Record<string, unknown>,
  changes: Record<string, unknown>,
  pair: { idField: string; codeField: string; set: string; targetCode: string; mismatch: string; caption: string },
): void {
  const hasId = pair.idField in changes;
  const hasCode = pair.codeField in changes;
  if (!hasId && !hasCode) return;
  const id = hasId ? (merged[pair.idField] as string) : EMPTY_GUID;
  const code = hasCode ? (merged[pair.codeField] as string) : '';
  let target: StoredRecord | undefined;
  if (id !== EMPTY_GUID) {
    target = ctx.store.get(ctx.companyId, pair.set, id);
    if (!target) throw dialog(`The ${pair.caption} with the id '${id}' does not exist.`);
    if (code !== '' && String(target.data[pair.targetCode]).toUpperCase() !== code.toUpperCase())
      throw dialog(pair.mismatch);
  } else if (code !== '') {
    target = ctx.store.findUnique(ctx.companyId, pair.set, { [pair.targetCode]: code });
    if (!target)
      throw dialog(`The ${pair.caption} '${code}' does not exist. Identification fields and values: Code='${code}'`);
  }
  merged[pair.idField] = target ? target.data['id'] : EMPTY_GUID;
  merged[pair.codeField] = target ? target.data[pair.targetCode] : '';
}

function requireExisting(ctx: RuleContext, set: string, field: string, value: unknown, caption: string): StoredRecord {
  const found = ctx.store.findUnique(ctx.companyId, set, { [field]: value });
  if (!found)
    throw dialog(
      `The field ${field} contains a value (${String(value)}) that cannot be found in the related table (${caption}).`,
    );
  return found;
}

function requireFields(
  set: string,
  merged: Record<string, unknown>,
  creating: boolean,
  changes: Record<string, unknown>,
): void {
  for (const field of ENTITIES[set].required ?? []) {
    const value = merged[field];
    if ((creating || field in changes) && (value === '' || value == null))
      throw dialog(`A "${field}" must be provided.`);
  }
}

/**
 * Completes and checks a record before it is stored: required fields, number series, lookups, computed fields.
 * `merged` is the full record after applying `changes` (mutated in place); `before` is undefined on create.
 * Throws `EmulatorError(400)` with a BC message when a rule is broken.
 */
export function applyRules(
  ctx: RuleContext,
  set: string,
  merged: Record<string, unknown>,
  changes: Record<string, unknown>,
  before: Record<string, unknown> | undefined,
): void {
  const creating = before === undefined;
  if (set === 'contacts') applyContactNameRules(merged, changes);
  requireFields(set, merged, creating, changes);
  const series = ENTITIES[set].numberSeries;
  if (series && creating && merged[series.field] === '')
    merged[series.field] = ctx.store.nextNumber(ctx.companyId, set, series.prefix, series.digits, set, series.field);
  switch (set) {
    case 'customers':
      resolvePair(ctx, merged, changes, {
        idField: 'currencyId',
        codeField: 'currencyCode',
        set: 'currencies',
        targetCode: 'code',
        caption: 'Currency',
        mismatch: 'The currency values do not match to a specific Currency.',
      });
      if ('salespersonCode' in changes && merged['salespersonCode'] !== '')
        requireExisting(ctx, 'salespeoplePurchasers', 'code', merged['salespersonCode'], 'Salesperson/Purchaser');
      applyCustomerOptionRules(ctx, merged, changes);
      return;
    case 'contacts':
      applyContactRules(ctx, merged, changes, creating);
      return;
    case 'items':
      resolvePair(ctx, merged, changes, {
        idField: 'baseUnitOfMeasureId',
        codeField: 'baseUnitOfMeasureCode',
        set: 'unitsOfMeasure',
        targetCode: 'code',
        caption: 'Unit of Measure',
        mismatch: 'The unit of measure values do not match to a specific Unit of Measure.',
      });
      return;
    case 'resources':
      if ('baseUnitOfMeasureCode' in changes && merged['baseUnitOfMeasureCode'] !== '')
        requireExisting(ctx, 'unitsOfMeasure', 'code', merged['baseUnitOfMeasureCode'], 'Unit of Measure');
      return;
    case 'salesPrices':
      applySalesPriceRules(ctx, merged, changes);
      return;
    case 'salesInvoices':
      applyInvoiceRules(ctx, merged, changes, before);
      return;
    case 'salesInvoiceLines':
      applyLineRules(ctx, merged, changes, before);
      return;
    default:
      return;
  }
}

/**
 * The customer's option fields: payment terms and shipment method by id (v2.0 page) or code (customerCards page),
 * kept in agreement like currencyId/currencyCode; the shipping agent by code; the primary contact by number, which
 * also sets the Contact name as BC's validation of "Primary Contact No." does.
 */
function applyCustomerOptionRules(
  ctx: RuleContext,
  merged: Record<string, unknown>,
  changes: Record<string, unknown>,
): void {
  resolvePair(ctx, merged, changes, {
    idField: 'paymentTermsId',
    codeField: 'paymentTermsCode',
    set: 'paymentTerms',
    targetCode: 'code',
    caption: 'Payment Terms',
    mismatch: 'The payment terms values do not match to a specific Payment Terms.',
  });
  resolvePair(ctx, merged, changes, {
    idField: 'shipmentMethodId',
    codeField: 'shipmentMethodCode',
    set: 'shipmentMethods',
    targetCode: 'code',
    caption: 'Shipment Method',
    mismatch: 'The shipment method values do not match to a specific Shipment Method.',
  });
  if ('shippingAgentCode' in changes && merged['shippingAgentCode'] !== '')
    merged['shippingAgentCode'] = requireExisting(
      ctx,
      'shippingAgents',
      'code',
      merged['shippingAgentCode'],
      'Shipping Agent',
    ).data['code'];
  if ('primaryContactNumber' in changes) {
    if (merged['primaryContactNumber'] === '') {
      if (!('contactName' in changes)) merged['contactName'] = '';
    } else {
      const contact = requireExisting(ctx, 'contacts', 'number', merged['primaryContactNumber'], 'Contact');
      merged['contactName'] = contact.data['displayName'];
    }
  }
}

const NAME_PARTS = ['firstName', 'middleName', 'surname'] as const;

/**
 * A person's Name (`displayName`) and its parts (First Name, Middle Name, Surname: `contactCards` only) agree, as
 * BC's Contact table keeps them: new parts compose the name; a new name alone is broken down into the parts (first
 * word, the words between, last word; one word is the surname). A company contact has no name parts.
 */
function applyContactNameRules(merged: Record<string, unknown>, changes: Record<string, unknown>): void {
  if (merged['type'] !== 'Person') {
    if ('type' in changes) for (const part of NAME_PARTS) merged[part] = '';
    return;
  }
  if (NAME_PARTS.some((part) => part in changes)) {
    const name = NAME_PARTS.map((part) => (typeof merged[part] === 'string' ? merged[part].trim() : ''))
      .filter((p) => p !== '')
      .join(' ');
    if (name !== '') merged['displayName'] = name.slice(0, 100);
    return;
  }
  const noParts = NAME_PARTS.every((part) => !merged[part]);
  if (!('displayName' in changes) && !('type' in changes && noParts)) return;
  const displayName = merged['displayName'];
  const words = (typeof displayName === 'string' ? displayName : '')
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  merged['firstName'] = words.length > 1 ? words[0].slice(0, 30) : '';
  merged['middleName'] = words.slice(1, -1).join(' ').slice(0, 30);
  merged['surname'] = (words.at(-1) ?? '').slice(0, 30);
}

function applyContactRules(
  ctx: RuleContext,
  merged: Record<string, unknown>,
  changes: Record<string, unknown>,
  creating: boolean,
): void {
  if (creating && !('searchName' in changes))
    merged['searchName'] = String(merged['displayName']).toUpperCase().slice(0, 100);
  // contactCards: Currency Code and Salesperson Code name existing records (blank = local currency / none).
  if ('currencyCode' in changes && merged['currencyCode'] !== '')
    merged['currencyCode'] = requireExisting(ctx, 'currencies', 'code', merged['currencyCode'], 'Currency').data[
      'code'
    ];
  if ('salespersonCode' in changes && merged['salespersonCode'] !== '')
    merged['salespersonCode'] = requireExisting(
      ctx,
      'salespeoplePurchasers',
      'code',
      merged['salespersonCode'],
      'Salesperson/Purchaser',
    ).data['code'];
  if (merged['type'] === 'Company') {
    merged['companyNumber'] = merged['number'];
    merged['companyName'] = merged['displayName'];
    return;
  }
  if (merged['companyNumber'] === '' || merged['companyNumber'] === merged['number']) {
    merged['companyNumber'] = '';
    merged['companyName'] = '';
    if (creating) merged['contactBusinessRelation'] = 'None';
    return;
  }
  if (!creating && !('companyNumber' in changes) && !('type' in changes)) return;
  const company = ctx.store.findUnique(ctx.companyId, 'contacts', { number: merged['companyNumber'] });
  if (!company || company.data['type'] !== 'Company')
    throw dialog(`The company contact '${String(merged['companyNumber'])}' does not exist.`);
  merged['companyName'] = company.data['displayName'];
  merged['contactBusinessRelation'] = company.data['contactBusinessRelation'];
}

function applySalesPriceRules(
  ctx: RuleContext,
  merged: Record<string, unknown>,
  changes: Record<string, unknown>,
): void {
  if ('itemNumber' in changes) requireExisting(ctx, 'items', 'number', merged['itemNumber'], 'Item');
  const type = merged['salesType'];
  if ('salesCode' in changes || 'salesType' in changes) {
    if (type === 'All Customers') merged['salesCode'] = '';
    else if (merged['salesCode'] === '') throw dialog('Sales Code must have a value in Sales Price.');
    else if (type === 'Customer Price Group')
      requireExisting(ctx, 'customerPriceGroups', 'code', merged['salesCode'], 'Customer Price Group');
    else if (type === 'Customer') requireExisting(ctx, 'customers', 'number', merged['salesCode'], 'Customer');
  }
  if ('currencyCode' in changes && merged['currencyCode'] !== '')
    requireExisting(ctx, 'currencies', 'code', merged['currencyCode'], 'Currency');
  if ('unitOfMeasureCode' in changes && merged['unitOfMeasureCode'] !== '')
    requireExisting(ctx, 'unitsOfMeasure', 'code', merged['unitOfMeasureCode'], 'Unit of Measure');
  const start = merged['startingDate'];
  const end = merged['endingDate'];
  if (typeof start === 'string' && typeof end === 'string' && end < start)
    throw dialog('Starting Date cannot be after Ending Date.');
}

function isoDay(date: Date, plusDays = 0): string {
  return new Date(date.getTime() + plusDays * 86_400_000).toISOString().slice(0, 10);
}

function applyInvoiceRules(
  ctx: RuleContext,
  merged: Record<string, unknown>,
  changes: Record<string, unknown>,
  before: Record<string, unknown> | undefined,
): void {
  if (before && before['status'] !== 'Draft')
    throw dialog(`You cannot change the posted sales invoice ${String(before['number'])}.`);
  if (!before) {
    merged['status'] = 'Draft';
    merged['number'] = ctx.store.nextNumber(
      ctx.companyId,
      'salesInvoices.draft',
      'S-INV',
      6,
      'salesInvoices',
      'number',
    );
    if (merged['invoiceDate'] === null) merged['invoiceDate'] = isoDay(ctx.now);
    if (merged['postingDate'] === null) merged['postingDate'] = merged['invoiceDate'];
    if (merged['dueDate'] === null)
      merged['dueDate'] = isoDay(new Date(`${String(merged['invoiceDate'])}T00:00:00Z`), 30);
  }
  const customerChanged = 'customerId' in changes || 'customerNumber' in changes;
  if (!before && !customerChanged) throw dialog('A "customerId" or "customerNumber" must be provided.');
  if (customerChanged) {
    let customer: StoredRecord | undefined;
    const id = merged['customerId'] as string;
    if ('customerId' in changes && id !== EMPTY_GUID) {
      customer = ctx.store.get(ctx.companyId, 'customers', id);
      if (!customer) throw dialog(`The customer with the id '${id}' does not exist.`);
      if (
        'customerNumber' in changes &&
        changes['customerNumber'] !== '' &&
        changes['customerNumber'] !== customer.data['number']
      )
        throw dialog('The customer values do not match to a specific Customer.');
    } else {
      customer = ctx.store.findUnique(ctx.companyId, 'customers', { number: merged['customerNumber'] });
      if (!customer) throw dialog(`The customer '${String(merged['customerNumber'])}' does not exist.`);
    }
    const c = customer.data;
    if (c['blocked'] === 'All' || c['blocked'] === 'Invoice')
      throw dialog(
        `You cannot create this type of document when Customer ${String(c['number'])} is blocked with type ${String(c['blocked'])}.`,
      );
    Object.assign(merged, {
      customerId: c['id'],
      customerNumber: c['number'],
      customerName: c['displayName'],
      billToCustomerId: c['id'],
      billToCustomerNumber: c['number'],
      billToName: c['displayName'],
    });
    for (const prefix of ['sellTo', 'billTo', 'shipTo']) {
      const fill = (suffix: string, value: unknown): void => {
        if (!(`${prefix}${suffix}` in changes)) merged[`${prefix}${suffix}`] = value;
      };
      fill('AddressLine1', c['addressLine1']);
      fill('AddressLine2', c['addressLine2']);
      fill('City', c['city']);
      fill('Country', c['country']);
      fill('State', c['state']);
      fill('PostCode', c['postalCode']);
    }
    if (!('shipToName' in changes)) merged['shipToName'] = c['displayName'];
    if (!('currencyId' in changes) && !('currencyCode' in changes)) {
      merged['currencyId'] = c['currencyId'];
      merged['currencyCode'] = c['currencyCode'];
    }
    if (!('salesperson' in changes)) merged['salesperson'] = c['salespersonCode'];
    if (!('phoneNumber' in changes)) merged['phoneNumber'] = c['phoneNumber'];
    if (!('email' in changes)) merged['email'] = c['email'];
  }
  resolvePair(ctx, merged, changes, {
    idField: 'currencyId',
    codeField: 'currencyCode',
    set: 'currencies',
    targetCode: 'code',
    caption: 'Currency',
    mismatch: 'The currency values do not match to a specific Currency.',
  });
  if (before) recomputeTotals(ctx, merged);
}

function applyLineRules(
  ctx: RuleContext,
  merged: Record<string, unknown>,
  changes: Record<string, unknown>,
  before: Record<string, unknown> | undefined,
): void {
  if (before && 'documentId' in changes && changes['documentId'] !== before['documentId'])
    throw dialog('You cannot move a line to another document.');
  const invoice = ctx.store.get(ctx.companyId, 'salesInvoices', String(merged['documentId']));
  if (!invoice) throw dialog(`The sales invoice with the id '${String(merged['documentId'])}' does not exist.`);
  if (invoice.data['status'] !== 'Draft')
    throw dialog(`You cannot change the posted sales invoice ${String(invoice.data['number'])}.`);
  if (!before && merged['sequence'] === 0) {
    const lines = ctx.store.linesOf(ctx.companyId, invoice.data['id'] as string);
    merged['sequence'] = (lines.length ? (lines[lines.length - 1].data['sequence'] as number) : 0) + 10000;
  }
  const type = merged['lineType'];
  if (type === 'Item' && ('itemId' in changes || 'lineObjectNumber' in changes || 'lineType' in changes)) {
    let item: StoredRecord | undefined;
    if ('itemId' in changes && merged['itemId'] !== EMPTY_GUID) {
      item = ctx.store.get(ctx.companyId, 'items', String(merged['itemId']));
      if (!item) throw dialog(`The item with the id '${String(merged['itemId'])}' does not exist.`);
    } else if (merged['lineObjectNumber'] !== '') {
      item = requireExisting(ctx, 'items', 'number', merged['lineObjectNumber'], 'Item');
    } else throw dialog('A "itemId" or "lineObjectNumber" must be provided for an item line.');
    if (item.data['blocked'] === true)
      throw dialog(`Blocked must be equal to 'No' in Item: No.=${String(item.data['number'])}.`);
    merged['itemId'] = item.data['id'];
    merged['lineObjectNumber'] = item.data['number'];
    if (!('description' in changes)) merged['description'] = item.data['displayName'];
    if (!('unitPrice' in changes)) merged['unitPrice'] = item.data['unitPrice'];
    if (!('unitOfMeasureId' in changes) && !('unitOfMeasureCode' in changes)) {
      merged['unitOfMeasureId'] = item.data['baseUnitOfMeasureId'];
      merged['unitOfMeasureCode'] = item.data['baseUnitOfMeasureCode'];
    }
  }
  if (type === 'Resource' && ('lineObjectNumber' in changes || 'lineType' in changes)) {
    const resource = requireExisting(ctx, 'resources', 'number', merged['lineObjectNumber'], 'Resource');
    if (!('description' in changes)) merged['description'] = resource.data['displayName'];
    if (!('unitPrice' in changes)) merged['unitPrice'] = resource.data['unitPrice'];
    if (!('unitOfMeasureCode' in changes)) merged['unitOfMeasureCode'] = resource.data['baseUnitOfMeasureCode'];
  }
  resolvePair(ctx, merged, changes, {
    idField: 'unitOfMeasureId',
    codeField: 'unitOfMeasureCode',
    set: 'unitsOfMeasure',
    targetCode: 'code',
    caption: 'Unit of Measure',
    mismatch: 'The unit of measure values do not match to a specific Unit of Measure.',
  });
  if (!before && type !== 'Comment' && !('quantity' in changes)) merged['quantity'] = 1;
  const gross = type === 'Comment' ? 0 : (merged['quantity'] as number) * (merged['unitPrice'] as number);
  if ('discountPercent' in changes && !('discountAmount' in changes))
    merged['discountAmount'] = money((gross * (merged['discountPercent'] as number)) / 100);
  else if ('discountAmount' in changes)
    merged['discountPercent'] = gross ? money(((merged['discountAmount'] as number) / gross) * 100) : 0;
  const net = type === 'Comment' ? 0 : money(gross - (merged['discountAmount'] as number));
  const tax = money((net * (merged['taxPercent'] as number)) / 100);
  Object.assign(merged, {
    amountExcludingTax: net,
    totalTaxAmount: tax,
    amountIncludingTax: money(net + tax),
    netAmount: net,
    netTaxAmount: tax,
    netAmountIncludingTax: money(net + tax),
    invoiceDiscountAllocation: 0,
  });
}

/** Recomputes the totals of an invoice record (in place) from its stored lines. */
export function recomputeTotals(ctx: RuleContext, invoice: Record<string, unknown>): void {
  let net = 0;
  let tax = 0;
  for (const line of ctx.store.linesOf(ctx.companyId, invoice['id'] as string)) {
    net += line.data['amountExcludingTax'] as number;
    tax += line.data['totalTaxAmount'] as number;
  }
  const total = money(net - (invoice['discountAmount'] as number) + tax);
  invoice['totalAmountExcludingTax'] = money(net - (invoice['discountAmount'] as number));
  invoice['totalTaxAmount'] = money(tax);
  invoice['totalAmountIncludingTax'] = total;
  if (invoice['status'] === 'Draft') invoice['remainingAmount'] = total;
}

/** After a line was written or deleted: recompute and store its invoice's totals (bumps the invoice's ETag). */
export function touchInvoice(ctx: RuleContext, invoiceId: string): void {
  const invoice = ctx.store.get(ctx.companyId, 'salesInvoices', invoiceId);
  if (!invoice) return;
  const data = { ...invoice.data };
  recomputeTotals(ctx, data);
  ctx.store.update(ctx.companyId, 'salesInvoices', invoiceId, data);
}

/**
 * `Microsoft.NAV.post` on a draft: status Draft → Open, a posted number, remaining amount = total. Throws 400 when
 * the invoice is not a draft or has nothing to post.
 */
export function postInvoice(ctx: RuleContext, invoice: StoredRecord): void {
  if (invoice.data['status'] !== 'Draft')
    throw dialog(`The sales invoice ${String(invoice.data['number'])} has already been posted.`);
  const lines = ctx.store.linesOf(ctx.companyId, invoice.data['id'] as string);
  if (!lines.some((l) => l.data['lineType'] !== 'Comment' && (l.data['quantity'] as number) !== 0))
    throw dialog('There is nothing to post.');
  const customer = ctx.store.get(ctx.companyId, 'customers', invoice.data['customerId'] as string);
  if (!customer) throw dialog(`The customer '${String(invoice.data['customerNumber'])}' does not exist.`);
  const data = { ...invoice.data };
  recomputeTotals(ctx, data);
  const state = ctx.store.companies.get(ctx.companyId)!;
  let max = 103000;
  for (const record of ctx.store.table(ctx.companyId, 'salesInvoices').records.values()) {
    const n = Number(record.data['number']);
    if (record.data['status'] !== 'Draft' && Number.isInteger(n) && n > max) max = n;
  }
  state.counters['salesInvoices.posted'] = Math.max(max, state.counters['salesInvoices.posted'] ?? 0) + 1;
  data['number'] = String(state.counters['salesInvoices.posted']);
  data['status'] = 'Open';
  data['remainingAmount'] = data['totalAmountIncludingTax'];
  if (data['postingDate'] === null) data['postingDate'] = isoDay(ctx.now);
  ctx.store.update(ctx.companyId, 'salesInvoices', invoice.data['id'] as string, data);
}

const MIRRORED_CUSTOMER_FIELDS: [string, string][] = [
  ['displayName', 'displayName'],
  ['addressLine1', 'addressLine1'],
  ['addressLine2', 'addressLine2'],
  ['city', 'city'],
  ['state', 'state'],
  ['country', 'country'],
  ['postalCode', 'postalCode'],
  ['phoneNumber', 'phoneNumber'],
  ['email', 'email'],
  ['website', 'website'],
];

/**
 * BC's customer ↔ contact relation: a new customer gets a Company contact (business relation "Customer"); a change
 * of name, address or communication fields is copied to that contact (and a new name to its persons' companyName);
 * a deleted customer leaves its contacts with relation "None".
 */
export function afterCustomerWrite(
  ctx: RuleContext,
  customer: Record<string, unknown> | undefined,
  before: Record<string, unknown> | undefined,
): void {
  const { store, companyId } = ctx;
  if (customer && !before) {
    const contactId = randomUUID();
    const contact = newRecordTemplate('contacts');
    const number = store.nextNumber(companyId, 'contacts', 'CT', 6, 'contacts', 'number');
    for (const [from, to] of MIRRORED_CUSTOMER_FIELDS) contact[to] = customer[from];
    Object.assign(contact, {
      id: contactId,
      number,
      type: 'Company',
      companyNumber: number,
      companyName: customer['displayName'],
      contactBusinessRelation: 'Customer',
      searchName: String(customer['displayName']).toUpperCase().slice(0, 100),
      __customerId: customer['id'],
    });
    store.insert(companyId, 'contacts', contact);
    const stored = store.get(companyId, 'customers', customer['id'] as string)!;
    // Linking the contact is internal bookkeeping: keep the customer's timestamp and version as they are.
    stored.data['__contactId'] = contactId;
    return;
  }
  const contactId = (before ?? {})['__contactId'];
  if (typeof contactId !== 'string') return;
  const contact = store.get(companyId, 'contacts', contactId);
  if (!contact) return;
  if (!customer) {
    store.update(companyId, 'contacts', contactId, {
      ...contact.data,
      contactBusinessRelation: 'None',
      __customerId: undefined,
    });
    return;
  }
  const changed = MIRRORED_CUSTOMER_FIELDS.filter(([from]) => customer[from] !== before![from]);
  if (changed.length === 0) return;
  const data = { ...contact.data };
  for (const [from, to] of changed) data[to] = customer[from];
  if (customer['displayName'] !== before!['displayName']) {
    data['companyName'] = customer['displayName'];
    for (const person of store.table(companyId, 'contacts').records.values())
      if (person.data['type'] === 'Person' && person.data['companyNumber'] === contact.data['number'])
        store.update(companyId, 'contacts', person.data['id'] as string, {
          ...person.data,
          companyName: customer['displayName'],
        });
  }
  store.update(companyId, 'contacts', contactId, data);
}
