/** Validation and defaults of the demo data options, shared by both generators. */
import type { DemoDataOptions } from './types';
import { PRICE_GROUPS } from './words';

/** The demo data options with every default filled in (see `DemoDataOptions`). */
export interface ResolvedDemoDataOptions {
  customers: number;
  contactsPerCustomer: [number, number];
  items: number;
  resources: number;
  salespeople: number;
  customerPriceGroups: number;
  salesPrices: number;
  postedInvoices: number;
  draftInvoices: number;
  linesPerInvoice: [number, number];
  employees: number;
  overlapFraction: number;
  dataverseOnlyAccounts: number;
  dataverseContactsPerAccount: [number, number];
  matchingSystemUsers: number;
  dataverseOnlySystemUsers: number;
  dataverseOnlyProducts: number;
  randomSeed: number;
  baseMs: number;
}

const range = (v: number | [number, number] | undefined, fallback: [number, number]): [number, number] =>
  v === undefined ? fallback : typeof v === 'number' ? [v, v] : v;

/** Validates and fills the defaults; throws `RangeError` for negative or non-integer sizes. */
export function resolveDemoDataOptions(options: DemoDataOptions = {}): Readonly<ResolvedDemoDataOptions> {
  const customers = options.customers ?? 40;
  const salespeople = options.salespeople ?? 6;
  const resolved: ResolvedDemoDataOptions = {
    customers,
    contactsPerCustomer: range(options.contactsPerCustomer, [1, 3]),
    items: options.items ?? 20,
    resources: options.resources ?? 5,
    salespeople,
    customerPriceGroups: options.customerPriceGroups ?? 3,
    salesPrices: options.salesPrices ?? 30,
    postedInvoices: options.postedInvoices ?? 15,
    draftInvoices: options.draftInvoices ?? 3,
    linesPerInvoice: range(options.linesPerInvoice, [1, 4]),
    employees: options.employees ?? 5,
    overlapFraction: options.overlapFraction ?? 1 / 3,
    dataverseOnlyAccounts: options.dataverseOnlyAccounts ?? Math.max(1, Math.floor(customers / 4)),
    dataverseContactsPerAccount: range(options.dataverseContactsPerAccount, [1, 2]),
    matchingSystemUsers: options.matchingSystemUsers ?? Math.round((salespeople * 2) / 3),
    dataverseOnlySystemUsers: options.dataverseOnlySystemUsers ?? 2,
    dataverseOnlyProducts: options.dataverseOnlyProducts ?? 3,
    randomSeed: options.randomSeed ?? 1,
    baseMs: Date.parse(options.baseTime ?? '2025-01-06T08:00:00.000Z'),
  };
  for (const [key, value] of Object.entries(resolved)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values)
      if (
        typeof v !== 'number' ||
        Number.isNaN(v) ||
        v < 0 ||
        (key !== 'overlapFraction' && key !== 'baseMs' && !Number.isInteger(v))
      )
        throw new RangeError(
          `Demo data option '${key}' must be a non-negative ${key === 'overlapFraction' ? 'number' : 'integer'}.`,
        );
  }
  if (resolved.overlapFraction > 1) throw new RangeError("Demo data option 'overlapFraction' must be at most 1.");
  if (resolved.salespeople === 0 && resolved.customers > 0) resolved.salespeople = 1;
  if (resolved.items === 0 && (resolved.postedInvoices + resolved.draftInvoices > 0 || resolved.salesPrices > 0))
    resolved.items = 1;
  resolved.customerPriceGroups = Math.min(resolved.customerPriceGroups, PRICE_GROUPS.length);
  resolved.matchingSystemUsers = Math.min(resolved.matchingSystemUsers, resolved.salespeople);
  return resolved;
}
