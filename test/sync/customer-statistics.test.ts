/**
 * The Customer Statistics job (bc-sync-semantics §8.15) end to end: the `customerStatistics` workflow on the real
 * Temporal dev server, MySQL and both emulators over HTTP, after a full synchronization of CUSTOMER with the shipped
 * defaults (SALESPEOPLE and CURRENCY first, every lookup on). Account statistics rows for every coupled customer with
 * BC's figures, linked from the account; a payment changes one customer's balance and only that row is written; an
 * idle run writes nothing; a customer whose account was deleted fails alone. The invoice payment state part runs
 * against POSTEDSALESINV-INV coupling rows inserted here (the invoice job is built separately).
 */
import assert from 'node:assert/strict';
import type { customerStatistics } from '../../workflows';
import type { fullSync } from '../../workflows';
import type { SyncMappingInput, SyncMappingResult } from '../../engine/run-types';
import { insertCoupling } from '../../store/couplings';
import { listErrors } from '../../store/sync-errors';
import { getJob } from '../../store/sync-jobs';
import { testResources, uniqueName } from '../support/env';
import { startedRuns } from '../support/sync-runs';
import { all, mappingsWith, type Row, startSyncStack, type SyncStack } from '../support/sync-stack';

const MAPPING = 'CUSTOMER STATISTICS';

async function runStatistics(stack: SyncStack, input: Partial<SyncMappingInput> = {}): Promise<SyncMappingResult> {
  const handle = await testResources().temporal.client.workflow.start<typeof customerStatistics>('customerStatistics', {
    taskQueue: stack.taskQueue,
    workflowId: uniqueName('statistics'),
    args: [{ mapping: MAPPING, mode: 'incremental', ...input }],
  });
  startedRuns.push({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
  return handle.result();
}

const lower = (v: unknown) => String(v).toLowerCase();
const byId = (rows: Row[], key: string) => new Map(rows.map((r) => [lower(r[key]), r]));

/** The figures each statistics row must hold, from BC's custom `customerStatistics` page. */
function expectedRow(f: Row) {
  return {
    bcsync_name: f.displayName,
    bcsync_customernumber: f.number,
    bcsync_balance: f.balanceLcy,
    bcsync_outstandingorders: f.outstandingOrdersLcy,
    bcsync_shippednotinvoiced: f.shippedNotInvoicedLcy,
    bcsync_outstandinginvoices: f.outstandingInvoicesLcy,
    bcsync_total: f.totalLcy,
    bcsync_creditlimit: f.creditLimitLcy,
    bcsync_overdueamount: f.overdueAmountsLcy,
    bcsync_overdueasof: f.overdueAmountsAsOf,
    bcsync_totalsales: f.totalSalesLcy,
    bcsync_invoicedprepayments: f.invoicedPrepaymentAmountLcy,
  };
}
const rowValues = (r: Row) => Object.fromEntries(Object.keys(expectedRow({})).map((k) => [k, r[k]]));

describe('customerStatistics (CUSTOMER STATISTICS), end to end', function () {
  this.timeout(180_000);
  let stack: SyncStack;
  let customerCouplings: Row[];
  let baseCurrencyId: string;

  before(async () => {
    stack = await startSyncStack({
      mappings: mappingsWith(),
      seed: { customers: 8, postedInvoices: 10, draftInvoices: 2, salespeople: 3, matchingSystemUsers: 3 },
    });
    // The shipped defaults, lookups on: SALESPEOPLE and CURRENCY before CUSTOMER, as a full synchronization runs them.
    const handle = await testResources().temporal.client.workflow.start<typeof fullSync>('fullSync', {
      taskQueue: stack.taskQueue,
      workflowId: uniqueName('full-sync'),
      args: [{ mappings: ['SALESPEOPLE', 'CURRENCY', 'CUSTOMER'] }],
    });
    const result = await handle.result();
    assert.equal(result.mappings.find((m) => m.mapping === 'CUSTOMER')?.state, 'done', JSON.stringify(result));
    customerCouplings = await stack.store.knex('couplings').where({ mapping: 'CUSTOMER' }).orderBy('id');
    assert.ok(customerCouplings.length >= 4, `customers coupled: ${customerCouplings.length}`);
    const [org] = await all(stack, 'dv', 'organizations');
    baseCurrencyId = lower(org._basecurrencyid_value);
  });
  after(async () => stack?.close());

  it('writes one statistics row per coupled customer with BC figures, linked from the account, in the base currency', async () => {
    const result = await runStatistics(stack);
    const [accountsPart, invoicesPart] = result.passes;
    const errors = await listErrors(stack.store.knex, { mapping: MAPPING });
    assert.deepEqual(
      [accountsPart.counts.inserted, accountsPart.counts.modified, accountsPart.counts.failed],
      [customerCouplings.length, 0, 0],
      JSON.stringify({ result, errors }),
    );
    assert.equal(result.outcome, 'succeeded');
    assert.equal(invoicesPart.counts.modified + invoicesPart.counts.failed, 0, 'no invoice couplings yet');

    const job = (await getJob(stack.store.knex, accountsPart.jobId))!;
    assert.deepEqual(
      [job.mapping, job.type, job.status, job.inserted],
      [MAPPING, 'statistics', 'succeeded', job.inserted],
    );
    assert.equal(job.inserted, customerCouplings.length);

    const figures = byId(await all(stack, 'bc', 'customerStatistics'), 'id');
    const details = byId(await all(stack, 'bc', 'customerFinancialDetails'), 'id');
    const rows = byId(await all(stack, 'dv', 'bcsync_accountstatistics'), 'bcsync_accountstatisticsid');
    const accounts = byId(await all(stack, 'dv', 'accounts'), 'accountid');
    const statsCouplings: Row[] = await stack.store.knex('couplings').where({ mapping: MAPPING });
    assert.equal(rows.size, customerCouplings.length, 'one row per coupled customer, nothing else');
    assert.equal(statsCouplings.length, customerCouplings.length);
    let withBalance = 0;
    for (const c of customerCouplings) {
      const f = figures.get(lower(c.bc_id))!;
      const sc = statsCouplings.find((s) => s.bc_id === c.bc_id)!;
      assert.ok(sc, `customer ${String(f.number)} has its statistics coupling`);
      const row = rows.get(lower(sc.dv_id))!;
      assert.ok(row, `the statistics row of customer ${String(f.number)} exists`);
      assert.deepEqual(rowValues(row), expectedRow(f), `customer ${String(f.number)}`);
      // The documented v2.0 figures agree with the custom page's.
      const d = details.get(lower(c.bc_id))!;
      assert.deepEqual(
        [d.balance, d.totalSalesExcludingTax, d.overdueAmount],
        [f.balanceLcy, f.totalSalesLcy, f.overdueAmountsLcy],
      );
      assert.equal(lower(row._bcsync_accountid_value), lower(c.dv_id), 'the row belongs to the coupled account');
      assert.equal(lower(row._transactioncurrencyid_value), baseCurrencyId, 'in the base currency');
      assert.equal(
        lower(accounts.get(lower(c.dv_id))!._bcsync_accountstatisticsid_value),
        lower(sc.dv_id),
        'linked from the account',
      );
      if (Number(f.balanceLcy) > 0) withBalance += 1;
    }
    assert.ok(withBalance > 0, 'the demo has customers with an open balance');
  });

  it('after a payment writes only the paying customer’s row; an idle run writes nothing', async () => {
    const figures = byId(await all(stack, 'bc', 'customerStatistics'), 'id');
    const coupled = new Set(customerCouplings.map((c) => lower(c.bc_id)));
    const invoices = await all(stack, 'bc', 'salesInvoices', "status eq 'Open'");
    const invoice = invoices.find((i) => coupled.has(lower(i.customerId)) && Number(i.remainingAmount) > 10)!;
    assert.ok(invoice, 'an open posted invoice of a coupled customer');
    const before = byId(await all(stack, 'dv', 'bcsync_accountstatistics'), 'bcsync_accountstatisticsid');

    stack.emulators.bc.applyPayment(String(invoice.id), 10);
    const result = await runStatistics(stack);
    const counts = result.passes[0].counts;
    // Only the customer with activity since the last run is visited (BC: ledger entry activity).
    assert.deepEqual(
      [counts.inserted, counts.modified, counts.unchanged, counts.failed],
      [0, 1, 0, 0],
      JSON.stringify(result),
    );

    const after = byId(await all(stack, 'dv', 'bcsync_accountstatistics'), 'bcsync_accountstatisticsid');
    const paying = lower(invoice.customerId);
    const balanceBefore = Number(figures.get(paying)!.balanceLcy);
    for (const [id, row] of after) {
      if (
        lower(row._bcsync_accountid_value) === lower(customerCouplings.find((c) => lower(c.bc_id) === paying)!.dv_id)
      ) {
        assert.equal(row.bcsync_balance, Math.round((balanceBefore - 10) * 100) / 100, 'the new balance');
        assert.notEqual(row.modifiedon, before.get(id)!.modifiedon);
      } else {
        assert.equal(row.modifiedon, before.get(id)!.modifiedon, 'other rows are not written');
      }
    }

    const idle = await runStatistics(stack);
    const c = idle.passes[0].counts;
    assert.deepEqual([c.inserted, c.modified, c.unchanged, c.failed], [0, 0, 0, 0], JSON.stringify(idle));
    const full = await runStatistics(stack, { mode: 'full' });
    const f = full.passes[0].counts;
    assert.deepEqual([f.inserted, f.modified, f.unchanged, f.failed], [0, 0, customerCouplings.length, 0]);
    const idleRows = byId(await all(stack, 'dv', 'bcsync_accountstatistics'), 'bcsync_accountstatisticsid');
    for (const [id, row] of idleRows) assert.equal(row.modifiedon, after.get(id)!.modifiedon, 'nothing written');
  });

  it('sets the payment state of coupled Dataverse invoices from the posted invoices’ remaining amounts', async () => {
    const coupled = new Map(customerCouplings.map((c) => [lower(c.bc_id), lower(c.dv_id)]));
    const open = (await all(stack, 'bc', 'salesInvoices', "status eq 'Open'")).filter(
      (i) => coupled.has(lower(i.customerId)) && Number(i.remainingAmount) === Number(i.totalAmountIncludingTax),
    );
    assert.ok(open.length >= 3, `three unpaid posted invoices of coupled customers (${open.length})`);
    const [unpaid, partly, fully] = open;
    // POSTEDSALESINV-INV is built separately: its Dataverse invoices and couplings are made here through the APIs.
    const priceList = await stack.connectors.dv.createWithId('pricelevels', crypto.randomUUID(), {
      name: 'Statistics test',
      'transactioncurrencyid@odata.bind': `/transactioncurrencies(${baseCurrencyId})`,
    });
    const dvIds = new Map<string, string>();
    for (const inv of [unpaid, partly, fully]) {
      const id = crypto.randomUUID();
      await stack.connectors.dv.createWithId('invoices', id, {
        name: `Invoice ${String(inv.number)}`,
        invoicenumber: String(inv.number),
        'customerid_account@odata.bind': `/accounts(${coupled.get(lower(inv.customerId))!})`,
        'pricelevelid@odata.bind': `/pricelevels(${String(priceList.pricelevelid)})`,
        'transactioncurrencyid@odata.bind': `/transactioncurrencies(${baseCurrencyId})`,
      });
      await insertCoupling(stack.store.knex, {
        mapping: 'POSTEDSALESINV-INV',
        bcId: lower(inv.id),
        dvId: id,
        now: new Date(),
      });
      dvIds.set(String(inv.id), id);
    }
    stack.emulators.bc.applyPayment(String(partly.id), 1);
    stack.emulators.bc.applyPayment(String(fully.id), Number(fully.remainingAmount));

    const result = await runStatistics(stack);
    const payments = result.passes[1];
    assert.deepEqual([payments.counts.modified, payments.counts.failed], [3, 0], JSON.stringify(result));
    const job = (await getJob(stack.store.knex, payments.jobId))!;
    assert.deepEqual([job.type, job.mapping, job.modified], ['statistics', MAPPING, 3]);
    const state = async (bcId: unknown) => {
      const r = (await stack.connectors.dv.get('invoices', dvIds.get(String(bcId))!, {
        select: ['statecode', 'statuscode'],
      }))!;
      return [r.statecode, r.statuscode];
    };
    assert.deepEqual(await state(unpaid.id), [0, 4], 'active (billed)');
    assert.deepEqual(await state(partly.id), [2, 100002], 'partially paid');
    assert.deepEqual(await state(fully.id), [2, 100001], 'paid (complete)');

    // Idle: nothing to set. The rest of the partial payment: only that invoice changes.
    const idle = await runStatistics(stack);
    assert.deepEqual([idle.passes[1].counts.modified, idle.passes[1].counts.failed], [0, 0]);
    stack.emulators.bc.applyPayment(String(partly.id), Number(partly.remainingAmount) - 1);
    const paid = await runStatistics(stack);
    assert.deepEqual([paid.passes[1].counts.modified, paid.passes[1].counts.unchanged], [1, 0]);
    assert.deepEqual(await state(partly.id), [2, 100001], 'now paid');
  });

  it('a customer whose account was deleted fails alone, with what to do', async () => {
    const victim = customerCouplings[customerCouplings.length - 1];
    await stack.connectors.dv.delete('accounts', String(victim.dv_id));
    const result = await runStatistics(stack, { mode: 'full' });
    const counts = result.passes[0].counts;
    assert.deepEqual(
      [counts.failed, counts.unchanged, counts.inserted, counts.modified],
      [1, customerCouplings.length - 1, 0, 0],
      JSON.stringify(result),
    );
    assert.equal(result.outcome, 'completed_with_errors');
    const errors = await listErrors(stack.store.knex, { jobId: result.passes[0].jobId });
    assert.equal(errors.length, 1);
    assert.equal(errors[0].sourceId, lower(victim.bc_id));
    assert.match(
      errors[0].message,
      /^Customer \S+ '.+': its account [0-9a-f-]+ no longer exists in Dataverse; couple the customer/,
    );
    const job = (await getJob(stack.store.knex, result.passes[0].jobId))!;
    assert.deepEqual([job.type, job.status, job.failed], ['statistics', 'completed_with_errors', 1]);
  });
});
