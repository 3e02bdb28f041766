/**
 * CUSTOMER and CONTACT on their full default field lists, end to end on the real stack: the Customer Card fields of
 * the `customerCards` page (contact name, fax, primary contact) and the Contact Card fields of the `contactCards` page
 * (name parts, fax, pager) arrive on the other side, the owner and currency lookups are on (SALESPEOPLE and CURRENCY
 * run first), and the primary-contact and parent fix-ups of bc-sync-semantics §4.10 run after inserts in both
 * directions.
 */
import assert from 'node:assert/strict';
import { coupleRecords } from '../../store/couplings';
import { listErrors } from '../../store/sync-errors';
import { assertCouplingsWhole } from '../support/coupling-integrity';
import { pass, runFullSync, runMatch, runSync } from '../support/sync-runs';
import { all, mappingsWith, type Row, startSyncStack, type SyncStack } from '../support/sync-stack';

const seed = {
  customers: 6,
  contactsPerCustomer: 1,
  overlapFraction: 0,
  dataverseOnlyAccounts: 2,
  dataverseContactsPerAccount: 1,
  // Every salesperson has a Dataverse user, so the owner lookup resolves for every customer.
  salespeople: 3,
  matchingSystemUsers: 3,
};
const mappings = mappingsWith();
const lower = (v: unknown): string => String(v).toLowerCase();

describe('CUSTOMER and CONTACT with their full field lists, end to end', function () {
  this.timeout(180_000);
  let stack: SyncStack;
  let customers: Row[];
  let persons: Row[];
  let accounts: Row[];
  let dvContacts: Row[];
  const couplingOf = async (mapping: string, key: { bc_id: string } | { dv_id: string }): Promise<Row> =>
    (await stack.store
      .knex('couplings')
      .where({ mapping, ...key })
      .first()) as Row;
  const personOf = (customer: Row): Row => persons.find((p) => p.companyName === customer.displayName)!;

  before(async () => {
    stack = await startSyncStack({ seed, mappings });
    // CUSTOMER's currency lookup resolves through CURRENCY, synchronized first as a full synchronization does.
    await runFullSync(stack.taskQueue, ['CURRENCY']);
    customers = await all(stack, 'bc', 'customerCards', "blocked eq ' '");
    persons = await all(stack, 'bc', 'contacts', "type eq 'Person'");
    accounts = await all(stack, 'dv', 'accounts', 'statecode eq 0 and customertypecode eq 3');
    dvContacts = await all(stack, 'dv', 'contacts', '_parentcustomerid_value ne null');
    assert.ok(customers.length >= 4 && accounts.length === 2 && dvContacts.length === 2, 'the demo data');
  });
  after(async () => stack?.close());

  it('synchronizes SALESPEOPLE, CUSTOMER and CONTACT fully: the new fields arrive, primary contacts are set on both sides', async () => {
    const bc = stack.connectors.bc;
    const dv = stack.connectors.dv;
    // New fields on both sides before the first synchronization.
    await bc.update('customerCards', String(customers[0].id), '*', { faxNumber: '+47 22 00 00 01' });
    // A primary contact whose contact is not coupled yet: cleared on the account's insert, not a failure.
    await bc.update('customerCards', String(customers[1].id), '*', {
      primaryContactNumber: personOf(customers[1]).number,
    });
    await dv.update(
      'accounts',
      String(accounts[0].accountid),
      { fax: '+47 33 00 00 02', address1_primarycontactname: 'Kari Nordmann' },
      '*',
    );
    // A contact coupled by hand while its Dataverse account is not: when the account is inserted into Business
    // Central, the contact's company there becomes the new customer (§4.10).
    const moved = personOf(customers[customers.length - 1]);
    const underAccount1 = dvContacts.find((c) => c._parentcustomerid_value === accounts[1].accountid)!;
    await coupleRecords(stack.store.knex, {
      mapping: 'CONTACT',
      bcId: String(moved.id),
      dvId: String(underAccount1.contactid),
      now: new Date(),
    });

    const salespeople = await runMatch(stack.taskQueue, { mapping: 'SALESPEOPLE', createUnmatched: true });
    assert.equal(pass(salespeople.sync!, 'to-bc').counts.failed, 0);

    const customer = await runMatch(stack.taskQueue, { mapping: 'CUSTOMER', createUnmatched: true });
    const cToDv = pass(customer.sync!, 'to-dataverse').counts;
    const cToBc = pass(customer.sync!, 'to-bc').counts;
    const errors = JSON.stringify(await listErrors(stack.store.knex, { mapping: 'CUSTOMER' }));
    assert.deepEqual([cToDv.inserted, cToDv.failed], [customers.length, 0], errors);
    assert.deepEqual([cToBc.inserted, cToBc.failed], [accounts.length, 0], errors);

    const accountOf = async (c: Row): Promise<Row> =>
      (await dv.get('accounts', String((await couplingOf('CUSTOMER', { bc_id: lower(c.id) })).dv_id)))!;
    const customerOf = async (a: Row): Promise<Row> =>
      (await bc.get('customerCards', String((await couplingOf('CUSTOMER', { dv_id: lower(a.accountid) })).bc_id)))!;
    // BC → Dataverse: fax; contact name; the uncoupled primary contact is cleared, the account still inserted.
    assert.equal((await accountOf(customers[0])).fax, '+47 22 00 00 01');
    const account1 = await accountOf(customers[1]);
    assert.equal(account1.address1_primarycontactname, personOf(customers[1]).displayName);
    assert.equal(account1._primarycontactid_value, null);
    // Owner: the account is owned by the user coupled to the customer's salesperson.
    const sp = (
      await all(stack, 'bc', 'salespeoplePurchasers', `code eq '${String(customers[0].salespersonCode)}'`)
    )[0];
    assert.equal(
      (await accountOf(customers[0]))._ownerid_value,
      (await couplingOf('SALESPEOPLE', { bc_id: lower(sp.id) })).dv_id,
    );
    // Dataverse → BC: fax and contact name.
    const customerOfAccount0 = await customerOf(accounts[0]);
    assert.equal(customerOfAccount0.faxNumber, '+47 33 00 00 02');
    // The account's primary contact is not coupled yet: cleared, and the contact name comes as it is.
    assert.equal(
      accounts[0]._primarycontactid_value,
      dvContacts.find((c) => c._parentcustomerid_value === accounts[0].accountid)!.contactid,
    );
    assert.deepEqual([customerOfAccount0.primaryContactNumber, customerOfAccount0.contactName], ['', 'Kari Nordmann']);
    // The primary contact coupled by hand resolves through the CONTACT coupling (BC then sets the contact name).
    assert.equal(accounts[1]._primarycontactid_value, underAccount1.contactid);
    const customerOfAccount1 = await customerOf(accounts[1]);
    assert.deepEqual(
      [customerOfAccount1.primaryContactNumber, customerOfAccount1.contactName],
      [moved.number, moved.displayName],
    );
    // The contact coupled by hand now belongs to the customer created from its account.
    const companies = await all(
      stack,
      'bc',
      'contacts',
      `type eq 'Company' and companyName eq '${String(customerOfAccount1.displayName)}'`,
    );
    assert.equal(companies.length, 1);
    assert.equal((await bc.get('contacts', String(moved.id)))!.companyNumber, companies[0].number);

    const contact = await runMatch(stack.taskQueue, { mapping: 'CONTACT', createUnmatched: true });
    const kToDv = pass(contact.sync!, 'to-dataverse').counts;
    const kToBc = pass(contact.sync!, 'to-bc').counts;
    const contactErrors = JSON.stringify(await listErrors(stack.store.knex, { mapping: 'CONTACT' }));
    assert.equal(kToDv.failed + kToBc.failed, 0, contactErrors);
    assert.ok(kToDv.inserted > 0 && kToBc.inserted > 0, JSON.stringify(contact.sync));

    // The Contact Card fields arrive in Dataverse; owner and currency resolve through SALESPEOPLE and CURRENCY.
    const [org] = await all(stack, 'dv', 'organizations');
    const spIdOf = new Map((await all(stack, 'bc', 'salespeoplePurchasers')).map((r) => [r.code, lower(r.id)]));
    const curIdOf = new Map((await all(stack, 'bc', 'currencies')).map((r) => [r.code, lower(r.id)]));
    const cards = (await all(stack, 'bc', 'contactCards', "type eq 'Person'")).filter((c) =>
      customers.some((x) => x.displayName === c.companyName),
    );
    assert.ok(cards.length >= customers.length - 1, 'the persons of the demo customers');
    for (const card of cards) {
      const dvContact = (await dv.get(
        'contacts',
        String((await couplingOf('CONTACT', { bc_id: lower(card.id) })).dv_id),
      ))!;
      const what = `contact ${String(card.number)}`;
      assert.deepEqual(
        [
          dvContact.firstname,
          dvContact.middlename ?? '',
          dvContact.lastname,
          dvContact.fax ?? '',
          dvContact.pager ?? '',
        ],
        [card.firstName, card.middleName, card.surname, card.faxNumber, card.pager],
        what,
      );
      const user = await couplingOf('SALESPEOPLE', { bc_id: spIdOf.get(card.salespersonCode)! });
      assert.equal(lower(dvContact._ownerid_value), user.dv_id, `${what}: owner`);
      const currency =
        card.currencyCode === ''
          ? lower(org._basecurrencyid_value)
          : (await couplingOf('CURRENCY', { bc_id: curIdOf.get(card.currencyCode)! })).dv_id;
      assert.equal(
        lower(dvContact._transactioncurrencyid_value),
        currency,
        `${what}: currency ${String(card.currencyCode)}`,
      );
    }
    // The demo data gives the assertions above something to compare.
    for (const field of ['middleName', 'faxNumber', 'pager', 'currencyCode'])
      assert.ok(
        cards.some((c) => c[field] !== ''),
        `some contact has a ${field}`,
      );
    assert.ok(
      cards.some((c) => c.currencyCode === ''),
      'some contact is in the local currency',
    );

    // After inserts in Dataverse, the parent account has the first one as primary contact (Dataverse side) …
    const person2 = personOf(customers[2]);
    const dvPerson2 = (await couplingOf('CONTACT', { bc_id: lower(person2.id) })).dv_id;
    assert.equal((await accountOf(customers[2]))._primarycontactid_value, dvPerson2);
    // … and after inserts in Business Central, the company's customer has it as Primary Contact No. (BC side).
    const dvOnly = dvContacts.find((c) => c._parentcustomerid_value === accounts[0].accountid)!;
    const bcOfDvOnly = (await bc.get(
      'contacts',
      String((await couplingOf('CONTACT', { dv_id: lower(dvOnly.contactid) })).bc_id),
    ))!;
    const account0Customer = await customerOf(accounts[0]);
    assert.equal(account0Customer.primaryContactNumber, bcOfDvOnly.number);
    assert.equal(account0Customer.contactName, bcOfDvOnly.displayName);

    // The next CUSTOMER run carries each fix-up to the other side.
    const next = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
    assert.equal(pass(next, 'to-dataverse').counts.failed + pass(next, 'to-bc').counts.failed, 0, JSON.stringify(next));
    assert.equal((await accountOf(customers[0]))._primarycontactid_value !== null, true);
    assert.equal(
      (await dv.get('accounts', String(accounts[0].accountid)))!._primarycontactid_value,
      lower(dvOnly.contactid),
    );
    const customer2 = (await bc.get('customerCards', String(customers[2].id)))!;
    assert.equal(customer2.primaryContactNumber, person2.number);
    assert.equal(customer2.contactName, person2.displayName);
    await assertCouplingsWhole(stack, ['SALESPEOPLE', 'CUSTOMER', 'CONTACT'], mappings);
  });

  it('carries one change of a new field, then an idle run changes nothing', async () => {
    await stack.connectors.dv.update('accounts', String(accounts[1].accountid), { fax: '+47 44 00 00 03' }, '*');
    const changed = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
    assert.equal(pass(changed, 'to-bc').counts.modified, 1, JSON.stringify(changed));
    assert.equal(pass(changed, 'to-dataverse').counts.modified, 0, JSON.stringify(changed));
    const row = await couplingOf('CUSTOMER', { dv_id: lower(accounts[1].accountid) });
    assert.equal((await stack.connectors.bc.get('customerCards', String(row.bc_id)))!.faxNumber, '+47 44 00 00 03');

    // A Dataverse change of Contact Card fields (pager, middle name) arrives in BC, which composes the Name from it.
    const person = personOf(customers[0]);
    const dvPerson = String((await couplingOf('CONTACT', { bc_id: lower(person.id) })).dv_id);
    await stack.connectors.dv.update('contacts', dvPerson, { pager: '+47 81 00 00 05', middlename: 'Sofie' }, '*');
    const contactChanged = await runSync(stack.taskQueue, { mapping: 'CONTACT', mode: 'incremental' });
    assert.equal(pass(contactChanged, 'to-bc').counts.modified, 1, JSON.stringify(contactChanged));
    const card = (await stack.connectors.bc.get('contactCards', String(person.id)))!;
    assert.deepEqual([card.pager, card.middleName], ['+47 81 00 00 05', 'Sofie']);
    assert.equal(card.displayName, `${String(card.firstName)} Sofie ${String(card.surname)}`);

    for (const mapping of ['CUSTOMER', 'CONTACT']) {
      const idle = await runSync(stack.taskQueue, { mapping, mode: 'incremental' });
      for (const p of idle.passes) {
        const c = p.counts;
        assert.equal(
          c.inserted + c.modified + c.deleted + c.failed,
          0,
          `${mapping} ${p.direction}: ${JSON.stringify(c)}`,
        );
      }
    }
  });

  it('fails one bad record alone with an actionable message', async () => {
    const row = await couplingOf('CUSTOMER', { bc_id: lower(customers[3].id) });
    await stack.connectors.dv.update('accounts', String(row.dv_id), { fax: '9'.repeat(40) }, '*');
    await stack.connectors.dv.update('accounts', String(accounts[0].accountid), { fax: '+47 55 00 00 04' }, '*');
    const result = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
    const counts = pass(result, 'to-bc').counts;
    assert.deepEqual([counts.failed, counts.modified], [1, 1], JSON.stringify(result));
    const [error, ...more] = await listErrors(stack.store.knex, { mapping: 'CUSTOMER', unresolvedOnly: true });
    assert.deepEqual(more, []);
    assert.equal(error.sourceId, lower(row.dv_id));
    assert.match(error.message, /faxNumber|fax/);
    assert.match(error.message, /30/);
    assert.equal((await stack.connectors.bc.get('customerCards', String(customers[3].id)))!.faxNumber, '');
    await assertCouplingsWhole(stack, ['SALESPEOPLE', 'CUSTOMER', 'CONTACT'], mappings);
  });
});
