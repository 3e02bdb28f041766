// The entity sets the Business Central emulator serves, with their API v2.0 field names (api-facts A2), field types,
// BC field lengths, read-only fields, enums, unique keys and navigation properties. Custom API pages (resources,
// customerPriceGroups, salesPrices, shippingAgents, customerCards, contactCards, itemCards, customerStatistics) live under `api/bcsync/sync/v1.0` (DESIGN §8.3;
// their shapes are documented in docs/emulators.md as the AL extension would publish them).

/** Field types the emulator validates. Dates are `YYYY-MM-DD`, datetimes ISO UTC with ms and `Z`. */
export type FieldType = 'string' | 'number' | 'boolean' | 'guid' | 'date' | 'datetime' | 'enum';

/** One field of an entity. */
export interface FieldDef {
  readonly type: FieldType;
  /** BC field length; longer strings → 400 Application_StringExceededLength. */
  readonly maxLength?: number;
  /** Server-maintained; a client value → 400. */
  readonly readOnly?: boolean;
  /** Allowed values of an enum field. */
  readonly values?: readonly string[];
  /** The OData enum type name used in conversion errors. */
  readonly enumType?: string;
}

/** A navigation property usable in `$expand` (and as a path segment where noted). */
export type NavigationDef =
  | { readonly kind: 'many'; readonly target: string; readonly foreignKey: string }
  | { readonly kind: 'one'; readonly target: string; readonly localKey: string }
  | { readonly kind: 'financialDetail' };

/** Which API root serves the set. */
export type ApiRoot = 'v2.0' | 'custom';

/** An entity set of the emulator. */
export interface EntityDef {
  readonly entitySet: string;
  /** Singular entity type name, used in `Microsoft.NAV.<name>` messages. */
  readonly entityName: string;
  readonly api: ApiRoot;
  readonly fields: Readonly<Record<string, FieldDef>>;
  /** Fields whose combined values must be unique (Internal_EntityWithSameKeyExists). */
  readonly uniqueKey?: readonly string[];
  /** Fields a POST must provide (message: `A "<field>" must be provided.`). */
  readonly required?: readonly string[];
  /** Prefix of generated numbers when a POST leaves `number` empty. */
  readonly numberSeries?: { readonly field: string; readonly prefix: string; readonly digits: number };
  /** No POST/PATCH/DELETE (405). */
  readonly readOnlyEntity?: boolean;
  /** Computed on every read from other tables (no records of its own), e.g. `companies`, `customerFinancialDetails`. */
  readonly computed?: boolean;
  /**
   * The stored table this page shows when it is a second API page over another set's records (a custom page that
   * copies a standard page and adds fields, api-facts A1). Same records, ids, ETags and timestamps. (Default: the
   * entity set itself)
   */
  readonly table?: string;
  readonly navigations?: Readonly<Record<string, NavigationDef>>;
  /** BC's table caption for messages ("The Customer already exists."). */
  readonly caption: string;
}

const str = (maxLength: number): FieldDef => ({ type: 'string', maxLength });
const num: FieldDef = { type: 'number' };
const bool: FieldDef = { type: 'boolean' };
const guid: FieldDef = { type: 'guid' };
const date: FieldDef = { type: 'date' };
const ro = (def: FieldDef): FieldDef => ({ ...def, readOnly: true });
const enumOf = (enumType: string, values: readonly string[]): FieldDef => ({ type: 'enum', values, enumType });
const id: FieldDef = ro(guid);
const modified: FieldDef = ro({ type: 'datetime' });

const address = {
  addressLine1: str(100),
  addressLine2: str(50),
  city: str(30),
  state: str(30),
  country: str(10),
  postalCode: str(20),
};

const customers: EntityDef = {
  entitySet: 'customers',
  entityName: 'customer',
  caption: 'Customer',
  api: 'v2.0',
  fields: {
    id,
    number: str(20),
    displayName: str(100),
    type: enumOf('contactType', ['Company', 'Person']),
    ...address,
    phoneNumber: str(30),
    email: str(80),
    website: str(80),
    salespersonCode: str(20),
    balanceDue: ro(num),
    creditLimit: num,
    taxLiable: bool,
    taxAreaId: guid,
    taxAreaDisplayName: ro(str(100)),
    taxRegistrationNumber: str(20),
    currencyId: guid,
    currencyCode: str(10),
    paymentTermsId: guid,
    shipmentMethodId: guid,
    paymentMethodId: guid,
    blocked: enumOf('customerBlocked', [' ', 'Ship', 'Invoice', 'All']),
    lastModifiedDateTime: modified,
  },
  uniqueKey: ['number'],
  required: ['displayName'],
  numberSeries: { field: 'number', prefix: 'C', digits: 5 },
  navigations: {
    customerFinancialDetail: { kind: 'financialDetail' },
    currency: { kind: 'one', target: 'currencies', localKey: 'currencyId' },
    paymentTerm: { kind: 'one', target: 'paymentTerms', localKey: 'paymentTermsId' },
    shipmentMethod: { kind: 'one', target: 'shipmentMethods', localKey: 'shipmentMethodId' },
  },
};

/**
 * Custom page `customerCards`: a copy of the v2.0 customer page plus the Customer Card fields API v2.0 lacks and the
 * CUSTOMER mapping needs (bc-sync-semantics §8.3: Contact, Fax No., Mobile Phone No., Primary Contact No., Payment
 * Terms / Shipment Method / Shipping Agent codes). Extending a standard API page is not supported, so a real
 * extension copies it (api-facts A1). Named apart from `customers` so URLs, fault rules and logs never confuse the two.
 */
const customerCards: EntityDef = {
  ...customers,
  entitySet: 'customerCards',
  entityName: 'customerCard',
  api: 'custom',
  table: 'customers',
  fields: {
    ...customers.fields,
    contactName: str(100),
    primaryContactNumber: str(20),
    faxNumber: str(30),
    mobilePhoneNumber: str(30),
    paymentTermsCode: str(10),
    shipmentMethodCode: str(10),
    shippingAgentCode: str(10),
  },
  navigations: undefined,
};

const contacts: EntityDef = {
  entitySet: 'contacts',
  entityName: 'contact',
  caption: 'Contact',
  api: 'v2.0',
  fields: {
    id,
    number: str(20),
    type: enumOf('contactType', ['Company', 'Person']),
    displayName: str(100),
    jobTitle: str(30),
    companyNumber: str(20),
    companyName: ro(str(100)),
    contactBusinessRelation: ro(
      enumOf('contactBusinessRelation', ['None', 'Customer', 'Vendor', 'Bank Account', 'Employee', 'Multiple']),
    ),
    ...address,
    phoneNumber: str(30),
    mobilePhoneNumber: str(30),
    email: str(80),
    website: str(80),
    searchName: str(100),
    privacyBlocked: bool,
    taxRegistrationNumber: str(20),
    lastInteractionDate: ro(date),
    lastModifiedDateTime: modified,
  },
  uniqueKey: ['number'],
  required: ['displayName'],
  numberSeries: { field: 'number', prefix: 'CT', digits: 6 },
};

/**
 * Custom page `contactCards`: a copy of the v2.0 contact page plus the Contact Card fields API v2.0 lacks and the
 * CONTACT mapping needs (bc-sync-semantics §8.5: First Name, Middle Name, Surname, Fax No., Pager, Currency Code,
 * Salesperson Code). Same records, ids, ETags and timestamps as `contacts` (rules.ts keeps a person's Name and its
 * parts in agreement, as BC's Contact table does).
 */
const contactCards: EntityDef = {
  ...contacts,
  entitySet: 'contactCards',
  entityName: 'contactCard',
  api: 'custom',
  table: 'contacts',
  fields: {
    ...contacts.fields,
    firstName: str(30),
    middleName: str(30),
    surname: str(30),
    faxNumber: str(30),
    pager: str(30),
    currencyCode: str(10),
    salespersonCode: str(20),
  },
  navigations: undefined,
};

const currencies: EntityDef = {
  entitySet: 'currencies',
  entityName: 'currency',
  caption: 'Currency',
  api: 'v2.0',
  fields: {
    id,
    code: str(10),
    displayName: str(30),
    symbol: str(10),
    amountDecimalPlaces: str(5),
    amountRoundingPrecision: num,
    lastModifiedDateTime: modified,
  },
  uniqueKey: ['code'],
  required: ['code'],
};

/** API v2.0 `currencyExchangeRates`: documented with GET only (Microsoft Learn, currencyExchangeRate resource type). */
const currencyExchangeRates: EntityDef = {
  entitySet: 'currencyExchangeRates',
  entityName: 'currencyExchangeRate',
  caption: 'Currency Exchange Rate',
  api: 'v2.0',
  readOnlyEntity: true,
  fields: {
    id,
    currencyCode: ro(str(10)),
    startingDate: ro(date),
    exchangeRateAmount: ro(num),
    relationalCurrencyCode: ro(str(10)),
    relationalExchangeRateAmount: ro(num),
    lastModifiedDateTime: modified,
  },
  // The primary key of BC's "Currency Exchange Rate" table.
  uniqueKey: ['currencyCode', 'startingDate'],
};

const paymentTerms: EntityDef = {
  entitySet: 'paymentTerms',
  entityName: 'paymentTerm',
  caption: 'Payment Terms',
  api: 'v2.0',
  fields: {
    id,
    code: str(10),
    displayName: str(100),
    // DateFormula fields travel as their text form, e.g. '14D', 'CM+1M'.
    dueDateCalculation: str(32),
    discountDateCalculation: str(32),
    discountPercent: num,
    calculateDiscountOnCreditMemos: bool,
    lastModifiedDateTime: modified,
  },
  uniqueKey: ['code'],
  required: ['code'],
};

const shipmentMethods: EntityDef = {
  entitySet: 'shipmentMethods',
  entityName: 'shipmentMethod',
  caption: 'Shipment Method',
  api: 'v2.0',
  fields: { id, code: str(10), displayName: str(100), lastModifiedDateTime: modified },
  uniqueKey: ['code'],
  required: ['code'],
};

/** Custom page `shippingAgents` (API v2.0 has no shipping agents): BC's "Shipping Agent" table. */
const shippingAgents: EntityDef = {
  entitySet: 'shippingAgents',
  entityName: 'shippingAgent',
  caption: 'Shipping Agent',
  api: 'custom',
  fields: {
    id,
    code: str(10),
    name: str(50),
    internetAddress: str(250),
    accountNumber: str(30),
    lastModifiedDateTime: modified,
  },
  uniqueKey: ['code'],
  required: ['code'],
};

const unitsOfMeasure: EntityDef = {
  entitySet: 'unitsOfMeasure',
  entityName: 'unitOfMeasure',
  caption: 'Unit of Measure',
  api: 'v2.0',
  fields: {
    id,
    code: str(10),
    displayName: str(50),
    internationalStandardCode: str(10),
    symbol: str(10),
    lastModifiedDateTime: modified,
  },
  uniqueKey: ['code'],
  required: ['code'],
};

const items: EntityDef = {
  entitySet: 'items',
  entityName: 'item',
  caption: 'Item',
  api: 'v2.0',
  fields: {
    id,
    number: str(20),
    displayName: str(100),
    displayName2: str(50),
    type: enumOf('itemType', ['Inventory', 'Service', 'Non-Inventory']),
    itemCategoryId: guid,
    itemCategoryCode: str(20),
    blocked: bool,
    gtin: str(14),
    inventory: ro(num),
    unitPrice: num,
    priceIncludesTax: bool,
    unitCost: num,
    taxGroupId: guid,
    taxGroupCode: str(20),
    baseUnitOfMeasureId: guid,
    baseUnitOfMeasureCode: str(10),
    generalProductPostingGroupId: guid,
    generalProductPostingGroupCode: str(20),
    inventoryPostingGroupId: guid,
    inventoryPostingGroupCode: str(20),
    lastModifiedDateTime: modified,
  },
  uniqueKey: ['number'],
  numberSeries: { field: 'number', prefix: 'I', digits: 5 },
  navigations: { unitOfMeasure: { kind: 'one', target: 'unitsOfMeasure', localKey: 'baseUnitOfMeasureId' } },
};

/**
 * Custom page `itemCards`: a copy of the v2.0 item page plus the Item Card fields API v2.0 lacks and ITEM-PRODUCT
 * needs (bc-sync-semantics §8.8: Vendor No., Vendor Item No., Unit Volume, Gross Weight). Same records, ids, ETags and
 * timestamps as `items`.
 */
const itemCards: EntityDef = {
  ...items,
  entitySet: 'itemCards',
  entityName: 'itemCard',
  api: 'custom',
  table: 'items',
  fields: {
    ...items.fields,
    vendorNumber: str(20),
    vendorItemNumber: str(50),
    unitVolume: num,
    grossWeight: num,
  },
  navigations: undefined,
};

const salespeoplePurchasers: EntityDef = {
  entitySet: 'salespeoplePurchasers',
  entityName: 'salespersonPurchaser',
  caption: 'Salesperson/Purchaser',
  api: 'v2.0',
  fields: {
    id,
    code: str(20),
    displayName: str(50),
    email: str(80),
    email2: str(80),
    phoneNo: str(30),
    jobTitle: str(30),
    commisionPercent: num,
    privacyBlocked: bool,
    blocked: bool,
    lastModifiedDateTime: modified,
  },
  uniqueKey: ['code'],
  required: ['code'],
};

const employees: EntityDef = {
  entitySet: 'employees',
  entityName: 'employee',
  caption: 'Employee',
  api: 'v2.0',
  fields: {
    id,
    number: str(20),
    displayName: ro(str(100)),
    givenName: str(30),
    middleName: str(30),
    surname: str(30),
    jobTitle: str(30),
    ...address,
    phoneNumber: str(30),
    mobilePhone: str(30),
    email: str(80),
    personalEmail: str(80),
    employmentDate: date,
    terminationDate: date,
    status: enumOf('employeeStatus', ['Active', 'Inactive', 'Terminated']),
    birthDate: date,
    lastModifiedDateTime: modified,
  },
  uniqueKey: ['number'],
  numberSeries: { field: 'number', prefix: 'E', digits: 4 },
};

const addressBlock = (prefix: string): Record<string, FieldDef> => ({
  [`${prefix}AddressLine1`]: str(100),
  [`${prefix}AddressLine2`]: str(50),
  [`${prefix}City`]: str(30),
  [`${prefix}Country`]: str(10),
  [`${prefix}State`]: str(30),
  [`${prefix}PostCode`]: str(20),
});

const salesInvoices: EntityDef = {
  entitySet: 'salesInvoices',
  entityName: 'salesInvoice',
  caption: 'Sales Invoice',
  api: 'v2.0',
  fields: {
    id,
    number: ro(str(20)),
    externalDocumentNumber: str(35),
    invoiceDate: date,
    postingDate: date,
    dueDate: date,
    customerPurchaseOrderReference: str(35),
    customerId: guid,
    customerNumber: str(20),
    customerName: ro(str(100)),
    billToName: ro(str(100)),
    billToCustomerId: guid,
    billToCustomerNumber: str(20),
    shipToName: str(100),
    shipToContact: str(100),
    ...addressBlock('sellTo'),
    ...addressBlock('billTo'),
    ...addressBlock('shipTo'),
    currencyId: guid,
    currencyCode: str(10),
    orderId: ro(guid),
    orderNumber: ro(str(20)),
    paymentTermsId: guid,
    shipmentMethodId: guid,
    salesperson: str(20),
    pricesIncludeTax: ro(bool),
    discountAmount: num,
    discountAppliedBeforeTax: ro(bool),
    totalAmountExcludingTax: ro(num),
    totalTaxAmount: ro(num),
    totalAmountIncludingTax: ro(num),
    remainingAmount: ro(num),
    status: ro(enumOf('invoiceStatus', [' ', 'Draft', 'In Review', 'Open', 'Paid', 'Canceled', 'Corrective'])),
    phoneNumber: str(30),
    email: str(80),
    lastModifiedDateTime: modified,
  },
  navigations: {
    salesInvoiceLines: { kind: 'many', target: 'salesInvoiceLines', foreignKey: 'documentId' },
    customer: { kind: 'one', target: 'customers', localKey: 'customerId' },
    currency: { kind: 'one', target: 'currencies', localKey: 'currencyId' },
  },
};

const salesInvoiceLines: EntityDef = {
  entitySet: 'salesInvoiceLines',
  entityName: 'salesInvoiceLine',
  caption: 'Sales Invoice Line',
  api: 'v2.0',
  fields: {
    id,
    documentId: guid,
    sequence: num,
    itemId: guid,
    accountId: guid,
    lineType: enumOf('invoiceLineAggLineType', ['Comment', 'Account', 'Item', 'Resource', 'Fixed Asset', 'Charge']),
    lineObjectNumber: str(20),
    description: str(100),
    unitOfMeasureId: guid,
    unitOfMeasureCode: str(10),
    quantity: num,
    unitPrice: num,
    discountAmount: num,
    discountPercent: num,
    discountAppliedBeforeTax: ro(bool),
    amountExcludingTax: ro(num),
    taxCode: str(20),
    taxPercent: num,
    totalTaxAmount: ro(num),
    amountIncludingTax: ro(num),
    invoiceDiscountAllocation: ro(num),
    netAmount: ro(num),
    netTaxAmount: ro(num),
    netAmountIncludingTax: ro(num),
    shipmentDate: date,
    itemVariantId: guid,
    locationId: guid,
    lastModifiedDateTime: modified,
  },
  navigations: { item: { kind: 'one', target: 'items', localKey: 'itemId' } },
};

const customerFinancialDetails: EntityDef = {
  entitySet: 'customerFinancialDetails',
  entityName: 'customerFinancialDetail',
  caption: 'Customer',
  api: 'v2.0',
  readOnlyEntity: true,
  computed: true,
  fields: {
    id,
    number: ro(str(20)),
    balance: ro(num),
    totalSalesExcludingTax: ro(num),
    overdueAmount: ro(num),
    // Documented on the v2.0 resource: the newest change behind the figures (the customer or its sales documents).
    lastModifiedDateTime: modified,
  },
};

/**
 * Custom page `customerStatistics` (read-only, computed, keyed by the customer id): the Customer Statistics figures
 * of bc-sync-semantics §8.15 that API v2.0's `customerFinancialDetail` lacks (it has balance, total sales and overdue
 * amount only). A real extension publishes it over the Customer table with its FlowFields. All amounts are in LCY.
 * `lastModifiedDateTime` is the newest change of the customer or of its sales invoices (draft or posted, payments
 * included): the emulator's stand-in for BC's ledger-entry / sales-line activity.
 */
const customerStatistics: EntityDef = {
  entitySet: 'customerStatistics',
  entityName: 'customerStatistic',
  caption: 'Customer',
  api: 'custom',
  readOnlyEntity: true,
  computed: true,
  fields: {
    id,
    number: ro(str(20)),
    displayName: ro(str(100)),
    balanceLcy: ro(num),
    outstandingOrdersLcy: ro(num),
    shippedNotInvoicedLcy: ro(num),
    outstandingInvoicesLcy: ro(num),
    totalLcy: ro(num),
    creditLimitLcy: ro(num),
    overdueAmountsLcy: ro(num),
    overdueAmountsAsOf: ro(date),
    totalSalesLcy: ro(num),
    invoicedPrepaymentAmountLcy: ro(num),
    lastModifiedDateTime: modified,
  },
};

const companies: EntityDef = {
  entitySet: 'companies',
  entityName: 'company',
  caption: 'Company',
  api: 'v2.0',
  readOnlyEntity: true,
  computed: true,
  fields: {
    id,
    systemVersion: ro(str(100)),
    timestamp: ro(num),
    name: ro(str(30)),
    displayName: ro(str(250)),
    businessProfileId: ro(str(250)),
    systemCreatedAt: ro({ type: 'datetime' }),
    systemCreatedBy: ro(guid),
    systemModifiedAt: ro({ type: 'datetime' }),
    systemModifiedBy: ro(guid),
  },
};

const resources: EntityDef = {
  entitySet: 'resources',
  entityName: 'resource',
  caption: 'Resource',
  api: 'custom',
  fields: {
    id,
    number: str(20),
    displayName: str(100),
    type: enumOf('resourceType', ['Person', 'Machine']),
    baseUnitOfMeasureCode: str(10),
    unitPrice: num,
    unitCost: num,
    vendorNumber: str(20),
    // A FlowField in BC (sum of the resource's capacity entries): read-only on the page.
    capacity: ro(num),
    blocked: bool,
    lastModifiedDateTime: modified,
  },
  uniqueKey: ['number'],
  numberSeries: { field: 'number', prefix: 'R', digits: 4 },
};

const customerPriceGroups: EntityDef = {
  entitySet: 'customerPriceGroups',
  entityName: 'customerPriceGroup',
  caption: 'Customer Price Group',
  api: 'custom',
  fields: {
    id,
    code: str(10),
    description: str(100),
    allowInvoiceDiscount: bool,
    priceIncludesVat: bool,
    lastModifiedDateTime: modified,
  },
  uniqueKey: ['code'],
  required: ['code'],
};

const salesPrices: EntityDef = {
  entitySet: 'salesPrices',
  entityName: 'salesPrice',
  caption: 'Sales Price',
  api: 'custom',
  fields: {
    id,
    itemNumber: str(20),
    salesType: enumOf('salesPriceType', ['Customer', 'Customer Price Group', 'All Customers', 'Campaign']),
    salesCode: str(20),
    currencyCode: str(10),
    startingDate: date,
    endingDate: date,
    unitOfMeasureCode: str(10),
    minimumQuantity: num,
    unitPrice: num,
    lastModifiedDateTime: modified,
  },
  // The primary key of BC's legacy "Sales Price" table.
  uniqueKey: [
    'itemNumber',
    'salesType',
    'salesCode',
    'startingDate',
    'currencyCode',
    'unitOfMeasureCode',
    'minimumQuantity',
  ],
  required: ['itemNumber'],
};

/** Every entity set by name. */
export const ENTITIES: Readonly<Record<string, EntityDef>> = Object.fromEntries(
  [
    companies,
    customers,
    customerCards,
    contacts,
    contactCards,
    currencies,
    currencyExchangeRates,
    paymentTerms,
    shipmentMethods,
    shippingAgents,
    unitsOfMeasure,
    items,
    itemCards,
    salespeoplePurchasers,
    employees,
    salesInvoices,
    salesInvoiceLines,
    customerFinancialDetails,
    customerStatistics,
    resources,
    customerPriceGroups,
    salesPrices,
  ].map((e) => [e.entitySet, e]),
);

/** The table behind an entity set: its own, or the one it is a second page over (`customerCards` → `customers`). */
export function tableOf(def: EntityDef): string {
  return def.table ?? def.entitySet;
}

const fieldsByTable = new Map<string, Readonly<Record<string, FieldDef>>>();

/** Every field any page over the stored table `set` shows (a table with two pages shows the union). */
export function tableFields(set: string): Readonly<Record<string, FieldDef>> {
  let fields = fieldsByTable.get(set);
  if (!fields) {
    fields = Object.assign(
      {},
      ...Object.values(ENTITIES)
        .filter((e) => tableOf(e) === set)
        .map((e) => e.fields),
    );
    fieldsByTable.set(set, fields!);
  }
  return fields!;
}

/** The sets stored as records (everything but the computed sets and the pages over another set's table). */
export const STORED_SETS = Object.values(ENTITIES)
  .filter((e) => !e.computed && e.table === undefined)
  .map((e) => e.entitySet);

/** Default values a POST gets for fields it leaves out (strings '' and numbers 0 unless listed here). */
export const FIELD_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  customers: { type: 'Company', blocked: ' ', taxLiable: false },
  contacts: { type: 'Company', contactBusinessRelation: 'None' },
  items: { type: 'Inventory' },
  resources: { type: 'Person' },
  employees: { status: 'Active' },
  salesPrices: { salesType: 'Customer' },
  salesInvoiceLines: { lineType: 'Item', taxPercent: 25 },
};
