/**
 * Dataverse tables the product touches, by entity set, with their primary key columns. Record shapes are loose
 * (`DvRecord`): Dataverse returns only `$select`ed columns plus the key, `modifiedon` and `@odata.etag`.
 */
export const DV_PRIMARY_KEYS = {
  accounts: 'accountid',
  contacts: 'contactid',
  products: 'productid',
  transactioncurrencies: 'transactioncurrencyid',
  uomschedules: 'uomscheduleid',
  uoms: 'uomid',
  pricelevels: 'pricelevelid',
  productpricelevels: 'productpricelevelid',
  invoices: 'invoiceid',
  invoicedetails: 'invoicedetailid',
  systemusers: 'systemuserid',
  bcsync_accountstatistics: 'bcsync_accountstatisticsid',
  organizations: 'organizationid',
} as const;

export type DvEntitySet = keyof typeof DV_PRIMARY_KEYS;

/** A Dataverse row as returned by the Web API. */
export interface DvRecord {
  modifiedon?: string;
  createdon?: string;
  '@odata.etag'?: string;
  [column: string]: unknown;
}

/** The primary key column of an entity set. */
export function primaryKeyOf(set: DvEntitySet): string {
  return DV_PRIMARY_KEYS[set];
}
