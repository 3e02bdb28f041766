/**
 * The primary-contact fix-ups of CONTACT (bc-sync-semantics §4.10) after a first full synchronization, end to end on
 * the real stack: they give the customer and its account the same primary contact and record it on the CUSTOMER
 * coupling as synchronized, so a user's later change on either side is an ordinary change — not a conflict with the
 * sync's own writes — and an idle CUSTOMER run writes nothing. A change a user makes while the full synchronization
 * runs (after CUSTOMER, before CONTACT) still arrives on the other side.
 */
import assert from 'node:assert/strict';
import { listErrors } from '../../store/sync-errors';
import { assertCouplingsWhole } from '../support/coupling-integrity';
import { pass, runFullSync, runSync } from '../support/sync-runs';
import { all, mappingsWith, type Row, startSyncStack, type SyncStack } from '../support/sync-stack';

/** BC customers with one person contact each and no Primary Contact No.; Dataverse-only accounts with a contact. */
const seed = {
  customers: 6,
  contactsPerCustomer: 1,
  overlapFraction: 0,
  dataverseOnlyAccounts: 2,
  dataverseContactsPerAccount: 1,
  salespeople: 3,
  matchingSystemUsers: 3,
};
const mappings = mappingsWith();
const lower = (v: unknown): string => String(v).toLowerCase();

/** The CUSTOMER couplings, oldest first. */
const customerCouplings = async (stack: SyncStack): Promise<Row[]> =>
  stack.store.knex('couplings').where({ mapping: 'CUSTOMER' }).orderBy('id');

/** Every coupled customer and its account name the same primary contact (through the CONTACT couplings). */
async function assertPrimaryContactsAgree(stack: SyncStack): Promise<void> {
  const contactRows: Row[] = await stack.store.knex('couplings').where({ mapping: 'CONTACT' });
  const dvContactOfNumber = new Map<string, string>();
  for (const card of await all(stack, 'bc', 'contactCards')) {
    const row = contactRows.find((r) => r.bc_id === lower(card.id));
    if (row) dvContactOfNumber.set(String(card.number), String(row.dv_id));
  }
  const rows = await customerCouplings(stack);
  assert.ok(rows.length >= seed.customers + seed.dataverseOnlyAccounts, 'every customer is coupled');
  for (const row of rows) {
    const customer = (await stack.connectors.bc.get('customerCards', String(row.bc_id)))!;
    const account = (await stack.connectors.dv.get('accounts', String(row.dv_id)))!;
    const what = `customer ${String(customer.displayName)}`;
    assert.notEqual(customer.primaryContactNumber, '', `${what} has a primary contact`);
    assert.equal(
      dvContactOfNumber.get(String(customer.primaryContactNumber)),
      lower(account._primarycontactid_value),
      `${what}: the account's primary contact is the customer's`,
    );
    assert.equal(account.address1_primarycontactname, customer.contactName, `${what}: contact name`);
  }
}

describe('CONTACT primary-contact fix-ups after a full synchronization, end to end', function () {
  this.timeout(300_000);
  // Each test starts from its own fresh, fully synchronized stack: CUSTOMER has not run since CONTACT's fix-ups.
  let stack: SyncStack;
  beforeEach(async () => {
    stack = await startSyncStack({ seed, mappings, prerequisites: ['SALESPEOPLE', 'CURRENCY', 'CUSTOMER', 'CONTACT'] });
  });
  afterEach(async () => stack?.close());

  it('leaves customers and accounts with the same primary contact, and an idle CUSTOMER run writes nothing', async () => {
    await assertPrimaryContactsAgree(stack);
    const idle = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
    for (const p of idle.passes) {
      const c = p.counts;
      assert.equal(c.inserted + c.modified + c.deleted + c.failed, 0, `${p.direction}: ${JSON.stringify(c)}`);
    }
    assert.equal(idle.changed, 0);
    await assertCouplingsWhole(stack, ['SALESPEOPLE', 'CUSTOMER', 'CONTACT'], mappings);
  });

  it('carries a phone changed in Business Central after the full synchronization, without a conflict', async () => {
    const rows = await customerCouplings(stack);
    const phoneOf = (i: number): string => `+47 22 10 00 ${String(i).padStart(2, '0')}`;
    for (const [i, row] of rows.entries())
      await stack.connectors.bc.update('customerCards', String(row.bc_id), '*', { phoneNumber: phoneOf(i) });

    const next = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
    const errors = JSON.stringify(await listErrors(stack.store.knex, { mapping: 'CUSTOMER', unresolvedOnly: true }));
    assert.equal(next.outcome, 'succeeded', errors);
    assert.equal(pass(next, 'to-dataverse').counts.modified, rows.length, JSON.stringify(next));
    assert.equal(pass(next, 'to-bc').counts.modified, 0, JSON.stringify(next));
    for (const [i, row] of rows.entries())
      assert.equal((await stack.connectors.dv.get('accounts', String(row.dv_id)))!.telephone1, phoneOf(i));
    await assertPrimaryContactsAgree(stack);
    await assertCouplingsWhole(stack, ['SALESPEOPLE', 'CUSTOMER', 'CONTACT'], mappings);
  });

  it('carries a phone changed in Dataverse after the full synchronization, without a conflict', async () => {
    const rows = await customerCouplings(stack);
    const phoneOf = (i: number): string => `+47 33 20 00 ${String(i).padStart(2, '0')}`;
    for (const [i, row] of rows.entries())
      await stack.connectors.dv.update('accounts', String(row.dv_id), { telephone1: phoneOf(i) }, '*');

    const next = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
    const errors = JSON.stringify(await listErrors(stack.store.knex, { mapping: 'CUSTOMER', unresolvedOnly: true }));
    assert.equal(next.outcome, 'succeeded', errors);
    assert.equal(pass(next, 'to-bc').counts.modified, rows.length, JSON.stringify(next));
    assert.equal(pass(next, 'to-dataverse').counts.modified, 0, JSON.stringify(next));
    for (const [i, row] of rows.entries())
      assert.equal((await stack.connectors.bc.get('customerCards', String(row.bc_id)))!.phoneNumber, phoneOf(i));
    await assertPrimaryContactsAgree(stack);
    await assertCouplingsWhole(stack, ['SALESPEOPLE', 'CUSTOMER', 'CONTACT'], mappings);
  });
});

describe('CONTACT primary-contact fix-ups while users change customers, end to end', function () {
  this.timeout(300_000);
  let stack: SyncStack;
  beforeEach(async () => {
    stack = await startSyncStack({ seed, mappings, prerequisites: ['SALESPEOPLE', 'CURRENCY'] });
  });
  afterEach(async () => stack?.close());

  it('carries changes made between the CUSTOMER and CONTACT steps of the full synchronization, without a conflict', async () => {
    const customer = await runFullSync(stack.taskQueue, ['CUSTOMER']);
    assert.equal(customer.outcome, 'succeeded', JSON.stringify(customer));
    // Changes pending on either side of every pair when CONTACT's fix-ups run: the customers created from Business
    // Central come first, those created from Dataverse accounts last.
    const rows = await customerCouplings(stack);
    const phoneOf = (i: number): string => `+47 44 30 00 ${String(i).padStart(2, '0')}`;
    for (const [i, row] of rows.entries()) {
      if (i % 2 === 0)
        await stack.connectors.bc.update('customerCards', String(row.bc_id), '*', { phoneNumber: phoneOf(i) });
      else await stack.connectors.dv.update('accounts', String(row.dv_id), { telephone1: phoneOf(i) }, '*');
    }
    const contact = await runFullSync(stack.taskQueue, ['CONTACT']);
    assert.equal(contact.outcome, 'succeeded', JSON.stringify(contact));

    const next = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
    const errors = JSON.stringify(await listErrors(stack.store.knex, { mapping: 'CUSTOMER', unresolvedOnly: true }));
    assert.equal(next.outcome, 'succeeded', errors);
    assert.equal(pass(next, 'to-dataverse').counts.modified, Math.ceil(rows.length / 2), JSON.stringify(next));
    assert.equal(pass(next, 'to-bc').counts.modified, Math.floor(rows.length / 2), JSON.stringify(next));
    for (const [i, row] of rows.entries()) {
      assert.equal((await stack.connectors.bc.get('customerCards', String(row.bc_id)))!.phoneNumber, phoneOf(i));
      assert.equal((await stack.connectors.dv.get('accounts', String(row.dv_id)))!.telephone1, phoneOf(i));
    }
    await assertPrimaryContactsAgree(stack);
    await assertCouplingsWhole(stack, ['SALESPEOPLE', 'CUSTOMER', 'CONTACT'], mappings);
  });

  it('gives an account the Contact name of a customer that already has the primary contact', async () => {
    // A customer whose primary contact is set and whose Contact name was edited afterwards (Business Central keeps it).
    const [card] = await all(stack, 'bc', 'customerCards', "blocked eq ' '");
    const [person] = await all(stack, 'bc', 'contacts', `type eq 'Person' and companyNumber ne ''`).then((persons) =>
      persons.filter((p) => p.companyName === card.displayName),
    );
    await stack.connectors.bc.update('customerCards', String(card.id), '*', { primaryContactNumber: person.number });
    await stack.connectors.bc.update('customerCards', String(card.id), '*', { contactName: 'Reception' });

    const full = await runFullSync(stack.taskQueue, ['CUSTOMER', 'CONTACT']);
    assert.equal(full.outcome, 'succeeded', JSON.stringify(full));
    const row: Row = await stack.store
      .knex('couplings')
      .where({ mapping: 'CUSTOMER', bc_id: lower(card.id) })
      .first();
    const account = (await stack.connectors.dv.get('accounts', String(row.dv_id)))!;
    const dvPerson: Row = await stack.store
      .knex('couplings')
      .where({ mapping: 'CONTACT', bc_id: lower(person.id) })
      .first();
    assert.equal(lower(account._primarycontactid_value), dvPerson.dv_id);
    assert.equal(account.address1_primarycontactname, 'Reception');

    const idle = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
    for (const p of idle.passes) {
      const c = p.counts;
      assert.equal(c.inserted + c.modified + c.deleted + c.failed, 0, `${p.direction}: ${JSON.stringify(c)}`);
    }
    const after = (await stack.connectors.bc.get('customerCards', String(card.id)))!;
    assert.deepEqual([after.primaryContactNumber, after.contactName], [person.number, 'Reception']);
  });
});
