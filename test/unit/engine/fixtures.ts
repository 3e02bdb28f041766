import { defaultMappings } from '../../../mappings/default-mappings';
import type { IntegrationTableMapping } from '../../../mappings/mapping-model';
import type { LookupRequest, LookupResolver, LookupResult } from '../../../engine/lookups';
import type { CouplingState, DataRecord } from '../../../engine/record-types';

export const BC_CUSTOMER_ID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
export const DV_ACCOUNT_ID = '7d2a1c3b-1111-4222-8333-944455556666';
export const DV_CURRENCY_NOK = 'aaaaaaaa-0000-4000-8000-000000000001';
export const DV_BASE_CURRENCY = 'aaaaaaaa-0000-4000-8000-0000000000ff';
export const DV_USER_ID = 'bbbbbbbb-0000-4000-8000-000000000001';

/** A default mapping by name, optionally changed for a test. */
export function mapping(name: string, change: Partial<IntegrationTableMapping> = {}): IntegrationTableMapping {
  const m = defaultMappings().find((x) => x.name === name);
  if (!m) throw new Error(`no mapping ${name}`);
  return { ...m, ...change };
}

export function bcCustomer(change: Record<string, unknown> = {}): DataRecord {
  return {
    '@odata.etag': 'W/"JzQ0O2c4UTNa"',
    id: BC_CUSTOMER_ID,
    number: '10000',
    displayName: 'Adatum Corporation',
    type: 'Company',
    addressLine1: 'Station Road 21',
    addressLine2: '',
    city: 'Oslo',
    state: '',
    country: 'NO',
    postalCode: '0150',
    phoneNumber: '+47 22 00 00 00',
    email: 'info@adatum.example',
    website: 'www.adatum.example',
    salespersonCode: 'JR',
    creditLimit: 5000,
    currencyCode: 'NOK',
    currencyId: '11111111-0000-4000-8000-000000000001',
    blocked: ' ',
    lastModifiedDateTime: '2026-11-24T01:00:00.123Z',
    ...change,
  };
}

export function dvAccount(change: Record<string, unknown> = {}): DataRecord {
  return {
    '@odata.etag': 'W/"1001"',
    accountid: DV_ACCOUNT_ID,
    name: 'Adatum Corporation',
    address1_line1: 'Station Road 21',
    address1_line2: null,
    address1_city: 'Oslo',
    address1_stateorprovince: null,
    address1_country: 'NO',
    address1_postalcode: '0150',
    telephone1: '+47 22 00 00 00',
    emailaddress1: 'info@adatum.example',
    websiteurl: 'www.adatum.example',
    _ownerid_value: DV_USER_ID,
    creditlimit: 5000.0,
    _transactioncurrencyid_value: DV_CURRENCY_NOK,
    statecode: 0,
    customertypecode: 3,
    modifiedon: '2026-11-24T01:00:00Z',
    ...change,
  };
}

/** A coupling in the state it has right after a successful sync of `bc` ↔ `dv`. */
export function coupling(change: Partial<CouplingState> = {}): CouplingState {
  return {
    bcId: BC_CUSTOMER_ID,
    dvId: DV_ACCOUNT_ID,
    skipped: false,
    bcHash: null,
    dvHash: null,
    toDataverse: { lastResult: 'success', lastError: null },
    toBc: { lastResult: 'success', lastError: null },
    ...change,
  };
}

/**
 * A lookup resolver over a small table keyed `<target>|<from>|<value>` (value '' = blank). Unknown keys resolve as
 * not coupled, like a real resolver that found the record but no coupling.
 */
export function resolver(table: Record<string, LookupResult>): LookupResolver & { requests: LookupRequest[] } {
  const requests: LookupRequest[] = [];
  const fn = (request: LookupRequest): LookupResult => {
    requests.push(request);
    return table[`${request.target}|${request.from}|${request.value ?? ''}`] ?? { status: 'not-coupled' };
  };
  return Object.assign(fn, { requests });
}

/** Lookups of the sample customer/account, all coupled. */
export const customerLookups = (): ReturnType<typeof resolver> =>
  resolver({
    'SALESPEOPLE|bc|JR': { status: 'resolved', value: DV_USER_ID },
    'CURRENCY|bc|NOK': { status: 'resolved', value: DV_CURRENCY_NOK },
    'CURRENCY|bc|': { status: 'resolved', value: DV_BASE_CURRENCY },
    'CURRENCY|dataverse|aaaaaaaa-0000-4000-8000-000000000001': { status: 'resolved', value: 'NOK' },
    'CURRENCY|dataverse|aaaaaaaa-0000-4000-8000-0000000000ff': { status: 'resolved', value: '' },
  });
