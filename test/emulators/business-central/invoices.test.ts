import assert from 'node:assert/strict';
import { errorCode, startHarness, type BcHarness, type Json } from './helpers';

describe('BC emulator: sales invoices', () => {
  let h: BcHarness;
  beforeEach(async () => {
    h = await startHarness({ seed: { customers: 6, postedInvoices: 4, draftInvoices: 2 } });
  });
  afterEach(() => h.close());

  const newDraft = async () => {
    const customer = (await h.json(h.companyUrl("customers?$filter=blocked eq ' '&$top=1"))).body.value[0];
    const invoice = await h.json(h.companyUrl('salesInvoices'), {
      method: 'POST',
      body: { customerNumber: customer.number },
    });
    assert.equal(invoice.status, 201);
    return { customer, invoice: invoice.body };
  };

  it('tells drafts and posted invoices apart by status', async () => {
    const all = (await h.json(h.companyUrl('salesInvoices'))).body.value;
    const drafts = all.filter((i: Json) => i.status === 'Draft');
    const posted = all.filter((i: Json) => i.status !== 'Draft');
    assert.equal(drafts.length, 2);
    assert.equal(posted.length, 4);
    assert.ok(posted.every((i: Json) => ['Open', 'Paid'].includes(i.status)));
    const filtered = (await h.json(h.companyUrl("salesInvoices?$filter=status eq 'Draft'"))).body.value;
    assert.deepEqual(filtered.map((i: Json) => i.id).sort(), drafts.map((i: Json) => i.id).sort());
  });

  it('creates a draft from a customer number, fills customer data and computes totals from lines', async () => {
    const { customer, invoice } = await newDraft();
    assert.equal(invoice.status, 'Draft');
    assert.equal(invoice.customerId, customer.id);
    assert.equal(invoice.customerName, customer.displayName);
    assert.equal(invoice.billToCity, customer.city);
    const line = await h.json(h.companyUrl(`salesInvoices(${invoice.id})/salesInvoiceLines`), {
      method: 'POST',
      body: { lineType: 'Item', lineObjectNumber: '1000', quantity: 2, unitPrice: 100 },
    });
    assert.equal(line.status, 201);
    assert.equal(line.body.documentId, invoice.id);
    assert.equal(line.body.amountExcludingTax, 200);
    assert.equal(line.body.amountIncludingTax, 250);
    const after = (await h.json(h.companyUrl(`salesInvoices(${invoice.id})`))).body;
    assert.equal(after.totalAmountExcludingTax, 200);
    assert.equal(after.totalAmountIncludingTax, 250);
    assert.notEqual(after['@odata.etag'], invoice['@odata.etag']);
  });

  it('posts a draft with Microsoft.NAV.post (204): status Open, a posted number, same id', async () => {
    const { invoice } = await newDraft();
    await h.json(h.companyUrl(`salesInvoices(${invoice.id})/salesInvoiceLines`), {
      method: 'POST',
      body: { lineObjectNumber: '1001', quantity: 1 },
    });
    const post = await h.call(h.companyUrl(`salesInvoices(${invoice.id})/Microsoft.NAV.post`), { method: 'POST' });
    assert.equal(post.status, 204);
    const posted = (await h.json(h.companyUrl(`salesInvoices(${invoice.id})`))).body;
    assert.equal(posted.status, 'Open');
    assert.equal(posted.id, invoice.id);
    assert.match(posted.number, /^\d+$/);
    assert.equal(posted.remainingAmount, posted.totalAmountIncludingTax);
    assert.ok(posted.lastModifiedDateTime > invoice.lastModifiedDateTime);
  });

  it('refuses edits, deletes and new lines on a posted invoice', async () => {
    const posted = (await h.json(h.companyUrl("salesInvoices?$filter=status eq 'Open'&$top=1"))).body.value[0];
    const url = h.companyUrl(`salesInvoices(${posted.id})`);
    const patch = await h.json(url, {
      method: 'PATCH',
      body: { externalDocumentNumber: 'X' },
      headers: { 'if-match': '*' },
    });
    assert.equal(patch.status, 400);
    assert.equal(errorCode(patch.body), 'Application_DialogException');
    assert.equal((await h.json(url, { method: 'DELETE', headers: { 'if-match': '*' } })).status, 400);
    const line = await h.json(`${url}/salesInvoiceLines`, { method: 'POST', body: { lineObjectNumber: '1000' } });
    assert.equal(line.status, 400);
    const again = await h.json(`${url}/Microsoft.NAV.post`, { method: 'POST' });
    assert.equal(again.status, 400);
  });

  it('refuses to post a draft without lines', async () => {
    const { invoice } = await newDraft();
    const { status, body } = await h.json(h.companyUrl(`salesInvoices(${invoice.id})/Microsoft.NAV.post`), {
      method: 'POST',
    });
    assert.equal(status, 400);
    assert.match(body.error.message, /nothing to post/);
  });

  it('serves lines nested and at the top level, and deep-inserts lines with the header', async () => {
    const customer = (await h.json(h.companyUrl("customers?$filter=blocked eq ' '&$top=1"))).body.value[0];
    const deep = await h.json(h.companyUrl('salesInvoices'), {
      method: 'POST',
      body: {
        customerId: customer.id,
        salesInvoiceLines: [
          { lineObjectNumber: '1000', quantity: 1 },
          { lineObjectNumber: '1002', quantity: 3 },
        ],
      },
    });
    assert.equal(deep.status, 201);
    const nested = (await h.json(h.companyUrl(`salesInvoices(${deep.body.id})/salesInvoiceLines`))).body.value;
    assert.equal(nested.length, 2);
    const top = (await h.json(h.companyUrl(`salesInvoiceLines?$filter=documentId eq ${deep.body.id}`))).body.value;
    assert.deepEqual(top.map((l: Json) => l.id).sort(), nested.map((l: Json) => l.id).sort());
    const invoice = (await h.json(h.companyUrl(`salesInvoices(${deep.body.id})`))).body;
    assert.ok(invoice.totalAmountExcludingTax > 0);
  });

  it('raises the customer balance when an invoice is posted, without touching the customer record', async () => {
    const { customer, invoice } = await newDraft();
    const before = (await h.json(h.companyUrl(`customers(${customer.id})/customerFinancialDetail`))).body;
    await h.json(h.companyUrl(`salesInvoices(${invoice.id})/salesInvoiceLines`), {
      method: 'POST',
      body: { lineObjectNumber: '1000', quantity: 1, unitPrice: 80 },
    });
    await h.call(h.companyUrl(`salesInvoices(${invoice.id})/Microsoft.NAV.post`), { method: 'POST' });
    const after = (await h.json(h.companyUrl(`customers(${customer.id})/customerFinancialDetail`))).body;
    assert.equal(after.balance, before.balance + 100);
    const customerAfter = (await h.json(h.companyUrl(`customers(${customer.id})`))).body;
    assert.equal(customerAfter.lastModifiedDateTime, customer.lastModifiedDateTime);
  });

  it('serves the Customer Statistics figures on the custom customerStatistics page, and a payment moves them', async () => {
    const { customer, invoice } = await newDraft();
    await h.json(h.companyUrl(`salesInvoices(${invoice.id})/salesInvoiceLines`), {
      method: 'POST',
      body: { lineObjectNumber: '1000', quantity: 1, unitPrice: 80 },
    });
    const draftStats = (await h.json(h.customUrl(`customerStatistics(${customer.id})`))).body;
    const detail = (await h.json(h.companyUrl(`customerFinancialDetails(${customer.id})`))).body;
    assert.equal(draftStats.outstandingInvoicesLcy >= 100, true, 'the draft is an outstanding invoice');
    assert.deepEqual(
      [draftStats.balanceLcy, draftStats.totalSalesLcy, draftStats.overdueAmountsLcy],
      [detail.balance, detail.totalSalesExcludingTax, detail.overdueAmount],
    );
    assert.equal(
      draftStats.totalLcy,
      Math.round((draftStats.balanceLcy + draftStats.outstandingInvoicesLcy) * 100) / 100,
    );
    assert.equal(draftStats.creditLimitLcy, customer.creditLimit);
    assert.match(draftStats.overdueAmountsAsOf, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(typeof detail.lastModifiedDateTime, 'string', 'documented on the v2.0 resource');

    await h.call(h.companyUrl(`salesInvoices(${invoice.id})/Microsoft.NAV.post`), { method: 'POST' });
    const posted = (await h.json(h.customUrl(`customerStatistics(${customer.id})`))).body;
    assert.equal(posted.balanceLcy, Math.round((draftStats.balanceLcy + 100) * 100) / 100);
    const postedInvoice = (await h.json(h.companyUrl(`salesInvoices(${invoice.id})`))).body;
    h.bc.applyPayment(invoice.id, 40);
    const paid = (await h.json(h.customUrl(`customerStatistics(${customer.id})`))).body;
    assert.equal(paid.balanceLcy, Math.round((posted.balanceLcy - 40) * 100) / 100);
    assert.ok(paid.lastModifiedDateTime > posted.lastModifiedDateTime, 'a payment is activity');
    const after = (await h.json(h.companyUrl(`salesInvoices(${invoice.id})`))).body;
    assert.deepEqual([after.remainingAmount, after.status], [60, 'Open']);
    // remainingAmount and status are computed from the ledger entries: the invoice itself is not modified.
    assert.equal(after.lastModifiedDateTime, postedInvoice.lastModifiedDateTime);
    h.bc.applyPayment(invoice.id, 60);
    assert.equal((await h.json(h.companyUrl(`salesInvoices(${invoice.id})`))).body.status, 'Paid');
    assert.throws(() => h.bc.applyPayment(invoice.id, 1), /does not fit/);
    const changed = (
      await h.json(h.customUrl(`customerStatistics?$filter=lastModifiedDateTime gt ${posted.lastModifiedDateTime}`))
    ).body.value;
    assert.deepEqual(
      changed.map((r: Json) => r.id),
      [customer.id],
    );
  });
});
