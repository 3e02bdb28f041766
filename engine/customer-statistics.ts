/**
 * Pure rules of the Customer Statistics job (bc-sync-semantics §8.15): what an account statistics row holds, whether
 * a row must be written, and the payment state of an invoice.
 * No I/O: activities/statistics/ reads and writes.
 */
import type { IntegrationTableMapping } from '../mappings/mapping-model';
import { normalizeValue, type NormalizedValue } from './normalize-value';

/** The columns of one account statistics row the job owns: the mapped figures plus the account and the currency. */
export interface StatisticsRow {
  /** Column → value, as written (`bcsync_balance`: 1234.5, …). */
  values: Record<string, string | number | boolean | null>;
  /** `_bcsync_accountid_value`: the account the row belongs to. */
  accountId: string;
  /** `_transactioncurrencyid_value`: the Dataverse base currency (the figures are in LCY). */
  currencyId: string;
}

/**
 * The row the job wants for one customer: every enabled field mapping's BC value under its Dataverse column (text cut
 * to the column's length, as BC's field transfer does).
 */
export function statisticsRowOf(
  mapping: IntegrationTableMapping,
  figures: Record<string, unknown>,
  accountId: string,
  currencyId: string,
): StatisticsRow {
  const values: StatisticsRow['values'] = {};
  for (const f of mapping.fieldMappings) {
    if (!f.enabled || !f.bcField || !f.dvField) continue;
    let v = figures[f.bcField];
    if (typeof v === 'string' && f.dvMaxLength) v = v.slice(0, f.dvMaxLength);
    values[f.dvField] = v === undefined ? null : (v as StatisticsRow['values'][string]);
  }
  return { values, accountId: accountId.toLowerCase(), currencyId: currencyId.toLowerCase() };
}

/**
 * The columns of `wanted` that differ from the Dataverse row `current` (compared after normalising with the field
 * mapping's type, so `1000` and `1000.00` are equal), plus the account and currency lookups. Empty: the row is
 * unchanged and is not written.
 */
export function changedStatisticsColumns(
  mapping: IntegrationTableMapping,
  wanted: StatisticsRow,
  current: Record<string, unknown>,
): string[] {
  const typeOf = new Map(mapping.fieldMappings.map((f) => [f.dvField, f.dvType ?? f.type]));
  const changed: string[] = [];
  for (const [column, value] of Object.entries(wanted.values)) {
    const type = typeOf.get(column) ?? 'text';
    const a: NormalizedValue = normalizeValue(value, type);
    const b: NormalizedValue = normalizeValue(current[column], type);
    if (a !== b) changed.push(column);
  }
  if (normalizeValue(current['_bcsync_accountid_value'], 'guid') !== wanted.accountId) changed.push('bcsync_accountid');
  if (normalizeValue(current['_transactioncurrencyid_value'], 'guid') !== wanted.currencyId) {
    changed.push('transactioncurrencyid');
  }
  return changed;
}

/** Dataverse invoice states (Microsoft Learn, invoice entity: statecode 0 Active, 2 Paid; statuscode 4 Billed, …). */
export const INVOICE_STATE = { active: 0, paid: 2 } as const;
export const INVOICE_STATUS = { billed: 4, complete: 100001, partial: 100002 } as const;

export interface InvoicePaymentState {
  label: 'active' | 'partially paid' | 'paid';
  statecode: number;
  statuscode: number;
}

/**
 * The payment state of a posted invoice from its remaining amount (its customer ledger entry), as BC's statistics job
 * sets it: nothing paid → Active/Billed; partly paid → Paid/Partial; fully paid → Paid/Complete.
 */
export function invoicePaymentState(remainingAmount: number, totalAmountIncludingTax: number): InvoicePaymentState {
  const remaining = Math.round(remainingAmount * 100);
  const total = Math.round(totalAmountIncludingTax * 100);
  if (remaining <= 0 && total !== 0) {
    return { label: 'paid', statecode: INVOICE_STATE.paid, statuscode: INVOICE_STATUS.complete };
  }
  if (remaining < total) {
    return { label: 'partially paid', statecode: INVOICE_STATE.paid, statuscode: INVOICE_STATUS.partial };
  }
  return { label: 'active', statecode: INVOICE_STATE.active, statuscode: INVOICE_STATUS.billed };
}
