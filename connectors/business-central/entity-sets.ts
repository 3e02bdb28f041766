/**
 * Entity sets of Business Central the product reads and writes, with the record shapes of API v2.0 (field names from
 * the API reference; unknown extra fields pass through the index signature). The custom API pages (resources,
 * customer price groups, sales prices, shipping agents, customer, contact and item cards, customer statistics) live under `api/bcsync/sync/v1.0` because
 * v2.0 has no such entities or fields (their shapes: docs/emulators.md, "Custom API pages").
 */

/** Fields every BC entity carries. */
export interface BcRecordBase {
  id: string;
  lastModifiedDateTime: string;
  '@odata.etag'?: string;
  [field: string]: unknown;
}

export interface BcCustomer extends BcRecordBase {
  number?: string;
  displayName?: string;
  type?: 'Company' | 'Person';
  addressLine1?: string;
  addressLine2?: string;
  city?: string;
  state?: string;
  country?: string;
  postalCode?: string;
  phoneNumber?: string;
  email?: string;
  website?: string;
  salespersonCode?: string;
  balanceDue?: number;
  creditLimit?: number;
  currencyId?: string;
  currencyCode?: string;
  paymentTermsId?: string;
  shipmentMethodId?: string;
  blocked?: string;
}

/**
 * Custom page `customerCards`: the v2.0 customer plus the Customer Card fields v2.0 lacks. Same records, ids, ETags
 * and `lastModifiedDateTime` as `customers`.
 */
export interface BcCustomerCard extends BcCustomer {
  /** "Contact": set from the primary contact's name when `primaryContactNumber` is set. */
  contactName?: string;
  primaryContactNumber?: string;
  faxNumber?: string;
  mobilePhoneNumber?: string;
  /** Agrees with `paymentTermsId`. */
  paymentTermsCode?: string;
  /** Agrees with `shipmentMethodId`. */
  shipmentMethodCode?: string;
  shippingAgentCode?: string;
}

export interface BcContact extends BcRecordBase {
  number?: string;
  type?: string;
  displayName?: string;
  jobTitle?: string;
  companyNumber?: string;
  companyName?: string;
  email?: string;
  phoneNumber?: string;
  mobilePhoneNumber?: string;
}

/**
 * Custom page `contactCards`: the v2.0 contact plus the Contact Card fields v2.0 lacks. Same records, ids, ETags and
 * `lastModifiedDateTime` as `contacts`. For a person, `displayName` is First Name, Middle Name and Surname joined (and
 * a new `displayName` is broken down into them), as BC's Contact table keeps Name and its parts in agreement.
 */
export interface BcContactCard extends BcContact {
  firstName?: string;
  middleName?: string;
  surname?: string;
  faxNumber?: string;
  pager?: string;
  /** Blank = the local currency. */
  currencyCode?: string;
  salespersonCode?: string;
}

export interface BcCurrency extends BcRecordBase {
  code?: string;
  displayName?: string;
  symbol?: string;
  amountDecimalPlaces?: string;
  amountRoundingPrecision?: number;
}

/**
 * API v2.0 `currencyExchangeRates` (read-only): from `startingDate` on, `exchangeRateAmount` units of `currencyCode`
 * are worth `relationalExchangeRateAmount` units of `relationalCurrencyCode` (blank = the local currency).
 */
export interface BcCurrencyExchangeRate extends BcRecordBase {
  currencyCode?: string;
  startingDate?: string;
  exchangeRateAmount?: number;
  relationalCurrencyCode?: string;
  relationalExchangeRateAmount?: number;
}

export interface BcPaymentTerm extends BcRecordBase {
  code?: string;
  displayName?: string;
  dueDateCalculation?: string;
  discountDateCalculation?: string;
  discountPercent?: number;
  calculateDiscountOnCreditMemos?: boolean;
}

export interface BcShipmentMethod extends BcRecordBase {
  code?: string;
  displayName?: string;
}

/** Custom page `shippingAgents`. */
export interface BcShippingAgent extends BcRecordBase {
  code?: string;
  name?: string;
  internetAddress?: string;
  accountNumber?: string;
}

export interface BcItem extends BcRecordBase {
  number?: string;
  displayName?: string;
  type?: 'Inventory' | 'Service' | 'Non-Inventory';
  blocked?: boolean;
  unitPrice?: number;
  unitCost?: number;
  baseUnitOfMeasureId?: string;
  baseUnitOfMeasureCode?: string;
}

/**
 * Custom page `itemCards`: the v2.0 item plus the Item Card fields v2.0 lacks. Same records, ids, ETags and
 * `lastModifiedDateTime` as `items`.
 */
export interface BcItemCard extends BcItem {
  vendorNumber?: string;
  vendorItemNumber?: string;
  unitVolume?: number;
  grossWeight?: number;
}

export interface BcUnitOfMeasure extends BcRecordBase {
  code?: string;
  displayName?: string;
  internationalStandardCode?: string;
  symbol?: string;
}

export interface BcSalespersonPurchaser extends BcRecordBase {
  code?: string;
  displayName?: string;
  email?: string;
  phoneNo?: string;
  jobTitle?: string;
  blocked?: boolean;
}

export interface BcSalesInvoiceLine extends BcRecordBase {
  documentId?: string;
  sequence?: number;
  itemId?: string;
  lineType?: string;
  lineObjectNumber?: string;
  description?: string;
  unitOfMeasureId?: string;
  unitOfMeasureCode?: string;
  quantity?: number;
  unitPrice?: number;
  discountAmount?: number;
  amountExcludingTax?: number;
  amountIncludingTax?: number;
}

export interface BcSalesInvoice extends BcRecordBase {
  number?: string;
  invoiceDate?: string;
  postingDate?: string;
  dueDate?: string;
  customerId?: string;
  customerNumber?: string;
  customerName?: string;
  currencyId?: string;
  currencyCode?: string;
  salesperson?: string;
  totalAmountExcludingTax?: number;
  totalTaxAmount?: number;
  totalAmountIncludingTax?: number;
  discountAmount?: number;
  /** " ", "Draft", "In Review", "Open", "Paid", "Canceled", "Corrective": posted invoices are Open/Paid/Canceled/Corrective. */
  status?: string;
  salesInvoiceLines?: BcSalesInvoiceLine[];
}

export interface BcCustomerFinancialDetail extends BcRecordBase {
  number?: string;
  balance?: number;
  totalSalesExcludingTax?: number;
  overdueAmount?: number;
}

export interface BcResource extends BcRecordBase {
  number?: string;
  displayName?: string;
  type?: string;
  baseUnitOfMeasureCode?: string;
  unitPrice?: number;
  unitCost?: number;
  vendorNumber?: string;
  /** Read-only (a FlowField in BC). */
  capacity?: number;
  blocked?: boolean;
}

/**
 * Custom page `customerStatistics` (keyed by the customer id): the Customer Statistics figures API v2.0's
 * `customerFinancialDetail` lacks (bc-sync-semantics §8.15), all in LCY. `lastModifiedDateTime`: the newest change of
 * the customer or of its sales documents and ledger entries.
 */
export interface BcCustomerStatistics extends BcRecordBase {
  number?: string;
  displayName?: string;
  balanceLcy?: number;
  outstandingOrdersLcy?: number;
  shippedNotInvoicedLcy?: number;
  outstandingInvoicesLcy?: number;
  totalLcy?: number;
  creditLimitLcy?: number;
  overdueAmountsLcy?: number;
  /** The work date the overdue amounts are computed at (`YYYY-MM-DD`). */
  overdueAmountsAsOf?: string;
  totalSalesLcy?: number;
  invoicedPrepaymentAmountLcy?: number;
}

export interface BcCustomerPriceGroup extends BcRecordBase {
  code?: string;
  description?: string;
}

export interface BcSalesPrice extends BcRecordBase {
  itemNumber?: string;
  salesType?: string;
  salesCode?: string;
  currencyCode?: string;
  startingDate?: string;
  endingDate?: string;
  unitOfMeasureCode?: string;
  minimumQuantity?: number;
  unitPrice?: number;
}

/** Record type per entity set. */
export interface BcEntityMap {
  customers: BcCustomer;
  customerCards: BcCustomerCard;
  contacts: BcContact;
  contactCards: BcContactCard;
  currencies: BcCurrency;
  currencyExchangeRates: BcCurrencyExchangeRate;
  paymentTerms: BcPaymentTerm;
  shipmentMethods: BcShipmentMethod;
  shippingAgents: BcShippingAgent;
  items: BcItem;
  itemCards: BcItemCard;
  unitsOfMeasure: BcUnitOfMeasure;
  salespeoplePurchasers: BcSalespersonPurchaser;
  salesInvoices: BcSalesInvoice;
  salesInvoiceLines: BcSalesInvoiceLine;
  customerFinancialDetails: BcCustomerFinancialDetail;
  customerStatistics: BcCustomerStatistics;
  resources: BcResource;
  customerPriceGroups: BcCustomerPriceGroup;
  salesPrices: BcSalesPrice;
}

export type BcEntitySet = keyof BcEntityMap;

/** Entity sets served by the custom API pages (`api/bcsync/sync/v1.0`) instead of the standard API v2.0. */
export const BC_CUSTOM_API_SETS: ReadonlySet<BcEntitySet> = new Set<BcEntitySet>([
  'resources',
  'customerPriceGroups',
  'salesPrices',
  'shippingAgents',
  'customerCards',
  'customerStatistics',
  'contactCards',
  'itemCards',
]);

/** Filters on `salesInvoices.status` (OR on one field is allowed by BC). */
export const BC_SALES_INVOICE_FILTERS = {
  posted: "status eq 'Open' or status eq 'Paid' or status eq 'Canceled' or status eq 'Corrective'",
  draft: "status eq 'Draft' or status eq 'In Review'",
} as const;
