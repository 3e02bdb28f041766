/**
 * CONTACT's primary-contact fix-ups cut off before they recorded their pairs (MockActivityEnvironment, SQLite,
 * emulators over HTTP): the page died after the fix-up's own write, or after its mirror on the other side. The
 * page's retry finds those records with the primary contact already set; it must still mirror what is missing and
 * record the CUSTOMER pair as synchronized, or CUSTOMER's next run takes the sync's own write for a user's change and
 * meets a real change on the other side as a conflict.
 */
import assert from 'node:assert/strict';
import type { PageFaults } from '../../activities/deps';
import { hashRecord } from '../../engine';
import type { PassDirection, SyncPageInput } from '../../engine/run-types';
import type { IntegrationTableMapping } from '../../mappings';
import type { Row } from '../support/sync-stack';
import {
  accountFilter,
  type ActivityFixture,
  allOf,
  customerAndContactMappings,
  openPass,
  startActivityFixture,
} from './support';

/**
 * Per direction of CONTACT's pass: the records it creates. Three customers with one person each, none of them in
 * Dataverse yet; or three Dataverse-only accounts with one contact each (and a customer CONTACT has no person of).
 * No record has a primary contact yet.
 */
const seeds = {
  'to-dataverse': { customers: 3, contactsPerCustomer: 1, overlapFraction: 0, dataverseOnlyAccounts: 0 },
  'to-bc': {
    customers: 1,
    contactsPerCustomer: 0,
    overlapFraction: 0,
    dataverseOnlyAccounts: 3,
    dataverseContactsPerAccount: 1,
  },
};

const mappings: IntegrationTableMapping[] = customerAndContactMappings();
const customerMapping = mappings.find((m) => m.name === 'CUSTOMER')!;

describe('primary-contact fix-ups resumed after the page died (MockActivityEnvironment, SQLite, emulators)', function () {
  this.timeout(60_000);
  let fx: ActivityFixture | undefined;
  let runs = 0;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  /** Runs a whole pass of `mapping` (one page: the seed is small) and returns its counts. Every pass is a new run of
   * one workflow, so the mapping leases pass from one to the next. */
  async function pass(f: ActivityFixture, mapping: string, direction: PassDirection) {
    return f.call('syncPage', await firstPage(f, mapping, direction));
  }

  async function firstPage(f: ActivityFixture, mapping: string, direction: PassDirection): Promise<SyncPageInput> {
    runs += 1;
    return (await openPass(f, { mapping, direction, workflowId: 'wf', runId: `run-${runs}` })).page;
  }

  /** Each CUSTOMER pair with both records as they are now. */
  async function pairs(f: ActivityFixture): Promise<Array<{ row: Row; customer: Row; account: Row }>> {
    const rows: Row[] = await f.store.knex('couplings').where({ mapping: 'CUSTOMER' }).orderBy('id');
    return Promise.all(
      rows.map(async (row) => ({
        row,
        customer: (await f.connectors.bc.get('customerCards', String(row.bc_id)))!,
        account: (await f.connectors.dv.get('accounts', String(row.dv_id)))!,
      })),
    );
  }

  for (const [direction, step] of [
    ['to-dataverse', 'written'],
    ['to-dataverse', 'mirrored'],
    ['to-bc', 'written'],
    ['to-bc', 'mirrored'],
  ] as const) {
    const fixed = direction === 'to-dataverse' ? 'accounts' : 'customers';
    it(`records the pairs of a fix-up of ${fixed} whose page died after its ${step === 'written' ? 'own write' : 'mirror'}, so a later change is no conflict`, async () => {
      let die = false;
      const faults: PageFaults = {
        inFixup: (info) => {
          if (!die || info.step !== step) return;
          die = false;
          throw new Error(`worker died after the fix-up's step ${step}`);
        },
      };
      const f = await startActivityFixture({ seed: seeds[direction], mappings, sync: { faults } });
      fx = f;
      // The demo's accounts name their contact as primary contact; these have none yet, like the customers.
      for (const a of await allOf(f, 'dv', 'accounts', accountFilter)) {
        const none = { 'primarycontactid@odata.bind': null, address1_primarycontactname: null };
        await f.connectors.dv.update('accounts', String(a.accountid), none, '*');
      }
      for (const d of ['to-dataverse', 'to-bc'] as const) {
        assert.equal((await pass(f, 'CUSTOMER', d)).counts.failed, 0, `CUSTOMER ${d}`);
      }
      // The pairs whose record on the fixed side gets a primary contact (all but the customer without a person).
      const fixedSide = (p: { customer: Row; account: Row }) =>
        direction === 'to-dataverse'
          ? p.account._primarycontactid_value != null
          : p.customer.primaryContactNumber !== '';
      const mirrorSide = (p: { customer: Row; account: Row }) =>
        direction === 'to-dataverse'
          ? p.customer.primaryContactNumber !== ''
          : p.account._primarycontactid_value != null;
      assert.equal((await pairs(f)).filter(fixedSide).length, 0, 'no primary contact before CONTACT runs');

      // CONTACT creates the contacts on the other side; the fix-up gives their companies a primary contact, then
      // the page dies (after the fix-up's own write, or after its mirror too).
      const page = await firstPage(f, 'CONTACT', direction);
      die = true;
      await assert.rejects(f.call('syncPage', page), /worker died/);
      const cut = (await pairs(f)).filter(fixedSide);
      assert.equal(cut.length, 3, `the dead attempt gave three ${fixed} a primary contact`);
      assert.equal(cut.filter(mirrorSide).length, step === 'mirrored' ? 3 : 0, 'and mirrored it, or not yet');
      const retried = await f.call('syncPage', page);
      assert.equal(retried.counts.failed, 0, JSON.stringify(await f.store.knex('sync_errors').select('message')));

      // Both sides name the same primary contact and hash to what the CUSTOMER coupling stores.
      const dvContactOf = new Map<string, string>();
      for (const r of await f.store.knex('couplings').where({ mapping: 'CONTACT' })) {
        const card = (await f.connectors.bc.get('contactCards', String(r.bc_id)))!;
        dvContactOf.set(String(card.number), String(r.dv_id));
      }
      const done = (await pairs(f)).filter(fixedSide);
      assert.equal(done.length, 3);
      for (const { row, customer, account } of done) {
        const what = `customer ${String(customer.displayName)}`;
        assert.equal(dvContactOf.get(String(customer.primaryContactNumber)), account._primarycontactid_value, what);
        assert.equal(account.address1_primarycontactname, customer.contactName, `${what}: contact name`);
        assert.deepEqual(
          [row.bc_hash, row.dv_hash],
          [hashRecord(customerMapping, 'bc', customer), hashRecord(customerMapping, 'dataverse', account)],
          `${what}: the pair is recorded as synchronized`,
        );
      }

      // A user changes one of those customers: CUSTOMER carries it, with no conflict and nothing else written.
      const [{ row }] = done;
      await f.connectors.bc.update('customers', String(row.bc_id), '*', { phoneNumber: '+47 5570 1000' });
      const toDataverse = await pass(f, 'CUSTOMER', 'to-dataverse');
      assert.equal(toDataverse.counts.failed, 0, JSON.stringify(await f.store.knex('sync_errors').select('message')));
      assert.equal(toDataverse.counts.modified, 1);
      assert.equal((await f.connectors.dv.get('accounts', String(row.dv_id)))?.telephone1, '+47 5570 1000');
      const toBc = await pass(f, 'CUSTOMER', 'to-bc');
      assert.deepEqual([toBc.counts.failed, toBc.counts.modified], [0, 0]);
    });
  }

  it("leaves to CUSTOMER a pair whose account a user changed after the dead attempt's fix-up, writing nothing", async () => {
    let die = false;
    const faults: PageFaults = {
      inFixup: () => {
        if (!die) return;
        die = false;
        throw new Error("worker died after the fix-up's write");
      },
    };
    const f = await startActivityFixture({ seed: seeds['to-dataverse'], mappings, sync: { faults } });
    fx = f;
    assert.equal((await pass(f, 'CUSTOMER', 'to-dataverse')).counts.failed, 0);
    const page = await firstPage(f, 'CONTACT', 'to-dataverse');
    die = true;
    await assert.rejects(f.call('syncPage', page), /worker died/);
    // A user changes one account's phone and another's contact name; the third is as the fix-up left it.
    const [phoned, named, untouched] = await pairs(f);
    await f.connectors.dv.update('accounts', String(phoned.row.dv_id), { telephone1: '+47 5580 1000' }, '*');
    const typed = { address1_primarycontactname: 'Someone Else' };
    await f.connectors.dv.update('accounts', String(named.row.dv_id), typed, '*');
    const retried = await f.call('syncPage', page);
    assert.equal(retried.counts.failed, 0, JSON.stringify(await f.store.knex('sync_errors').select('message')));
    const after = await pairs(f);
    for (const [i, what] of [
      [0, 'the account with a new phone'],
      [1, 'the account with a typed contact name'],
    ] as const) {
      assert.deepEqual(
        [after[i].row.bc_hash, after[i].row.dv_hash],
        [[phoned, named][i].row.bc_hash, [phoned, named][i].row.dv_hash],
        `${what}: its pair keeps the hashes stored before, so the change stays a change`,
      );
      assert.equal(after[i].customer.primaryContactNumber, '', `${what}: its customer is not written`);
    }
    assert.deepEqual(
      [after[2].row.bc_hash, after[2].row.dv_hash],
      [
        hashRecord(customerMapping, 'bc', after[2].customer),
        hashRecord(customerMapping, 'dataverse', after[2].account),
      ],
      `the untouched pair (${String(untouched.customer.displayName)}) is recorded as synchronized`,
    );
    // CUSTOMER carries the users' changes without a conflict.
    const toBc = await pass(f, 'CUSTOMER', 'to-bc');
    assert.equal(toBc.counts.failed, 0, JSON.stringify(await f.store.knex('sync_errors').select('message')));
    assert.equal((await f.connectors.bc.get('customerCards', String(phoned.row.bc_id)))?.phoneNumber, '+47 5580 1000');
    assert.equal((await pass(f, 'CUSTOMER', 'to-dataverse')).counts.failed, 0);
  });
});
