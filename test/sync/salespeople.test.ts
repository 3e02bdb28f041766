/**
 * SALESPEOPLE (Dataverse users → Business Central salespeople) end to end with the shipped defaults, and CUSTOMER with
 * its owner lookup ON resolving through the SALESPEOPLE couplings (Person ownership, bc-sync-semantics §4.10, §8.2).
 */
import assert from 'node:assert/strict';
import { listErrors } from '../../store/sync-errors';
import { assertCouplingsWhole } from '../support/coupling-integrity';
import { pass, runFullSync, runMatch, runSync } from '../support/sync-runs';
import { all, mappingsWith, type Row, startSyncStack, type SyncStack } from '../support/sync-stack';

const userFilter = 'isdisabled eq false and islicensed eq true and isintegrationuser eq false';
const email = (v: unknown): string => (typeof v === 'string' ? v : '').toLowerCase();

describe('SALESPEOPLE end to end', function () {
  this.timeout(180_000);
  let stack: SyncStack;
  let users: Row[];
  let salespeopleBefore: Row[];

  before(async () => {
    stack = await startSyncStack({ seed: { customers: 12, contactsPerCustomer: 1 }, mappings: mappingsWith() });
    users = await all(stack, 'dv', 'systemusers', userFilter);
    salespeopleBefore = await all(stack, 'bc', 'salespeoplePurchasers');
  });
  after(async () => stack.close());

  it('matches users to salespeople by e-mail and creates only the others, with generated codes', async () => {
    const matching = users.filter((u) =>
      salespeopleBefore.some((s) => email(s.email) === email(u.internalemailaddress)),
    );
    assert.ok(matching.length > 0 && matching.length < users.length, 'the demo data has both kinds');
    // The first synchronization (synchronize only coupled records is on): match, then create the rest.
    const result = await runMatch(stack.taskQueue, { mapping: 'SALESPEOPLE', createUnmatched: true });
    assert.equal(result.counts.coupled, matching.length);
    assert.equal(result.counts.ambiguous, 0);
    const counts = pass(result.sync!, 'to-bc').counts;
    assert.equal(counts.failed, 0, JSON.stringify(await listErrors(stack.store.knex, { mapping: 'SALESPEOPLE' })));
    assert.equal(counts.inserted, users.length - matching.length);
    const salespeople = await all(stack, 'bc', 'salespeoplePurchasers');
    assert.equal(salespeople.length, salespeopleBefore.length + users.length - matching.length, 'no duplicate');
    for (const u of users) {
      assert.equal(
        salespeople.filter((s) => email(s.email) === email(u.internalemailaddress)).length,
        1,
        `one salesperson for ${String(u.internalemailaddress)}`,
      );
    }
    const created = salespeople.filter((s) => !salespeopleBefore.some((b) => b.id === s.id));
    assert.ok(
      created.every((s) => /^SP[A-Z0-9]{8,}$/.test(String(s.code))),
      JSON.stringify(created.map((s) => s.code)),
    );
    await assertCouplingsWhole(stack, ['SALESPEOPLE']);
  });

  it('carries one change, then an idle run changes nothing', async () => {
    const user = users[0];
    await stack.connectors.dv.update('systemusers', String(user.systemuserid), { mobilephone: '+47 41234567' }, '*');
    const changed = await runSync(stack.taskQueue, { mapping: 'SALESPEOPLE', mode: 'incremental' });
    assert.equal(pass(changed, 'to-bc').counts.modified, 1, JSON.stringify(changed));
    const row = (
      await stack.store
        .knex('couplings')
        .where({ mapping: 'SALESPEOPLE', dv_id: String(user.systemuserid).toLowerCase() })
    )[0] as Row;
    const sp = await stack.connectors.bc.get('salespeoplePurchasers', String(row.bc_id));
    assert.equal(sp!.phoneNo, '+47 41234567');
    const idle = await runSync(stack.taskQueue, { mapping: 'SALESPEOPLE', mode: 'incremental' });
    const c = pass(idle, 'to-bc').counts;
    assert.deepEqual([c.inserted, c.modified, c.failed], [0, 0, 0]);
  });

  it('fails one bad user alone with an actionable message', async () => {
    const user = users[users.length - 1];
    await stack.connectors.dv.update('systemusers', String(user.systemuserid), { mobilephone: '9'.repeat(40) }, '*');
    const result = await runSync(stack.taskQueue, { mapping: 'SALESPEOPLE', mode: 'incremental' });
    assert.equal(pass(result, 'to-bc').counts.failed, 1);
    const [error] = await listErrors(stack.store.knex, { mapping: 'SALESPEOPLE', unresolvedOnly: true });
    assert.equal(error.sourceId, String(user.systemuserid).toLowerCase());
    assert.match(error.message, /phoneNo|30/);
  });

  it('CUSTOMER with its owner lookup on: accounts are owned by the coupled salesperson’s user', async () => {
    // CUSTOMER's currency lookup resolves through CURRENCY, synchronized first as a full synchronization does.
    await runFullSync(stack.taskQueue, ['CURRENCY']);
    await stack.restartWorker({ mappings: mappingsWith({ mappings: { CUSTOMER: { onlyCoupled: false } } }) });
    const result = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
    const spRows: Row[] = await stack.store.knex('couplings').where({ mapping: 'SALESPEOPLE' });
    const salespeople = await all(stack, 'bc', 'salespeoplePurchasers');
    const customers = await all(stack, 'bc', 'customers', "blocked eq ' '");
    // The demo's BC-only salespeople have no Dataverse user: their customers fail alone, saying what to do.
    const withoutUser = customers.filter((c) => {
      const sp = salespeople.find((s) => s.code === c.salespersonCode);
      return sp && !spRows.some((r) => r.bc_id === String(sp.id).toLowerCase());
    });
    assert.ok(withoutUser.length > 0, 'the demo data has customers of BC-only salespeople');
    assert.equal(pass(result, 'to-dataverse').counts.failed, withoutUser.length);
    const errors = await listErrors(stack.store.knex, { mapping: 'CUSTOMER', unresolvedOnly: true });
    assert.deepEqual(errors.map((e) => e.sourceId).sort(), withoutUser.map((c) => String(c.id).toLowerCase()).sort());
    for (const e of errors) {
      assert.match(e.message, /couple it to an existing Dataverse user with 'bcsync couple SALESPEOPLE --bc /);
    }
    const custRows: Row[] = await stack.store.knex('couplings').where({ mapping: 'CUSTOMER' });
    const accounts = await all(stack, 'dv', 'accounts');
    let checked = 0;
    for (const c of customers.filter((x) => x.salespersonCode)) {
      const sp = salespeople.find((s) => s.code === c.salespersonCode)!;
      const user = spRows.find((r) => r.bc_id === String(sp.id).toLowerCase());
      if (!user) continue;
      const account = accounts.find(
        (a) => a.accountid === custRows.find((r) => r.bc_id === String(c.id).toLowerCase())?.dv_id,
      );
      assert.equal(account?._ownerid_value, user.dv_id, `account of ${String(c.displayName)} owned by its salesperson`);
      checked += 1;
    }
    assert.ok(checked > 0, 'some customers have a coupled salesperson');
    await assertCouplingsWhole(stack, ['CUSTOMER', 'SALESPEOPLE']);
  });
});
