/**
 * What the bare pipe and the naive loader write for a BC customer: the CUSTOMER mapping's plain fields copied to a
 * Dataverse account (the same columns the product's transfer writes, minus lookups and transforms the benchmark's
 * mapping file disables or that need couplings), with a fresh client-chosen id. No hashing, no coupling, no store.
 */
import { randomUUID } from 'node:crypto';
import { customerMapping } from '../mappings/defaults/customer';

/** The BC fields the benchmark's mapping file disables (lookups that need other mappings' couplings). */
export const DISABLED_BC_FIELDS = ['salespersonCode', 'currencyCode', 'blocked'] as const;

/** The mapping's `$filter` on BC customers (the product reads the same one). */
export const CUSTOMER_FILTER = customerMapping.bc.filter!;

/** The BC entity set the CUSTOMER mapping reads. */
export const CUSTOMER_SET = 'customerCards' as const;

const plainFields = customerMapping.fieldMappings.filter(
  (f) =>
    f.bcField !== undefined &&
    f.dvField !== undefined &&
    f.enabled !== false &&
    f.direction !== 'to-bc' &&
    f.lookup === undefined &&
    f.transform === undefined &&
    !(DISABLED_BC_FIELDS as readonly string[]).includes(f.bcField),
);

/** The BC fields to `$select`. */
export const CUSTOMER_SELECT: readonly string[] = ['id', 'number', ...plainFields.map((f) => f.bcField!)];

/** The account body for a customer: plain fields, numbers as numbers, the mapping's template. */
export function accountFor(customer: Record<string, unknown>): { id: string; body: Record<string, unknown> } {
  const body: Record<string, unknown> = { ...customerMapping.dataverse.template };
  for (const f of plainFields) {
    const value = customer[f.bcField!];
    if (value === undefined) continue;
    body[f.dvField!] = f.type === 'number' ? Number(value) : value;
  }
  return { id: randomUUID(), body };
}
