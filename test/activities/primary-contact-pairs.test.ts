/**
 * The CUSTOMER side of CONTACT's primary-contact fix-ups (activities/entity-rules/primary-contact-pairs.ts) on
 * in-process emulators and a fresh SQLite store: after the fix-up gave an account a primary contact, the coupled
 * customer gets the same one only where that overwrites nothing a user typed, ETags guard every write, and the
 * CUSTOMER coupling's hashes move only for sides that had no pending change, once both sides agree.
 */
import assert from 'node:assert/strict';
import type { SyncDeps } from '../../activities/deps';
import {
  customerMappingOf,
  etagOf,
  mirrorToAccounts,
  mirrorToCustomers,
  type PrimaryContactPair,
  recordSynchronizedPairs,
} from '../../activities/entity-rules/primary-contact-pairs';
import { ReferenceCache } from '../../activities/lookup-resolution';
import { hashRecord, projectWrite } from '../../engine';
import { type Coupling, getCoupling, insertCoupling } from '../../store/couplings';
import type { Store } from '../../store/database';
import { migrateLatest } from '../../store/migrate';
import { eventually } from '../support/env';
import { openFreshStore } from '../support/stores';
import {
  connectorsFor,
  type Emulators,
  mappingsWith,
  type Row,
  setFaults,
  startTestEmulators,
} from '../support/sync-stack';

const seed = {
  customers: 1,
  contactsPerCustomer: 1,
  overlapFraction: 0,
  dataverseOnlyAccounts: 1,
  dataverseContactsPerAccount: 1,
};

describe('primary-contact fix-ups on the CUSTOMER pair', function () {
  this.timeout(60_000);
  let emulators: Emulators;
  let store: Store;
  let deps: SyncDeps;
  let customer: Row;
  let person: Row;
  let account: Row;
  let dvContact: Row;
  let coupling: Coupling;
  const m = () => customerMappingOf(deps)!;

  beforeEach(async () => {
    emulators = await startTestEmulators(seed);
    store = await openFreshStore('sqlite');
    await migrateLatest(store);
    const connectors = connectorsFor(emulators);
    deps = {
      knex: store.knex,
      mappings: mappingsWith(),
      connectors,
      cache: new ReferenceCache(connectors),
      now: () => new Date(),
    };
    const first = async (side: 'bc' | 'dv', entitySet: string, filter: string): Promise<Row> => {
      const pages =
        side === 'bc'
          ? connectors.bc.listAll({ entitySet: entitySet as 'customers', filter })
          : connectors.dv.listAll({ entitySet: entitySet as 'accounts', filter });
      for await (const page of pages) if (page.length) return page[0];
      throw new Error(`the demo data has no ${entitySet} where ${filter}`);
    };
    customer = await first('bc', 'customerCards', "blocked eq ' '");
    person = await first('bc', 'contactCards', `type eq 'Person' and companyName eq '${String(customer.displayName)}'`);
    account = await first('dv', 'accounts', 'customertypecode eq 3');
    dvContact = await first('dv', 'contacts', `_parentcustomerid_value eq ${String(account.accountid)}`);
    assert.equal(customer.primaryContactNumber, '');
    // The pair as CUSTOMER left it: the account without a primary contact, both hashes stored.
    await connectors.dv.update(
      'accounts',
      String(account.accountid),
      { 'primarycontactid@odata.bind': null, address1_primarycontactname: null },
      '*',
    );
    account = (await connectors.dv.get('accounts', String(account.accountid)))!;
    coupling = await insertCoupling(store.knex, {
      mapping: 'CUSTOMER',
      bcId: String(customer.id).toLowerCase(),
      dvId: String(account.accountid).toLowerCase(),
      bcHash: hashRecord(m(), 'bc', customer),
      dvHash: hashRecord(m(), 'dataverse', account),
      now: new Date(),
    });
  });
  afterEach(async () => {
    await store?.close();
    await emulators?.close();
  });

  /** The fix-up's own write: the account gets the Dataverse contact (with the ETag read), as contact.ts does it. */
  async function fixAccount(): Promise<PrimaryContactPair> {
    const before = {
      customer: (await deps.connectors.bc.get('customerCards', String(customer.id)))!,
      account: (await deps.connectors.dv.get('accounts', String(account.accountid)))!,
    };
    const body = {
      'primarycontactid@odata.bind': `/contacts(${String(dvContact.contactid)})`,
      address1_primarycontactname: String(person.displayName),
    };
    await deps.connectors.dv.update('accounts', String(account.accountid), body, etagOf(before.account));
    return {
      coupling: (await getCoupling(store.knex, coupling.id))!,
      contactNumber: String(person.number),
      dvContactId: String(dvContact.contactid).toLowerCase(),
      ...before,
      accountAfter: projectWrite(m(), 'dataverse', before.account, body),
    };
  }

  const stored = async (): Promise<[string | null, string | null]> => {
    const c = (await getCoupling(store.knex, coupling.id))!;
    return [c.bcHash, c.dvHash];
  };
  const hashesNow = async (): Promise<[string, string]> => [
    hashRecord(m(), 'bc', (await deps.connectors.bc.get('customerCards', String(customer.id)))!),
    hashRecord(m(), 'dataverse', (await deps.connectors.dv.get('accounts', String(account.accountid)))!),
  ];

  it('gives the customer the same primary contact and records both sides as synchronized', async () => {
    const pair = await fixAccount();
    await mirrorToCustomers(deps, m(), [pair]);
    await recordSynchronizedPairs(deps, m(), [pair]);
    const after = (await deps.connectors.bc.get('customerCards', String(customer.id)))!;
    assert.deepEqual([after.primaryContactNumber, after.contactName], [person.number, person.displayName]);
    // What CUSTOMER reads next hashes to what is stored: no change on either side, nothing echoes back.
    assert.deepEqual(await stored(), await hashesNow());
  });

  it('counts a customer as written when its batch was applied and the answer lost', async () => {
    const pair = await fixAccount();
    // Business Central applies the batch, then drops the connection instead of answering — on every attempt: the
    // connector reads the customer back instead of sending the batch again.
    await setFaults(emulators.bc.url, [{ method: 'PATCH', resetConnection: true }]);
    await mirrorToCustomers(deps, m(), [pair]);
    const stats = (await (await fetch(`${emulators.bc.url}/__emulator/stats`)).json()) as { faulted: number };
    assert.equal(stats.faulted, 1, 'the reset struck');
    await recordSynchronizedPairs(deps, m(), [pair]);
    const after = (await deps.connectors.bc.get('customerCards', String(customer.id)))!;
    assert.equal(after.primaryContactNumber, person.number);
    assert.deepEqual(await stored(), await hashesNow(), 'both sides recorded as synchronized');
  });

  it('keeps pending a user change made between a lost answer and the read that finds the write applied', async () => {
    const pair = await fixAccount();
    const [bcHash] = await stored();
    // The batch is applied and its answer lost; the re-send answers 409; a user changes the phone before the mirror's
    // read of the customer is answered.
    await setFaults(emulators.bc.url, [
      { method: 'PATCH', resetConnection: true, count: 1 },
      { method: 'GET', entitySet: 'customerCards', latencyMs: 1500, count: 1 },
    ]);
    const mirroring = mirrorToCustomers(deps, m(), [pair]);
    const stats = async () =>
      (await (await fetch(`${emulators.bc.url}/__emulator/stats`)).json()) as { faulted: number; delayed: number };
    await eventually(async () => (await stats()).delayed === 1, "the mirror's read to be under way");
    await deps.connectors.bc.update('customerCards', String(customer.id), '*', { phoneNumber: '+47 99 00 00 04' });
    await mirroring;
    assert.equal((await stats()).faulted, 1, 'the reset struck');
    await recordSynchronizedPairs(deps, m(), [pair]);
    const after = (await deps.connectors.bc.get('customerCards', String(customer.id)))!;
    assert.deepEqual([after.primaryContactNumber, after.phoneNumber], [person.number, '+47 99 00 00 04']);
    const [bcNow, dvNow] = await hashesNow();
    assert.deepEqual(await stored(), [bcHash, dvNow], 'the phone still counts as a change, for CUSTOMER to carry');
    assert.notEqual(bcNow, bcHash);
  });

  it('writes a customer again after its batch failed transiently, and records the pair', async () => {
    const pair = await fixAccount();
    // A 500 for the whole batch: not sent again by the HTTP layer, its outcome unknown.
    await setFaults(emulators.bc.url, [{ method: 'POST', entitySet: '$batch', status: 500, count: 1 }]);
    await mirrorToCustomers(deps, m(), [pair]);
    const stats = (await (await fetch(`${emulators.bc.url}/__emulator/stats`)).json()) as { faulted: number };
    assert.equal(stats.faulted, 1, 'the 500 struck');
    await recordSynchronizedPairs(deps, m(), [pair]);
    const after = (await deps.connectors.bc.get('customerCards', String(customer.id)))!;
    assert.equal(after.primaryContactNumber, person.number);
    assert.deepEqual(await stored(), await hashesNow(), 'both sides recorded as synchronized');
  });

  it('writes again a customer changed after it was read (409), keeping that change pending', async () => {
    const pair = await fixAccount();
    const [bcHash] = await stored();
    await deps.connectors.bc.update('customerCards', String(customer.id), '*', { phoneNumber: '+47 99 00 00 01' });
    await mirrorToCustomers(deps, m(), [pair]);
    await recordSynchronizedPairs(deps, m(), [pair]);
    const after = (await deps.connectors.bc.get('customerCards', String(customer.id)))!;
    assert.deepEqual([after.primaryContactNumber, after.phoneNumber], [person.number, '+47 99 00 00 01']);
    const [bcNow, dvNow] = await hashesNow();
    // The account's fix-up is recorded (no Dataverse change for CUSTOMER to meet as a conflict); the phone a user
    // changed in between still counts as a change, so CUSTOMER's next run carries it.
    assert.deepEqual(await stored(), [bcHash, dvNow]);
    assert.notEqual(bcNow, bcHash);
  });

  it('leaves a customer whose contact name a user typed after it was read, and the stored hashes as they were', async () => {
    const pair = await fixAccount();
    const hashes = await stored();
    await deps.connectors.bc.update('customerCards', String(customer.id), '*', { contactName: 'Typed Meanwhile' });
    await mirrorToCustomers(deps, m(), [pair]);
    await recordSynchronizedPairs(deps, m(), [pair]);
    const after = (await deps.connectors.bc.get('customerCards', String(customer.id)))!;
    assert.deepEqual([after.primaryContactNumber, after.contactName], ['', 'Typed Meanwhile']);
    assert.equal(pair.customerAfter, undefined);
    assert.deepEqual(await stored(), hashes, 'CUSTOMER reports the pair on its next run: both sides changed');
  });

  it('does not overwrite a contact name a user typed that was not synchronized yet', async () => {
    await deps.connectors.bc.update('customerCards', String(customer.id), '*', { contactName: 'Typed In BC' });
    const pair = await fixAccount();
    const hashes = await stored();
    await mirrorToCustomers(deps, m(), [pair]);
    await recordSynchronizedPairs(deps, m(), [pair]);
    const after = (await deps.connectors.bc.get('customerCards', String(customer.id)))!;
    assert.deepEqual([after.primaryContactNumber, after.contactName], ['', 'Typed In BC']);
    assert.deepEqual(await stored(), hashes, 'both changes still count: CUSTOMER reports them, nothing is lost');
  });

  it('fills a customer whose pending change leaves the contact name empty, and keeps that change pending', async () => {
    await deps.connectors.bc.update('customerCards', String(customer.id), '*', { phoneNumber: '+47 99 00 00 02' });
    const pair = await fixAccount();
    const [bcHash] = await stored();
    await mirrorToCustomers(deps, m(), [pair]);
    await recordSynchronizedPairs(deps, m(), [pair]);
    const after = (await deps.connectors.bc.get('customerCards', String(customer.id)))!;
    assert.deepEqual([after.primaryContactNumber, after.phoneNumber], [person.number, '+47 99 00 00 02']);
    const [bcNow, dvNow] = await hashesNow();
    // The phone still counts as a change (its hash is the old one); the account is recorded as synchronized.
    assert.deepEqual(await stored(), [bcHash, dvNow]);
    assert.notEqual(bcNow, bcHash);
  });

  it('writes again an account changed after it was read (412), keeping that change pending', async () => {
    // The fix-up of the other direction: the customer gets the contact; the account is mirrored from it.
    const before = {
      customer: (await deps.connectors.bc.get('customerCards', String(customer.id)))!,
      account: (await deps.connectors.dv.get('accounts', String(account.accountid)))!,
    };
    const customerAfter = await deps.connectors.bc.update(
      'customerCards',
      String(customer.id),
      etagOf(before.customer),
      {
        primaryContactNumber: String(person.number),
      },
    );
    const pair: PrimaryContactPair = {
      coupling: (await getCoupling(store.knex, coupling.id))!,
      contactNumber: String(person.number),
      dvContactId: String(dvContact.contactid).toLowerCase(),
      ...before,
      customerAfter,
    };
    const [, dvHash] = await stored();
    await deps.connectors.dv.update('accounts', String(account.accountid), { telephone1: '+47 99 00 00 03' }, '*');
    await mirrorToAccounts(deps, m(), [pair]);
    await recordSynchronizedPairs(deps, m(), [pair]);
    const after = (await deps.connectors.dv.get('accounts', String(account.accountid)))!;
    assert.deepEqual(
      [String(after._primarycontactid_value), after.address1_primarycontactname, after.telephone1],
      [String(dvContact.contactid).toLowerCase(), person.displayName, '+47 99 00 00 03'],
    );
    const [bcNow, dvNow] = await hashesNow();
    assert.deepEqual(await stored(), [bcNow, dvHash], 'the customer is recorded; the phone still counts as a change');
    assert.notEqual(dvNow, dvHash);
  });
});
