/**
 * The word lists and fixed catalogs the demo generators draw from. Order matters: generators index into these lists
 * by position, so reordering or inserting a word changes the generated dataset (the golden digests in
 * test/emulators/shared/demo-data.test.ts catch it).
 */

/** The BC currencies of the demo (the company's local currency is blank on records). */
export const DEMO_CURRENCIES = [
  { code: 'EUR', displayName: 'Euro', symbol: '€' },
  { code: 'USD', displayName: 'US dollar', symbol: '$' },
  { code: 'GBP', displayName: 'Pound Sterling', symbol: '£' },
  { code: 'NOK', displayName: 'Norwegian Krone', symbol: 'kr' },
  { code: 'SEK', displayName: 'Swedish Krona', symbol: 'kr' },
] as const;

/**
 * A currency the demo adds after the others and gives NO exchange rate, so the CURRENCY job has one record that fails
 * for a reason a user can fix in Business Central (enter a rate).
 */
export const DEMO_CURRENCY_WITHOUT_RATE = { code: 'ISK', displayName: 'Icelandic Krona', symbol: 'kr' } as const;

/**
 * BC exchange rates against the local currency NOK (blank relational currency): from `startingDate` on, 100 units of
 * the currency cost `relationalExchangeRateAmount` NOK. EUR has an older and a current rate. NOK itself (the local
 * currency) and DEMO_CURRENCY_WITHOUT_RATE have none.
 */
export const DEMO_EXCHANGE_RATES = [
  { currencyCode: 'EUR', startingDate: '2024-01-01', relationalExchangeRateAmount: 1150 },
  { currencyCode: 'EUR', startingDate: '2025-01-01', relationalExchangeRateAmount: 1175.5 },
  { currencyCode: 'USD', startingDate: '2025-01-01', relationalExchangeRateAmount: 1065.2 },
  { currencyCode: 'GBP', startingDate: '2025-01-01', relationalExchangeRateAmount: 1380.75 },
  { currencyCode: 'SEK', startingDate: '2025-01-01', relationalExchangeRateAmount: 101.5 },
] as const;

/** BC payment terms of the demo (CRONUS codes; date formulas in their text form). */
export const DEMO_PAYMENT_TERMS = [
  {
    code: '14 DAYS',
    displayName: 'Net 14 days',
    dueDateCalculation: '14D',
    discountDateCalculation: '',
    discountPercent: 0,
  },
  {
    code: '30 DAYS',
    displayName: 'Net 30 days',
    dueDateCalculation: '30D',
    discountDateCalculation: '',
    discountPercent: 0,
  },
  {
    code: '1M(8D)',
    displayName: '1 Month/2% 8 days',
    dueDateCalculation: '1M',
    discountDateCalculation: '8D',
    discountPercent: 2,
  },
  {
    code: 'COD',
    displayName: 'Cash on delivery',
    dueDateCalculation: '0D',
    discountDateCalculation: '',
    discountPercent: 0,
  },
] as const;

/** BC shipment methods of the demo (CRONUS codes). */
export const DEMO_SHIPMENT_METHODS = [
  { code: 'CIF', displayName: 'Cost Insurance and Freight' },
  { code: 'EXW', displayName: 'Ex Warehouse' },
  { code: 'FOB', displayName: 'Free on Board' },
  { code: 'PICKUP', displayName: 'Pickup at Location' },
] as const;

/** BC shipping agents of the demo (custom page `shippingAgents`; CRONUS codes). */
export const DEMO_SHIPPING_AGENTS = [
  { code: 'DHL', name: 'DHL Systems, Inc.', internetAddress: 'www.dhl.com' },
  { code: 'FEDEX', name: 'Federal Express Corporation', internetAddress: 'www.fedex.com' },
  { code: 'UPS', name: 'UPS', internetAddress: 'www.ups.com' },
  { code: 'OWN LOG.', name: 'Own Logistics', internetAddress: '' },
] as const;

/** The BC units of measure of the demo. */
export const DEMO_UNITS = [
  { code: 'PCS', displayName: 'Piece', internationalStandardCode: 'EA', symbol: 'pcs' },
  { code: 'BOX', displayName: 'Box', internationalStandardCode: 'BX', symbol: 'box' },
  { code: 'HOUR', displayName: 'Hour', internationalStandardCode: 'HUR', symbol: 'h' },
  { code: 'KG', displayName: 'Kilogram', internationalStandardCode: 'KGM', symbol: 'kg' },
] as const;

/** The fixed names of the first demo customers; more are composed from word lists. */
export const NAMED_CUSTOMERS = [
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
export const NAME_PREFIXES = [
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
export const NAME_NOUNS = [
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
export const NAME_SUFFIXES = ['AS', 'AB', 'Ltd.', 'GmbH', 'Inc.', 'A/S', 'Oy', 'LLC'];
export const FIRST_NAMES = [
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
export const LAST_NAMES = [
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
export const JOB_TITLES = [
  'Purchasing Manager',
  'CEO',
  'Office Manager',
  'Accountant',
  'Sales Director',
  'IT Manager',
  'Buyer',
];
export const CITIES = [
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
export const STREETS = [
  'Main Street',
  'Harbour Road',
  'Kirkegata',
  'Storgata',
  'Park Avenue',
  'Mill Lane',
  'Drottninggatan',
];
export const ITEM_CITIES = [
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
export const ITEM_KINDS = [
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
export const RESOURCE_NAMES = [
  { name: 'Katherine Hull', type: 'Person' },
  { name: 'Lift for Furniture', type: 'Machine' },
  { name: 'Mark Hanson', type: 'Person' },
  { name: 'Terry Dodds', type: 'Person' },
  { name: 'Linda Martin', type: 'Person' },
  { name: 'Installation Van', type: 'Machine' },
];
export const PRICE_GROUPS = [
  { code: 'RETAIL', description: 'Retail customers', allowInvoiceDiscount: true, priceIncludesVat: true },
  { code: 'WHOLESALE', description: 'Wholesale customers', allowInvoiceDiscount: true, priceIncludesVat: false },
  { code: 'EXPORT', description: 'Export customers', allowInvoiceDiscount: false, priceIncludesVat: false },
  { code: 'PUBLIC', description: 'Public sector', allowInvoiceDiscount: false, priceIncludesVat: false },
];
