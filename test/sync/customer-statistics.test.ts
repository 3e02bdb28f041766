/**
 * The Customer Statistics job (bc-sync-semantics §8.15) end to end: the `customerStatistics` workflow on the real
 * Temporal dev server, MySQL and both emulators over HTTP, after a full synchronization of CUSTOMER and the invoice
 * dependencies with the shipped defaults (every lookup on) and a POSTEDSALESINV-INV run that creates the Dataverse
 * invoices with their lines. Account statistics rows for every coupled customer with BC's figures, linked from the
 * account; a payment changes one customer's balance and only that row is written; an idle run writes nothing; the
 * payment state of the invoices follows the payments (which do not move the invoices' lastModifiedDateTime); a write
 * that keeps failing transiently fails alone, says so and is retried by the next run, also after a --full run; a
 * customer whose account was deleted fails alone and is parked after the second identical failure.
 */
import assert from 'node:assert/strict';
import type { customerStatistics } from '../../workflows';
import type { SyncMappingInput, SyncMappingResult } from '../../engine/run-types';
import { listErrors } from '../../store/sync-errors';
import { getJob } from '../../store/sync-jobs';
import { testResources, uniqueName } from '../support/env';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ReferenceCache } from '../../activities/lookup-resolution';
import { createStatisticsActivities, type StatisticsPartResult } from '../../activities/statistics/customer-statistics';
import { assertCouplingsWhole } from '../support/coupling-integrity';
import { pass, runFullSync, runSync, startedRuns } from '../support/sync-runs';
import { all, mappingsWith, type Row, setFaults, startSyncStack, type SyncStack } from '../support/sync-stack';

const MAPPING = 'CUSTOMER STATISTICS';
const INVOICES = 'POSTEDSALESINV-INV';
const DEPENDENCIES = ['SALESPEOPLE', 'CURRENCY', 'CUSTOMER', 'UNIT OF MEASURE', 'ITEM-PRODUCT', 'RESOURCE-PRODUCT'];
/** A fault that keeps answering 503 at once (Retry-After: 0), so the connector's retries run out quickly. */
const unavailable = (entitySet: string, recordId: string) => ({
  method: 'PATCH',
  entitySet,
  recordId,
  status: 503,
  retryAfterSeconds: 0,
});

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

/** The Dataverse invoice state BC's payments call for: [statecode, statuscode]. */
function expectedState(bc: Row): [number, number] {
  const remaining = Math.round(Number(bc.remainingAmount) * 100);
  const total = Math.round(Number(bc.totalAmountIncludingTax) * 100);
  if (remaining <= 0) return [2, 100001]; // paid (complete)
  if (remaining < total) return [2, 100002]; // partially paid
  return [0, 4]; // active (billed)
}
const counters = (c: { inserted: number; modified: number; unchanged: number; failed: number }) => [
  c.inserted,
  c.modified,
  c.unchanged,
  c.failed,
];

describe('customerStatistics (CUSTOMER STATISTICS), end to end', function () {
  this.timeout(180_000);
  let stack: SyncStack;
  let customerCouplings: Row[];
  let baseCurrencyId: string;

  before(async () => {
    stack = await startSyncStack({
      mappings: mappingsWith(),
      seed: {
        customers: 8,
        contactsPerCustomer: 0,
        matchingSystemUsers: 6,
        postedInvoices: 10,
        draftInvoices: 2,
        linesPerInvoice: [1, 2],
      },
    });
    // The shipped defaults, lookups on, as a full synchronization runs them; then the invoice job creates the
    // Dataverse invoices of the posted invoices, with their lines.
    const result = await runFullSync(stack.taskQueue, DEPENDENCIES);
    for (const m of result.mappings) assert.equal(m.state, 'done', JSON.stringify(m));
    const invoices = pass(await runSync(stack.taskQueue, { mapping: INVOICES, mode: 'full' }), 'to-dataverse');
    assert.ok(invoices.counts.inserted >= 6, JSON.stringify(invoices));
    customerCouplings = await stack.store.knex('couplings').where({ mapping: 'CUSTOMER' }).orderBy('id');
    assert.ok(customerCouplings.length >= 4, `customers coupled: ${customerCouplings.length}`);
    const [org] = await all(stack, 'dv', 'organizations');
    baseCurrencyId = lower(org._basecurrencyid_value);
  });
  after(async () => stack?.close());

  it('writes one statistics row per coupled customer with BC figures, linked from the account, in the base currency, and the payment state of every coupled invoice', async () => {
    const invoiceCouplings: Row[] = await stack.store.knex('couplings').where({ mapping: INVOICES });
    const bcInvoices = byId(await all(stack, 'bc', 'salesInvoices'), 'id');
    const dvBefore = byId(await all(stack, 'dv', 'invoices'), 'invoiceid');
    // What the invoice part must write: every coupled invoice whose Dataverse state is not the one its payments call for.
    const toSet = invoiceCouplings.filter((c) => {
      const want = expectedState(bcInvoices.get(lower(c.bc_id))!);
      const dv = dvBefore.get(lower(c.dv_id))!;
      return dv.statecode !== want[0] || dv.statuscode !== want[1];
    });
    assert.ok(toSet.length >= 6, `new Dataverse invoices are not billed yet (${toSet.length})`);

    const result = await runStatistics(stack);
    const [accountsPart, invoicesPart] = result.passes;
    const errors = await listErrors(stack.store.knex, { mapping: MAPPING });
    assert.deepEqual(
      [accountsPart.counts.inserted, accountsPart.counts.modified, accountsPart.counts.failed],
      [customerCouplings.length, 0, 0],
      JSON.stringify({ result, errors }),
    );
    assert.equal(result.outcome, 'succeeded');
    assert.deepEqual(
      counters(invoicesPart.counts),
      [0, toSet.length, invoiceCouplings.length - toSet.length, 0],
      JSON.stringify(result),
    );

    const job = (await getJob(stack.store.knex, accountsPart.jobId))!;
    assert.deepEqual(
      [job.mapping, job.type, job.status, job.inserted],
      [MAPPING, 'statistics', 'succeeded', customerCouplings.length],
    );
    const invoiceJob = (await getJob(stack.store.knex, invoicesPart.jobId))!;
    assert.deepEqual(
      [invoiceJob.mapping, invoiceJob.type, invoiceJob.status, invoiceJob.modified],
      [MAPPING, 'statistics', 'succeeded', toSet.length],
    );
    const dvAfter = byId(await all(stack, 'dv', 'invoices'), 'invoiceid');
    for (const c of invoiceCouplings) {
      const bc = bcInvoices.get(lower(c.bc_id))!;
      const dv = dvAfter.get(lower(c.dv_id))!;
      assert.deepEqual([dv.statecode, dv.statuscode], expectedState(bc), `invoice ${String(bc.number)}`);
    }
    await assertCouplingsWhole(stack, [MAPPING]);

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

  it('sets the payment state of the invoices POSTEDSALESINV-INV created from the payments applied since', async () => {
    const invoiceCouplings: Row[] = await stack.store.knex('couplings').where({ mapping: INVOICES });
    const coupled = new Map(invoiceCouplings.map((c) => [lower(c.bc_id), lower(c.dv_id)]));
    const unpaid = (await all(stack, 'bc', 'salesInvoices', "status eq 'Open'")).filter(
      (i) => coupled.has(lower(i.id)) && Number(i.remainingAmount) === Number(i.totalAmountIncludingTax),
    );
    assert.ok(unpaid.length >= 3, `three unpaid coupled posted invoices (${unpaid.length})`);
    const [untouched, partly, fully] = unpaid;
    const modifiedBefore = new Map([partly, fully].map((i) => [String(i.id), String(i.lastModifiedDateTime)] as const));
    stack.emulators.bc.applyPayment(String(partly.id), 1);
    stack.emulators.bc.applyPayment(String(fully.id), Number(fully.remainingAmount));
    // A payment is a ledger entry: the invoice's own lastModifiedDateTime does not move, so no watermark finds it.
    for (const [id, at] of modifiedBefore) {
      const now = (await stack.connectors.bc.get('salesInvoices', id))!;
      assert.equal(now.lastModifiedDateTime, at);
    }
    const open = async () => (await all(stack, 'dv', 'invoices', 'statuscode ne 100001')).length;
    const openBefore = await open();

    const result = await runStatistics(stack);
    const payments = result.passes[1];
    assert.deepEqual(counters(payments.counts), [0, 2, openBefore - 2, 0], JSON.stringify(result));
    const state = async (bcId: unknown) => {
      const r = (await stack.connectors.dv.get('invoices', coupled.get(lower(bcId))!, {
        select: ['statecode', 'statuscode'],
      }))!;
      return [r.statecode, r.statuscode];
    };
    assert.deepEqual(await state(untouched.id), [0, 4], 'active (billed)');
    assert.deepEqual(await state(partly.id), [2, 100002], 'partially paid');
    assert.deepEqual(await state(fully.id), [2, 100001], 'paid (complete)');

    // Idle: nothing to set; a paid invoice is no longer looked at. The rest of the partial payment: only that one.
    const idle = await runStatistics(stack);
    assert.deepEqual(counters(idle.passes[1].counts), [0, 0, openBefore - 1, 0]);
    const partlyNow = (await stack.connectors.bc.get('salesInvoices', String(partly.id)))!;
    stack.emulators.bc.applyPayment(String(partly.id), Number(partlyNow.remainingAmount));
    const paid = await runStatistics(stack);
    assert.deepEqual(counters(paid.passes[1].counts), [0, 1, openBefore - 2, 0]);
    assert.deepEqual(await state(partly.id), [2, 100001], 'now paid');
  });

  it('an invoice whose Dataverse write keeps failing transiently fails alone, says so, and is set by the next run', async () => {
    const invoiceCouplings: Row[] = await stack.store.knex('couplings').where({ mapping: INVOICES });
    const coupled = new Map(invoiceCouplings.map((c) => [lower(c.bc_id), lower(c.dv_id)]));
    const victim = (await all(stack, 'bc', 'salesInvoices', "status eq 'Open'")).find(
      (i) => coupled.has(lower(i.id)) && Number(i.remainingAmount) === Number(i.totalAmountIncludingTax),
    );
    assert.ok(victim, 'an unpaid coupled invoice');
    const victimDv = coupled.get(lower(victim.id))!;
    stack.emulators.bc.applyPayment(String(victim.id), 1);
    const before = (await stack.connectors.dv.get('invoices', victimDv))!;
    await setFaults(stack.emulators.dv.url, [unavailable('invoices', victimDv)]);
    let failing: SyncMappingResult;
    try {
      failing = await runStatistics(stack);
    } finally {
      await setFaults(stack.emulators.dv.url, []);
    }
    const part = failing.passes[1];
    assert.deepEqual([part.counts.modified, part.counts.failed], [0, 1], JSON.stringify(failing));
    assert.equal(failing.outcome, 'completed_with_errors');
    const errors = await listErrors(stack.store.knex, { jobId: part.jobId });
    assert.deepEqual(
      errors.map((e) => [e.sourceId, e.destinationId]),
      [[lower(victim.id), victimDv]],
    );
    assert.match(
      errors[0].message,
      /^Posted sales invoice \S+: its Dataverse invoice could not be set to partially paid: .*temporary error.*retried on the next run$/,
    );
    const unchanged = (await stack.connectors.dv.get('invoices', victimDv))!;
    assert.deepEqual([unchanged.statecode, unchanged.statuscode], [before.statecode, before.statuscode]);

    const next = await runStatistics(stack);
    assert.deepEqual([next.passes[1].counts.modified, next.passes[1].counts.failed], [1, 0], JSON.stringify(next));
    const set = (await stack.connectors.dv.get('invoices', victimDv))!;
    assert.deepEqual([set.statecode, set.statuscode], [2, 100002], 'partially paid');
    const open = await listErrors(stack.store.knex, { mapping: MAPPING, unresolvedOnly: true });
    assert.equal(open.filter((e) => e.sourceId === lower(victim.id)).length, 0, 'its error is resolved');
  });

  it('a statistics write failing transiently in a --full run fails alone, says so, and the next run retries it', async () => {
    const [victim] = customerCouplings;
    const coupling = async () =>
      (await stack.store.knex('couplings').where({ mapping: MAPPING, bc_id: victim.bc_id }).first()) as Row;
    const rowId = String((await coupling()).dv_id);
    const figures = (await stack.connectors.bc.get('customerStatistics', String(victim.bc_id)))!;
    // Someone changed the row in Dataverse: only a --full run sees it (no activity in BC), and its write fails.
    await stack.connectors.dv.update('bcsync_accountstatistics', rowId, { bcsync_balance: 999_999 });
    await setFaults(stack.emulators.dv.url, [unavailable('bcsync_accountstatistics', rowId)]);
    let full: SyncMappingResult;
    try {
      full = await runStatistics(stack, { mode: 'full' });
    } finally {
      await setFaults(stack.emulators.dv.url, []);
    }
    assert.deepEqual(counters(full.passes[0].counts), [0, 0, customerCouplings.length - 1, 1], JSON.stringify(full));
    const errors = await listErrors(stack.store.knex, { jobId: full.passes[0].jobId });
    assert.equal(errors.length, 1);
    assert.equal(errors[0].sourceId, lower(victim.bc_id));
    assert.match(
      errors[0].message,
      /^Customer \S+ '.+': its account statistics could not be written to Dataverse .*temporary error.*retried on the next run$/,
    );
    const failed = await coupling();
    assert.deepEqual(
      [failed.to_dv_result, Boolean(failed.skipped)],
      ['failure', false],
      'in the retry set, not parked',
    );

    // No activity since the --full run: only the retry set is visited, and the row gets BC's figures back.
    const retry = await runStatistics(stack);
    assert.deepEqual(counters(retry.passes[0].counts), [0, 1, 0, 0], JSON.stringify(retry));
    const row = (await stack.connectors.dv.get('bcsync_accountstatistics', rowId))!;
    assert.equal(row.bcsync_balance, figures.balanceLcy);
    const healed = await coupling();
    assert.deepEqual([healed.to_dv_result, Boolean(healed.skipped)], ['success', false]);
    const open = await listErrors(stack.store.knex, { mapping: MAPPING, unresolvedOnly: true });
    assert.equal(open.filter((e) => e.sourceId === lower(victim.bc_id)).length, 0, 'its error is resolved');
  });

  it('a statistics write answered 500 twice is written in a later round, not counted as failed', async () => {
    // The HTTP layer retries 429, 502, 503 and 504 itself but not a 500 (it cannot tell it from a refusal): the
    // statistics page does, in the rounds of a table page's budget.
    const [, victim] = customerCouplings;
    const rowId = String(
      ((await stack.store.knex('couplings').where({ mapping: MAPPING, bc_id: victim.bc_id }).first()) as Row).dv_id,
    );
    const figures = (await stack.connectors.bc.get('customerStatistics', String(victim.bc_id)))!;
    await stack.connectors.dv.update('bcsync_accountstatistics', rowId, { bcsync_balance: 777_777 });
    await setFaults(stack.emulators.dv.url, [
      { method: 'PATCH', entitySet: 'bcsync_accountstatistics', recordId: rowId, status: 500, count: 2 },
    ]);
    let full: SyncMappingResult;
    try {
      full = await runStatistics(stack, { mode: 'full' });
    } finally {
      await setFaults(stack.emulators.dv.url, []);
    }
    assert.deepEqual(counters(full.passes[0].counts), [0, 1, customerCouplings.length - 1, 0], JSON.stringify(full));
    assert.deepEqual(await listErrors(stack.store.knex, { jobId: full.passes[0].jobId }), []);
    const row = (await stack.connectors.dv.get('bcsync_accountstatistics', rowId))!;
    assert.equal(row.bcsync_balance, figures.balanceLcy);
  });

  /**
   * The statistics activities on pages of one record, twice: `dying`, whose second Dataverse update throws as if its
   * worker died, and `retried`, over the real connectors.
   */
  const activitiesDyingAtSecondWrite = () => {
    let writes = 0;
    const dv = new Proxy(stack.connectors.dv, {
      get(target, key, receiver) {
        if (key !== 'update') return Reflect.get(target, key, receiver) as unknown;
        return async (...args: Parameters<typeof target.update>) => {
          if (++writes === 2) throw new Error('the worker died');
          return target.update(...args);
        };
      },
    });
    const deps = {
      knex: stack.store.knex,
      mappings: mappingsWith(),
      cache: new ReferenceCache(stack.connectors),
      now: () => new Date(),
      overlapMs: 0,
      pageSize: 1,
    };
    return {
      dying: createStatisticsActivities({ ...deps, connectors: { ...stack.connectors, dv } }),
      retried: createStatisticsActivities({ ...deps, connectors: stack.connectors }),
    };
  };

  it('an invoice part retried after its worker died counts every invoice once and goes on where it stopped', async () => {
    const coupled = new Set(
      ((await stack.store.knex('couplings').where({ mapping: INVOICES })) as Row[]).map((c) => lower(c.bc_id)),
    );
    const unpaid = (await all(stack, 'bc', 'salesInvoices', "status eq 'Open'")).filter(
      (i) => coupled.has(lower(i.id)) && Number(i.remainingAmount) === Number(i.totalAmountIncludingTax),
    );
    assert.ok(unpaid.length >= 2, `two unpaid coupled invoices (${unpaid.length})`);
    for (const i of unpaid.slice(0, 2)) stack.emulators.bc.applyPayment(String(i.id), 1);
    const open = (await all(stack, 'dv', 'invoices', 'statuscode ne 100001')).length;

    // One invoice per page; the second write dies with the worker, after the page of the first one was committed.
    const { dying, retried } = activitiesDyingAtSecondWrite();
    const input = {
      mapping: MAPPING,
      workflowId: uniqueName('statistics'),
      runId: 'one-run',
      mode: 'incremental' as const,
    };
    await assert.rejects(
      new MockActivityEnvironment().run((i: typeof input) => dying.refreshInvoicePaymentStates(i), input),
      /the worker died/,
    );
    const done: StatisticsPartResult = await new MockActivityEnvironment().run(
      (i: typeof input) => retried.refreshInvoicePaymentStates(i),
      input,
    );
    assert.deepEqual(counters(done.counts), [0, 2, open - 2, 0], JSON.stringify(done));
    const job = (await getJob(stack.store.knex, done.jobId))!;
    assert.deepEqual([job.status, job.modified, job.unchanged], ['succeeded', 2, open - 2]);
    for (const i of unpaid.slice(0, 2)) {
      const bc = (await stack.connectors.bc.get('salesInvoices', String(i.id)))!;
      assert.equal(bc.status, 'Open');
    }
    // The next run of the job: the paying customers' statistics; the invoices are set already.
    const next = await runStatistics(stack);
    const paying = new Set(unpaid.slice(0, 2).map((i) => lower(i.customerId)));
    assert.deepEqual(counters(next.passes[0].counts), [0, paying.size, 0, 0], JSON.stringify(next));
    assert.deepEqual(counters(next.passes[1].counts), [0, 0, open, 0]);
  });

  it('an account part retried after its worker died counts every customer once and goes on where it stopped', async () => {
    // Two statistics rows changed in Dataverse: a --full refresh writes them back, one customer per page; the second
    // write dies with the worker after the page of the first one was committed.
    const rows: Row[] = await stack.store
      .knex('couplings')
      .where({ mapping: MAPPING, skipped: false })
      .orderBy('bc_id');
    const [first, second] = [rows[0], rows[rows.length - 1]];
    for (const r of [first, second]) {
      await stack.connectors.dv.update('bcsync_accountstatistics', String(r.dv_id), { bcsync_creditlimit: 1 });
    }
    const { dying, retried } = activitiesDyingAtSecondWrite();
    const input = { mapping: MAPPING, workflowId: uniqueName('statistics'), runId: 'one-run', mode: 'full' as const };
    await assert.rejects(
      new MockActivityEnvironment().run((i: typeof input) => dying.refreshAccountStatistics(i), input),
      /the worker died/,
    );
    const done: StatisticsPartResult = await new MockActivityEnvironment().run(
      (i: typeof input) => retried.refreshAccountStatistics(i),
      input,
    );
    assert.deepEqual(counters(done.counts), [0, 2, rows.length - 2, 0], JSON.stringify(done));
    const figures = byId(await all(stack, 'bc', 'customerStatistics'), 'id');
    for (const r of [first, second]) {
      const row = (await stack.connectors.dv.get('bcsync_accountstatistics', String(r.dv_id)))!;
      assert.equal(row.bcsync_creditlimit, figures.get(lower(r.bc_id))!.creditLimitLcy);
    }
  });

  it('customers whose account was deleted fail alone, with what to do, and are parked after the same failure twice', async () => {
    // One with its statistics uploaded, one whose statistics coupling was removed (never uploaded since).
    const uploaded = customerCouplings[customerCouplings.length - 1];
    const never = customerCouplings[customerCouplings.length - 2];
    await stack.store.knex('couplings').where({ mapping: MAPPING, bc_id: never.bc_id }).delete();
    for (const v of [uploaded, never]) await stack.connectors.dv.delete('accounts', String(v.dv_id));
    const victims = [lower(uploaded.bc_id), lower(never.bc_id)].sort();

    const result = await runStatistics(stack, { mode: 'full' });
    assert.deepEqual(
      counters(result.passes[0].counts),
      [0, 0, customerCouplings.length - 2, 2],
      JSON.stringify(result),
    );
    assert.equal(result.outcome, 'completed_with_errors');
    const errors = await listErrors(stack.store.knex, { jobId: result.passes[0].jobId });
    assert.deepEqual(errors.map((e) => e.sourceId).sort(), victims);
    for (const e of errors) {
      assert.match(
        e.message,
        /^Customer \S+ '.+': its account [0-9a-f-]+ no longer exists in Dataverse; couple the customer/,
      );
    }
    const job = (await getJob(stack.store.knex, result.passes[0].jobId))!;
    assert.deepEqual([job.type, job.status, job.failed], ['statistics', 'completed_with_errors', 2]);

    // The next run retries both (the retry set; the customer never uploaded); the same failure again parks them;
    // after that they cost nothing.
    const again = await runStatistics(stack);
    assert.deepEqual(counters(again.passes[0].counts), [0, 0, 0, 2], JSON.stringify(again));
    for (const e of await listErrors(stack.store.knex, { jobId: again.passes[0].jobId })) {
      assert.match(
        e.message,
        /no longer exists in Dataverse.*\(failed twice with the same error: the record is now skipped/,
      );
    }
    const parked = (await stack.store
      .knex('couplings')
      .where({ mapping: MAPPING, bc_id: uploaded.bc_id })
      .first()) as Row;
    assert.deepEqual([parked.to_dv_result, Boolean(parked.skipped)], ['failure', true]);
    const pending = (await stack.store
      .knex('pending_failures')
      .where({ mapping: MAPPING, source_id: never.bc_id })
      .first()) as Row;
    assert.deepEqual([pending.error_count, Boolean(pending.skipped)], [2, true]);
    assert.equal(
      await stack.store.knex('couplings').where({ mapping: MAPPING, bc_id: never.bc_id }).first(),
      undefined,
      'no statistics coupling without a statistics row',
    );
    const quiet = await runStatistics(stack);
    assert.deepEqual(counters(quiet.passes[0].counts), [0, 0, 0, 0], JSON.stringify(quiet));
    assert.equal(quiet.outcome, 'succeeded');
  });
});
