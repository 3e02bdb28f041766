/**
 * A `syncPage` activity that processes several source pages (parts), each committed on its own (MockActivityEnvironment,
 * SQLite, emulators over HTTP): the activity returns the sum of its parts, a retried attempt resumes after the last
 * committed part without counting a record twice or creating it twice, and the next source page is read while the
 * current one is written.
 */
import assert from 'node:assert/strict';
import type { PageFaults } from '../../activities/deps';
import type { RequestEvent } from '../../connectors/http';
import type { SyncPageInput } from '../../engine/run-types';
import { zeroCounts } from '../../engine/run-types';
import { getPageResult } from '../../store/sync-pages';
import { setFaults } from '../support/sync-stack';
import { type ActivityFixture, allOf, customerMappings, openCustomerPass, startActivityFixture } from './support';

/** Customers only, none of them in Dataverse yet: every record of the pass is a create. */
const seed = { customers: 9, contactsPerCustomer: 0, overlapFraction: 0, dataverseOnlyAccounts: 1 };
const customerFilter = "blocked eq ' '";
/** A read of CUSTOMER's source pages (Business Central `customerCards`), not of the lookups' reference tables. */
const isSourcePageRead = (e: RequestEvent) => e.method === 'GET' && e.url.endsWith('/customerCards');

describe('a page activity of several parts (MockActivityEnvironment, SQLite, emulators)', function () {
  this.timeout(60_000);
  let f: ActivityFixture | undefined;
  let n = 0;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  async function start(sync: {
    pagesPerActivity: number;
    pageSize?: number;
    faults?: PageFaults;
  }): Promise<ActivityFixture> {
    f = await startActivityFixture({ seed, mappings: customerMappings(), sync: { pageSize: 2, ...sync } });
    return f;
  }

  /**
   * The input of the first page of a new pass of CUSTOMER (Default: BC→Dataverse), by a new run of `workflowId`
   * (Default: `wf`; the previous run of that workflow has ended, so the mapping's lease passes to the new one).
   */
  async function firstPage(
    fx: ActivityFixture,
    workflowId = 'wf',
    direction: SyncPageInput['direction'] = 'to-dataverse',
  ): Promise<SyncPageInput> {
    n += 1;
    return (await openCustomerPass(fx, { direction, workflowId, runId: `run-${n}` })).page;
  }

  it('processes up to pagesPerActivity source pages in one activity and returns their sum', async () => {
    const fx = await start({ pagesPerActivity: 3 });
    const customers = await allOf(fx, 'bc', 'customers', customerFilter);
    assert.ok(customers.length > 6, `the seed has more than three pages of customers (${customers.length})`);
    const page = await firstPage(fx);
    const first = await fx.call('syncPage', page);
    assert.deepEqual(first.counts, { ...zeroCounts(), inserted: 6, coupled: 6 });
    assert.equal(first.next.phase, 'changed');
    assert.equal((await getPageResult<{ parts: number }>(fx.store.knex, page.jobId, 0))?.parts, 3);
    const second = await fx.call('syncPage', { ...page, pageNo: 1, cursor: first.next });
    assert.equal(second.next.phase, 'done');
    assert.equal(first.counts.inserted + second.counts.inserted, customers.length);
    assert.equal((await fx.store.knex('couplings').where({ mapping: 'CUSTOMER' })).length, customers.length);
  });

  it('resumes after the last committed part when an attempt dies between a write and its commit', async () => {
    let writes = 0;
    const fx = await start({
      pagesPerActivity: 3,
      faults: {
        afterDestinationWrite: () => {
          writes += 1;
          if (writes === 2) throw new Error('worker died after the second part was written');
        },
      },
    });
    const accountsBefore = (await allOf(fx, 'dv', 'accounts')).length;
    const page = await firstPage(fx);
    await assert.rejects(fx.call('syncPage', page), /worker died/);
    assert.equal(
      (await getPageResult<{ parts: number }>(fx.store.knex, page.jobId, 0))?.parts,
      1,
      'one part committed',
    );

    const retried = await fx.call('syncPage', page);
    // Six records in three parts, each counted once: the second part's creates are found, not made again.
    assert.deepEqual(retried.counts, { ...zeroCounts(), inserted: 6, coupled: 6 });
    assert.equal((await getPageResult<{ parts: number }>(fx.store.knex, page.jobId, 0))?.parts, 3);
    assert.equal((await allOf(fx, 'dv', 'accounts')).length, accountsBefore + 6, 'no account created twice');
    assert.equal((await fx.store.knex('couplings').where({ mapping: 'CUSTOMER' })).length, 6);
  });

  it('redoes a part that died after its writes on the records it read, even those changed after the pass started', async () => {
    let dieOnWrite = false;
    const fx = await start({
      pagesPerActivity: 1,
      pageSize: 20,
      faults: {
        afterDestinationWrite: () => {
          if (!dieOnWrite) return;
          dieOnWrite = false;
          throw new Error('worker died after the writes');
        },
      },
    });
    // A first pass couples every customer (one page).
    assert.ok((await fx.call('syncPage', await firstPage(fx))).counts.inserted > 2);
    const rows = await fx.store.knex('couplings').where({ mapping: 'CUSTOMER' });
    const [changed, other] = rows.map((r) => String(r.bc_id));
    const phone = (n: number) => `+47 5550${n}000`;
    for (const id of [changed, other]) await fx.connectors.bc.update('customers', id, '*', { phoneNumber: phone(1) });
    // The second pass writes both changes, then dies before its commit; one customer changes again meanwhile, so a
    // read of the changes up to the pass start no longer lists it.
    const second = await firstPage(fx);
    dieOnWrite = true;
    await assert.rejects(fx.call('syncPage', second), /worker died/);
    await fx.connectors.bc.update('customers', changed, '*', { phoneNumber: phone(2) });
    const retried = await fx.call('syncPage', second);
    assert.equal(retried.counts.failed, 0, JSON.stringify(await fx.store.knex('sync_errors').select('message')));
    assert.equal(retried.counts.modified + retried.counts.unchanged, rows.length, 'the retry redid every record read');
    // Nothing is left for the next pass to mistake for someone else's change — in either direction: the account the
    // dead attempt already gave `other`'s values (the retry finds nothing to write) is recorded as synchronized, so
    // a user's change of `other` in BC meets no "change" of the account in the Dataverse → BC pass.
    await fx.connectors.bc.update('customers', other, '*', { phoneNumber: phone(3) });
    const back = await fx.call('syncPage', await firstPage(fx, 'wf', 'to-bc'));
    assert.equal(back.counts.failed, 0, JSON.stringify(await fx.store.knex('sync_errors').select('message')));
    assert.equal(back.counts.modified, 0, 'no account is taken for changed');
    const again = await fx.call('syncPage', await firstPage(fx));
    assert.equal(again.counts.failed, 0, JSON.stringify(await fx.store.knex('sync_errors').select('message')));
    const accounts = await allOf(fx, 'dv', 'accounts');
    const dvOf = (bcId: string) => String(rows.find((r) => r.bc_id === bcId)!.dv_id);
    assert.equal(accounts.find((a) => a.accountid === dvOf(changed))?.telephone1, phone(2));
    assert.equal(accounts.find((a) => a.accountid === dvOf(other))?.telephone1, phone(3));
  });

  it('recognises the writes of every attempt that died on a part, not only the first one', async () => {
    let deaths = 0;
    const fx = await start({
      pagesPerActivity: 1,
      pageSize: 20,
      faults: {
        afterDestinationWrite: () => {
          if (deaths === 0) return;
          deaths -= 1;
          throw new Error('worker died after the writes');
        },
      },
    });
    assert.ok((await fx.call('syncPage', await firstPage(fx))).counts.inserted > 2);
    const [row] = await fx.store.knex('couplings').where({ mapping: 'CUSTOMER' });
    const id = String(row.bc_id);
    const phone = (n: number) => `+47 5560${n}000`;
    await fx.connectors.bc.update('customers', id, '*', { phoneNumber: phone(1) });
    const page = await firstPage(fx);
    // The first attempt writes phone 1 and dies; the customer changes; the second writes phone 2 and dies too.
    deaths = 2;
    await assert.rejects(fx.call('syncPage', page), /worker died/);
    await fx.connectors.bc.update('customers', id, '*', { phoneNumber: phone(2) });
    await assert.rejects(fx.call('syncPage', page), /worker died/);
    const third = await fx.call('syncPage', page);
    assert.equal(third.counts.failed, 0, JSON.stringify(await fx.store.knex('sync_errors').select('message')));
    const account = (await allOf(fx, 'dv', 'accounts')).find((a) => a.accountid === row.dv_id);
    assert.equal(account?.telephone1, phone(2));
    // The pair is recorded as synchronized: when the customer changes again, the opposite pass finds no change of
    // the account to meet it as a conflict.
    await fx.connectors.bc.update('customers', id, '*', { phoneNumber: phone(3) });
    const back = await fx.call('syncPage', await firstPage(fx, 'wf', 'to-bc'));
    assert.equal(back.counts.failed, 0, JSON.stringify(await fx.store.knex('sync_errors').select('message')));
    assert.equal(back.counts.modified, 0);
  });

  it('counts a record unchanged, not failed, when a concurrent run of the mapping committed the same coupling first', async () => {
    // Two passes of CUSTOMER at once — which the mapping lease allows only once the first run's lease has lapsed (its
    // worker stalled past the expiry) and another workflow took it over: both decide to create the same accounts
    // (deterministic ids); the second pass runs whole between the first one's writes and its commit, so the first
    // finds its couplings already there.
    let second: Promise<unknown> | undefined;
    const fx = await start({
      pagesPerActivity: 1,
      faults: {
        afterDestinationWrite: async () => {
          if (second) return;
          await fx.store.knex('sync_leases').update({ expires_at: new Date(Date.now() - 1000) });
          second = fx.call('syncPage', await firstPage(fx, 'wf-other'));
          await second;
        },
      },
    });
    const page = await firstPage(fx);
    const first = await fx.call('syncPage', page);
    assert.deepEqual(second && (await second), { ...first, counts: { ...zeroCounts(), inserted: 2, coupled: 2 } });
    assert.deepEqual(first.counts, { ...zeroCounts(), unchanged: 2 });
    assert.deepEqual(await fx.store.knex('sync_errors').select('message'), []);
    const rows = await fx.store.knex('couplings').where({ mapping: 'CUSTOMER' });
    assert.equal(rows.length, 2);
    const accounts = await allOf(fx, 'dv', 'accounts');
    for (const row of rows)
      assert.ok(
        accounts.some((a) => a.accountid === row.dv_id),
        'the coupled account exists',
      );
  });

  for (const pagesPerActivity of [1, 3]) {
    it(`reads the next source page while writing the current one only when another part follows (${pagesPerActivity} per activity)`, async () => {
      const readsAtFirstWrite: number[] = [];
      const fx = await start({
        pagesPerActivity,
        faults: {
          afterDestinationWrite: () => {
            const reads = fx.requestLog.filter((e) => isSourcePageRead(e));
            readsAtFirstWrite.push(reads.length);
          },
        },
      });
      // Slow Dataverse writes: a page read ahead has long arrived when the current page's write answers.
      await setFaults(fx.emulators.dv.url, [{ entitySet: '$batch', latencyMs: 300 }]);
      const page = await firstPage(fx);
      const readsBefore = fx.requestLog.filter((e) => isSourcePageRead(e)).length;
      await fx.call('syncPage', page);
      assert.equal(readsAtFirstWrite[0] - readsBefore, pagesPerActivity > 1 ? 2 : 1, JSON.stringify(readsAtFirstWrite));
      const reads = fx.requestLog.filter(isSourcePageRead).length - readsBefore;
      assert.equal(reads, pagesPerActivity, 'each source page is read once: the page read ahead is the one used');
    });
  }
});
