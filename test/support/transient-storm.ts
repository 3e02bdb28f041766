/**
 * Invariant 7 (DESIGN §7.7, "Transient is not failed"), end to end: with both services throttling and failing a share
 * of every request — whole `$batch` requests and single operations inside them — a full bidirectional CUSTOMER run
 * fails no record, creates nothing twice and leaves every coupling whole. `npm test` runs it on 250 customers
 * and 100 Dataverse-only accounts (about a minute); `npm run chaos` runs the same test on 1,000 and 400 (about four
 * minutes), the scale at which the storm first showed failed records.
 */
import assert from 'node:assert/strict';
import { assertCouplingsWhole } from './coupling-integrity';
import { all, mappingsWith, type Row, setFaults, startSyncStack, type SyncStack } from './sync-stack';
import { pass, runSync } from './sync-runs';

/** How many BC customers (none shared by name) and Dataverse-only accounts: both passes create records. */
export interface StormScale {
  customers: number;
  dataverseOnlyAccounts: number;
}

/** Defines the storm test at `scale`. */
export function describeStorm(scale: StormScale): void {
  const seed = {
    customers: scale.customers,
    contactsPerCustomer: 0,
    overlapFraction: 0,
    dataverseOnlyAccounts: scale.dataverseOnlyAccounts,
    dataverseContactsPerAccount: 0,
    postedInvoices: 0,
    draftInvoices: 0,
  };

  const customerFilter = "blocked eq ' '";
  const accountFilter = 'statecode eq 0 and customertypecode eq 3';

  /**
   * 30 % of requests answered 429 with Retry-After 1 s and 5 % answered 503. The rules name no entity set, so they hit
   * every top-level request (a `$batch` included) and, inside a batch, every single operation.
   */
  const storm = [
    { status: 429, rate: 0.3, retryAfterSeconds: 1 },
    { status: 503, rate: 0.05 },
  ];

  /** The names that occur more than once among `rows`. */
  function duplicateNames(rows: Row[], field: string): string[] {
    const seen = new Map<string, number>();
    for (const r of rows) seen.set(String(r[field]), (seen.get(String(r[field])) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([name]) => name);
  }

  describe('a throttling and failing storm on both services', function () {
    this.timeout(600_000);
    let stack: SyncStack;

    before(async () => {
      stack = await startSyncStack({
        seed,
        pageSize: 200,
        // CUSTOMER with its shipped owner and currency lookups: SALESPEOPLE and CURRENCY are synchronized first.
        mappings: mappingsWith({ mappings: { CUSTOMER: { onlyCoupled: false } } }),
        prerequisites: ['SALESPEOPLE', 'CURRENCY'],
      });
    });
    after(async () => stack?.close());

    it(`ends a full bidirectional run of ${seed.customers} customers with no failed record, no duplicate and whole couplings`, async () => {
      const customers = await all(stack, 'bc', 'customers', customerFilter);
      const accounts = await all(stack, 'dv', 'accounts', accountFilter);
      assert.ok(
        customers.length >= seed.customers * 0.9 && accounts.length >= seed.dataverseOnlyAccounts * 0.75,
        'the demo data has records on both sides',
      );

      await setFaults(stack.emulators.bc.url, storm);
      await setFaults(stack.emulators.dv.url, storm);
      let result;
      try {
        result = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'full' });
      } finally {
        await setFaults(stack.emulators.bc.url, []);
        await setFaults(stack.emulators.dv.url, []);
      }
      const faulted = (await Promise.all([stack.emulators.bc.url, stack.emulators.dv.url].map(faultedCount))).map(
        (n) => n > 20,
      );
      assert.deepEqual(faulted, [true, true], 'the storm hit both services');

      const toDv = pass(result, 'to-dataverse').counts;
      const toBc = pass(result, 'to-bc').counts;
      const errors = await stack.store.knex('sync_errors').where({ mapping: 'CUSTOMER' }).select('message').limit(5);
      assert.equal(toDv.failed, 0, `BC→Dataverse failed records: ${JSON.stringify(errors)}`);
      assert.equal(toBc.failed, 0, `Dataverse→BC failed records: ${JSON.stringify(errors)}`);
      assert.equal(result.outcome, 'succeeded', JSON.stringify(result));

      const customersAfter = await all(stack, 'bc', 'customers', customerFilter);
      const accountsAfter = await all(stack, 'dv', 'accounts', accountFilter);
      assert.deepEqual(duplicateNames(accountsAfter, 'name'), [], 'Dataverse: one account per name');
      assert.deepEqual(duplicateNames(customersAfter, 'displayName'), [], 'Business Central: one customer per name');
      assert.equal(accountsAfter.length, accounts.length + customers.length);
      assert.equal(customersAfter.length, customers.length + accounts.length);

      const rows: Row[] = await stack.store.knex('couplings').where({ mapping: 'CUSTOMER' });
      const coupledBc = new Set(rows.map((r) => String(r.bc_id).toLowerCase()));
      const coupledDv = new Set(rows.map((r) => String(r.dv_id).toLowerCase()));
      const uncoupledCustomers = customersAfter.filter((c) => !coupledBc.has(String(c.id).toLowerCase()));
      const uncoupledAccounts = accountsAfter.filter((a) => !coupledDv.has(String(a.accountid).toLowerCase()));
      assert.deepEqual(
        uncoupledCustomers.map((c) => c.displayName),
        [],
        'customers without a coupled account',
      );
      assert.deepEqual(
        uncoupledAccounts.map((a) => a.name),
        [],
        'accounts without a coupled customer',
      );
      const checked = await assertCouplingsWhole(stack, ['CUSTOMER']);
      assert.equal(checked.CUSTOMER, customers.length + accounts.length);
    });
  });
}

async function faultedCount(url: string): Promise<number> {
  const res = await fetch(`${url}/__emulator/stats`);
  return ((await res.json()) as { faulted?: number }).faulted ?? 0;
}
