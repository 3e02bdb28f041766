/**
 * End to end on the real stack (Temporal dev server, MySQL, both emulators over HTTP) with the default demo data, where
 * a third of the BC customers also exist as Dataverse accounts by name: the full synchronization of CUSTOMER and
 * CONTACT from empty couplings couples what matches, creates the rest, and duplicates nothing.
 */
import assert from 'node:assert/strict';
import { formatFullSyncReport } from '../../client/full-sync-report';
import { applyMappingOverrides, defaultMappings, demoMappingOverrides } from '../../mappings';
import { listErrors } from '../../store/sync-errors';
import { listJobs } from '../../store/sync-jobs';
import type { fullSync } from '../../workflows';
import { BcSyncOutcome, fullSyncProgressQuery } from '../../workflows/definitions';
import { assertCouplingsWhole } from '../support/coupling-integrity';
import { testResources, uniqueName } from '../support/env';
import { all, type Row, startSyncStack, type SyncStack } from '../support/sync-stack';

const customerFilter = "blocked eq ' '";
const accountFilter = 'statecode eq 0 and customertypecode eq 3';

/** How often each name occurs. */
function nameCounts(rows: Row[], field: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    const name = (typeof r[field] === 'string' ? r[field] : '').trim().toLowerCase();
    out.set(name, (out.get(name) ?? 0) + 1);
  }
  return out;
}

/** Names that occur more often after than on either side before (a duplicate the full synchronization made). */
function newDuplicates(after: Map<string, number>, beforeA: Map<string, number>, beforeB: Map<string, number>) {
  return [...after].filter(([name, n]) => n > Math.max(1, beforeA.get(name) ?? 0, beforeB.get(name) ?? 0));
}

/**
 * The demo blocks some customers (outside CUSTOMER's filter): their person contacts are out of CONTACT's scope, so
 * they are neither synchronized nor failed — and no contact fails for want of its customer (dependency order).
 */
async function assertContactsOfBlockedCustomersOutOfScope(stack: SyncStack): Promise<void> {
  const blocked = await all(stack, 'bc', 'customers', "blocked ne ' '");
  assert.ok(blocked.length > 0, 'the demo data has blocked customers');
  assert.deepEqual(await listErrors(stack.store.knex, { mapping: 'CONTACT', limit: 1000 }), []);
  const blockedNumbers = new Set(blocked.map((c) => c.number as string));
  const persons = await all(stack, 'bc', 'contacts', "type eq 'Person'");
  const outOfScope = persons.filter((p) => blockedNumbers.has(p.companyNumber as string));
  const coupled = new Set(
    (await stack.store.knex('couplings').where({ mapping: 'CONTACT' })).map((r: Row) => String(r.bc_id)),
  );
  assert.deepEqual(
    outOfScope.filter((p) => coupled.has(String(p.id).toLowerCase())),
    [],
    'no contact of a blocked customer is coupled',
  );
}

describe('bcsync full-sync of CUSTOMER and CONTACT, end to end', function () {
  this.timeout(300_000);
  const mappings = applyMappingOverrides(defaultMappings(), demoMappingOverrides);
  let stack: SyncStack;
  before(async () => {
    // Every salesperson has a Dataverse user: SALESPEOPLE couples them all and no customer fails on its owner.
    stack = await startSyncStack({ mappings, seed: { matchingSystemUsers: 6 } });
  });
  after(async () => stack.close());

  it('couples the customers that exist on both sides, creates the rest on each side, and duplicates nothing', async () => {
    const customersBefore = await all(stack, 'bc', 'customers', customerFilter);
    const accountsBefore = await all(stack, 'dv', 'accounts', accountFilter);
    const bcNames = nameCounts(customersBefore, 'displayName');
    const dvNames = nameCounts(accountsBefore, 'name');
    const shared = [...bcNames.keys()].filter((n) => dvNames.get(n) === 1 && bcNames.get(n) === 1);
    assert.ok(shared.length > 0, 'the demo data has customers that also exist as accounts');

    const handle = await testResources().temporal.client.workflow.start<typeof fullSync>('fullSync', {
      taskQueue: stack.taskQueue,
      workflowId: uniqueName('full-sync'),
      args: [{ mappings: ['CONTACT', 'CUSTOMER', 'CURRENCY', 'SALESPEOPLE'] }],
    });
    const result = await handle.result();
    const byName = Object.fromEntries(result.mappings.map((m) => [m.mapping, m]));
    assert.deepEqual(
      result.layers.map((l) => [...l].sort()),
      [['CURRENCY', 'SALESPEOPLE'], ['CUSTOMER'], ['CONTACT']],
    );
    assert.equal(byName.SALESPEOPLE.state, 'done', JSON.stringify(byName.SALESPEOPLE));
    assert.equal(byName.CURRENCY.state, 'done', JSON.stringify(byName.CURRENCY));
    assert.equal(byName.CUSTOMER.state, 'done', JSON.stringify(byName.CUSTOMER));
    assert.equal(byName.CONTACT.state, 'done', JSON.stringify(byName.CONTACT));
    // The demo's one deliberate failure: the currency ISK has no exchange rate. The demo data also blocks some
    // customers (outside CUSTOMER's filter): their person contacts are out of scope, not failed.
    assert.equal(
      result.outcome,
      'completed_with_errors',
      JSON.stringify(result.mappings.map((m) => [m.mapping, m.counts])),
    );
    assert.equal((await handle.describe()).typedSearchAttributes.get(BcSyncOutcome), 'completed_with_errors');
    assert.deepEqual(
      result.mappings.filter((m) => (m.counts?.failed ?? 0) > 0).map((m) => [m.mapping, m.counts?.failed]),
      [['CURRENCY', 1]],
    );
    assert.equal((await handle.query(fullSyncProgressQuery)).phase, 'done');

    const customer = byName.CUSTOMER.counts!;
    assert.equal(customer.coupled, shared.length, 'every customer that exists once on both sides is matched');
    assert.equal(customer.ambiguous, 0);
    assert.equal(customer.failed, 0);

    const customersAfter = await all(stack, 'bc', 'customers', customerFilter);
    const accountsAfter = await all(stack, 'dv', 'accounts', accountFilter);
    assert.equal(accountsAfter.length, accountsBefore.length + customer.insertedToDataverse);
    assert.equal(customersAfter.length, customersBefore.length + customer.insertedToBc);
    assert.equal(customer.insertedToDataverse, customersBefore.length - shared.length, 'the unmatched customers');
    assert.equal(customer.insertedToBc, accountsBefore.length - shared.length, 'the Dataverse-only accounts');
    assert.deepEqual(newDuplicates(nameCounts(accountsAfter, 'name'), bcNames, dvNames), []);
    assert.deepEqual(newDuplicates(nameCounts(customersAfter, 'displayName'), bcNames, dvNames), []);
    assert.equal(
      (await stack.store.knex('couplings').where({ mapping: 'CUSTOMER' })).length,
      customersAfter.length,
      'every customer is coupled once',
    );

    const contact = byName.CONTACT.counts!;
    assert.ok(contact.insertedToDataverse + contact.insertedToBc + contact.coupled > 0, 'contacts were synchronized');
    await assertContactsOfBlockedCustomersOutOfScope(stack);

    // One coupling (match) job per mapping; no CUSTOMER record failed.
    for (const mapping of ['CUSTOMER', 'CONTACT']) {
      const jobs = await listJobs(stack.store.knex, { mapping, limit: 20 });
      assert.ok(
        jobs.some((j) => j.type === 'coupling' && j.status === 'succeeded'),
        `${mapping}: ${JSON.stringify(jobs)}`,
      );
    }
    assert.ok((await listJobs(stack.store.knex, { mapping: 'CUSTOMER' })).every((j) => j.failed === 0));
    const checked = await assertCouplingsWhole(stack, ['CUSTOMER', 'CONTACT'], mappings);
    assert.ok(checked.CUSTOMER > 0 && checked.CONTACT > 0);

    // The closing report lists matched and created counts per mapping.
    const report = formatFullSyncReport(result, [], []).join('\n');
    assert.match(report, /Full synchronization: completed_with_errors/);
    assert.match(
      report,
      new RegExp(
        `CUSTOMER\\s+done\\s+${customer.coupled}\\s+${customer.insertedToDataverse}\\s+${customer.insertedToBc}\\s+0\\s+0\\s+0`,
      ),
    );
  });

  it('is idempotent: a second full synchronization couples and creates nothing more', async () => {
    const accounts = (await all(stack, 'dv', 'accounts', accountFilter)).length;
    const customers = (await all(stack, 'bc', 'customers', customerFilter)).length;
    const result = await (
      await testResources().temporal.client.workflow.start<typeof fullSync>('fullSync', {
        taskQueue: stack.taskQueue,
        workflowId: uniqueName('full-sync-again'),
        args: [{ mappings: ['SALESPEOPLE', 'CURRENCY', 'CUSTOMER', 'CONTACT'] }],
      })
    ).result();
    assert.deepEqual(
      result.mappings.filter((m) => (m.counts?.failed ?? 0) > 0).map((m) => m.mapping),
      ['CURRENCY'],
      'only the deliberate ISK failure, again',
    );
    await assertContactsOfBlockedCustomersOutOfScope(stack);
    for (const m of result.mappings) {
      assert.equal(m.counts?.coupled, 0, m.mapping);
      assert.equal((m.counts?.insertedToDataverse ?? 0) + (m.counts?.insertedToBc ?? 0), 0, m.mapping);
    }
    assert.equal((await all(stack, 'dv', 'accounts', accountFilter)).length, accounts);
    assert.equal((await all(stack, 'bc', 'customers', customerFilter)).length, customers);
  });
});
