/**
 * The Business Central half of the demo dataset. Rows use the API v2.0 field names (api-facts A2) plus a few internal
 * fields prefixed with `__` that the BC emulator keeps to itself (e.g. the customer a company contact belongs to).
 */
import { deterministicGuid, SeededRandom } from '../random';
import type { BusinessCentralDemoData, DemoCompany, DemoDataOptions, DemoRecord } from './types';
import { resolveDemoDataOptions, type ResolvedDemoDataOptions } from './options';
import { demoCustomerName, demoSalespeople, isoDate, money, person, slug } from './common';
import {
  CITIES,
  DEMO_CURRENCIES,
  DEMO_CURRENCY_WITHOUT_RATE,
  DEMO_EXCHANGE_RATES,
  DEMO_PAYMENT_TERMS,
  DEMO_SHIPMENT_METHODS,
  DEMO_SHIPPING_AGENTS,
  DEMO_UNITS,
  ITEM_CITIES,
  ITEM_KINDS,
  JOB_TITLES,
  PRICE_GROUPS,
  RESOURCE_NAMES,
  STREETS,
} from './words';

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

/** What every part of the BC generator shares, in call order: the options, the seeded random source, the clock, ids. */
interface BcGenerator {
  readonly o: Readonly<ResolvedDemoDataOptions>;
  readonly rnd: SeededRandom;
  /** The next `lastModifiedDateTime`: one second after the previous one, so the call order fixes the timestamps. */
  readonly stamp: () => string;
  readonly guid: (ns: string, i: number) => string;
}

/** The currencies and units of measure (fixed catalogs) and the salespeople/purchasers. */
function masterData(g: BcGenerator): {
  currencies: DemoRecord[];
  currencyByCode: Map<string, DemoRecord>;
  unitsOfMeasure: DemoRecord[];
  unitByCode: Map<string, DemoRecord>;
  salespeoplePurchasers: DemoRecord[];
} {
  const { o, stamp, guid } = g;
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

  return { currencies, currencyByCode, unitsOfMeasure, unitByCode, salespeoplePurchasers };
}

/**
 * The option tables (payment terms, shipment methods, shipping agents), built before the customers that point at
 * them. Their `lastModifiedDateTime` is stamped last (`stampLate`), after every older table, so adding these tables
 * left the timestamps of the rest of the dataset as they were.
 */
function optionTables(g: BcGenerator): {
  paymentTerms: DemoRecord[];
  shipmentMethods: DemoRecord[];
  shippingAgents: DemoRecord[];
} {
  const { guid } = g;
  return {
    paymentTerms: DEMO_PAYMENT_TERMS.map((t, i) => ({
      id: guid('payment-terms', i),
      ...t,
      calculateDiscountOnCreditMemos: false,
      lastModifiedDateTime: '',
    })),
    shipmentMethods: DEMO_SHIPMENT_METHODS.map((m, i) => ({
      id: guid('shipment-method', i),
      ...m,
      lastModifiedDateTime: '',
    })),
    shippingAgents: DEMO_SHIPPING_AGENTS.map((a, i) => ({
      id: guid('shipping-agent', i),
      ...a,
      accountNumber: '',
      lastModifiedDateTime: '',
    })),
  };
}

/** Exchange rates for the demo currencies that have one, and the currency without a rate (stamped last). */
function exchangeRates(g: BcGenerator, currencies: DemoRecord[]): DemoRecord[] {
  const { stamp, guid } = g;
  currencies.push({
    id: guid('currency', DEMO_CURRENCIES.length),
    ...DEMO_CURRENCY_WITHOUT_RATE,
    amountDecimalPlaces: '0:0',
    amountRoundingPrecision: 1,
    lastModifiedDateTime: stamp(),
  });
  return DEMO_EXCHANGE_RATES.map((r, i) => ({
    id: guid('exchange-rate', i),
    currencyCode: r.currencyCode,
    startingDate: r.startingDate,
    exchangeRateAmount: 100,
    relationalCurrencyCode: '',
    relationalExchangeRateAmount: r.relationalExchangeRateAmount,
    lastModifiedDateTime: stamp(),
  }));
}

/** Middle names some demo persons have. */
const MIDDLE_NAMES = ['Marie', 'Johan', 'Elise', 'Lars'];

/** The name parts of a company contact (only persons have them). */
const noNameParts = { firstName: '', middleName: '', surname: '' };

/** The customers, each with its Company contact and 1–n Person contacts under it (BC's contact model). */
function customersAndContacts(
  g: BcGenerator,
  currencyByCode: Map<string, DemoRecord>,
  salespeoplePurchasers: DemoRecord[],
  options: ReturnType<typeof optionTables>,
): { customers: DemoRecord[]; contacts: DemoRecord[] } {
  const { o, rnd, stamp, guid } = g;
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
    // Every customer has payment terms; every fifth has no shipment method, every fourth no shipping agent.
    const terms = options.paymentTerms[i % options.paymentTerms.length];
    const shipment = i % 5 === 4 ? undefined : options.shipmentMethods[i % options.shipmentMethods.length];
    const agent = i % 4 === 3 ? undefined : options.shippingAgents[i % options.shippingAgents.length];
    const address = `${(i % 97) + 1} ${STREETS[i % STREETS.length]}`;
    const phone = `+${place.country === 'US' ? '1' : '47'} ${String(20000000 + i * 37).slice(0, 8)}`;
    // The customer's address and phone, also its contacts' (spread in place: the key order is part of the dataset).
    const postal = {
      addressLine1: address,
      addressLine2: '',
      city: place.city,
      state: '',
      country: place.country,
      postalCode: place.postalCode,
      phoneNumber: phone,
    };
    customers[i] = {
      id,
      number,
      displayName: name,
      type: 'Company',
      ...postal,
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
      paymentTermsId: terms ? terms.id : EMPTY_GUID,
      shipmentMethodId: shipment ? shipment.id : EMPTY_GUID,
      paymentMethodId: EMPTY_GUID,
      blocked: i % 17 === 16 ? 'All' : ' ',
      lastModifiedDateTime: stamp(),
      // Fields only the custom page `customerCards` shows (the codes agree with the ids above).
      paymentTermsCode: terms ? terms.code : '',
      shipmentMethodCode: shipment ? shipment.code : '',
      shippingAgentCode: agent ? agent.code : '',
      __priceGroupCode: o.customerPriceGroups > 0 ? PRICE_GROUPS[i % o.customerPriceGroups].code : '',
    };
    // BC's model: every customer has a Company contact (business relation "Customer"); persons hang under it.
    const companyNumber = nextContactNumber();
    const companyContactId = guid('contact-company', i);
    customers[i]['__contactId'] = companyContactId;
    // What the Company contact and its persons share.
    const companyFields = {
      companyNumber,
      companyName: name,
      contactBusinessRelation: 'Customer',
      ...postal,
    };
    // The Contact Card fields a company contact and its persons share: the customer's currency and salesperson.
    const contactCardShared = { currencyCode, salespersonCode: customers[i]['salespersonCode'] as string };
    contacts.push({
      id: companyContactId,
      number: companyNumber,
      type: 'Company',
      displayName: name,
      jobTitle: '',
      ...companyFields,
      mobilePhoneNumber: '',
      email: `info@${domain}`,
      website: `www.${domain}`,
      searchName: name.toUpperCase().slice(0, 100),
      privacyBlocked: false,
      taxRegistrationNumber: '',
      lastInteractionDate: null,
      lastModifiedDateTime: stamp(),
      // Fields only the custom page `contactCards` shows (a company contact has no name parts).
      ...noNameParts,
      faxNumber: '',
      pager: '',
      ...contactCardShared,
      __customerId: id,
    });
    const persons = rnd.int(o.contactsPerCustomer[0], o.contactsPerCustomer[1]);
    for (let k = 0; k < persons; k++) {
      const p = person(i * 3 + k);
      // Every fifth customer's first person has a middle name; Name is First, Middle and Surname joined (as in BC).
      const middle = k === 0 && i % 5 === 1 ? MIDDLE_NAMES[i % MIDDLE_NAMES.length] : '';
      const displayName = middle ? `${p.first} ${middle} ${p.last}` : `${p.first} ${p.last}`;
      contacts.push({
        id: guid('contact-person', i * 16 + k),
        number: nextContactNumber(),
        type: 'Person',
        displayName,
        jobTitle: JOB_TITLES[(i + k) % JOB_TITLES.length],
        ...companyFields,
        mobilePhoneNumber: `+47 9${String(1000000 + i * 7 + k).slice(-7)}`,
        email: `${p.first}.${p.last}@${domain}`.toLowerCase().slice(0, 80),
        website: '',
        searchName: displayName.toUpperCase(),
        privacyBlocked: false,
        taxRegistrationNumber: '',
        lastInteractionDate: null,
        lastModifiedDateTime: stamp(),
        // Fields only the custom page `contactCards` shows: every third customer's persons have a fax, every fourth
        // customer's a pager.
        firstName: p.first,
        middleName: middle,
        surname: p.last,
        faxNumber: i % 3 === 0 ? `+47 2${String(2000000 + i * 11 + k).slice(-7)}` : '',
        pager: i % 4 === 1 ? `+47 8${String(3000000 + i * 13 + k).slice(-7)}` : '',
        ...contactCardShared,
      });
    }
  }
  return { customers, contacts };
}

/** The items (composed from item kinds and cities) and the resources. */
function itemsAndResources(
  g: BcGenerator,
  unitByCode: Map<string, DemoRecord>,
): { items: DemoRecord[]; resources: DemoRecord[] } {
  const { o, stamp, guid } = g;
  const items: DemoRecord[] = [];
  for (let i = 0; i < o.items; i++) {
    const kind = ITEM_KINDS[i % ITEM_KINDS.length];
    const city = ITEM_CITIES[Math.floor(i / ITEM_KINDS.length) % ITEM_CITIES.length];
    const round = Math.floor(i / (ITEM_KINDS.length * ITEM_CITIES.length));
    const unit = unitByCode.get(kind.unit)!;
    const price = money(kind.price * (1 + (i % 5) * 0.05));
    const service = i % 10 === 9;
    items.push({
      id: guid('item', i),
      number: String(1000 + i),
      displayName: `${city} ${kind.kind}${round > 0 ? ` ${round + 1}` : ''}`,
      displayName2: '',
      type: service ? 'Service' : 'Inventory',
      itemCategoryId: EMPTY_GUID,
      itemCategoryCode: kind.unit === 'PCS' ? 'FURNITURE' : 'SUPPLIERS',
      blocked: i % 19 === 18,
      gtin: '',
      inventory: service ? 0 : (i * 13) % 150,
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
      // Fields only the custom page `itemCards` shows: inventory items are bought from one of four vendors.
      ...(service
        ? { vendorNumber: '', vendorItemNumber: '', unitVolume: 0, grossWeight: 0 }
        : {
            vendorNumber: `V${String(20000 + (i % 4) * 10)}`,
            vendorItemNumber: `VI-${String(1000 + i)}`,
            unitVolume: Math.round(kind.price * 0.3 + i) / 100,
            grossWeight: Math.round(kind.price * 4 + i * 10) / 100,
          }),
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
      // Machines are rented from a vendor; capacity in hours per month (a FlowField in BC).
      vendorNumber: r.type === 'Machine' ? `V${String(10000 + i * 10)}` : '',
      capacity: r.type === 'Person' ? 160 : 80,
      blocked: false,
      lastModifiedDateTime: stamp(),
    });
  }
  return { items, resources };
}

/** The customer price groups and the sales prices of items per group (custom API pages). */
function pricing(
  g: BcGenerator,
  items: DemoRecord[],
): { customerPriceGroups: DemoRecord[]; salesPrices: DemoRecord[] } {
  const { o, stamp, guid } = g;
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
  return { customerPriceGroups, salesPrices };
}

/** What the last line of an invoice with more than one line is, by invoice: every line type BC posts. */
function lastLineKind(
  n: number,
  lineCount: number,
  hasResources: boolean,
): 'Item' | 'Resource' | 'Account' | 'Comment' {
  if (lineCount < 2) return 'Item';
  const kind = (['Item', 'Resource', 'Account', 'Comment'] as const)[n % 4];
  return kind === 'Resource' && !hasResources ? 'Item' : kind;
}

/**
 * The posted and draft sales invoices with their lines, dated backwards from the base time. Most lines sell items;
 * the last line of an invoice with several lines is, by invoice, an item, a resource, a G/L account (freight) or a
 * comment, so every line type is there.
 */
function invoices(
  g: BcGenerator,
  customers: DemoRecord[],
  items: DemoRecord[],
  resources: DemoRecord[],
  unitByCode: Map<string, DemoRecord>,
): { salesInvoices: DemoRecord[]; salesInvoiceLines: DemoRecord[] } {
  const { o, rnd, stamp, guid } = g;
  const salesInvoices: DemoRecord[] = [];
  const salesInvoiceLines: DemoRecord[] = [];
  const invoiceCount = o.postedInvoices + o.draftInvoices;
  // BC posts no invoice to a blocked customer or with a blocked item.
  const active = customers.filter((c) => c.blocked !== 'All');
  const sellable = items.filter((i) => i.blocked !== true);
  for (let n = 0; n < invoiceCount && active.length > 0 && sellable.length > 0; n++) {
    const posted = n < o.postedInvoices;
    const customer = active[(n * 7) % active.length];
    const invoiceId = guid('invoice', n);
    const dayMs = 86_400_000;
    const postingMs = o.baseMs - (invoiceCount - n) * 3 * dayMs;
    const lineCount = rnd.int(o.linesPerInvoice[0], o.linesPerInvoice[1]);
    let net = 0;
    let tax = 0;
    for (let k = 0; k < lineCount; k++) {
      const kind = k === lineCount - 1 ? lastLineKind(n, lineCount, resources.length > 0) : 'Item';
      const item = sellable[(n * 3 + k) % sellable.length];
      const resource = resources[n % Math.max(1, resources.length)];
      const hour = unitByCode.get('HOUR');
      const what =
        kind === 'Item'
          ? {
              itemId: item.id,
              accountId: EMPTY_GUID,
              lineObjectNumber: item.number,
              description: item.displayName,
              unitOfMeasureId: item.baseUnitOfMeasureId,
              unitOfMeasureCode: item.baseUnitOfMeasureCode,
              unitPrice: item.unitPrice as number,
            }
          : kind === 'Resource'
            ? {
                itemId: EMPTY_GUID,
                accountId: EMPTY_GUID,
                lineObjectNumber: resource.number,
                description: resource.displayName,
                unitOfMeasureId: hour?.id ?? EMPTY_GUID,
                unitOfMeasureCode: 'HOUR',
                unitPrice: resource.unitPrice as number,
              }
            : kind === 'Account'
              ? {
                  itemId: EMPTY_GUID,
                  accountId: guid('gl-account', 6610),
                  lineObjectNumber: '6610',
                  description: 'Freight charges',
                  unitOfMeasureId: EMPTY_GUID,
                  unitOfMeasureCode: '',
                  unitPrice: 45,
                }
              : {
                  itemId: EMPTY_GUID,
                  accountId: EMPTY_GUID,
                  lineObjectNumber: '',
                  description: 'Thank you for your business.',
                  unitOfMeasureId: EMPTY_GUID,
                  unitOfMeasureCode: '',
                  unitPrice: 0,
                };
      const quantity = kind === 'Comment' ? 0 : 1 + ((n + k) % 5);
      const unitPrice = what.unitPrice;
      // Some first lines carry a 10 % line discount.
      const discountPercent = k === 0 && n % 3 === 2 ? 10 : 0;
      const discountAmount = money((quantity * unitPrice * discountPercent) / 100);
      const amount = money(quantity * unitPrice - discountAmount);
      const lineTax = money(amount * 0.25);
      net += amount;
      tax += lineTax;
      salesInvoiceLines.push({
        id: guid('invoice-line', n * 64 + k),
        documentId: invoiceId,
        sequence: (k + 1) * 10000,
        ...what,
        lineType: kind,
        quantity,
        unitPrice,
        discountAmount,
        discountPercent,
        discountAppliedBeforeTax: false,
        amountExcludingTax: amount,
        taxCode: kind === 'Comment' ? '' : 'VAT25',
        taxPercent: kind === 'Comment' ? 0 : 25,
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
  return { salesInvoices, salesInvoiceLines };
}

/** The employees. */
function employeeRecords(g: BcGenerator): DemoRecord[] {
  const { o, stamp, guid } = g;
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
  return employees;
}

/**
 * Generates the Business Central half of the demo dataset. Deterministic for the same options. Throws `RangeError`
 * for invalid options.
 */
export function generateBusinessCentralDemoData(options: DemoDataOptions = {}): BusinessCentralDemoData {
  const o = resolveDemoDataOptions(options);
  let tick = 0;
  const g: BcGenerator = {
    o,
    rnd: new SeededRandom(o.randomSeed * 7919),
    stamp: () => new Date(o.baseMs + tick++ * 1000).toISOString(),
    guid: (ns, i) => deterministicGuid(`${o.randomSeed}:bc:${ns}`, i),
  };
  // The order of these calls is the order of the random draws and timestamps: changing it changes the dataset.
  const masters = masterData(g);
  const optionRows = optionTables(g);
  const { customers, contacts } = customersAndContacts(
    g,
    masters.currencyByCode,
    masters.salespeoplePurchasers,
    optionRows,
  );
  const { items, resources } = itemsAndResources(g, masters.unitByCode);
  const { customerPriceGroups, salesPrices } = pricing(g, items);
  const { salesInvoices, salesInvoiceLines } = invoices(g, customers, items, resources, masters.unitByCode);
  const employees = employeeRecords(g);
  // Added later than the tables above: stamped after them so their timestamps stayed as they were.
  const currencyExchangeRates = exchangeRates(g, masters.currencies);
  for (const row of [...optionRows.paymentTerms, ...optionRows.shipmentMethods, ...optionRows.shippingAgents])
    row.lastModifiedDateTime = g.stamp();
  return {
    company: DEMO_COMPANY,
    currencies: masters.currencies,
    unitsOfMeasure: masters.unitsOfMeasure,
    salespeoplePurchasers: masters.salespeoplePurchasers,
    customers,
    contacts,
    items,
    resources,
    customerPriceGroups,
    salesPrices,
    salesInvoices,
    salesInvoiceLines,
    employees,
    currencyExchangeRates,
    ...optionRows,
  };
}
