// The master-data sets the CURRENCY job and the option mappings read (issue 9, item 8): API v2.0
// currencyExchangeRates, paymentTerms and shipmentMethods; the custom pages shippingAgents, customerCards, contactCards
// and itemCards; and the resources page as RESOURCE-PRODUCT reads it. Raw HTTP only.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_COMPANY } from '../../../emulators/shared/demo-data';
import { contactMapping } from '../../../mappings/defaults/contact';
import { itemProductMapping } from '../../../mappings/defaults/item-product';
import { resourceProductMapping } from '../../../mappings/defaults/resource-product';
import { errorCode, readAll, startHarness, type BcHarness, type Json } from './helpers';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Exchange rates are read-only through the API, so the test's own rows come in through a state file. */
const RATES = [
  { currencyCode: 'EUR', startingDate: '2026-01-01', exchangeRateAmount: 100, relationalExchangeRateAmount: 1150 },
  { currencyCode: 'EUR', startingDate: '2026-06-01', exchangeRateAmount: 100, relationalExchangeRateAmount: 1175.5 },
  { currencyCode: 'USD', startingDate: '2026-01-01', exchangeRateAmount: 100, relationalExchangeRateAmount: 1052.3 },
].map((r, i) => ({
  id: `00000000-0000-4000-8000-00000000000${i + 1}`,
  ...r,
  relationalCurrencyCode: '',
  lastModifiedDateTime: `2026-01-0${i + 1}T08:00:00.000Z`,
}));

async function startWithRates(dir: string): Promise<BcHarness> {
  const stateFile = join(dir, 'bc-state.json');
  const now = '2026-01-01T00:00:00.000Z';
  await writeFile(
    stateFile,
    JSON.stringify({
      format: 1,
      versionCounter: RATES.length,
      companies: [
        {
          company: { ...DEMO_COMPANY, systemCreatedAt: now, systemModifiedAt: now },
          counters: {},
          tables: { currencyExchangeRates: RATES.map((data, i) => ({ data, version: i + 1 })) },
        },
      ],
    }),
  );
  return startHarness({ stateFile, pageSize: 2 });
}

describe('BC emulator: currencyExchangeRates (API v2.0, read-only)', () => {
  let dir: string;
  let h: BcHarness;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bc-rates-'));
    h = await startWithRates(dir);
  });
  after(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every rate with exactly the documented properties, across server pages', async () => {
    const { rows, pages } = await readAll(h, h.companyUrl('currencyExchangeRates'));
    assert.equal(pages, 2);
    assert.deepEqual(rows.map((r: Json) => `${r.currencyCode} ${r.startingDate}`).sort(), [
      'EUR 2026-01-01',
      'EUR 2026-06-01',
      'USD 2026-01-01',
    ]);
    assert.deepEqual(Object.keys(rows[0]).sort(), [
      '@odata.etag',
      'currencyCode',
      'exchangeRateAmount',
      'id',
      'lastModifiedDateTime',
      'relationalCurrencyCode',
      'relationalExchangeRateAmount',
      'startingDate',
    ]);
  });

  it('filters on currencyCode and startingDate and gets one rate by id', async () => {
    const eur = await h.json(h.companyUrl("currencyExchangeRates?$filter=currencyCode eq 'EUR'"));
    assert.equal(eur.status, 200);
    assert.deepEqual(eur.body.value.map((r: Json) => r.relationalExchangeRateAmount).sort(), [1150, 1175.5]);
    const latest = await h.json(
      h.companyUrl("currencyExchangeRates?$filter=currencyCode eq 'EUR' and startingDate le 2026-03-01"),
    );
    assert.deepEqual(
      latest.body.value.map((r: Json) => r.startingDate),
      ['2026-01-01'],
    );
    const one = await h.json(h.companyUrl(`currencyExchangeRates(${RATES[2].id})`));
    assert.equal(one.status, 200);
    assert.equal(one.body.currencyCode, 'USD');
    assert.equal(one.body.relationalCurrencyCode, '');
    assert.match(one.body['@odata.context'], /currencyExchangeRates\/\$entity$/);
  });

  it('refuses POST, PATCH and DELETE with 405, unknown properties with 400, and is not a custom page', async () => {
    const post = await h.json(h.companyUrl('currencyExchangeRates'), {
      method: 'POST',
      body: { currencyCode: 'GBP', startingDate: '2026-01-01' },
    });
    assert.equal(post.status, 405);
    assert.equal(errorCode(post.body), 'BadRequest_MethodNotAllowed');
    const patch = await h.json(h.companyUrl(`currencyExchangeRates(${RATES[0].id})`), {
      method: 'PATCH',
      body: { exchangeRateAmount: 1 },
      headers: { 'if-match': '*' },
    });
    assert.equal(patch.status, 405);
    const del = await h.json(h.companyUrl(`currencyExchangeRates(${RATES[0].id})`), { method: 'DELETE' });
    assert.equal(del.status, 405);
    // The property is `exchangeRateAmount`, not `exchangeAmount`.
    const unknown = await h.json(h.companyUrl('currencyExchangeRates?$filter=exchangeAmount gt 0'));
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /exchangeAmount.*Microsoft\.NAV\.currencyExchangeRate/);
    assert.equal((await h.json(h.customUrl('currencyExchangeRates'))).status, 404);
  });
});

/** The code lists: same behaviour for the two v2.0 sets and the custom shippingAgents page. */
const CODE_SETS = [
  {
    set: 'paymentTerms',
    api: 'v2.0',
    name: 'displayName',
    entity: 'paymentTerm',
    extra: { dueDateCalculation: '14D' },
  },
  { set: 'shipmentMethods', api: 'v2.0', name: 'displayName', entity: 'shipmentMethod', extra: {} },
  { set: 'shippingAgents', api: 'custom', name: 'name', entity: 'shippingAgent', extra: { internetAddress: 'x.no' } },
] as const;

for (const spec of CODE_SETS) {
  describe(`BC emulator: ${spec.set} (${spec.api === 'v2.0' ? 'API v2.0' : 'custom page'})`, () => {
    let h: BcHarness;
    const url = (path: string): string => (spec.api === 'v2.0' ? h.companyUrl(path) : h.customUrl(path));
    beforeEach(async () => {
      h = await startHarness({ seed: false, pageSize: 2 });
      for (const code of ['A1', 'B2', 'C3']) {
        const created = await h.json(url(spec.set), {
          method: 'POST',
          body: { code, [spec.name]: `Name ${code}`, ...spec.extra },
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
      }
    });
    afterEach(() => h.close());

    it('lists across pages, filters on code and gets by id', async () => {
      const { rows, pages } = await readAll(h, url(spec.set));
      assert.equal(pages, 2);
      assert.deepEqual(rows.map((r: Json) => r.code).sort(), ['A1', 'B2', 'C3']);
      const filtered = await h.json(url(`${spec.set}?$filter=code eq 'B2'`));
      assert.equal(filtered.status, 200);
      assert.equal(filtered.body.value.length, 1);
      const b2 = filtered.body.value[0];
      assert.match(b2.id, GUID);
      assert.equal(b2[spec.name], 'Name B2');
      const one = await h.json(url(`${spec.set}(${b2.id})`));
      assert.equal(one.status, 200);
      assert.equal(one.body.code, 'B2');
      for (const [key, value] of Object.entries(spec.extra)) assert.equal(one.body[key], value);
    });

    it('rejects unknown properties, duplicate codes and codes longer than 10 characters', async () => {
      const unknown = await h.json(url(spec.set), { method: 'POST', body: { code: 'D4', description: 'x' } });
      assert.equal(unknown.status, 400);
      assert.equal(errorCode(unknown.body), 'BadRequest');
      assert.match(unknown.body.error.message, new RegExp(`'description'.*Microsoft\\.NAV\\.${spec.entity}`));
      const badFilter = await h.json(url(`${spec.set}?$filter=description eq 'x'`));
      assert.equal(badFilter.status, 400);
      const duplicate = await h.json(url(spec.set), { method: 'POST', body: { code: 'a1' } });
      assert.equal(duplicate.status, 400);
      assert.equal(errorCode(duplicate.body), 'Internal_EntityWithSameKeyExists');
      const long = await h.json(url(spec.set), { method: 'POST', body: { code: 'ELEVENCHARS' } });
      assert.equal(long.status, 400);
      assert.equal(errorCode(long.body), 'Application_StringExceededLength');
    });

    it('is served only under its own API root', async () => {
      const other = spec.api === 'v2.0' ? h.customUrl(spec.set) : h.companyUrl(spec.set);
      assert.equal((await h.json(other)).status, 404);
    });
  });
}

describe('BC emulator: customers with payment terms, shipment methods and shipping agents', () => {
  let h: BcHarness;
  let terms: Json;
  let method: Json;
  let customer: Json;
  beforeEach(async () => {
    h = await startHarness({ seed: { customers: 2, contactsPerCustomer: 1 } });
    terms = (
      await h.json(h.companyUrl('paymentTerms'), { method: 'POST', body: { code: '14D', displayName: '14 days' } })
    ).body;
    method = (
      await h.json(h.companyUrl('shipmentMethods'), {
        method: 'POST',
        body: { code: 'DAP', displayName: 'Delivered at Place' },
      })
    ).body;
    const agent = await h.json(h.customUrl('shippingAgents'), {
      method: 'POST',
      body: { code: 'POSTEN', name: 'POSTEN' },
    });
    assert.equal(agent.status, 201);
    customer = (await h.json(h.companyUrl('customers?$top=1'))).body.value[0];
  });
  afterEach(() => h.close());

  it('links a customer to payment terms and a shipment method by id and expands them', async () => {
    const patched = await h.json(h.companyUrl(`customers(${customer.id})`), {
      method: 'PATCH',
      body: { paymentTermsId: terms.id, shipmentMethodId: method.id },
      headers: { 'if-match': customer['@odata.etag'] },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.paymentTermsId, terms.id);
    const expanded = await h.json(h.companyUrl(`customers(${customer.id})?$expand=paymentTerm,shipmentMethod`));
    assert.equal(expanded.body.paymentTerm.code, '14D');
    assert.equal(expanded.body.shipmentMethod.code, 'DAP');
    const missing = await h.json(h.companyUrl(`customers(${customer.id})`), {
      method: 'PATCH',
      body: { paymentTermsId: '11111111-2222-3333-4444-555555555555' },
      headers: { 'if-match': '*' },
    });
    assert.equal(missing.status, 400);
    assert.equal(errorCode(missing.body), 'Application_DialogException');
  });

  it('serves the same records on the customerCards page with the codes v2.0 lacks, kept in agreement', async () => {
    const card = await h.json(h.customUrl(`customerCards(${customer.id})`));
    assert.equal(card.status, 200);
    assert.equal(card.body['@odata.etag'], customer['@odata.etag']);
    assert.equal(card.body.lastModifiedDateTime, customer.lastModifiedDateTime);
    assert.equal(card.body.displayName, customer.displayName);
    const demoTerms = (await h.json(h.companyUrl(`paymentTerms(${customer.paymentTermsId})`))).body;
    assert.equal(card.body.paymentTermsCode, demoTerms.code, "the demo customer's code agrees with its id");
    const person = (await h.json(h.companyUrl("contacts?$filter=type eq 'Person'"))).body.value[0];
    const patched = await h.json(h.customUrl(`customerCards(${customer.id})`), {
      method: 'PATCH',
      body: {
        paymentTermsCode: '14D',
        shipmentMethodCode: 'DAP',
        shippingAgentCode: 'posten',
        faxNumber: '+47 22 00 00 01',
        primaryContactNumber: person.number,
      },
      headers: { 'if-match': card.body['@odata.etag'] },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.shippingAgentCode, 'POSTEN');
    assert.equal(patched.body.paymentTermsId, terms.id);
    assert.equal(patched.body.contactName, person.displayName);
    const v2 = await h.json(h.companyUrl(`customers(${customer.id})`));
    assert.equal(v2.body.paymentTermsId, terms.id);
    assert.equal(v2.body.shipmentMethodId, method.id);
    assert.equal(v2.body['@odata.etag'], patched.body['@odata.etag']);
    assert.ok(!('shippingAgentCode' in v2.body), 'the v2.0 page keeps its documented shape');
    const filtered = await h.json(h.customUrl("customerCards?$filter=shippingAgentCode eq 'POSTEN'"));
    assert.deepEqual(
      filtered.body.value.map((c: Json) => c.id),
      [customer.id],
    );
  });

  it('refuses unknown codes and disagreeing id/code pairs on customerCards, and is not on the v2.0 root', async () => {
    const unknownAgent = await h.json(h.customUrl(`customerCards(${customer.id})`), {
      method: 'PATCH',
      body: { shippingAgentCode: 'BRING' },
      headers: { 'if-match': '*' },
    });
    assert.equal(unknownAgent.status, 400);
    assert.match(unknownAgent.body.error.message, /BRING.*Shipping Agent/);
    const other = (await h.json(h.companyUrl('paymentTerms'), { method: 'POST', body: { code: '30D' } })).body;
    const mismatch = await h.json(h.customUrl(`customerCards(${customer.id})`), {
      method: 'PATCH',
      body: { paymentTermsId: other.id, paymentTermsCode: '14D' },
      headers: { 'if-match': '*' },
    });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.body.error.message, /payment terms values do not match/);
    assert.equal((await h.json(h.companyUrl('customerCards'))).status, 404);
  });

  it('creates a customer through customerCards with its company contact, visible on both pages', async () => {
    const created = await h.json(h.customUrl('customerCards'), {
      method: 'POST',
      body: { displayName: 'Card Customer', shippingAgentCode: 'POSTEN', mobilePhoneNumber: '+47 900 00 000' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body['@odata.context'], /customerCards\/\$entity$/);
    const v2 = await h.json(h.companyUrl(`customers(${created.body.id})`));
    assert.equal(v2.body.displayName, 'Card Customer');
    const contacts = await h.json(h.companyUrl("contacts?$filter=displayName eq 'Card Customer'"));
    assert.equal(contacts.body.value.length, 1);
    assert.equal(contacts.body.value[0].contactBusinessRelation, 'Customer');
  });
});

describe('BC emulator: the resources page as RESOURCE-PRODUCT reads it', () => {
  let h: BcHarness;
  beforeEach(async () => {
    h = await startHarness({ seed: { customers: 1, resources: 2 } });
  });
  afterEach(() => h.close());

  it('carries vendorNumber (writable) and capacity (read-only), and has no `name` property', async () => {
    const resource = (await h.json(h.customUrl('resources'))).body.value[0];
    assert.equal(typeof resource.capacity, 'number');
    assert.equal(typeof resource.vendorNumber, 'string');
    const patched = await h.json(h.customUrl(`resources(${resource.id})`), {
      method: 'PATCH',
      body: { vendorNumber: 'V10000' },
      headers: { 'if-match': resource['@odata.etag'] },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.vendorNumber, 'V10000');
    const capacity = await h.json(h.customUrl(`resources(${resource.id})`), {
      method: 'PATCH',
      body: { capacity: 10 },
      headers: { 'if-match': '*' },
    });
    assert.equal(capacity.status, 400);
    assert.equal(errorCode(capacity.body), 'Application_FieldValidationException');
    const name = await h.json(h.customUrl('resources?$select=number,name'));
    assert.equal(name.status, 400);
  });

  it('has every property the RESOURCE-PRODUCT mapping reads or filters on', async () => {
    const { bc, fieldMappings } = resourceProductMapping;
    const read = [bc.titleField, bc.numberField, ...fieldMappings.map((f) => f.bcField)];
    const filter = bc.filter ? `&$filter=${bc.filter}` : '';
    const listed = await h.json(h.customUrl(`resources?$select=${[...new Set(read)].join(',')}${filter}`));
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    for (const field of read) assert.ok(field! in listed.body.value[0], field);
  });
});

describe('BC emulator: the contactCards and itemCards pages (CONTACT and ITEM-PRODUCT)', () => {
  let h: BcHarness;
  beforeEach(async () => {
    h = await startHarness({ seed: { customers: 2, contactsPerCustomer: 1, items: 3 } });
  });
  afterEach(() => h.close());

  it('has every property CONTACT and ITEM-PRODUCT read or filter on, and not on the v2.0 root', async () => {
    for (const { bc, fieldMappings } of [contactMapping, itemProductMapping]) {
      const read = [...new Set([bc.titleField, bc.numberField, ...fieldMappings.map((f) => f.bcField)])];
      const filter = bc.filter ? `&$filter=${bc.filter}` : '';
      const listed = await h.json(h.customUrl(`${bc.entitySet}?$select=${read.filter(Boolean).join(',')}${filter}`));
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      for (const field of read) if (field) assert.ok(field in listed.body.value[0], `${bc.entitySet}.${field}`);
      assert.equal((await h.json(h.companyUrl(bc.entitySet))).status, 404);
    }
  });

  it('shows the same contacts as v2.0, keeps a person’s Name and its parts in agreement, checks the codes', async () => {
    const person = (await h.json(h.companyUrl("contacts?$filter=type eq 'Person'"))).body.value[0];
    const card = (await h.json(h.customUrl(`contactCards(${person.id})`))).body;
    assert.equal(card['@odata.etag'], person['@odata.etag']);
    assert.equal(card.lastModifiedDateTime, person.lastModifiedDateTime);
    assert.equal([card.firstName, card.middleName, card.surname].filter(Boolean).join(' '), person.displayName);
    assert.ok(!('firstName' in person), 'the v2.0 page keeps its documented shape');
    const patched = await h.json(h.customUrl(`contactCards(${person.id})`), {
      method: 'PATCH',
      body: { middleName: 'Marie', faxNumber: '+47 22 00 00 09', pager: '+47 80 00 00 09', currencyCode: 'eur' },
      headers: { 'if-match': card['@odata.etag'] },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.displayName, `${card.firstName} Marie ${card.surname}`);
    assert.equal(patched.body.currencyCode, 'EUR');
    const v2 = (await h.json(h.companyUrl(`contacts(${person.id})`))).body;
    assert.equal(v2.displayName, patched.body.displayName);
    assert.equal(v2['@odata.etag'], patched.body['@odata.etag']);
    // A new Name alone (e.g. through the v2.0 page) is broken down into its parts.
    await h.json(h.companyUrl(`contacts(${person.id})`), {
      method: 'PATCH',
      body: { displayName: 'Kari Nordmann' },
      headers: { 'if-match': '*' },
    });
    const again = (await h.json(h.customUrl(`contactCards(${person.id})`))).body;
    assert.deepEqual([again.firstName, again.middleName, again.surname], ['Kari', '', 'Nordmann']);
    for (const body of [{ currencyCode: 'XXX' }, { salespersonCode: 'NOBODY' }]) {
      const refused = await h.json(h.customUrl(`contactCards(${person.id})`), {
        method: 'PATCH',
        body,
        headers: { 'if-match': '*' },
      });
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.equal(errorCode(refused.body), 'Application_DialogException');
    }
    // A person created through the card gets its Name from the parts.
    const created = await h.json(h.customUrl('contactCards'), {
      method: 'POST',
      body: { type: 'Person', firstName: 'Ola', surname: 'Hansen', companyNumber: person.companyNumber },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.displayName, 'Ola Hansen');
  });

  it('shows the same items as v2.0 with the vendor, volume and weight fields', async () => {
    const item = (await h.json(h.companyUrl("items?$filter=type eq 'Inventory'"))).body.value[0];
    const card = (await h.json(h.customUrl(`itemCards(${item.id})`))).body;
    assert.equal(card['@odata.etag'], item['@odata.etag']);
    assert.match(card.vendorNumber, /^V\d+$/);
    assert.ok(card.grossWeight > 0 && card.unitVolume > 0);
    const patched = await h.json(h.customUrl(`itemCards(${item.id})`), {
      method: 'PATCH',
      body: { vendorItemNumber: 'ABC-1', grossWeight: 12.5 },
      headers: { 'if-match': card['@odata.etag'] },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const v2 = (await h.json(h.companyUrl(`items(${item.id})`))).body;
    assert.equal(v2['@odata.etag'], patched.body['@odata.etag']);
    assert.ok(!('grossWeight' in v2), 'the v2.0 page keeps its documented shape');
  });
});

describe('BC emulator: the demo data of the master-data sets', () => {
  let h: BcHarness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('serves rates for every foreign currency but ISK, the option tables, and customers pointing at them', async () => {
    const rates = (await readAll(h, h.companyUrl('currencyExchangeRates'))).rows;
    const currencies = (await readAll(h, h.companyUrl('currencies'))).rows.map((c: Json) => c.code);
    const rated = new Set(rates.map((r: Json) => r.currencyCode));
    assert.deepEqual(currencies.filter((code: string) => !rated.has(code)).sort(), ['ISK', 'NOK']);
    for (const [set, url] of [
      ['paymentTerms', h.companyUrl('paymentTerms')],
      ['shipmentMethods', h.companyUrl('shipmentMethods')],
      ['shippingAgents', h.customUrl('shippingAgents')],
    ])
      assert.equal((await readAll(h, url)).rows.length, 4, set);
    const customer = (await h.json(h.companyUrl('customers?$top=1&$expand=paymentTerm'))).body.value[0];
    assert.equal(typeof customer.paymentTerm.code, 'string');
    const card = (await h.json(h.customUrl(`customerCards(${customer.id})`))).body;
    assert.equal(card.paymentTermsCode, customer.paymentTerm.code);
    const resources = (await readAll(h, h.customUrl("resources?$filter=type eq 'Machine'"))).rows;
    assert.ok(resources.length > 0 && resources.every((r: Json) => r.vendorNumber !== '' && r.capacity > 0));
  });
});
