/**
 * Couplings you can trust (DESIGN §7.6), end to end on the real stack: matching stores whole couplings that later
 * runs follow, an "already exists" answer never becomes a ghost coupling, and the match job couples, reports
 * ambiguity without guessing, writes nothing in a dry run, and creates the rest on request.
 *
 * CUSTOMER runs with its shipped lookups on: each stack first brings SALESPEOPLE and CURRENCY, which its owner and
 * currency lookups resolve through, to a synchronized state.
 */
import assert from 'node:assert/strict';
import type { IntegrationTableMapping } from '../../mappings';
import { listErrors } from '../../store/sync-errors';
import { listJobs } from '../../store/sync-jobs';
import { assertCouplingsWhole } from '../support/coupling-integrity';
import { pass, runMatch, runSync } from '../support/sync-runs';
import { all, mappingsWith, startSyncStack, type Row, type SyncStack } from '../support/sync-stack';

const customerFilter = "blocked eq ' '";
const accountFilter = 'statecode eq 0 and customertypecode eq 3';

function customerMappings(
  extra: Record<string, unknown> = {},
  more: Record<string, unknown> = {},
): IntegrationTableMapping[] {
  return mappingsWith({
    mappings: {
      CUSTOMER: {
        onlyCoupled: false,
        ...extra,
      },
      ...more,
    },
  });
}

const bcCurrency = (currencies: Row[], code: string): Row => currencies.find((c) => c.code === code)!;

const couplingRows = async (stack: SyncStack, mapping: string): Promise<Row[]> =>
  stack.store.knex('couplings').where({ mapping }).orderBy('id');

describe('couplings you can trust, end to end', function () {
  this.timeout(240_000);

  describe('a customer matched by name and then renamed', function () {
    let stack: SyncStack;
    before(async () => {
      stack = await startSyncStack({
        seed: { customers: 8, contactsPerCustomer: 1, overlapFraction: 0.5, dataverseOnlyAccounts: 1 },
        mappings: customerMappings(),
        prerequisites: ['SALESPEOPLE', 'CURRENCY'],
      });
    });
    after(async () => stack.close());

    it('renames the coupled account instead of creating a second one', async () => {
      const accountsBefore = await all(stack, 'dv', 'accounts', accountFilter);
      const customers = await all(stack, 'bc', 'customers', customerFilter);
      const shared = customers.find((c) => accountsBefore.some((a) => a.name === c.displayName));
      assert.ok(shared, 'the demo data has a customer that already exists as an account');
      const preexisting = accountsBefore.find((a) => a.name === shared.displayName)!;

      const first = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'full' });
      assert.equal(first.failed, 0, JSON.stringify(first));
      await assertCouplingsWhole(stack, ['CUSTOMER']);
      const row = (await couplingRows(stack, 'CUSTOMER')).find((r) => r.bc_id === String(shared.id).toLowerCase());
      assert.equal(row?.dv_id, String(preexisting.accountid).toLowerCase(), 'coupled to the account that existed');
      const accountsAfterFirst = await all(stack, 'dv', 'accounts', accountFilter);

      await stack.connectors.bc.update('customers', String(shared.id), '*', {
        displayName: `${String(shared.displayName)} Norge`,
      });
      const second = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      assert.equal(pass(second, 'to-dataverse').counts.modified, 1, JSON.stringify(second));
      assert.equal(pass(second, 'to-dataverse').counts.inserted, 0);
      const accountsAfter = await all(stack, 'dv', 'accounts', accountFilter);
      assert.equal(accountsAfter.length, accountsAfterFirst.length, 'no second account');
      const renamed = await stack.connectors.dv.get('accounts', String(preexisting.accountid));
      assert.equal(renamed!.name, `${String(shared.displayName)} Norge`);
      await assertCouplingsWhole(stack, ['CUSTOMER']);
    });
  });

  describe('a create answered "already exists" by another record holding the alternate key', function () {
    let stack: SyncStack;
    afterEach(async () => stack?.close());

    it('couples the holder when the match criteria accept it (BC NOK against the Dataverse base currency)', async () => {
      // Match before create off: the create itself meets the Dataverse NOK row's alternate key (isocurrencycode).
      stack = await startSyncStack({
        seed: { customers: 1 },
        mappings: mappingsWith({ mappings: { CURRENCY: { matchBeforeCreate: false } } }),
      });
      const base = (await all(stack, 'dv', 'transactioncurrencies')).find((c) => c.isocurrencycode === 'NOK')!;
      const result = await runSync(stack.taskQueue, { mapping: 'CURRENCY', mode: 'full' });
      const counts = pass(result, 'to-dataverse').counts;
      // The one failure is the demo's deliberate currency without an exchange rate (ISK), never NOK.
      const errors = await listErrors(stack.store.knex, { mapping: 'CURRENCY' });
      assert.equal(counts.failed, 1, JSON.stringify(errors));
      assert.deepEqual(
        errors.map((e) => e.sourceId),
        [String(bcCurrency(await all(stack, 'bc', 'currencies'), 'ISK').id).toLowerCase()],
      );
      assert.match(errors[0].message, /^Currency 'ISK' has no exchange rate in Business Central/);
      const nok = (await all(stack, 'bc', 'currencies')).find((c) => c.code === 'NOK')!;
      const row = (await couplingRows(stack, 'CURRENCY')).find((r) => r.bc_id === String(nok.id).toLowerCase());
      assert.equal(row?.dv_id, String(base.transactioncurrencyid).toLowerCase(), 'NOK coupled to the existing row');
      const noks = (await all(stack, 'dv', 'transactioncurrencies')).filter((c) => c.isocurrencycode === 'NOK');
      assert.equal(noks.length, 1, 'no second NOK');
      await assertCouplingsWhole(stack, ['CURRENCY']);
      // And the next run follows that coupling: nothing is reported deleted or created.
      const next = await runSync(stack.taskQueue, { mapping: 'CURRENCY', mode: 'full' });
      assert.deepEqual([pass(next, 'to-dataverse').counts.deleted, pass(next, 'to-dataverse').counts.inserted], [0, 0]);
    });

    it('fails the record naming the holder when the match criteria do not accept it, and couples nothing', async () => {
      stack = await startSyncStack({
        seed: { customers: 1 },
        mappings: mappingsWith({
          mappings: {
            CURRENCY: {
              matchBeforeCreate: false,
              matchCriteria: [{ fields: [{ bcField: 'displayName', dvField: 'currencyname' }], caseSensitive: true }],
            },
          },
        }),
      });
      const nok = (await all(stack, 'bc', 'currencies')).find((c) => c.code === 'NOK')!;
      await stack.connectors.bc.update('currencies', String(nok.id), '*', { displayName: 'Norsk krone (BC)' });
      const base = (await all(stack, 'dv', 'transactioncurrencies')).find((c) => c.isocurrencycode === 'NOK')!;
      const result = await runSync(stack.taskQueue, { mapping: 'CURRENCY', mode: 'full' });
      // NOK, and the demo's deliberate currency without an exchange rate (ISK).
      assert.equal(pass(result, 'to-dataverse').counts.failed, 2, JSON.stringify(result));
      const errors = await listErrors(stack.store.knex, { mapping: 'CURRENCY' });
      const isk = bcCurrency(await all(stack, 'bc', 'currencies'), 'ISK');
      assert.deepEqual(
        errors.map((e) => e.sourceId).sort(),
        [String(nok.id).toLowerCase(), String(isk.id).toLowerCase()].sort(),
      );
      const error = errors.find((e) => e.sourceId === String(nok.id).toLowerCase())!;
      assert.match(error.message, /already holds isocurrencycode 'NOK'/);
      assert.ok(error.message.includes(String(base.transactioncurrencyid).toLowerCase()), error.message);
      assert.match(error.message, /bcsync couple CURRENCY --bc /);
      const rows = await couplingRows(stack, 'CURRENCY');
      assert.ok(!rows.some((r) => r.bc_id === String(nok.id).toLowerCase()), 'NOK is not coupled');
      await assertCouplingsWhole(stack, ['CURRENCY']);
    });
  });

  describe('the match job', function () {
    let stack: SyncStack;
    beforeEach(async () => {
      stack = await startSyncStack({
        seed: { customers: 8, contactsPerCustomer: 1, overlapFraction: 0.5, dataverseOnlyAccounts: 2 },
        mappings: customerMappings({ onlyCoupled: true }),
        prerequisites: ['SALESPEOPLE', 'CURRENCY'],
      });
    });
    afterEach(async () => stack.close());

    it('--dry-run reports what it would couple and writes nothing', async () => {
      const result = await runMatch(stack.taskQueue, { mapping: 'CUSTOMER', dryRun: true });
      assert.equal(result.jobId, null);
      assert.ok(result.counts.coupled >= 2, JSON.stringify(result.counts));
      assert.equal(result.pairs.length, result.counts.coupled);
      assert.equal((await couplingRows(stack, 'CUSTOMER')).length, 0, 'no coupling written');
      assert.equal((await listJobs(stack.store.knex, { mapping: 'CUSTOMER' })).length, 0, 'no job row');
    });

    it('couples exactly the look-alikes, reports an ambiguous one with every candidate, and creates the rest on request', async () => {
      const customers = await all(stack, 'bc', 'customers', customerFilter);
      const accounts = await all(stack, 'dv', 'accounts', accountFilter);
      const shared = customers.filter((c) => accounts.some((a) => a.name === c.displayName));
      assert.ok(shared.length >= 2, 'the demo data overlaps');
      const lookAlike = '6f1b7d7e-0000-4000-8000-000000000002';
      await stack.connectors.dv.createWithId('accounts', lookAlike, {
        name: shared[0].displayName,
        customertypecode: 3,
      });

      const result = await runMatch(stack.taskQueue, { mapping: 'CUSTOMER' });
      assert.equal(result.counts.coupled, shared.length - 1);
      assert.equal(result.counts.ambiguous, 1);
      const [ambiguity] = result.ambiguities;
      assert.equal(ambiguity.sourceId, String(shared[0].id).toLowerCase());
      assert.deepEqual(
        ambiguity.candidates.map((c) => c.id).sort(),
        [lookAlike, String(accounts.find((a) => a.name === shared[0].displayName)!.accountid).toLowerCase()].sort(),
      );
      const rows = await couplingRows(stack, 'CUSTOMER');
      assert.equal(rows.length, shared.length - 1);
      assert.ok(!rows.some((r) => r.bc_id === String(shared[0].id).toLowerCase()), 'the ambiguous one is not coupled');
      const [job] = await listJobs(stack.store.knex, { mapping: 'CUSTOMER' });
      assert.deepEqual([job.type, job.coupled, job.failed], ['coupling', shared.length - 1, 1]);
      const errors = await listErrors(stack.store.knex, { jobId: job.id });
      assert.match(errors[0].message, new RegExp(lookAlike));
      await assertCouplingsWhole(stack, ['CUSTOMER']);

      // --create-unmatched: the rest is created and coupled; the ambiguous customer still is not guessed.
      const created = await runMatch(stack.taskQueue, { mapping: 'CUSTOMER', createUnmatched: true });
      assert.ok(created.sync, 'a create run ran');
      const toDv = pass(created.sync, 'to-dataverse').counts;
      assert.equal(toDv.inserted, customers.length - shared.length);
      const bcNames = (await all(stack, 'bc', 'customers', customerFilter)).map((c) => String(c.displayName));
      const dvNames = (await all(stack, 'dv', 'accounts', accountFilter)).map((a) => String(a.name));
      for (const name of new Set(bcNames)) {
        assert.equal(bcNames.filter((n) => n === name).length, 1, `one customer named ${name}`);
        const expected = name === shared[0].displayName ? 2 : 1;
        assert.equal(dvNames.filter((n) => n === name).length, expected, `accounts named ${name}`);
      }
      await assertCouplingsWhole(stack, ['CUSTOMER']);
    });
  });
});
