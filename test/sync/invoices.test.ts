/**
 * POSTEDSALESINV-INV end to end with the shipped defaults and every lookup on (bc-sync-semantics §4.10, §8.11):
 * posted invoices become Dataverse invoices created whole with their lines in one deep insert (items and resources
 * as their coupled products, G/L account and comment lines as write-ins), with owner, customer, currency and BC's
 * price list; totals computed by Dataverse from the lines; an incremental run carries a new posted invoice; an idle
 * run writes nothing, and a changed posted invoice is never re-sent; a customer or item not coupled yet is
 * synchronized on demand (its own mapping's records job) and the invoice arrives whole in the same run; a customer
 * or item that cannot be synchronized on demand fails the invoice, naming it and why, until the cause is fixed.
 */
import assert from 'node:assert/strict';
import { coupleRecords } from '../../store/couplings';
import { listErrors } from '../../store/sync-errors';
import { listSkippedPending } from '../../store/pending-failures';
import { assertCouplingsWhole } from '../support/coupling-integrity';
import { pass, runFullSync, runSync, startSync } from '../support/sync-runs';
import { spawnBcsync } from '../support/cli';
import { workerEnv } from '../support/worker-env';
import { all, type Row, startSyncStack, type SyncStack } from '../support/sync-stack';

const MAPPING = 'POSTEDSALESINV-INV';
const DEPENDENCIES = ['SALESPEOPLE', 'CURRENCY', 'CUSTOMER', 'UNIT OF MEASURE', 'ITEM-PRODUCT', 'RESOURCE-PRODUCT'];
const lower = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v)).toLowerCase();
const POSTED = "status ne 'Draft' and status ne 'In Review'";

describe('POSTEDSALESINV-INV end to end', function () {
  this.timeout(180_000);
  let stack: SyncStack;

  const couplings = async (mapping: string): Promise<Row[]> =>
    stack.store.knex('couplings').where({ mapping }) as Promise<Row[]>;
  const coupledTo = async (mapping: string, bcId: unknown): Promise<string | undefined> =>
    (await couplings(mapping)).find((r) => r.bc_id === lower(bcId))?.dv_id as string | undefined;
  const linesOf = async (invoiceId: string): Promise<Row[]> =>
    (await all(stack, 'dv', 'invoicedetails', `_invoiceid_value eq ${invoiceId}`)).sort(
      (a, b) => Number(a.lineitemnumber) - Number(b.lineitemnumber),
    );
  const bcLinesOf = async (invoiceId: unknown): Promise<Row[]> =>
    (await all(stack, 'bc', 'salesInvoiceLines', `documentId eq ${String(invoiceId)}`)).sort(
      (a, b) => Number(a.sequence) - Number(b.sequence),
    );

  /** Asserts the Dataverse invoice of a BC posted invoice: header, owner, customer, currency, price list, lines. */
  const assertInvoice = async (bc: Row): Promise<void> => {
    const dvId = await coupledTo(MAPPING, bc.id);
    assert.ok(dvId, `invoice ${String(bc.number)} is coupled`);
    const dv = (await stack.connectors.dv.get('invoices', dvId))!;
    assert.ok(dv, `invoice ${String(bc.number)} exists in Dataverse`);
    assert.deepEqual([dv.invoicenumber, dv.name, dv.duedate], [bc.number, bc.number, bc.dueDate]);
    assert.equal(lower(dv._customerid_value), await coupledTo('CUSTOMER', bc.customerId), 'customer');
    const currency = (await all(stack, 'bc', 'currencies', `code eq '${String(bc.currencyCode)}'`))[0];
    if (currency) assert.equal(lower(dv._transactioncurrencyid_value), await coupledTo('CURRENCY', currency.id));
    // A blank salesperson leaves the owner as Dataverse sets it (Not Null); otherwise the owner is its user.
    if (typeof bc.salesperson === 'string' && bc.salesperson !== '') {
      const salesperson = (await all(stack, 'bc', 'salespeoplePurchasers', `code eq '${bc.salesperson}'`))[0];
      assert.ok(salesperson, `salesperson ${bc.salesperson} exists`);
      assert.equal(lower(dv._ownerid_value), await coupledTo('SALESPEOPLE', salesperson.id), 'owner');
    }
    const priceList = (await stack.connectors.dv.get('pricelevels', String(dv._pricelevelid_value)))!;
    assert.equal(priceList._transactioncurrencyid_value, dv._transactioncurrencyid_value, 'price list currency');

    const bcLines = await bcLinesOf(bc.id);
    const lines = await linesOf(dvId);
    assert.equal(lines.length, bcLines.length, `invoice ${String(bc.number)}: one Dataverse line per BC line`);
    for (const [i, b] of bcLines.entries()) {
      const l = lines[i];
      const what = `invoice ${String(bc.number)} line ${String(b.sequence)} (${String(b.lineType)})`;
      assert.deepEqual(
        [
          l.lineitemnumber,
          Number(l.quantity),
          Number(l.priceperunit),
          Number(l.manualdiscountamount),
          l.ispriceoverridden,
        ],
        [b.sequence, b.quantity, b.unitPrice, b.discountAmount, true],
        what,
      );
      const gross = Math.round(Number(b.quantity) * Number(b.unitPrice) * 100) / 100;
      assert.equal(Number(l.baseamount), gross, `${what}: base amount`);
      assert.equal(Number(l.extendedamount), b.amountIncludingTax, `${what}: extended amount`);
      if (b.lineType === 'Item' || b.lineType === 'Resource') {
        const mapping = b.lineType === 'Item' ? 'ITEM-PRODUCT' : 'RESOURCE-PRODUCT';
        const source =
          b.lineType === 'Item'
            ? { id: b.itemId }
            : (await all(stack, 'bc', 'resources', `number eq '${String(b.lineObjectNumber)}'`))[0];
        const productId = await coupledTo(mapping, source.id);
        assert.equal(lower(l._productid_value), productId, `${what}: product`);
        const product = (await stack.connectors.dv.get('products', productId!))!;
        assert.equal(lower(l._uomid_value), lower(product._defaultuomid_value), `${what}: unit`);
        assert.equal(l.isproductoverridden, false);
      } else {
        assert.equal(l._productid_value, null, `${what}: write-in`);
        assert.equal(l.isproductoverridden, true);
        assert.equal(l.productdescription, `${String(b.lineObjectNumber)} ${String(b.description)}.`.trim());
      }
    }
    // Dataverse's totals, from the lines, are BC's.
    assert.deepEqual(
      [Number(dv.totalamountlessfreight), Number(dv.totaltax), Number(dv.totalamount)],
      [bc.totalAmountExcludingTax, bc.totalTaxAmount, bc.totalAmountIncludingTax],
      `invoice ${String(bc.number)}: totals`,
    );
  };

  before(async () => {
    stack = await startSyncStack({
      seed: {
        customers: 8,
        contactsPerCustomer: 0,
        matchingSystemUsers: 6,
        postedInvoices: 8,
        draftInvoices: 1,
        linesPerInvoice: [2, 3],
      },
    });
    // The dependencies, as a full synchronization runs them (match, then create what is left), lookups on.
    const result = await runFullSync(stack.taskQueue, DEPENDENCIES);
    for (const m of result.mappings) assert.equal(m.state, 'done', JSON.stringify(m));
  });
  after(async () => stack.close());

  it('creates every posted invoice with all its lines, products, owner, customer, currency and price list', async () => {
    const posted = await all(stack, 'bc', 'salesInvoices', POSTED);
    const result = await runSync(stack.taskQueue, { mapping: MAPPING, mode: 'full' });
    const c = pass(result, 'to-dataverse').counts;
    const errors = await listErrors(stack.store.knex, { mapping: MAPPING, unresolvedOnly: true });
    assert.deepEqual([c.inserted, c.failed], [posted.length, 0], JSON.stringify(errors));
    const lineTypes = new Set<unknown>();
    for (const bc of posted) {
      await assertInvoice(bc);
      for (const l of await bcLinesOf(bc.id)) lineTypes.add(l.lineType);
    }
    assert.deepEqual([...lineTypes].sort(), ['Account', 'Comment', 'Item', 'Resource'], 'every line type is covered');
    assert.equal((await all(stack, 'dv', 'invoices')).length, posted.length, 'drafts are not synchronized');
    assert.equal(
      (await all(stack, 'dv', 'invoicedetails')).length,
      (await Promise.all(posted.map((p) => bcLinesOf(p.id)))).flat().length,
    );
    await assertCouplingsWhole(stack, [MAPPING]);
  });

  /**
   * Posts an invoice in BC as BC's posting does (the page, not the API: posted invoices are read-only there): the
   * header, then its lines with BC's amounts (25 % VAT). Returns the header as the API serves it.
   */
  let nextNumber = 109001;
  const postInvoice = async (
    customer: Row,
    lines: Array<{ lineType: string; item?: Row; quantity?: number; discountAmount?: number; description?: string }>,
  ): Promise<Row> => {
    const bcEmu = stack.emulators.bc;
    let net = 0;
    let tax = 0;
    const bodies = lines.map((l, k) => {
      const unitPrice = l.item ? Number(l.item.unitPrice) : 0;
      const quantity = l.lineType === 'Comment' ? 0 : (l.quantity ?? 1);
      const discountAmount = l.discountAmount ?? 0;
      const amount = Math.round((quantity * unitPrice - discountAmount) * 100) / 100;
      const lineTax = Math.round(amount * 25) / 100;
      net += amount;
      tax += lineTax;
      return {
        sequence: (k + 1) * 10000,
        lineType: l.lineType,
        itemId: l.item?.id ?? '00000000-0000-0000-0000-000000000000',
        lineObjectNumber: l.item?.number ?? '',
        description: l.description ?? l.item?.displayName ?? '',
        unitOfMeasureCode: l.item?.baseUnitOfMeasureCode ?? '',
        quantity,
        unitPrice,
        discountAmount,
        amountExcludingTax: amount,
        taxPercent: l.lineType === 'Comment' ? 0 : 25,
        totalTaxAmount: lineTax,
        amountIncludingTax: Math.round((amount + lineTax) * 100) / 100,
        netAmount: amount,
        netTaxAmount: lineTax,
        netAmountIncludingTax: Math.round((amount + lineTax) * 100) / 100,
      };
    });
    const total = Math.round((net + tax) * 100) / 100;
    const header = bcEmu.enterRecord('salesInvoices', {
      number: String(nextNumber++),
      invoiceDate: '2025-02-03',
      postingDate: '2025-02-03',
      dueDate: '2025-03-05',
      customerId: customer.id,
      customerNumber: customer.number,
      customerName: customer.displayName,
      billToName: customer.displayName,
      shipToName: customer.displayName,
      currencyId: customer.currencyId,
      currencyCode: customer.currencyCode,
      salesperson: customer.salespersonCode,
      discountAmount: 0,
      totalAmountExcludingTax: Math.round(net * 100) / 100,
      totalTaxAmount: Math.round(tax * 100) / 100,
      totalAmountIncludingTax: total,
      remainingAmount: total,
      status: 'Open',
    });
    for (const body of bodies) bcEmu.enterRecord('salesInvoiceLines', { ...body, documentId: header.id });
    return (await all(stack, 'bc', 'salesInvoices', `id eq ${String(header.id)}`))[0];
  };
  const invoiceCustomer = async (): Promise<Row> => {
    const [first] = await all(stack, 'bc', 'salesInvoices', POSTED);
    return (await all(stack, 'bc', 'customers', `id eq ${String(first.customerId)}`))[0];
  };

  it('carries a newly posted invoice; an idle run writes nothing; a changed posted invoice is not re-sent', async () => {
    const customer = await invoiceCustomer();
    const [item] = await all(stack, 'bc', 'items', 'blocked eq false');
    const posted = await postInvoice(customer, [
      { lineType: 'Item', item, quantity: 3, discountAmount: 5 },
      { lineType: 'Comment', description: 'Delivered on site' },
    ]);

    const result = await runSync(stack.taskQueue, { mapping: MAPPING, mode: 'incremental' });
    const c = pass(result, 'to-dataverse').counts;
    assert.deepEqual([c.inserted, c.modified, c.failed], [1, 0, 0], JSON.stringify(result));
    await assertInvoice(posted);

    const idle = pass(await runSync(stack.taskQueue, { mapping: MAPPING, mode: 'incremental' }), 'to-dataverse');
    assert.deepEqual([idle.counts.inserted, idle.counts.modified, idle.counts.failed], [0, 0, 0]);

    // The invoice's values differ from what BC holds (someone edited it in Dynamics 365 Sales) and the engine sees a
    // BC change (the stored hash no longer matches): an update is due by the field mappings, yet a posted invoice
    // is not sent again.
    const dvId = (await coupledTo(MAPPING, posted.id))!;
    await stack.connectors.dv.update('invoices', dvId, { duedate: '2030-01-31', shipto_city: 'Elsewhere' }, '*');
    const before = (await stack.connectors.dv.get('invoices', dvId))!;
    await stack.store
      .knex('couplings')
      .where({ mapping: MAPPING, bc_id: lower(posted.id) })
      .update({ bc_hash: 'x' });
    const full = pass(await runSync(stack.taskQueue, { mapping: MAPPING, mode: 'full' }), 'to-dataverse').counts;
    assert.deepEqual([full.inserted, full.modified, full.failed], [0, 0, 0], JSON.stringify(full));
    const after = (await stack.connectors.dv.get('invoices', dvId))!;
    assert.deepEqual([after.duedate, after.shipto_city], ['2030-01-31', 'Elsewhere'], 'not re-sent');
    assert.equal(after.versionnumber, before.versionnumber, 'the Dataverse invoice was not written');
    await assertCouplingsWhole(stack, [MAPPING]);
  });

  /** The job rows a page of `parentJobId` opened to synchronize `mapping`'s records on demand. */
  const onDemandJobs = async (mapping: string, parentJobId: number): Promise<Row[]> =>
    (await stack.store.knex('sync_jobs').where({ mapping, mode: 'records' })).filter((j: Row) =>
      String(j.message).includes(`synchronized on demand for ${MAPPING} (job ${parentJobId})`),
    ) as Row[];
  const coupledSalesperson = async (): Promise<string> => {
    const rows = await couplings('SALESPEOPLE');
    const people = await all(stack, 'bc', 'salespeoplePurchasers');
    const person = people.find((p) => rows.some((r) => r.bc_id === lower(p.id) && r.dv_id));
    assert.ok(person, 'a coupled salesperson');
    return String(person.code);
  };

  it('synchronizes on demand the new customer and the new item an invoice refers to, and creates it whole in one run', async () => {
    const customer = await stack.connectors.bc.create('customers', {
      displayName: 'Nordlys Sykkel AS',
      city: 'Tromsø',
      salespersonCode: await coupledSalesperson(),
    });
    const [coupledItem] = await all(stack, 'bc', 'items', 'blocked eq false');
    const newItem = await stack.connectors.bc.create('items', {
      displayName: 'Carbon frame',
      baseUnitOfMeasureCode: String(coupledItem.baseUnitOfMeasureCode),
      unitPrice: 420,
    });
    assert.equal(await coupledTo('CUSTOMER', customer.id), undefined, 'the customer is not coupled yet');
    assert.equal(await coupledTo('ITEM-PRODUCT', newItem.id), undefined, 'the item is not coupled yet');
    const posted = await postInvoice(customer, [
      { lineType: 'Item', item: coupledItem, quantity: 1 },
      { lineType: 'Item', item: newItem, quantity: 2 },
    ]);

    const result = pass(await runSync(stack.taskQueue, { mapping: MAPPING, mode: 'incremental' }), 'to-dataverse');
    assert.deepEqual([result.counts.inserted, result.counts.failed], [1, 0], JSON.stringify(result));
    await assertInvoice(posted);
    const account = (await stack.connectors.dv.get('accounts', (await coupledTo('CUSTOMER', customer.id))!))!;
    assert.deepEqual([account.name, account.address1_city], ['Nordlys Sykkel AS', 'Tromsø'], 'the account BC created');
    const product = (await stack.connectors.dv.get('products', (await coupledTo('ITEM-PRODUCT', newItem.id))!))!;
    assert.equal(product.name, 'Carbon frame');

    // Each logged where an administrator looks: a records job of its own mapping, naming the invoice job it served.
    for (const mapping of ['CUSTOMER', 'ITEM-PRODUCT']) {
      const jobs = await onDemandJobs(mapping, result.jobId);
      assert.equal(jobs.length, 1, `${mapping}: one on-demand job`);
      assert.deepEqual([jobs[0].status, Number(jobs[0].inserted), Number(jobs[0].failed)], ['succeeded', 1, 0]);
    }
    // The mappings' own runs afterwards find them coupled: nothing created twice.
    for (const mapping of ['CUSTOMER', 'ITEM-PRODUCT']) {
      const own = pass(await runSync(stack.taskQueue, { mapping, mode: 'incremental' }), 'to-dataverse');
      assert.deepEqual([own.counts.inserted, own.counts.failed], [0, 0], `${mapping}: ${JSON.stringify(own)}`);
    }
    assert.equal((await all(stack, 'dv', 'accounts', "name eq 'Nordlys Sykkel AS'")).length, 1, 'one account');
    assert.equal((await all(stack, 'dv', 'products', "name eq 'Carbon frame'")).length, 1, 'one product');
    await assertCouplingsWhole(stack, [MAPPING, 'CUSTOMER', 'ITEM-PRODUCT']);
  });

  it('fails an invoice whose customer cannot be synchronized on demand, naming the customer and why, until fixed', async () => {
    // A salesperson with no Dataverse user: SALESPEOPLE only synchronizes from Dataverse, so the customer fails.
    await stack.connectors.bc.create('salespeoplePurchasers', { code: 'ZZ', displayName: 'Zara Zulu' });
    const customer = await stack.connectors.bc.create('customers', {
      displayName: 'Polarlys Handel AS',
      salespersonCode: 'ZZ',
    });
    const [item] = await all(stack, 'bc', 'items', 'blocked eq false');
    const posted = await postInvoice(customer, [{ lineType: 'Item', item, quantity: 1 }]);

    const failed = pass(await runSync(stack.taskQueue, { mapping: MAPPING, mode: 'incremental' }), 'to-dataverse');
    assert.deepEqual([failed.counts.inserted, failed.counts.failed], [0, 1], JSON.stringify(failed));
    const [error] = (await listErrors(stack.store.knex, { mapping: MAPPING, unresolvedOnly: true })).filter(
      (e) => e.jobId === failed.jobId,
    );
    assert.equal(error.sourceId, lower(posted.id));
    assert.match(
      error.message,
      new RegExp(
        `customer '${String(customer.number)}' \\(Polarlys Handel AS\\) is not coupled .*synchronizing it on demand through CUSTOMER failed: .*salesperson 'ZZ' \\(Zara Zulu\\) is not coupled to a Dataverse user; SALESPEOPLE only synchronizes from Dataverse`,
      ),
    );
    const [customerJob] = await onDemandJobs('CUSTOMER', failed.jobId);
    assert.deepEqual([customerJob.status, Number(customerJob.failed)], ['completed_with_errors', 1]);
    assert.deepEqual(await all(stack, 'dv', 'invoices', `invoicenumber eq '${String(posted.number)}'`), []);
    assert.deepEqual(await all(stack, 'dv', 'accounts', "name eq 'Polarlys Handel AS'"), []);
    assert.equal(await coupledTo(MAPPING, posted.id), undefined);

    // The fix the message names: couple the salesperson to a Dataverse user, as `bcsync couple SALESPEOPLE` does. The
    // next run synchronizes the customer on demand and creates the invoice.
    const coupledUsers = (await couplings('SALESPEOPLE')).map((r) => r.dv_id);
    const user = (await all(stack, 'dv', 'systemusers')).find((u) => !coupledUsers.includes(lower(u.systemuserid)));
    assert.ok(user, 'a Dataverse user no salesperson is coupled to');
    const zz = (await all(stack, 'bc', 'salespeoplePurchasers', "code eq 'ZZ'"))[0];
    const couple = await coupleRecords(stack.store.knex, {
      mapping: 'SALESPEOPLE',
      bcId: String(zz.id),
      dvId: String(user.systemuserid),
      now: new Date(),
    });
    assert.equal(couple.outcome, 'coupled');
    const fixed = pass(await runSync(stack.taskQueue, { mapping: MAPPING, mode: 'incremental' }), 'to-dataverse');
    assert.deepEqual([fixed.counts.inserted, fixed.counts.failed], [1, 0], JSON.stringify(fixed));
    await assertInvoice(posted);
    assert.equal((await all(stack, 'dv', 'accounts', "name eq 'Polarlys Handel AS'")).length, 1);
    assert.equal((await listErrors(stack.store.knex, { mapping: MAPPING, unresolvedOnly: true })).length, 0);
    await assertCouplingsWhole(stack, [MAPPING, 'CUSTOMER']);
  });

  it("leaves out an invoice whose line's item gets no product on demand, naming why, and creates it whole later", async () => {
    const customer = await invoiceCustomer();
    const [coupledItem] = await all(stack, 'bc', 'items', 'blocked eq false');
    // A unit of measure UNIT OF MEASURE has not run for yet: ITEM-PRODUCT cannot give the item a unit group.
    await stack.connectors.bc.create('unitsOfMeasure', { code: 'CRATE', displayName: 'Crate' });
    const newItem = await stack.connectors.bc.create('items', {
      displayName: 'Crate of tubes',
      baseUnitOfMeasureCode: 'CRATE',
      unitPrice: 90,
    });
    const posted = await postInvoice(customer, [
      { lineType: 'Item', item: coupledItem, quantity: 1 },
      { lineType: 'Item', item: newItem, quantity: 2 },
    ]);

    const failed = pass(await runSync(stack.taskQueue, { mapping: MAPPING, mode: 'incremental' }), 'to-dataverse');
    assert.deepEqual([failed.counts.inserted, failed.counts.failed], [0, 1], JSON.stringify(failed));
    const errors = (await listErrors(stack.store.knex, { mapping: MAPPING, unresolvedOnly: true })).filter(
      (e) => e.jobId === failed.jobId,
    );
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].sourceId, lower(posted.id));
    assert.match(errors[0].message, new RegExp(`line 20000 \\(item ${String(newItem.number)} 'Crate of tubes'\\)`));
    assert.match(errors[0].message, /on demand through ITEM-PRODUCT failed: .*CRATE.*run UNIT OF MEASURE first/);
    assert.deepEqual(await all(stack, 'dv', 'invoices', `invoicenumber eq '${String(posted.number)}'`), []);
    assert.equal(await coupledTo(MAPPING, posted.id), undefined);

    // Waiting for its product is not the invoice's fault: a second run fails it again, and it is not parked.
    const again = pass(await runSync(stack.taskQueue, { mapping: MAPPING, mode: 'incremental' }), 'to-dataverse');
    assert.deepEqual([again.counts.inserted, again.counts.failed, again.counts.skipped], [0, 1, 0]);
    assert.deepEqual(await listSkippedPending(stack.store.knex, MAPPING), [], 'not skipped: it waits for its product');

    // The fix the message names: UNIT OF MEASURE couples the unit; the next run gives the item its product on demand
    // and creates the invoice whole.
    const units = pass(
      await runSync(stack.taskQueue, { mapping: 'UNIT OF MEASURE', mode: 'incremental' }),
      'to-dataverse',
    );
    assert.equal(units.counts.failed, 0, JSON.stringify(units));
    const retried = pass(await runSync(stack.taskQueue, { mapping: MAPPING, mode: 'incremental' }), 'to-dataverse');
    assert.deepEqual([retried.counts.inserted, retried.counts.failed], [1, 0], JSON.stringify(retried));
    assert.ok(await coupledTo('ITEM-PRODUCT', newItem.id), 'the new item has its product');
    await assertInvoice(posted);
    assert.equal((await listErrors(stack.store.knex, { mapping: MAPPING, unresolvedOnly: true })).length, 0);
    await assertCouplingsWhole(stack, [MAPPING, 'ITEM-PRODUCT']);
  });

  it('recovers a create whose page failed after the invoice was written: one invoice, its lines once', async () => {
    const customer = await invoiceCustomer();
    const [first, second] = await all(stack, 'bc', 'items', 'blocked eq false');
    const posted = await postInvoice(customer, [
      { lineType: 'Item', item: first, quantity: 2 },
      { lineType: 'Item', item: second, quantity: 1 },
    ]);
    // The worker dies (here: the page activity fails) after the deep insert, before the coupling commit, once.
    let crashed = 0;
    await stack.restartWorker({
      faults: {
        afterDestinationWrite: ({ mapping }) => {
          if (mapping === MAPPING && crashed++ === 0) throw new Error('crash after the destination write');
        },
      },
    });
    try {
      const result = pass(await runSync(stack.taskQueue, { mapping: MAPPING, mode: 'incremental' }), 'to-dataverse');
      assert.equal(crashed, 2, 'the page ran again after the crash');
      assert.deepEqual([result.counts.inserted, result.counts.failed], [1, 0], JSON.stringify(result));
    } finally {
      await stack.restartWorker({ faults: {} });
    }
    const invoices = await all(stack, 'dv', 'invoices', `invoicenumber eq '${String(posted.number)}'`);
    assert.equal(invoices.length, 1, 'no second invoice');
    await assertInvoice(posted);
    await assertCouplingsWhole(stack, [MAPPING]);
  });

  it('survives a worker killed (SIGKILL) right after the invoice was written: one invoice, whole, no duplicate', async () => {
    const customer = await invoiceCustomer();
    const [, , third, fourth] = await all(stack, 'bc', 'items', 'blocked eq false');
    const posted = await postInvoice(customer, [
      { lineType: 'Item', item: third, quantity: 3 },
      { lineType: 'Item', item: fourth, quantity: 1 },
    ]);
    // A worker process of its own, killed by its fault hook between the deep insert and the coupling commit.
    stack.worker.shutdown();
    const crashing = spawnBcsync(
      ['worker'],
      await workerEnv(stack, { mappings: {} }, { FAULT_KILL_AFTER_WRITE: `${MAPPING}:to-dataverse` }),
    );
    const died = new Promise<NodeJS.Signals | null>((resolve) =>
      crashing.child.once('close', (_c, signal) => resolve(signal)),
    );
    const handle = await startSync(stack.taskQueue, { mapping: MAPPING, mode: 'incremental' });
    assert.equal(await died, 'SIGKILL', crashing.output());
    assert.match(crashing.output(), /FAULT_KILL_AFTER_WRITE/);
    const written = await all(stack, 'dv', 'invoices', `invoicenumber eq '${String(posted.number)}'`);
    assert.equal(written.length, 1, 'the invoice was written before the kill');
    assert.equal((await linesOf(String(written[0].invoiceid))).length, 2, 'with both lines, never without them');

    await stack.restartWorker();
    const result = pass(await handle.result(), 'to-dataverse');
    assert.deepEqual([result.counts.inserted, result.counts.failed], [1, 0], JSON.stringify(result));
    const invoices = await all(stack, 'dv', 'invoices', `invoicenumber eq '${String(posted.number)}'`);
    assert.equal(invoices.length, 1, 'no second invoice');
    await assertInvoice(posted);
    await assertCouplingsWhole(stack, [MAPPING]);
  });

  it('fails alone an invoice that Dataverse refuses, with its reason, and never writes its header without the lines', async () => {
    const coupledCustomers = (await couplings('CUSTOMER')).map((r) => r.bc_id);
    const [goodCustomer, refusedCustomer] = (await all(stack, 'bc', 'customers', "blocked eq ' '")).filter(
      (c) =>
        typeof c.salespersonCode === 'string' && c.salespersonCode !== '' && coupledCustomers.includes(lower(c.id)),
    );
    const [item] = await all(stack, 'bc', 'items', 'blocked eq false');
    // The refused customer's account was deleted in Dynamics 365 Sales after it was coupled: the invoice's customer
    // binds to a row that no longer exists, which Dataverse refuses.
    const account = await coupledTo('CUSTOMER', refusedCustomer.id);
    assert.ok(account, 'the customer is coupled');
    await stack.connectors.dv.delete('accounts', account);
    const refused = await postInvoice(refusedCustomer, [{ lineType: 'Item', item, quantity: 1 }]);
    const good = await postInvoice(goodCustomer, [{ lineType: 'Item', item, quantity: 2 }]);

    const result = pass(await runSync(stack.taskQueue, { mapping: MAPPING, mode: 'incremental' }), 'to-dataverse');
    assert.deepEqual([result.counts.inserted, result.counts.failed], [1, 1], JSON.stringify(result));
    await assertInvoice(good);
    assert.deepEqual(await all(stack, 'dv', 'invoices', `invoicenumber eq '${String(refused.number)}'`), []);
    assert.equal(await coupledTo(MAPPING, refused.id), undefined);
    const [error] = (await listErrors(stack.store.knex, { mapping: MAPPING, unresolvedOnly: true })).filter(
      (e) => e.jobId === result.jobId,
    );
    assert.equal(error.sourceId, lower(refused.id));
    assert.match(error.message, /cannot be created: Dataverse refused the invoice with its lines: .*Does Not Exist/);
    await assertCouplingsWhole(stack, [MAPPING]);
  });
});
