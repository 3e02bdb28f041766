/** The shapes of the demo dataset: its options and the rows of each side. */

/** Size and shape knobs of the demo dataset. Every field is optional. */
export interface DemoDataOptions {
  /** BC customers (each with a Company contact). (Default: 40) */
  customers?: number;
  /** Person contacts per customer: a fixed number or an inclusive `[min, max]` range. (Default: [1, 3]) */
  contactsPerCustomer?: number | [number, number];
  /** BC items. (Default: 20) */
  items?: number;
  /** BC resources (custom API page). (Default: 5) */
  resources?: number;
  /** BC salespeople/purchasers. (Default: 6) */
  salespeople?: number;
  /** BC customer price groups (custom API page). (Default: 3) */
  customerPriceGroups?: number;
  /** BC sales prices (custom API page). (Default: 30) */
  salesPrices?: number;
  /** BC posted sales invoices. (Default: 15) */
  postedInvoices?: number;
  /** BC draft sales invoices. (Default: 3) */
  draftInvoices?: number;
  /** Lines per invoice: fixed or inclusive range. (Default: [1, 4]) */
  linesPerInvoice?: number | [number, number];
  /** BC employees. (Default: 5) */
  employees?: number;
  /** Fraction of BC customers that also exist (by name, uncoupled) as DV accounts. (Default: 1/3) */
  overlapFraction?: number;
  /** DV accounts that exist only in Dataverse. (Default: a quarter of `customers`, at least 1) */
  dataverseOnlyAccounts?: number;
  /** DV person contacts per DV account. (Default: [1, 2]) */
  dataverseContactsPerAccount?: number | [number, number];
  /** Salespeople whose e-mail also belongs to a DV system user. (Default: 4 of 6, i.e. two thirds) */
  matchingSystemUsers?: number;
  /** DV-only system users. (Default: 2) */
  dataverseOnlySystemUsers?: number;
  /** DV-only products. (Default: 3) */
  dataverseOnlyProducts?: number;
  /** Seed of the generator: another seed gives another (still deterministic) dataset. (Default: 1) */
  randomSeed?: number;
  /** Timestamp of the oldest demo record; later rows are a few seconds apart. (Default: '2025-01-06T08:00:00.000Z') */
  baseTime?: string;
}

/** A BC row: API v2.0 fields plus internal `__*` fields. */
export type DemoRecord = Record<string, unknown> & { id: string; lastModifiedDateTime: string };

/** The BC company the demo data belongs to. */
export interface DemoCompany {
  id: string;
  name: string;
  displayName: string;
  businessProfileId: string;
  systemVersion: string;
}

/** The BC half of the dataset, by entity set name. */
export interface BusinessCentralDemoData {
  company: DemoCompany;
  currencies: DemoRecord[];
  unitsOfMeasure: DemoRecord[];
  salespeoplePurchasers: DemoRecord[];
  customers: DemoRecord[];
  contacts: DemoRecord[];
  items: DemoRecord[];
  resources: DemoRecord[];
  customerPriceGroups: DemoRecord[];
  salesPrices: DemoRecord[];
  salesInvoices: DemoRecord[];
  salesInvoiceLines: DemoRecord[];
  employees: DemoRecord[];
  currencyExchangeRates: DemoRecord[];
  paymentTerms: DemoRecord[];
  shipmentMethods: DemoRecord[];
  shippingAgents: DemoRecord[];
}

/** A Dataverse row keyed by logical column names. */
export type DataverseDemoRow = Record<string, unknown>;

/** The Dataverse half of the dataset, by entity set name. */
export interface DataverseDemoData {
  transactioncurrencies: DataverseDemoRow[];
  businessunits: DataverseDemoRow[];
  organizations: DataverseDemoRow[];
  systemusers: DataverseDemoRow[];
  accounts: DataverseDemoRow[];
  contacts: DataverseDemoRow[];
  uomschedules: DataverseDemoRow[];
  uoms: DataverseDemoRow[];
  pricelevels: DataverseDemoRow[];
  products: DataverseDemoRow[];
}
