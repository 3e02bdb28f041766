// A deterministic CRONUS-like demo dataset for BOTH emulators. The two sides overlap the way a real first
// integration does: the first third of the BC customers also exist as Dataverse accounts with the same name (but are
// not coupled), Dataverse has accounts of its own, its base currency already exists, and some system users share an
// e-mail address with a BC salesperson. Sizes scale to 100,000+ customers: rows are built in one pass with cheap
// deterministic ids, no lookups by scanning.
//
// Layout: words.ts (word lists and fixed catalogs), options.ts (defaults and validation), common.ts (names shared by
// both sides), business-central.ts and dataverse.ts (one generator each), types.ts (the shapes).
//
// BC rows use the API v2.0 field names (api-facts A2) plus a few internal fields prefixed with `__` that the BC
// emulator keeps to itself (e.g. the customer a company contact belongs to). Dataverse rows use logical column names;
// lookups are given in their read form `_<lookup>_value` (a GUID), with `<lookup>type`/`owneridtype` naming the target
// table of polymorphic lookups.

export type {
  BusinessCentralDemoData,
  DataverseDemoData,
  DataverseDemoRow,
  DemoCompany,
  DemoDataOptions,
  DemoRecord,
} from './types';
export {
  DEMO_CURRENCIES,
  DEMO_CURRENCY_WITHOUT_RATE,
  DEMO_EXCHANGE_RATES,
  DEMO_PAYMENT_TERMS,
  DEMO_SHIPMENT_METHODS,
  DEMO_SHIPPING_AGENTS,
  DEMO_UNITS,
} from './words';
export { resolveDemoDataOptions, type ResolvedDemoDataOptions } from './options';
export { demoCustomerName } from './common';
export { DEMO_COMPANY, EMPTY_GUID, generateBusinessCentralDemoData } from './business-central';
export { generateDataverseDemoData } from './dataverse';
