import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  demoCustomerName,
  generateBusinessCentralDemoData,
  generateDataverseDemoData,
} from '../../../emulators/shared/demo-data';
import { deterministicGuid } from '../../../emulators/shared/random';

/** SHA-256 of the dataset as JSON: a change to any generated value, key or key order changes it. */
const digest = (data: unknown): string => createHash('sha256').update(JSON.stringify(data)).digest('hex');

describe('shared demo data', () => {
  // Golden values: the emulators, the docs and the end-to-end tests rely on the exact demo dataset of a seed. A change
  // to the generators that changes a single value fails here; update these only for a deliberate change of the data.
  it('generates exactly the same dataset for the default seed (golden digests)', () => {
    assert.equal(
      digest(generateBusinessCentralDemoData()),
      '97df497731c3d41900ee37f1f5a1972107473be8426b60664d1bdb70b8dd5a3d',
    );
    assert.equal(
      digest(generateDataverseDemoData()),
      '06f422d4e3ee5639c094165bd77f077e4aa9167ebb96114686f992c20f2f75e1',
    );
  });

  it('generates exactly the same dataset for a scaled, re-seeded set of options (golden digests)', () => {
    const options = {
      customers: 250,
      randomSeed: 7,
      contactsPerCustomer: [0, 4] as [number, number],
      overlapFraction: 0.5,
    };
    assert.equal(
      digest(generateBusinessCentralDemoData(options)),
      'b6e72779f5df76614818c167331e7e0e931c4c007c26ca83326c9c4d938457b5',
    );
    assert.equal(
      digest(generateDataverseDemoData(options)),
      'a5e40e1624c430296f929edbc3ee7ee33a483e28c19b158fd7cc31841fd0fb09',
    );
  });

  it('is deterministic and has the default CRONUS-like sizes', () => {
    const a = generateBusinessCentralDemoData();
    const b = generateBusinessCentralDemoData();
    assert.deepEqual(a, b);
    assert.equal(a.customers.length, 40);
    assert.deepEqual(
      a.currencies.map((c) => c.code),
      ['EUR', 'USD', 'GBP', 'NOK', 'SEK', 'ISK'],
    );
    assert.deepEqual(
      a.unitsOfMeasure.map((u) => u.code),
      ['PCS', 'BOX', 'HOUR', 'KG'],
    );
    assert.equal(a.items.length, 20);
    assert.equal(a.resources.length, 5);
    assert.equal(a.salespeoplePurchasers.length, 6);
    assert.equal(a.customerPriceGroups.length, 3);
    assert.equal(a.salesPrices.length, 30);
    assert.equal(a.salesInvoices.filter((i) => i.status === 'Draft').length, 3);
    assert.equal(a.salesInvoices.filter((i) => i.status !== 'Draft').length, 15);
    const linesPer = new Map<string, number>();
    for (const l of a.salesInvoiceLines)
      linesPer.set(l['documentId'] as string, (linesPer.get(l['documentId'] as string) ?? 0) + 1);
    assert.ok([...linesPer.values()].every((n) => n >= 1 && n <= 4));
  });

  it('gives every foreign currency but one an exchange rate against the local currency NOK, and customers option codes', () => {
    const bc = generateBusinessCentralDemoData();
    const rated = new Set(bc.currencyExchangeRates.map((r) => r['currencyCode']));
    assert.deepEqual(
      bc.currencies.map((c) => c['code']).filter((code) => !rated.has(code)),
      ['NOK', 'ISK'],
      'NOK is the local currency; ISK is the deliberate currency without a rate',
    );
    assert.ok(bc.currencyExchangeRates.every((r) => r['relationalCurrencyCode'] === ''));
    assert.deepEqual([bc.paymentTerms.length, bc.shipmentMethods.length, bc.shippingAgents.length], [4, 4, 4]);
    const termsById = new Map(bc.paymentTerms.map((t) => [t.id, t['code']]));
    for (const c of bc.customers) assert.equal(termsById.get(c['paymentTermsId'] as string), c['paymentTermsCode']);
    assert.ok(bc.customers.some((c) => c['shippingAgentCode'] === ''));
    assert.ok(bc.customers.some((c) => c['shippingAgentCode'] !== ''));
    // The tables added later are stamped after all the others, so the older tables kept their timestamps.
    const newest = (rows: { lastModifiedDateTime: string }[]) =>
      rows
        .map((r) => r.lastModifiedDateTime)
        .sort()
        .at(-1)!;
    const oldest = (rows: { lastModifiedDateTime: string }[]) => rows.map((r) => r.lastModifiedDateTime).sort()[0];
    assert.ok(oldest(bc.currencyExchangeRates) > newest(bc.employees));
    assert.ok(oldest(bc.paymentTerms) > newest(bc.currencyExchangeRates));
  });

  it("mirrors BC's contact model: one Company contact per customer and 1–3 persons under it", () => {
    const data = generateBusinessCentralDemoData();
    const companies = data.contacts.filter((c) => c.type === 'Company');
    assert.equal(companies.length, 40);
    for (const customer of data.customers) {
      const company = companies.find((c) => c.displayName === customer.displayName)!;
      const persons = data.contacts.filter((c) => c.type === 'Person' && c.companyNumber === company.number);
      assert.ok(persons.length >= 1 && persons.length <= 3, customer.displayName as string);
      assert.ok(persons.every((p) => p.companyName === customer.displayName));
    }
  });

  it('overlaps the first third of BC customers with DV accounts by name, plus DV-only accounts', () => {
    const bc = generateBusinessCentralDemoData();
    const dv = generateDataverseDemoData();
    const bcNames = new Set(bc.customers.map((c) => c.displayName));
    const shared = dv.accounts.filter((a) => bcNames.has(a['name'] as string));
    assert.equal(shared.length, 13);
    assert.deepEqual(
      shared.map((a) => a['name']),
      bc.customers.slice(0, 13).map((c) => c.displayName),
    );
    assert.equal(dv.accounts.length - shared.length, 10);
    assert.ok(
      dv.accounts.every((a) => a['accountnumber'] === null),
      'uncoupled: no BC number on DV accounts',
    );
    assert.equal(new Set(dv.accounts.map((a) => a['name'])).size, dv.accounts.length);
  });

  it('gives DV a pre-existing base currency, a default unit group and users matching salespeople by e-mail', () => {
    const bc = generateBusinessCentralDemoData();
    const dv = generateDataverseDemoData();
    assert.deepEqual(
      dv.transactioncurrencies.map((c) => c['isocurrencycode']),
      ['NOK'],
    );
    assert.equal(dv.uomschedules[0]['name'], 'Default Unit');
    const emails = new Set(bc.salespeoplePurchasers.map((s) => s['email']));
    const matching = dv.systemusers.filter((u) => emails.has(u['internalemailaddress']));
    assert.equal(matching.length, 4);
    for (const contact of dv.contacts)
      assert.ok(dv.accounts.some((a) => a['accountid'] === contact['_parentcustomerid_value']));
  });

  it('gives unique customer names, numbers and ids at scale (100,000 customers)', () => {
    const data = generateBusinessCentralDemoData({ customers: 100_000, contactsPerCustomer: 1, postedInvoices: 1000 });
    assert.equal(data.customers.length, 100_000);
    assert.equal(new Set(data.customers.map((c) => c.displayName)).size, 100_000);
    assert.equal(new Set(data.customers.map((c) => c.number)).size, 100_000);
    assert.equal(new Set(data.customers.map((c) => c.id)).size, 100_000);
    assert.equal(demoCustomerName(99_999), data.customers[99_999].displayName);
  });

  it('makes stable version-4-shaped GUIDs', () => {
    assert.equal(deterministicGuid('x', 1), deterministicGuid('x', 1));
    assert.notEqual(deterministicGuid('x', 1), deterministicGuid('x', 2));
    assert.match(deterministicGuid('x', 1), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('rejects negative sizes', () => {
    assert.throws(() => generateBusinessCentralDemoData({ customers: -1 }), RangeError);
  });
});
