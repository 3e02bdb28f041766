// A deterministic CRONUS-like demo dataset for BOTH emulators. The two sides overlap the way a real first
// integration does: the first third of the BC customers also exist as Dataverse accounts with the same name (but are
// not coupled), Dataverse has accounts of its own, its base currency already exists, and some system users share an
// e-mail address with a BC salesperson. Sizes scale to 100,000+ customers: rows are built in one pass with cheap
// deterministic ids, no lookups by scanning.
//
// BC rows use the API v2.0 field names (api-facts A2) plus a few internal fields prefixed with `__` that the BC
// emulator keeps to itself (e.g. the customer a company contact belongs to). Dataverse rows use logical column names;
// lookups are given in their read form `_<lookup>_value` (a GUID), with `<lookup>type`/`owneridtype` naming the target
// table of polymorphic lookups.

import { deterministicGuid, SeededRandom } from './random';

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

/** The GUID BC returns for an empty link (e.g. `currencyId` of a customer in local currency). */
export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

/** The default company: a deterministic id so URLs in docs and scripts stay valid across restarts. */
export const DEMO_COMPANY: DemoCompany = {
  id: deterministicGuid('bc-company', 1),
  name: 'CRONUS',
  displayName: 'CRONUS International Ltd.',
  businessProfileId: '',
  systemVersion: '25.0.23364.25372',
};

/** The BC currencies of the demo (the company's local currency is blank on records). */
export const DEMO_CURRENCIES = [
  { code: 'EUR', displayName: 'Euro', symbol: '€' },
  { code: 'USD', displayName: 'US dollar', symbol: '$' },
  { code: 'GBP', displayName: 'Pound Sterling', symbol: '£' },
  { code: 'NOK', displayName: 'Norwegian Krone', symbol: 'kr' },
  { code: 'SEK', displayName: 'Swedish Krona', symbol: 'kr' },
] as const;

/** The BC units of measure of the demo. */
export const DEMO_UNITS = [
  { code: 'PCS', displayName: 'Piece', internationalStandardCode: 'EA', symbol: 'pcs' },
  { code: 'BOX', displayName: 'Box', internationalStandardCode: 'BX', symbol: 'box' },
  { code: 'HOUR', displayName: 'Hour', internationalStandardCode: 'HUR', symbol: 'h' },
  { code: 'KG', displayName: 'Kilogram', internationalStandardCode: 'KGM', symbol: 'kg' },
] as const;

/** The fixed names of the first demo customers; more are composed from word lists. */
const NAMED_CUSTOMERS = [
  'Adatum Corporation',
  'Trey Research',
  'School of Fine Art',
  'Alpine Ski House',
  'Relecloud',
  'Coho Winery',
  'Fabrikam, Inc.',
  'Contoso Pharmaceuticals',
  'Northwind Traders',
  'Tailspin Toys',
  'Wide World Importers',
  'Litware, Inc.',
  'Proseware, Inc.',
  'Woodgrove Bank',
  'Lucerne Publishing',
  'Margie Travel',
  'Blue Yonder Airlines',
  'Graphic Design Institute',
  'Humongous Insurance',
  'VanArsdel, Ltd.',
];
const NAME_PREFIXES = [
  'Nordic',
  'Atlas',
  'Polar',
  'Summit',
  'Harbor',
  'Cedar',
  'Granite',
  'Aurora',
  'Fjord',
  'Meridian',
  'Silver',
  'Oak',
  'Birch',
  'Coastal',
  'Highland',
  'Lakeside',
  'Pioneer',
  'Crown',
  'Falcon',
  'Evergreen',
  'Bright',
  'Golden',
  'Iron',
  'Maple',
  'North Star',
  'Riverside',
  'Sterling',
  'Timber',
  'Viking',
  'Westwind',
];
const NAME_NOUNS = [
  'Furniture',
  'Interiors',
  'Office Supply',
  'Design',
  'Logistics',
  'Trading',
  'Workspace',
  'Solutions',
  'Retail',
  'Outfitters',
  'Systems',
  'Hospitality',
  'Builders',
  'Consulting',
  'Studios',
  'Ventures',
  'Distribution',
  'Decor',
  'Supplies',
  'Partners',
  'Holdings',
  'Works',
  'Group',
  'Imports',
  'Engineering',
  'Education',
  'Health',
  'Hotels',
  'Marine',
  'Energy',
];
const NAME_SUFFIXES = ['AS', 'AB', 'Ltd.', 'GmbH', 'Inc.', 'A/S', 'Oy', 'LLC'];
const FIRST_NAMES = [
  'Anna',
  'Erik',
  'Ingrid',
  'Lars',
  'Sofie',
  'Jonas',
  'Maria',
  'Henrik',
  'Nora',
  'Ola',
  'Emma',
  'Magnus',
  'Sara',
  'Anders',
  'Ida',
  'Kristian',
  'Julie',
  'Thomas',
  'Linnea',
  'Petter',
  'Hanna',
  'Oskar',
  'Maja',
  'David',
  'Eva',
  'Martin',
  'Camilla',
  'Jakob',
  'Amalie',
  'Daniel',
];
const LAST_NAMES = [
  'Hansen',
  'Johansen',
  'Olsen',
  'Larsen',
  'Andersen',
  'Pedersen',
  'Nilsen',
  'Kristiansen',
  'Jensen',
  'Karlsen',
  'Berg',
  'Haugen',
  'Hagen',
  'Eriksen',
  'Lund',
  'Lie',
  'Dahl',
  'Moen',
  'Strand',
  'Solberg',
  'Lindqvist',
  'Svensson',
  'Smith',
  'Brown',
  'Wilson',
  'Taylor',
  'Clark',
  'Walker',
  'Wright',
  'Baker',
];
const JOB_TITLES = [
  'Purchasing Manager',
  'CEO',
  'Office Manager',
  'Accountant',
  'Sales Director',
  'IT Manager',
  'Buyer',
];
const CITIES = [
  { city: 'Oslo', postalCode: '0150', country: 'NO', currency: '' },
  { city: 'Bergen', postalCode: '5003', country: 'NO', currency: '' },
  { city: 'Trondheim', postalCode: '7010', country: 'NO', currency: '' },
  { city: 'Stavanger', postalCode: '4006', country: 'NO', currency: '' },
  { city: 'Stockholm', postalCode: '111 20', country: 'SE', currency: 'SEK' },
  { city: 'Gothenburg', postalCode: '411 04', country: 'SE', currency: 'SEK' },
  { city: 'London', postalCode: 'EC1A 1BB', country: 'GB', currency: 'GBP' },
  { city: 'Manchester', postalCode: 'M1 1AE', country: 'GB', currency: 'GBP' },
  { city: 'Berlin', postalCode: '10115', country: 'DE', currency: 'EUR' },
  { city: 'Copenhagen', postalCode: '1050', country: 'DK', currency: 'EUR' },
  { city: 'Atlanta', postalCode: '30301', country: 'US', currency: 'USD' },
  { city: 'Chicago', postalCode: '60601', country: 'US', currency: 'USD' },
] as const;
const STREETS = ['Main Street', 'Harbour Road', 'Kirkegata', 'Storgata', 'Park Avenue', 'Mill Lane', 'Drottninggatan'];
const ITEM_CITIES = [
  'ATHENS',
  'PARIS',
  'ROME',
  'TOKYO',
  'MEXICO',
  'MUNICH',
  'MOSCOW',
  'SEOUL',
  'ATLANTA',
  'SYDNEY',
  'AMSTERDAM',
  'BERLIN',
  'LONDON',
  'ANTWERP',
  'INNSBRUCK',
  'CHAMONIX',
  'OSLO',
  'BERGEN',
  'MALMO',
  'LYON',
];
const ITEM_KINDS = [
  { kind: 'Desk', price: 649.4, unit: 'PCS' },
  { kind: 'Guest Chair, black', price: 192.8, unit: 'PCS' },
  { kind: 'Swivel Chair, blue', price: 190.1, unit: 'PCS' },
  { kind: 'Conference Table', price: 1081.9, unit: 'PCS' },
  { kind: 'Whiteboard, base', price: 1398.8, unit: 'PCS' },
  { kind: 'Lamp', price: 64.8, unit: 'PCS' },
  { kind: 'Storage Unit/Drawers', price: 244.3, unit: 'PCS' },
  { kind: 'Cable Ties', price: 12.5, unit: 'BOX' },
  { kind: 'Screws', price: 8.9, unit: 'BOX' },
  { kind: 'Wood Oil', price: 22.0, unit: 'KG' },
];
const RESOURCE_NAMES = [
  { name: 'Katherine Hull', type: 'Person' },
  { name: 'Lift for Furniture', type: 'Machine' },
  { name: 'Mark Hanson', type: 'Person' },
  { name: 'Terry Dodds', type: 'Person' },
  { name: 'Linda Martin', type: 'Person' },
  { name: 'Installation Van', type: 'Machine' },
];
const PRICE_GROUPS = [
  { code: 'RETAIL', description: 'Retail customers', allowInvoiceDiscount: true, priceIncludesVat: true },
  { code: 'WHOLESALE', description: 'Wholesale customers', allowInvoiceDiscount: true, priceIncludesVat: false },
  { code: 'EXPORT', description: 'Export customers', allowInvoiceDiscount: false, priceIncludesVat: false },
  { code: 'PUBLIC', description: 'Public sector', allowInvoiceDiscount: false, priceIncludesVat: false },
];

interface Resolved {
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
export function resolveDemoDataOptions(options: DemoDataOptions = {}): Readonly<Resolved> {
  const customers = options.customers ?? 40;
  const salespeople = options.salespeople ?? 6;
  const resolved: Resolved = {
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

/** The name of demo customer `i` (0-based); unique for every `i`. Shared by both sides for the name overlap. */
export function demoCustomerName(i: number): string {
  if (i < NAMED_CUSTOMERS.length) return NAMED_CUSTOMERS[i];
  const j = i - NAMED_CUSTOMERS.length;
  const combos = NAME_PREFIXES.length * NAME_NOUNS.length * NAME_SUFFIXES.length;
  const prefix = NAME_PREFIXES[j % NAME_PREFIXES.length];
  const noun = NAME_NOUNS[Math.floor(j / NAME_PREFIXES.length) % NAME_NOUNS.length];
  const suffix = NAME_SUFFIXES[Math.floor(j / (NAME_PREFIXES.length * NAME_NOUNS.length)) % NAME_SUFFIXES.length];
  const round = Math.floor(j / combos);
  return round === 0 ? `${prefix} ${noun} ${suffix}` : `${prefix} ${noun} ${round + 1} ${suffix}`;
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
}

function money(n: number): number {
  return Math.round(n * 100) / 100;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

interface Person {
  first: string;
  last: string;
}

function person(i: number): Person {
  return {
    first: FIRST_NAMES[i % FIRST_NAMES.length],
    last: LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length],
  };
}

/** The salespeople of the demo (unique codes and e-mails), shared so DV system users can match them by e-mail. */
function demoSalespeople(count: number): { code: string; first: string; last: string; email: string }[] {
  const used = new Set<string>();
  const out: { code: string; first: string; last: string; email: string }[] = [];
  for (let i = 0; i < count; i++) {
    const p = person(i * 7 + 3);
    let code = `${p.first[0]}${p.last[0]}`.toUpperCase();
    if (used.has(code)) code = `${code}${i + 1}`;
    used.add(code);
    const email = `${p.first}.${p.last}${i >= 900 ? i : ''}@cronus.example.com`.toLowerCase();
    out.push({ code, ...p, email });
  }
  return out;
}

/**
 * Generates the Business Central half of the demo dataset. Deterministic for the same options. Throws `RangeError`
 * for invalid options.
 */
export function generateBusinessCentralDemoData(options: DemoDataOptions = {}): BusinessCentralDemoData {
  const o = resolveDemoDataOptions(options);
  const rnd = new SeededRandom(o.randomSeed * 7919);
  let tick = 0;
  const stamp = (): string => new Date(o.baseMs + tick++ * 1000).toISOString();
  const guid = (ns: string, i: number): string => deterministicGuid(`${o.randomSeed}:bc:${ns}`, i);

  const currencies: DemoRecord[] = DEMO_CURRENCIES.map((c, i) => ({
    id: guid('currency', i),
    code: c.code,
    displayName: c.displayName,
    symbol: c.symbol,
    amountDecimalPlaces: '2:2',
    amountRoundingPrecision: 0.01,
    lastModifiedDateTime: stamp(),
  }));
  const currencyByCode = new Map(currencies.map((c) => [c.code as string, c]));
  const unitsOfMeasure: DemoRecord[] = DEMO_UNITS.map((u, i) => ({
    id: guid('unit', i),
    ...u,
    lastModifiedDateTime: stamp(),
  }));
  const unitByCode = new Map(unitsOfMeasure.map((u) => [u.code as string, u]));

  const salespeoplePurchasers: DemoRecord[] = [];
  const people = demoSalespeople(o.salespeople);
  for (let i = 0; i < o.salespeople; i++) {
    const sp = people[i];
    salespeoplePurchasers.push({
      id: guid('salesperson', i),
      code: sp.code,
      displayName: `${sp.first} ${sp.last}`,
      email: sp.email,
      email2: '',
      phoneNo: `+47 22 00 ${String(10 + i).padStart(2, '0')} 00`,
      jobTitle: i === 0 ? 'Sales Manager' : 'Account Manager',
      commisionPercent: 5,
      privacyBlocked: false,
      blocked: false,
      lastModifiedDateTime: stamp(),
    });
  }

  const customers: DemoRecord[] = new Array<DemoRecord>(o.customers);
  const contacts: DemoRecord[] = [];
  let contactSeq = 0;
  const nextContactNumber = (): string => `CT${String(++contactSeq).padStart(6, '0')}`;
  for (let i = 0; i < o.customers; i++) {
    const name = demoCustomerName(i);
    const place = CITIES[i % CITIES.length];
    const domain = `${slug(name)}.example.com`;
    const currencyCode = i % 3 === 0 ? '' : place.currency;
    const currency = currencyCode ? currencyByCode.get(currencyCode) : undefined;
    const number = String((i + 1) * 10000);
    const id = guid('customer', i);
    const address = `${(i % 97) + 1} ${STREETS[i % STREETS.length]}`;
    const phone = `+${place.country === 'US' ? '1' : '47'} ${String(20000000 + i * 37).slice(0, 8)}`;
    customers[i] = {
      id,
      number,
      displayName: name,
      type: 'Company',
      addressLine1: address,
      addressLine2: '',
      city: place.city,
      state: '',
      country: place.country,
      postalCode: place.postalCode,
      phoneNumber: phone,
      email: `info@${domain}`,
      website: `www.${domain}`,
      salespersonCode: salespeoplePurchasers[i % salespeoplePurchasers.length].code,
      balanceDue: 0,
      creditLimit: (i % 4) * 10000,
      taxLiable: true,
      taxAreaId: EMPTY_GUID,
      taxAreaDisplayName: '',
      taxRegistrationNumber: '',
      currencyId: currency ? currency.id : EMPTY_GUID,
      currencyCode,
      paymentTermsId: EMPTY_GUID,
      shipmentMethodId: EMPTY_GUID,
      paymentMethodId: EMPTY_GUID,
      blocked: i % 17 === 16 ? 'All' : ' ',
      lastModifiedDateTime: stamp(),
      __priceGroupCode: o.customerPriceGroups > 0 ? PRICE_GROUPS[i % o.customerPriceGroups].code : '',
    };
    // BC's model: every customer has a Company contact (business relation "Customer"); persons hang under it.
    const companyNumber = nextContactNumber();
    const companyContactId = guid('contact-company', i);
    customers[i]['__contactId'] = companyContactId;
    contacts.push({
      id: companyContactId,
      number: companyNumber,
      type: 'Company',
      displayName: name,
      jobTitle: '',
      companyNumber,
      companyName: name,
      contactBusinessRelation: 'Customer',
      addressLine1: address,
      addressLine2: '',
      city: place.city,
      state: '',
      country: place.country,
      postalCode: place.postalCode,
      phoneNumber: phone,
      mobilePhoneNumber: '',
      email: `info@${domain}`,
      website: `www.${domain}`,
      searchName: name.toUpperCase().slice(0, 100),
      privacyBlocked: false,
      taxRegistrationNumber: '',
      lastInteractionDate: null,
      lastModifiedDateTime: stamp(),
      __customerId: id,
    });
    const persons = rnd.int(o.contactsPerCustomer[0], o.contactsPerCustomer[1]);
    for (let k = 0; k < persons; k++) {
      const p = person(i * 3 + k);
      const displayName = `${p.first} ${p.last}`;
      contacts.push({
        id: guid('contact-person', i * 16 + k),
        number: nextContactNumber(),
        type: 'Person',
        displayName,
        jobTitle: JOB_TITLES[(i + k) % JOB_TITLES.length],
        companyNumber,
        companyName: name,
        contactBusinessRelation: 'Customer',
        addressLine1: address,
        addressLine2: '',
        city: place.city,
        state: '',
        country: place.country,
        postalCode: place.postalCode,
        phoneNumber: phone,
        mobilePhoneNumber: `+47 9${String(1000000 + i * 7 + k).slice(-7)}`,
        email: `${p.first}.${p.last}@${domain}`.toLowerCase().slice(0, 80),
        website: '',
        searchName: displayName.toUpperCase(),
        privacyBlocked: false,
        taxRegistrationNumber: '',
        lastInteractionDate: null,
        lastModifiedDateTime: stamp(),
      });
    }
  }

  const items: DemoRecord[] = [];
  for (let i = 0; i < o.items; i++) {
    const kind = ITEM_KINDS[i % ITEM_KINDS.length];
    const city = ITEM_CITIES[Math.floor(i / ITEM_KINDS.length) % ITEM_CITIES.length];
    const round = Math.floor(i / (ITEM_KINDS.length * ITEM_CITIES.length));
    const unit = unitByCode.get(kind.unit)!;
    const price = money(kind.price * (1 + (i % 5) * 0.05));
    items.push({
      id: guid('item', i),
      number: String(1000 + i),
      displayName: `${city} ${kind.kind}${round > 0 ? ` ${round + 1}` : ''}`,
      displayName2: '',
      type: i % 10 === 9 ? 'Service' : 'Inventory',
      itemCategoryId: EMPTY_GUID,
      itemCategoryCode: kind.unit === 'PCS' ? 'FURNITURE' : 'SUPPLIERS',
      blocked: i % 19 === 18,
      gtin: '',
      inventory: i % 10 === 9 ? 0 : (i * 13) % 150,
      unitPrice: price,
      priceIncludesTax: false,
      unitCost: money(price * 0.6),
      taxGroupId: EMPTY_GUID,
      taxGroupCode: '',
      baseUnitOfMeasureId: unit.id,
      baseUnitOfMeasureCode: unit.code,
      generalProductPostingGroupId: EMPTY_GUID,
      generalProductPostingGroupCode: 'RETAIL',
      inventoryPostingGroupId: EMPTY_GUID,
      inventoryPostingGroupCode: 'RESALE',
      lastModifiedDateTime: stamp(),
    });
  }

  const resources: DemoRecord[] = [];
  for (let i = 0; i < o.resources; i++) {
    const r = RESOURCE_NAMES[i % RESOURCE_NAMES.length];
    const round = Math.floor(i / RESOURCE_NAMES.length);
    resources.push({
      id: guid('resource', i),
      number: `R${String((i + 1) * 10).padStart(4, '0')}`,
      displayName: round > 0 ? `${r.name} ${round + 1}` : r.name,
      type: r.type,
      baseUnitOfMeasureCode: 'HOUR',
      unitPrice: money(r.type === 'Person' ? 95 + i * 5 : 60),
      unitCost: money(r.type === 'Person' ? 55 + i * 3 : 35),
      blocked: false,
      lastModifiedDateTime: stamp(),
    });
  }

  const customerPriceGroups: DemoRecord[] = PRICE_GROUPS.slice(0, o.customerPriceGroups).map((g, i) => ({
    id: guid('price-group', i),
    ...g,
    lastModifiedDateTime: stamp(),
  }));

  const salesPrices: DemoRecord[] = [];
  const groups = Math.max(1, customerPriceGroups.length);
  for (let i = 0; i < o.salesPrices && items.length > 0; i++) {
    const item = items[Math.floor(i / groups) % items.length];
    const group = customerPriceGroups[i % groups];
    const round = Math.floor(i / (groups * items.length));
    salesPrices.push({
      id: guid('sales-price', i),
      itemNumber: item.number,
      salesType: group ? 'Customer Price Group' : 'All Customers',
      salesCode: group ? group.code : '',
      currencyCode: i % 10 === 7 ? 'EUR' : '',
      startingDate: '2025-01-01',
      endingDate: null,
      unitOfMeasureCode: item.baseUnitOfMeasureCode,
      minimumQuantity: round * 10,
      unitPrice: money((item.unitPrice as number) * (0.9 - (i % groups) * 0.05)),
      lastModifiedDateTime: stamp(),
    });
  }

  const salesInvoices: DemoRecord[] = [];
  const salesInvoiceLines: DemoRecord[] = [];
  const invoiceCount = o.postedInvoices + o.draftInvoices;
  for (let n = 0; n < invoiceCount && customers.length > 0 && items.length > 0; n++) {
    const posted = n < o.postedInvoices;
    const customer = customers[(n * 7) % customers.length];
    const invoiceId = guid('invoice', n);
    const dayMs = 86_400_000;
    const postingMs = o.baseMs - (invoiceCount - n) * 3 * dayMs;
    const lineCount = rnd.int(o.linesPerInvoice[0], o.linesPerInvoice[1]);
    let net = 0;
    let tax = 0;
    for (let k = 0; k < lineCount; k++) {
      const item = items[(n * 3 + k) % items.length];
      const quantity = 1 + ((n + k) % 5);
      const unitPrice = item.unitPrice as number;
      const amount = money(quantity * unitPrice);
      const lineTax = money(amount * 0.25);
      net += amount;
      tax += lineTax;
      salesInvoiceLines.push({
        id: guid('invoice-line', n * 64 + k),
        documentId: invoiceId,
        sequence: (k + 1) * 10000,
        itemId: item.id,
        accountId: EMPTY_GUID,
        lineType: 'Item',
        lineObjectNumber: item.number,
        description: item.displayName,
        unitOfMeasureId: item.baseUnitOfMeasureId,
        unitOfMeasureCode: item.baseUnitOfMeasureCode,
        quantity,
        unitPrice,
        discountAmount: 0,
        discountPercent: 0,
        discountAppliedBeforeTax: false,
        amountExcludingTax: amount,
        taxCode: 'VAT25',
        taxPercent: 25,
        totalTaxAmount: lineTax,
        amountIncludingTax: money(amount + lineTax),
        invoiceDiscountAllocation: 0,
        netAmount: amount,
        netTaxAmount: lineTax,
        netAmountIncludingTax: money(amount + lineTax),
        shipmentDate: isoDate(postingMs),
        itemVariantId: EMPTY_GUID,
        locationId: EMPTY_GUID,
        lastModifiedDateTime: stamp(),
      });
    }
    const total = money(net + tax);
    const paid = posted && n % 3 === 0;
    salesInvoices.push({
      id: invoiceId,
      number: posted ? String(103001 + n) : `S-INV${100001 + n - o.postedInvoices}`,
      externalDocumentNumber: '',
      invoiceDate: isoDate(postingMs),
      postingDate: isoDate(postingMs),
      dueDate: isoDate(postingMs + 30 * dayMs),
      customerPurchaseOrderReference: '',
      customerId: customer.id,
      customerNumber: customer.number,
      customerName: customer.displayName,
      billToName: customer.displayName,
      billToCustomerId: customer.id,
      billToCustomerNumber: customer.number,
      shipToName: customer.displayName,
      shipToContact: '',
      sellToAddressLine1: customer.addressLine1,
      sellToAddressLine2: '',
      sellToCity: customer.city,
      sellToCountry: customer.country,
      sellToState: '',
      sellToPostCode: customer.postalCode,
      billToAddressLine1: customer.addressLine1,
      billToAddressLine2: '',
      billToCity: customer.city,
      billToCountry: customer.country,
      billToState: '',
      billToPostCode: customer.postalCode,
      shipToAddressLine1: customer.addressLine1,
      shipToAddressLine2: '',
      shipToCity: customer.city,
      shipToCountry: customer.country,
      shipToState: '',
      shipToPostCode: customer.postalCode,
      currencyId: customer.currencyId,
      currencyCode: customer.currencyCode,
      orderId: EMPTY_GUID,
      orderNumber: '',
      paymentTermsId: EMPTY_GUID,
      shipmentMethodId: EMPTY_GUID,
      salesperson: customer.salespersonCode,
      pricesIncludeTax: false,
      discountAmount: 0,
      discountAppliedBeforeTax: false,
      totalAmountExcludingTax: money(net),
      totalTaxAmount: money(tax),
      totalAmountIncludingTax: total,
      remainingAmount: posted ? (paid ? 0 : total) : total,
      status: posted ? (paid ? 'Paid' : 'Open') : 'Draft',
      phoneNumber: customer.phoneNumber,
      email: customer.email,
      lastModifiedDateTime: stamp(),
    });
  }

  const employees: DemoRecord[] = [];
  for (let i = 0; i < o.employees; i++) {
    const p = person(i * 11 + 5);
    employees.push({
      id: guid('employee', i),
      number: `E${String(i + 1).padStart(4, '0')}`,
      displayName: `${p.first} ${p.last}`,
      givenName: p.first,
      middleName: '',
      surname: p.last,
      jobTitle: i === 0 ? 'Managing Director' : 'Consultant',
      addressLine1: `${i + 1} Storgata`,
      addressLine2: '',
      city: 'Oslo',
      state: '',
      country: 'NO',
      postalCode: '0150',
      phoneNumber: '',
      mobilePhone: '',
      email: `${p.first}.${p.last}@cronus.example.com`.toLowerCase(),
      personalEmail: '',
      employmentDate: '2020-01-01',
      terminationDate: null,
      status: 'Active',
      birthDate: null,
      lastModifiedDateTime: stamp(),
    });
  }

  return {
    company: DEMO_COMPANY,
    currencies,
    unitsOfMeasure,
    salespeoplePurchasers,
    customers,
    contacts,
    items,
    resources,
    customerPriceGroups,
    salesPrices,
    salesInvoices,
    salesInvoiceLines,
    employees,
  };
}

/**
 * Generates the Dataverse half of the demo dataset: the base currency (NOK) and a root business unit as a fresh org
 * has them, system users (the first `matchingSystemUsers` share the e-mail of a BC salesperson), the default unit group
 * "Default Unit" with its "Primary Unit", one DV-only price list, DV-only products, accounts (the first
 * `overlapFraction` of the BC customers by name, then DV-only ones) with person contacts. Deterministic for the same
 * options. Throws `RangeError` for invalid options.
 */
export function generateDataverseDemoData(options: DemoDataOptions = {}): DataverseDemoData {
  const o = resolveDemoDataOptions(options);
  const rnd = new SeededRandom(o.randomSeed * 104729);
  let tick = 0;
  const stamp = (): string => new Date(o.baseMs + tick++ * 1000).toISOString();
  const guid = (ns: string, i: number): string => deterministicGuid(`${o.randomSeed}:dv:${ns}`, i);
  const common = (): Record<string, unknown> => {
    const t = stamp();
    return { createdon: t, modifiedon: t, statecode: 0, statuscode: 1 };
  };

  const baseCurrencyId = guid('transactioncurrency', 0);
  const transactioncurrencies: DataverseDemoRow[] = [
    {
      transactioncurrencyid: baseCurrencyId,
      isocurrencycode: 'NOK',
      currencyname: 'Norwegian Krone',
      currencysymbol: 'kr',
      exchangerate: 1,
      currencyprecision: 2,
      ...common(),
    },
  ];
  const businessUnitId = guid('businessunit', 0);
  const businessunits: DataverseDemoRow[] = [
    { businessunitid: businessUnitId, name: 'cronus', _parentbusinessunitid_value: null, ...common() },
  ];
  const organizations: DataverseDemoRow[] = [
    { organizationid: guid('organization', 0), name: 'cronus', _basecurrencyid_value: baseCurrencyId, ...common() },
  ];

  const systemusers: DataverseDemoRow[] = [];
  const userRow = (i: number, first: string, last: string, email: string, extra: Record<string, unknown> = {}) => ({
    systemuserid: guid('systemuser', i),
    firstname: first,
    lastname: last,
    fullname: `${first} ${last}`,
    internalemailaddress: email,
    domainname: email,
    azureactivedirectoryobjectid: guid('aad-object', i),
    mobilephone: '',
    jobtitle: '',
    personalemailaddress: '',
    isdisabled: false,
    islicensed: true,
    isintegrationuser: false,
    accessmode: 0,
    _businessunitid_value: businessUnitId,
    ...common(),
    ...extra,
  });
  const people = demoSalespeople(o.matchingSystemUsers);
  for (let i = 0; i < o.matchingSystemUsers; i++) {
    const sp = people[i];
    systemusers.push(userRow(i, sp.first, sp.last, sp.email, { mobilephone: `+47 9${String(4000000 + i).slice(-7)}` }));
  }
  for (let i = 0; i < o.dataverseOnlySystemUsers; i++) {
    const p = person(i * 13 + 101);
    systemusers.push(
      userRow(
        o.matchingSystemUsers + i,
        p.first,
        p.last,
        `${p.first}.${p.last}.dv${i}@cronus.example.com`.toLowerCase(),
      ),
    );
  }
  // The application user the integration signs in as (as in a real org: disabled for licensing, integration user).
  systemusers.push(
    userRow(o.matchingSystemUsers + o.dataverseOnlySystemUsers, '#', 'bcsync', 'bcsync-app@cronus.example.com', {
      fullname: '# bcsync',
      islicensed: false,
      isintegrationuser: true,
      accessmode: 4,
    }),
  );
  const owners = systemusers.filter((u) => u['isintegrationuser'] !== true);

  const scheduleId = guid('uomschedule', 0);
  const uomschedules: DataverseDemoRow[] = [
    { uomscheduleid: scheduleId, name: 'Default Unit', baseuomname: 'Primary Unit', description: '', ...common() },
  ];
  const primaryUnitId = guid('uom', 0);
  const uoms: DataverseDemoRow[] = [
    {
      uomid: primaryUnitId,
      name: 'Primary Unit',
      quantity: 1,
      _uomscheduleid_value: scheduleId,
      _baseuom_value: primaryUnitId,
      isschedulebaseuom: true,
      ...common(),
    },
  ];
  const pricelevels: DataverseDemoRow[] = [
    {
      pricelevelid: guid('pricelevel', 0),
      name: 'DV Standard Prices',
      description: 'Created in Dynamics 365 Sales',
      begindate: null,
      enddate: null,
      _transactioncurrencyid_value: baseCurrencyId,
      ...common(),
    },
  ];
  const products: DataverseDemoRow[] = [];
  for (let i = 0; i < o.dataverseOnlyProducts; i++) {
    products.push({
      productid: guid('product', i),
      name: `Service Plan ${['Basic', 'Plus', 'Premium'][i % 3]}${i >= 3 ? ` ${Math.floor(i / 3) + 1}` : ''}`,
      productnumber: `DV-${String(i + 1).padStart(4, '0')}`,
      description: 'A product that exists only in Dynamics 365 Sales',
      quantitydecimal: 2,
      price: 100 + i * 50,
      standardcost: 40 + i * 20,
      currentcost: 40 + i * 20,
      productstructure: 1,
      producttypecode: 3,
      _defaultuomscheduleid_value: scheduleId,
      _defaultuomid_value: primaryUnitId,
      _pricelevelid_value: null,
      _transactioncurrencyid_value: baseCurrencyId,
      ...common(),
      statecode: 0,
      statuscode: 1,
    });
  }

  const accounts: DataverseDemoRow[] = [];
  const contacts: DataverseDemoRow[] = [];
  const overlapping = Math.floor(o.customers * o.overlapFraction);
  const accountTotal = overlapping + o.dataverseOnlyAccounts;
  for (let a = 0; a < accountTotal; a++) {
    const shared = a < overlapping;
    // DV-only accounts continue the customer name sequence past the BC customers, so names never collide.
    const name = shared ? demoCustomerName(a) : demoCustomerName(o.customers + (a - overlapping));
    const place = CITIES[(a * 5 + 2) % CITIES.length];
    const domain = `${slug(name)}.example.com`;
    const accountId = guid('account', a);
    const owner = owners[a % owners.length];
    const personCount = rnd.int(o.dataverseContactsPerAccount[0], o.dataverseContactsPerAccount[1]);
    let primaryContactId: string | null = null;
    for (let k = 0; k < personCount; k++) {
      const p = person(a * 2 + k + 17);
      const contactId = guid('contact', a * 16 + k);
      primaryContactId ??= contactId;
      contacts.push({
        contactid: contactId,
        firstname: p.first,
        middlename: '',
        lastname: p.last,
        fullname: `${p.first} ${p.last}`,
        emailaddress1: `${p.first}.${p.last}@${domain}`.toLowerCase().slice(0, 100),
        telephone1: `+47 ${String(30000000 + a * 11 + k).slice(0, 8)}`,
        mobilephone: `+47 4${String(2000000 + a * 3 + k).slice(-7)}`,
        jobtitle: JOB_TITLES[(a + k + 2) % JOB_TITLES.length],
        fax: '',
        pager: '',
        websiteurl: '',
        address1_line1: `${(a % 50) + 1} ${STREETS[(a + 3) % STREETS.length]}`,
        address1_line2: '',
        address1_city: place.city,
        address1_stateorprovince: '',
        address1_postalcode: place.postalCode,
        address1_country: place.country,
        _parentcustomerid_value: accountId,
        parentcustomeridtype: 'account',
        _transactioncurrencyid_value: baseCurrencyId,
        _ownerid_value: owner ? owner['systemuserid'] : null,
        owneridtype: 'systemuser',
        ...common(),
      });
    }
    accounts.push({
      accountid: accountId,
      name,
      accountnumber: null,
      telephone1: `+47 ${String(21000000 + a * 13).slice(0, 8)}`,
      telephone2: '',
      fax: '',
      emailaddress1: `post@${domain}`,
      websiteurl: `https://www.${domain}`,
      address1_line1: `${(a % 50) + 1} ${STREETS[(a + 3) % STREETS.length]}`,
      address1_line2: '',
      address1_city: place.city,
      address1_stateorprovince: '',
      address1_postalcode: place.postalCode,
      address1_country: place.country,
      address1_primarycontactname: '',
      creditlimit: null,
      revenue: 1_000_000 + a * 25_000,
      customertypecode: 3,
      _primarycontactid_value: primaryContactId,
      _transactioncurrencyid_value: baseCurrencyId,
      _defaultpricelevelid_value: null,
      _ownerid_value: owner ? owner['systemuserid'] : null,
      owneridtype: 'systemuser',
      ...common(),
    });
  }

  return {
    transactioncurrencies,
    businessunits,
    organizations,
    systemusers,
    accounts,
    contacts,
    uomschedules,
    uoms,
    pricelevels,
    products,
  };
}
