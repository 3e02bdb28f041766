// How records look on the wire: the weak opaque ETag, computed fields (customer balance, customerFinancialDetails,
// contactsInformation) and the JSON shape of an entity in API field order.

import { tableFields, tableOf, type EntityDef } from './entities';
import type { BcStore, CompanyState, StoredRecord } from './store';
import { emptyValue } from './validation';

/** BC's weak, opaque ETag for a record version: `W/"<base64>"`, different after every write. */
export function etagOf(record: StoredRecord): string {
  const inner = `'${record.version * 7 + 13};${String(record.data['id']).slice(0, 8)};'`;
  return `W/"${Buffer.from(inner, 'utf8').toString('base64')}"`;
}

/** A customer's financial figures, computed from its sales invoices (all amounts in LCY). */
export interface FinancialFigures {
  /** Remaining amount of the posted invoices (the customer ledger entries' remaining amounts). */
  balance: number;
  totalSalesExcludingTax: number;
  /** Remaining amount of posted invoices whose due date is before the work date. */
  overdueAmount: number;
  /** Amount including tax of the invoices not posted yet (BC "Outstanding Invoices (LCY)"). */
  outstandingInvoices: number;
  /** The newest change or ledger activity (payment) of the customer's invoices (null when it has none). */
  lastActivity: string | null;
}

const noFigures = (): FinancialFigures => ({
  balance: 0,
  totalSalesExcludingTax: 0,
  overdueAmount: 0,
  outstandingInvoices: 0,
  lastActivity: null,
});

/**
 * The hidden field of a posted invoice holding the time of its newest customer ledger activity (a payment applied to
 * it): not an API field, never on the wire, kept with the record in the state file.
 */
export const LEDGER_ACTIVITY_AT = '_ledgerActivityAt';

/** Per-request cache of values that need a scan of another table. */
export class ViewCache {
  private financials: Map<string, FinancialFigures> | undefined;

  constructor(
    private readonly store: BcStore,
    private readonly companyId: string,
    /** The work date (`YYYY-MM-DD`): overdue amounts are as of this day. */
    readonly today: string,
  ) {}

  /** Financial figures per customer id (posted invoices; overdue = remaining amount past its due date). */
  financialsOf(customerId: string): FinancialFigures {
    if (!this.financials) {
      this.financials = new Map();
      for (const invoice of this.store.table(this.companyId, 'salesInvoices').records.values()) {
        const d = invoice.data;
        const key = d['customerId'] as string;
        const f = this.financials.get(key) ?? noFigures();
        for (const modified of [d['lastModifiedDateTime'], d[LEDGER_ACTIVITY_AT]] as Array<string | undefined>) {
          if (modified && (!f.lastActivity || modified > f.lastActivity)) f.lastActivity = modified;
        }
        this.financials.set(key, f);
        if (d['status'] === 'Draft' || d['status'] === 'In Review') {
          f.outstandingInvoices = round(f.outstandingInvoices + ((d['totalAmountIncludingTax'] as number) ?? 0));
          continue;
        }
        if (d['status'] === 'Canceled') continue;
        const remaining = (d['remainingAmount'] as number) ?? 0;
        f.balance = round(f.balance + remaining);
        f.totalSalesExcludingTax = round(f.totalSalesExcludingTax + ((d['totalAmountExcludingTax'] as number) ?? 0));
        if (typeof d['dueDate'] === 'string' && d['dueDate'] < this.today)
          f.overdueAmount = round(f.overdueAmount + remaining);
      }
    }
    return this.financials.get(customerId) ?? noFigures();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Reads a field of a stored record the way clients see it (computed fields included). */
export function fieldValue(set: string, record: StoredRecord, field: string, cache: ViewCache): unknown {
  if (set === 'customers' && field === 'balanceDue') return cache.financialsOf(record.data['id'] as string).balance;
  const value = record.data[field];
  if (value !== undefined) return value;
  // A record written through another page over the same table may lack this page's extra fields: BC shows them
  // empty ('' / 0 / false / the empty GUID), never null.
  const def = tableFields(set)[field];
  return def ? emptyValue(def) : undefined;
}

/** The newer of the customer's own change and its invoices' newest change. */
function lastChangeOf(customer: StoredRecord, f: FinancialFigures): string {
  const own = customer.data['lastModifiedDateTime'] as string;
  return f.lastActivity && f.lastActivity > own ? f.lastActivity : own;
}

/** The `customerFinancialDetails` row of a customer (a computed, read-only entity keyed by the customer id). */
export function financialDetailRecord(customer: StoredRecord, cache: ViewCache): StoredRecord {
  const f = cache.financialsOf(customer.data['id'] as string);
  return {
    version: customer.version,
    data: {
      id: customer.data['id'],
      number: customer.data['number'],
      balance: f.balance,
      totalSalesExcludingTax: f.totalSalesExcludingTax,
      overdueAmount: f.overdueAmount,
      lastModifiedDateTime: lastChangeOf(customer, f),
    },
  };
}

/**
 * The custom `customerStatistics` row of a customer: BC's Customer Statistics FlowFields. The emulator has no sales
 * orders, shipments or prepayment invoices, so outstanding orders, shipped-not-invoiced and invoiced prepayments are
 * 0; Total (LCY) = balance + outstanding orders + shipped not invoiced + outstanding invoices, as on BC's page.
 */
export function customerStatisticsRecord(customer: StoredRecord, cache: ViewCache): StoredRecord {
  const f = cache.financialsOf(customer.data['id'] as string);
  const outstandingOrdersLcy = 0;
  const shippedNotInvoicedLcy = 0;
  return {
    version: customer.version,
    data: {
      id: customer.data['id'],
      number: customer.data['number'],
      displayName: customer.data['displayName'],
      balanceLcy: f.balance,
      outstandingOrdersLcy,
      shippedNotInvoicedLcy,
      outstandingInvoicesLcy: f.outstandingInvoices,
      totalLcy: round(f.balance + outstandingOrdersLcy + shippedNotInvoicedLcy + f.outstandingInvoices),
      creditLimitLcy: customer.data['creditLimit'] ?? 0,
      overdueAmountsLcy: f.overdueAmount,
      overdueAmountsAsOf: cache.today,
      totalSalesLcy: f.totalSalesExcludingTax,
      invoicedPrepaymentAmountLcy: 0,
      lastModifiedDateTime: lastChangeOf(customer, f),
    },
  };
}

/** The company as a record of the `companies` set. */
export function companyRecord(state: CompanyState): StoredRecord {
  const c = state.company;
  return {
    version: 1,
    data: {
      id: c.id,
      systemVersion: c.systemVersion,
      timestamp: 1,
      name: c.name,
      displayName: c.displayName,
      businessProfileId: c.businessProfileId,
      systemCreatedAt: c.systemCreatedAt,
      systemCreatedBy: '00000000-0000-0000-0000-000000000001',
      systemModifiedAt: c.systemModifiedAt,
      systemModifiedBy: '00000000-0000-0000-0000-000000000001',
    },
  };
}

/**
 * `contactsInformation` of a customer: its Company contact and the persons under it, with the business relation.
 * (Shape of BC's `contactInformation` entity: contactId, contactNumber, contactName, contactType, relatedId,
 * relatedType.)
 */
export function contactsInformationOf(
  store: BcStore,
  companyId: string,
  customer: StoredRecord,
): Record<string, unknown>[] {
  const contactId = customer.data['__contactId'];
  if (typeof contactId !== 'string') return [];
  const company = store.get(companyId, 'contacts', contactId);
  if (!company) return [];
  const rows = [company];
  for (const c of store.table(companyId, 'contacts').records.values())
    if (c.data['type'] === 'Person' && c.data['companyNumber'] === company.data['number']) rows.push(c);
  return rows.map((c) => ({
    contactId: c.data['id'],
    contactNumber: c.data['number'],
    contactName: c.data['displayName'],
    contactType: c.data['type'],
    relatedId: customer.data['id'],
    relatedType: 'Customer',
  }));
}

/** The JSON of an entity: `@odata.etag` first, then the fields in API order (or only the `$select`ed ones). */
export function toWire(
  def: EntityDef,
  record: StoredRecord,
  cache: ViewCache,
  select: readonly string[] | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.etag': etagOf(record) };
  const names = select ?? Object.keys(def.fields);
  for (const name of names) {
    if (!(name in def.fields)) continue;
    const value = fieldValue(tableOf(def), record, name, cache);
    out[name] = value === undefined ? null : value;
  }
  return out;
}
