/**
 * The Dataverse half of the demo dataset. Rows use logical column names; lookups are given in their read form
 * `_<lookup>_value` (a GUID), with `<lookup>type`/`owneridtype` naming the target table of polymorphic lookups.
 */
import { deterministicGuid, SeededRandom } from '../random';
import type { DataverseDemoData, DataverseDemoRow, DemoDataOptions } from './types';
import { resolveDemoDataOptions, type ResolvedDemoDataOptions } from './options';
import { demoCustomerName, demoSalespeople, person, slug } from './common';
import { CITIES, JOB_TITLES, STREETS } from './words';

/** What every part of the Dataverse generator shares, in call order: the options, the random source, ids, the columns
 *  every row has (`createdon`/`modifiedon` one second after the previous row, active state). */
interface DvGenerator {
  readonly o: Readonly<ResolvedDemoDataOptions>;
  readonly rnd: SeededRandom;
  readonly guid: (ns: string, i: number) => string;
  readonly common: () => Record<string, unknown>;
}

/** The organization as a fresh one has it: the base currency (NOK), the root business unit, the organization row. */
function organization(g: DvGenerator): {
  baseCurrencyId: string;
  businessUnitId: string;
  transactioncurrencies: DataverseDemoRow[];
  businessunits: DataverseDemoRow[];
  organizations: DataverseDemoRow[];
} {
  const { guid, common } = g;
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
  return { baseCurrencyId, businessUnitId, transactioncurrencies, businessunits, organizations };
}

/** The system users: those sharing a BC salesperson's e-mail, DV-only ones, and the integration's application user. */
function systemUsers(g: DvGenerator, businessUnitId: string): DataverseDemoRow[] {
  const { o, guid, common } = g;
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
  return systemusers;
}

/** The default unit group with its primary unit, one DV-only price list and the DV-only products. */
function productCatalog(
  g: DvGenerator,
  baseCurrencyId: string,
): {
  uomschedules: DataverseDemoRow[];
  uoms: DataverseDemoRow[];
  pricelevels: DataverseDemoRow[];
  products: DataverseDemoRow[];
} {
  const { o, guid, common } = g;
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
  return { uomschedules, uoms, pricelevels, products };
}

/** The accounts (the overlapping BC customers by name, then DV-only ones), each with its person contacts. */
function accountsAndContacts(
  g: DvGenerator,
  baseCurrencyId: string,
  owners: DataverseDemoRow[],
): { accounts: DataverseDemoRow[]; contacts: DataverseDemoRow[] } {
  const { o, rnd, guid, common } = g;
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
    // The account's address, also its contacts' (spread in place: the key order is part of the dataset).
    const address1 = {
      address1_line1: `${(a % 50) + 1} ${STREETS[(a + 3) % STREETS.length]}`,
      address1_line2: '',
      address1_city: place.city,
      address1_stateorprovince: '',
      address1_postalcode: place.postalCode,
      address1_country: place.country,
    };
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
        ...address1,
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
      ...address1,
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
  return { accounts, contacts };
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
  let tick = 0;
  const stamp = (): string => new Date(o.baseMs + tick++ * 1000).toISOString();
  const g: DvGenerator = {
    o,
    rnd: new SeededRandom(o.randomSeed * 104729),
    guid: (ns, i) => deterministicGuid(`${o.randomSeed}:dv:${ns}`, i),
    common: () => {
      const t = stamp();
      return { createdon: t, modifiedon: t, statecode: 0, statuscode: 1 };
    },
  };
  // The order of these calls is the order of the random draws and timestamps: changing it changes the dataset.
  const org = organization(g);
  const systemusers = systemUsers(g, org.businessUnitId);
  const owners = systemusers.filter((u) => u['isintegrationuser'] !== true);
  const { uomschedules, uoms, pricelevels, products } = productCatalog(g, org.baseCurrencyId);
  const { accounts, contacts } = accountsAndContacts(g, org.baseCurrencyId, owners);
  return {
    transactioncurrencies: org.transactioncurrencies,
    businessunits: org.businessunits,
    organizations: org.organizations,
    systemusers,
    accounts,
    contacts,
    uomschedules,
    uoms,
    pricelevels,
    products,
  };
}
