import assert from 'node:assert/strict';
import { errorCode, startHarness, type BcHarness, type Json } from './helpers';

describe('BC emulator: $filter', () => {
  let h: BcHarness;
  let customers: Json[];
  const filter = async (set: string, expression: string, extra = '') =>
    h.json(h.companyUrl(`${set}?$filter=${encodeURIComponent(expression)}${extra}`));
  before(async () => {
    h = await startHarness({ seed: { customers: 25, contactsPerCustomer: 1 } });
    customers = (await h.json(h.companyUrl('customers'))).body.value;
  });
  after(() => h.close());

  it('supports eq ne gt ge lt le and or not', async () => {
    const target = customers[5];
    assert.deepEqual(
      (await filter('customers', `number eq '${target.number}'`)).body.value.map((c: Json) => c.id),
      [target.id],
    );
    assert.equal((await filter('customers', `number ne '${target.number}'`)).body.value.length, 24);
    const ge = (await filter('customers', 'creditLimit ge 20000 and creditLimit le 30000')).body.value;
    assert.ok(ge.length > 0);
    assert.ok(ge.every((c: Json) => c.creditLimit >= 20000 && c.creditLimit <= 30000));
    const gtLt = (await filter('customers', 'creditLimit gt 0 and creditLimit lt 20000')).body.value;
    assert.ok(gtLt.every((c: Json) => c.creditLimit === 10000));
    const or = (await filter('customers', "city eq 'Oslo' or city eq 'Bergen'")).body.value;
    assert.ok(or.length > 0 && or.every((c: Json) => c.city === 'Oslo' || c.city === 'Bergen'));
    const not = (await filter('customers', "not (city eq 'Oslo')")).body.value;
    assert.ok(not.every((c: Json) => c.city !== 'Oslo'));
    assert.equal(not.length, 25 - customers.filter((c) => c.city === 'Oslo').length);
  });

  it('supports contains, startswith and endswith (case-sensitive)', async () => {
    const contains = (await filter('customers', "contains(displayName,'Research')")).body.value;
    assert.deepEqual(
      contains.map((c: Json) => c.displayName),
      ['Trey Research'],
    );
    assert.equal((await filter('customers', "contains(displayName,'research')")).body.value.length, 0);
    assert.equal((await filter('customers', "startswith(displayName,'Trey')")).body.value.length, 1);
    assert.equal((await filter('customers', "endswith(displayName,'Inc.')")).body.value.length >= 1, true);
  });

  it('accepts unquoted GUID and datetime literals', async () => {
    const target = customers[2];
    const byGuid = (await filter('customers', `id eq ${target.id}`)).body.value;
    assert.deepEqual(
      byGuid.map((c: Json) => c.id),
      [target.id],
    );
    const sorted = customers.map((c) => c.lastModifiedDateTime).sort();
    const after = (await filter('customers', `lastModifiedDateTime gt ${sorted[19]}`)).body.value;
    assert.equal(after.length, 5);
    const noMillis = sorted[0].replace(/\.\d{3}Z$/, 'Z');
    assert.equal((await filter('customers', `lastModifiedDateTime ge ${noMillis}`)).body.value.length, 25);
  });

  it("unescapes '' inside string literals", async () => {
    const created = await h.json(h.companyUrl('customers'), {
      method: 'POST',
      body: { displayName: "O'Brien & Sons" },
    });
    assert.equal(created.status, 201);
    const found = (await filter('customers', "displayName eq 'O''Brien & Sons'")).body.value;
    assert.deepEqual(
      found.map((c: Json) => c.id),
      [created.body.id],
    );
  });

  it("rejects OR across distinct fields with BC's message", async () => {
    const { status, body } = await filter('customers', "city eq 'Oslo' or country eq 'SE'");
    assert.equal(status, 400);
    errorCode(body);
    assert.match(body.error.message, /^The 'OR' operator is not supported on distinct fields on an OData filter\./);
    const nested = await filter('customers', "(city eq 'Oslo' or city eq 'Bergen') and country eq 'NO'");
    assert.equal(nested.status, 200);
  });

  it('ignores lambda expressions', async () => {
    const { status, body } = await filter('salesInvoices', 'salesInvoiceLines/any(l: l/quantity gt 1000)');
    assert.equal(status, 200);
    const all = (await h.json(h.companyUrl('salesInvoices'))).body.value;
    assert.equal(body.value.length, all.length);
  });

  it('rejects the in operator unless $schemaversion=2.1', async () => {
    const expression = "city in ('Oslo','Bergen')";
    const refused = await filter('customers', expression);
    assert.equal(refused.status, 400);
    const allowed = await filter('customers', expression, '&$schemaversion=2.1');
    assert.equal(allowed.status, 200);
    assert.ok(
      allowed.body.value.length > 0 && allowed.body.value.every((c: Json) => ['Oslo', 'Bergen'].includes(c.city)),
    );
  });

  it('turns off case sensitivity with tolower()', async () => {
    const { body } = await filter('customers', "contains(tolower(displayName),'research')");
    assert.deepEqual(
      body.value.map((c: Json) => c.displayName),
      ['Trey Research'],
    );
  });

  it('answers 400 on a syntax error and on an unknown property', async () => {
    const syntax = await filter('customers', "city eq 'Oslo");
    assert.equal(syntax.status, 400);
    errorCode(syntax.body);
    const unknown = await filter('customers', "colour eq 'red'");
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /colour/);
  });

  it('filters on the computed balanceDue', async () => {
    const { status, body } = await filter('customers', 'balanceDue gt 0');
    assert.equal(status, 200);
    assert.ok(body.value.length > 0);
    assert.ok(body.value.every((c: Json) => c.balanceDue > 0));
  });

  it('requires a document filter on top-level salesInvoiceLines', async () => {
    const refused = await h.json(h.companyUrl('salesInvoiceLines'));
    assert.equal(refused.status, 400);
    const invoice = (await h.json(h.companyUrl('salesInvoices?$top=1'))).body.value[0];
    const lines = await filter('salesInvoiceLines', `documentId eq ${invoice.id}`);
    assert.equal(lines.status, 200);
    assert.ok(lines.body.value.length >= 1);
    assert.ok(lines.body.value.every((l: Json) => l.documentId === invoice.id));
  });
});
