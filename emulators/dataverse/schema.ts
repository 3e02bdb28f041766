// The tables the Dataverse emulator serves: logical names, entity sets, columns, lookups, keys and state models.
// Column names are the real Dataverse logical names (api-facts B2); lengths follow the Sales entity reference where
// known and sensible values otherwise (documented in docs/emulators-dataverse.md).

/** The kinds of column the emulator validates and formats. */
export type ColumnType =
  'string' | 'memo' | 'int' | 'bigint' | 'decimal' | 'money' | 'bool' | 'datetime' | 'dateonly' | 'guid' | 'choice';

export interface ColumnDef {
  readonly type: ColumnType;
  readonly maxLength?: number;
  /** Create fails when the column ends up null (ApplicationRequired/SystemRequired). */
  readonly required?: boolean;
  /** Written by the server only; a client value is rejected. */
  readonly readOnly?: boolean;
  /**
   * The values and labels a choice column ships with. Non-state choice columns validate against their option set
   * (option-sets.ts), which starts with these and grows through `InsertOptionValue`.
   */
  readonly choices?: Readonly<Record<number, string>>;
  /** The global option set a choice column shares with other columns; absent for a local set (`<table>_<column>`). */
  readonly optionSet?: string;
  readonly min?: number;
  readonly max?: number;
}

/** A lookup column: read as `_<name>_value`, written through one of its navigation properties. */
export interface LookupDef {
  /** Navigation property name → target entity set (several targets for polymorphic lookups). */
  readonly navigations: Readonly<Record<string, string>>;
  readonly required?: boolean;
}

/** A collection-valued navigation property (one-to-many), usable in $expand and in deep insert. */
export interface CollectionDef {
  readonly entitySet: string;
  /** The lookup on the child table that points back to this table. */
  readonly lookup: string;
}

export interface StateModel {
  /** statecode → default statuscode for that state. */
  readonly defaultStatus: Readonly<Record<number, number>>;
  /** statuscode → the statecode it belongs to. */
  readonly statusOf: Readonly<Record<number, number>>;
  readonly defaultState: number;
  readonly stateLabels: Readonly<Record<number, string>>;
  readonly statusLabels: Readonly<Record<number, string>>;
}

export interface TableDef {
  readonly logicalName: string;
  readonly entitySet: string;
  readonly primaryKey: string;
  /** The primary name column (used for lookup formatted values). */
  readonly primaryName: string;
  readonly columns: Readonly<Record<string, ColumnDef>>;
  readonly lookups: Readonly<Record<string, LookupDef>>;
  readonly collections: Readonly<Record<string, CollectionDef>>;
  /** Alternate keys: each is a list of column names (lookup parts as `_x_value`). */
  readonly alternateKeys: readonly (readonly string[])[];
  /** The named-key form `set(pk=guid)` is refused (systemusers, teams). */
  readonly rejectNamedPrimaryKey?: boolean;
  readonly changeTracking: boolean;
  readonly state?: StateModel;
  /** Server-side computed columns, recomputed after each write. */
  readonly compute?: (row: Record<string, unknown>) => void;
  /** Defaults applied on create for columns the client left out. */
  readonly defaults?: Readonly<Record<string, unknown>>;
  /**
   * The documented error a write meets when it repeats an alternate key's values, instead of the generic
   * "A record that has the attribute values … already exists" (412 0x80040237).
   */
  readonly duplicateKeyError?: { readonly status: number; readonly code: string; readonly message: string };
}

const s = (maxLength: number, extra: Partial<ColumnDef> = {}): ColumnDef => ({ type: 'string', maxLength, ...extra });
const money: ColumnDef = { type: 'money', min: -922337203685477, max: 922337203685477 };
const decimal: ColumnDef = { type: 'decimal' };
const ro = (type: ColumnType): ColumnDef => ({ type, readOnly: true });

const address1 = (): Record<string, ColumnDef> => ({
  address1_name: s(200),
  address1_line1: s(250),
  address1_line2: s(250),
  address1_line3: s(250),
  address1_city: s(80),
  address1_stateorprovince: s(50),
  address1_postalcode: s(20),
  address1_country: s(80),
  address1_county: s(50),
  address1_telephone1: s(50),
  address1_fax: s(50),
  address1_primarycontactname: s(100),
  address1_freighttermscode: { type: 'choice', choices: { 1: 'FOB', 2: 'No Charge' } },
  address1_shippingmethodcode: {
    type: 'choice',
    choices: { 1: 'Airborne', 2: 'DHL', 3: 'FedEx', 4: 'UPS', 5: 'Postal Mail', 6: 'Full Load', 7: 'Will Call' },
  },
  address1_composite: ro('memo'),
});

const common = (): Record<string, ColumnDef> => ({
  createdon: ro('datetime'),
  modifiedon: ro('datetime'),
  versionnumber: ro('bigint'),
  overriddencreatedon: { type: 'datetime' },
});

const activeInactive = (statusActive = 1, statusInactive = 2): StateModel => ({
  defaultState: 0,
  defaultStatus: { 0: statusActive, 1: statusInactive },
  statusOf: { [statusActive]: 0, [statusInactive]: 1 },
  stateLabels: { 0: 'Active', 1: 'Inactive' },
  statusLabels: { [statusActive]: 'Active', [statusInactive]: 'Inactive' },
});

const stateColumns = (model: StateModel): Record<string, ColumnDef> => ({
  statecode: { type: 'choice', choices: model.stateLabels },
  statuscode: { type: 'choice', choices: model.statusLabels },
});

const owner = (): Record<string, LookupDef> => ({ ownerid: { navigations: { ownerid: 'systemusers' } } });

const accountState = activeInactive();
const account: TableDef = {
  logicalName: 'account',
  entitySet: 'accounts',
  primaryKey: 'accountid',
  primaryName: 'name',
  columns: {
    accountid: { type: 'guid' },
    name: s(160, { required: true }),
    accountnumber: s(20),
    telephone1: s(50),
    telephone2: s(50),
    fax: s(50),
    emailaddress1: s(100),
    websiteurl: s(200),
    revenue: money,
    creditlimit: money,
    description: { type: 'memo', maxLength: 2000 },
    customertypecode: {
      type: 'choice',
      choices: {
        1: 'Competitor',
        2: 'Consultant',
        3: 'Customer',
        4: 'Investor',
        5: 'Partner',
        11: 'Vendor',
        12: 'Other',
      },
    },
    paymenttermscode: { type: 'choice', choices: { 1: 'Net 30', 2: '2% 10, Net 30', 3: 'Net 45', 4: 'Net 60' } },
    ...address1(),
    ...stateColumns(accountState),
    ...common(),
  },
  lookups: {
    primarycontactid: { navigations: { primarycontactid: 'contacts' } },
    parentaccountid: { navigations: { parentaccountid: 'accounts' } },
    transactioncurrencyid: { navigations: { transactioncurrencyid: 'transactioncurrencies' } },
    defaultpricelevelid: { navigations: { defaultpricelevelid: 'pricelevels' } },
    // The account's statistics row (the Customer Statistics job sets it, as BC's solution does).
    bcsync_accountstatisticsid: { navigations: { bcsync_accountstatisticsid: 'bcsync_accountstatistics' } },
    ...owner(),
  },
  collections: {
    contact_customer_accounts: { entitySet: 'contacts', lookup: 'parentcustomerid' },
    invoice_customer_accounts: { entitySet: 'invoices', lookup: 'customerid' },
    bcsync_account_bcsync_accountstatistics: { entitySet: 'bcsync_accountstatistics', lookup: 'bcsync_accountid' },
  },
  alternateKeys: [['accountnumber']],
  changeTracking: true,
  state: accountState,
};

const contactState = activeInactive();
const contact: TableDef = {
  logicalName: 'contact',
  entitySet: 'contacts',
  primaryKey: 'contactid',
  primaryName: 'fullname',
  columns: {
    contactid: { type: 'guid' },
    firstname: s(50),
    middlename: s(50),
    lastname: s(50, { required: true }),
    fullname: { type: 'string', maxLength: 160, readOnly: true },
    salutation: s(100),
    jobtitle: s(100),
    emailaddress1: s(100),
    telephone1: s(50),
    mobilephone: s(50),
    fax: s(50),
    pager: s(50),
    websiteurl: s(200),
    ...address1(),
    ...stateColumns(contactState),
    ...common(),
  },
  lookups: {
    parentcustomerid: {
      navigations: { parentcustomerid_account: 'accounts', parentcustomerid_contact: 'contacts' },
    },
    transactioncurrencyid: { navigations: { transactioncurrencyid: 'transactioncurrencies' } },
    ...owner(),
  },
  collections: {},
  alternateKeys: [],
  changeTracking: true,
  state: contactState,
  compute: (row) => {
    const parts = [row.firstname, row.middlename, row.lastname].filter((p) => typeof p === 'string' && p !== '');
    row.fullname = parts.length > 0 ? parts.join(' ') : null;
  },
};

const productState: StateModel = {
  defaultState: 2,
  defaultStatus: { 0: 1, 1: 2, 2: 0, 3: 3 },
  statusOf: { 1: 0, 2: 1, 0: 2, 3: 3 },
  stateLabels: { 0: 'Active', 1: 'Retired', 2: 'Draft', 3: 'Under Revision' },
  statusLabels: { 1: 'Active', 2: 'Retired', 0: 'Draft', 3: 'Under Revision' },
};
const product: TableDef = {
  logicalName: 'product',
  entitySet: 'products',
  primaryKey: 'productid',
  primaryName: 'name',
  columns: {
    productid: { type: 'guid' },
    name: s(100, { required: true }),
    productnumber: s(100, { required: true }),
    description: { type: 'memo', maxLength: 2000 },
    quantitydecimal: { type: 'int', min: 0, max: 5 },
    price: money,
    standardcost: money,
    currentcost: money,
    stockvolume: decimal,
    stockweight: decimal,
    quantityonhand: decimal,
    vendorid: s(100),
    vendorname: s(100),
    vendorpartnumber: s(100),
    productstructure: { type: 'choice', choices: { 1: 'Product', 2: 'Product Family', 3: 'Product Bundle' } },
    producttypecode: {
      type: 'choice',
      choices: { 1: 'Sales Inventory', 2: 'Miscellaneous Charges', 3: 'Services', 4: 'Flat Fees' },
    },
    ...stateColumns(productState),
    ...common(),
  },
  lookups: {
    // Both are ApplicationRequired (forms only) in Microsoft's product reference; the unit group is enforced by the
    // product rules with its own documented error (catalog-rules.ts), the default unit only has to be of that group.
    defaultuomscheduleid: { navigations: { defaultuomscheduleid: 'uomschedules' } },
    defaultuomid: { navigations: { defaultuomid: 'uoms' } },
    parentproductid: { navigations: { parentproductid: 'products' } },
    pricelevelid: { navigations: { pricelevelid: 'pricelevels' } },
    transactioncurrencyid: { navigations: { transactioncurrencyid: 'transactioncurrencies' } },
  },
  collections: {
    product_price_levels: { entitySet: 'productpricelevels', lookup: 'productid' },
  },
  alternateKeys: [['productnumber']],
  changeTracking: true,
  state: productState,
  defaults: { productstructure: 1, quantitydecimal: 0 },
};

const currencyState = activeInactive();
const transactioncurrency: TableDef = {
  logicalName: 'transactioncurrency',
  entitySet: 'transactioncurrencies',
  primaryKey: 'transactioncurrencyid',
  primaryName: 'currencyname',
  columns: {
    transactioncurrencyid: { type: 'guid' },
    isocurrencycode: s(5, { required: true }),
    currencyname: s(100, { required: true }),
    currencysymbol: s(10, { required: true }),
    // SystemRequired, MinValue 1E-12, MaxValue 100000000000 in Microsoft's transactioncurrency reference.
    exchangerate: { type: 'decimal', required: true, min: 1e-12, max: 100000000000 },
    currencyprecision: { type: 'int', required: true, min: 0, max: 10 },
    currencytype: { type: 'choice', choices: { 0: 'System', 1: 'Custom' } },
    ...stateColumns(currencyState),
    ...common(),
  },
  lookups: {},
  collections: {},
  alternateKeys: [['isocurrencycode']],
  changeTracking: true,
  state: currencyState,
  defaults: { currencyprecision: 2, currencytype: 1 },
  duplicateKeyError: {
    status: 400,
    code: '0x80048cf3',
    message:
      'Cannot insert duplicate currency record. Currency with the same currency code already exist in the system.',
  },
};

const uomschedule: TableDef = {
  logicalName: 'uomschedule',
  entitySet: 'uomschedules',
  primaryKey: 'uomscheduleid',
  primaryName: 'name',
  columns: {
    uomscheduleid: { type: 'guid' },
    name: s(200, { required: true }),
    // RequiredLevel None in Microsoft's reference; when given, creating the group creates its base unit.
    baseuomname: s(100),
    description: { type: 'memo', maxLength: 2000 },
    ...stateColumns(activeInactive()),
    ...common(),
  },
  lookups: {},
  collections: { UoMSchedule_UoM: { entitySet: 'uoms', lookup: 'uomscheduleid' } },
  alternateKeys: [['name']],
  changeTracking: true,
  state: activeInactive(),
};

const uom: TableDef = {
  logicalName: 'uom',
  entitySet: 'uoms',
  primaryKey: 'uomid',
  primaryName: 'name',
  columns: {
    uomid: { type: 'guid' },
    name: s(100, { required: true }),
    quantity: { type: 'decimal', min: 0 },
    isschedulebaseuom: ro('bool'),
    ...common(),
  },
  lookups: {
    uomscheduleid: { navigations: { uomscheduleid: 'uomschedules' }, required: true },
    baseuom: { navigations: { baseuom: 'uoms' } },
  },
  collections: {},
  alternateKeys: [['_uomscheduleid_value', 'name']],
  changeTracking: true,
  defaults: { quantity: 1 },
  compute: (row) => {
    row.isschedulebaseuom = row._baseuom_value == null || row._baseuom_value === row.uomid;
  },
};

const pricelevelState = activeInactive(100001, 100002);
const pricelevel: TableDef = {
  logicalName: 'pricelevel',
  entitySet: 'pricelevels',
  primaryKey: 'pricelevelid',
  primaryName: 'name',
  columns: {
    pricelevelid: { type: 'guid' },
    name: s(100, { required: true }),
    description: { type: 'memo', maxLength: 2000 },
    begindate: { type: 'datetime' },
    enddate: { type: 'datetime' },
    ...stateColumns(pricelevelState),
    ...common(),
  },
  lookups: {
    transactioncurrencyid: { navigations: { transactioncurrencyid: 'transactioncurrencies' }, required: true },
  },
  collections: { price_level_product_price_levels: { entitySet: 'productpricelevels', lookup: 'pricelevelid' } },
  alternateKeys: [['name']],
  changeTracking: true,
  state: pricelevelState,
};

const productpricelevel: TableDef = {
  logicalName: 'productpricelevel',
  entitySet: 'productpricelevels',
  primaryKey: 'productpricelevelid',
  primaryName: 'productnumber',
  columns: {
    productpricelevelid: { type: 'guid' },
    productnumber: ro('string'),
    amount: money,
    percentage: decimal,
    pricingmethodcode: {
      type: 'choice',
      choices: {
        1: 'Currency Amount',
        2: 'Percent of List',
        3: 'Percent Markup - Current Cost',
        4: 'Percent Margin - Current Cost',
        5: 'Percent Markup - Standard Cost',
        6: 'Percent Margin - Standard Cost',
      },
    },
    quantitysellingcode: { type: 'choice', choices: { 1: 'No Control', 2: 'Whole', 3: 'Whole and Fractional' } },
    ...common(),
  },
  lookups: {
    pricelevelid: { navigations: { pricelevelid: 'pricelevels' }, required: true },
    productid: { navigations: { productid: 'products' }, required: true },
    uomid: { navigations: { uomid: 'uoms' }, required: true },
    uomscheduleid: { navigations: { uomscheduleid: 'uomschedules' } },
    transactioncurrencyid: { navigations: { transactioncurrencyid: 'transactioncurrencies' } },
  },
  collections: {},
  alternateKeys: [['_pricelevelid_value', '_productid_value', '_uomid_value']],
  changeTracking: true,
  defaults: { pricingmethodcode: 1, quantitysellingcode: 1 },
  // A second price for the same price list, product and unit: Microsoft's DuplicateProductPriceLevel (0x80043B08).
  duplicateKeyError: {
    status: 400,
    code: '0x80043b08',
    message: 'This product and unit combination has a price for this price list.',
  },
};

const invoiceState: StateModel = {
  defaultState: 0,
  defaultStatus: { 0: 1, 1: 100001, 2: 100001, 3: 100003 },
  statusOf: { 1: 0, 2: 0, 4: 0, 5: 1, 6: 1, 100001: 2, 100002: 2, 100003: 3 },
  stateLabels: { 0: 'Active', 1: 'Closed', 2: 'Paid', 3: 'Canceled' },
  statusLabels: {
    1: 'New',
    2: 'Partially Shipped',
    4: 'Billed',
    5: 'Booked (applies to services)',
    6: 'Installed (applies to services)',
    100001: 'Complete',
    100002: 'Partial',
    100003: 'Canceled',
  },
};
const addressBlock = (prefix: string): Record<string, ColumnDef> => ({
  [`${prefix}_name`]: s(200),
  [`${prefix}_line1`]: s(250),
  [`${prefix}_line2`]: s(250),
  [`${prefix}_line3`]: s(250),
  [`${prefix}_city`]: s(80),
  [`${prefix}_stateorprovince`]: s(50),
  [`${prefix}_postalcode`]: s(20),
  [`${prefix}_country`]: s(80),
});
const invoice: TableDef = {
  logicalName: 'invoice',
  entitySet: 'invoices',
  primaryKey: 'invoiceid',
  primaryName: 'name',
  columns: {
    invoiceid: { type: 'guid' },
    name: s(300, { required: true }),
    invoicenumber: s(100),
    description: { type: 'memo', maxLength: 2000 },
    duedate: { type: 'dateonly' },
    datedelivered: { type: 'dateonly' },
    discountamount: money,
    discountpercentage: decimal,
    freightamount: money,
    // The totals are the system price calculation's, from the lines (catalog-rules.ts: checkInvoice).
    totalamount: money,
    totalamountlessfreight: money,
    totallineitemamount: ro('money'),
    totallineitemdiscountamount: ro('money'),
    totaltax: money,
    totaldiscountamount: money,
    ispricelocked: { type: 'bool' },
    paymenttermscode: { type: 'choice', choices: { 1: 'Net 30', 2: '2% 10, Net 30', 3: 'Net 45', 4: 'Net 60' } },
    shippingmethodcode: {
      type: 'choice',
      choices: { 1: 'Airborne', 2: 'DHL', 3: 'FedEx', 4: 'UPS', 5: 'Postal Mail', 6: 'Full Load', 7: 'Will Call' },
    },
    ...addressBlock('billto'),
    ...addressBlock('shipto'),
    ...stateColumns(invoiceState),
    ...common(),
  },
  lookups: {
    customerid: {
      navigations: { customerid_account: 'accounts', customerid_contact: 'contacts' },
      required: true,
    },
    pricelevelid: { navigations: { pricelevelid: 'pricelevels' }, required: true },
    transactioncurrencyid: { navigations: { transactioncurrencyid: 'transactioncurrencies' }, required: true },
    ...owner(),
  },
  collections: { invoice_details: { entitySet: 'invoicedetails', lookup: 'invoiceid' } },
  alternateKeys: [['invoicenumber']],
  changeTracking: true,
  state: invoiceState,
};

const invoicedetail: TableDef = {
  logicalName: 'invoicedetail',
  entitySet: 'invoicedetails',
  primaryKey: 'invoicedetailid',
  primaryName: 'invoicedetailname',
  columns: {
    invoicedetailid: { type: 'guid' },
    invoicedetailname: s(500),
    productdescription: s(500),
    quantity: { type: 'decimal', min: 0 },
    priceperunit: money,
    manualdiscountamount: money,
    volumediscountamount: ro('money'),
    tax: money,
    baseamount: ro('money'),
    extendedamount: ro('money'),
    ispriceoverridden: { type: 'bool' },
    isproductoverridden: { type: 'bool' },
    lineitemnumber: { type: 'int', min: 0 },
    sequencenumber: { type: 'int', min: 0 },
    ...common(),
  },
  lookups: {
    invoiceid: { navigations: { invoiceid: 'invoices' }, required: true },
    productid: { navigations: { productid: 'products' } },
    uomid: { navigations: { uomid: 'uoms' } },
    transactioncurrencyid: { navigations: { transactioncurrencyid: 'transactioncurrencies' } },
  },
  collections: {},
  alternateKeys: [],
  changeTracking: true,
  defaults: { ispriceoverridden: false, isproductoverridden: false },
  compute: (row) => {
    const qty = typeof row.quantity === 'number' ? row.quantity : 0;
    const price = typeof row.priceperunit === 'number' ? row.priceperunit : 0;
    const discount = typeof row.manualdiscountamount === 'number' ? row.manualdiscountamount : 0;
    const tax = typeof row.tax === 'number' ? row.tax : 0;
    row.baseamount = round2(qty * price);
    row.extendedamount = round2(qty * price - discount + tax);
  },
};

const systemuser: TableDef = {
  logicalName: 'systemuser',
  entitySet: 'systemusers',
  primaryKey: 'systemuserid',
  primaryName: 'fullname',
  columns: {
    systemuserid: { type: 'guid' },
    firstname: s(256),
    lastname: s(256),
    fullname: { type: 'string', maxLength: 200, readOnly: true },
    internalemailaddress: s(100),
    personalemailaddress: s(100),
    domainname: s(1024),
    azureactivedirectoryobjectid: { type: 'guid' },
    mobilephone: s(64),
    jobtitle: s(100),
    isdisabled: { type: 'bool' },
    islicensed: { type: 'bool' },
    isintegrationuser: { type: 'bool' },
    ...common(),
  },
  lookups: {},
  collections: {},
  alternateKeys: [],
  rejectNamedPrimaryKey: true,
  changeTracking: true,
  defaults: { isdisabled: false, islicensed: true, isintegrationuser: false },
  compute: (row) => {
    const parts = [row.firstname, row.lastname].filter((p) => typeof p === 'string' && p !== '');
    row.fullname = parts.length > 0 ? parts.join(' ') : null;
  },
};

/** The organization (one row): its base currency is what a blank Business Central currency code means. */
const organization: TableDef = {
  logicalName: 'organization',
  entitySet: 'organizations',
  primaryKey: 'organizationid',
  primaryName: 'name',
  columns: {
    organizationid: { type: 'guid' },
    name: s(160, { required: true }),
    /** Products without a parent family start Active instead of Draft. (Default: false, as on a fresh install) */
    createproductswithoutparentinactivestate: { type: 'bool' },
    ...common(),
  },
  lookups: {
    basecurrencyid: { navigations: { basecurrencyid: 'transactioncurrencies' }, required: true },
  },
  collections: {},
  alternateKeys: [],
  changeTracking: false,
};

const accountStatisticsState = activeInactive();
const accountStatistics: TableDef = {
  logicalName: 'bcsync_accountstatistics',
  entitySet: 'bcsync_accountstatistics',
  primaryKey: 'bcsync_accountstatisticsid',
  primaryName: 'bcsync_name',
  columns: {
    bcsync_accountstatisticsid: { type: 'guid' },
    bcsync_name: s(100, { required: true }),
    bcsync_customernumber: s(20),
    bcsync_balance: money,
    bcsync_outstandingorders: money,
    bcsync_shippednotinvoiced: money,
    bcsync_outstandinginvoices: money,
    bcsync_total: money,
    bcsync_creditlimit: money,
    bcsync_overdueamount: money,
    bcsync_overdueasof: { type: 'dateonly' },
    bcsync_totalsales: money,
    bcsync_invoicedprepayments: money,
    bcsync_lastupdatedon: { type: 'datetime' },
    ...stateColumns(accountStatisticsState),
    ...common(),
  },
  lookups: {
    bcsync_accountid: { navigations: { bcsync_accountid: 'accounts' } },
    transactioncurrencyid: { navigations: { transactioncurrencyid: 'transactioncurrencies' } },
  },
  collections: {},
  alternateKeys: [['_bcsync_accountid_value']],
  changeTracking: true,
  state: accountStatisticsState,
};

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Every table the emulator serves, by entity set name. */
export const TABLES: ReadonlyMap<string, TableDef> = new Map(
  [
    account,
    contact,
    product,
    transactioncurrency,
    uomschedule,
    uom,
    pricelevel,
    productpricelevel,
    invoice,
    invoicedetail,
    systemuser,
    accountStatistics,
    organization,
  ].map((t) => [t.entitySet, t]),
);

/** Entity set → table, by logical name (used for `@odata.type` and error messages). */
export const TABLES_BY_LOGICAL_NAME: ReadonlyMap<string, TableDef> = new Map(
  [...TABLES.values()].map((t) => [t.logicalName, t]),
);

/** Finds the lookup column and target set behind a single-valued navigation property. */
export function findNavigation(table: TableDef, nav: string): { lookup: string; entitySet: string } | undefined {
  for (const [lookup, def] of Object.entries(table.lookups)) {
    const target = def.navigations[nav];
    if (target !== undefined) return { lookup, entitySet: target };
  }
  return undefined;
}

/** The `_x_value` column name of a lookup. */
export function lookupValueColumn(lookup: string): string {
  return `_${lookup}_value`;
}

/** Every readable column name of a table: columns plus `_x_value` for each lookup. */
export function readableColumns(table: TableDef): string[] {
  return [...Object.keys(table.columns), ...Object.keys(table.lookups).map(lookupValueColumn)];
}
