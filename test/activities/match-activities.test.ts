/**
 * The match activities (startMatch, matchPage, finishMatch) called directly against a fresh SQLite store and
 * in-process emulators: a match couples exactly one candidate or reports the ambiguity with every candidate, never a
 * guess; a dry run writes nothing.
 */
import assert from 'node:assert/strict';
import { listErrors } from '../../store/sync-errors';
import { getJob } from '../../store/sync-jobs';
import type { Row } from '../support/sync-stack';
import { accountFilter, type ActivityFixture, allOf, customerMappings, startActivityFixture } from './support';

/** Half of the customers also exist in Dataverse under the same name. */
const seed = { customers: 6, contactsPerCustomer: 0, overlapFraction: 0.5, dataverseOnlyAccounts: 2 };
const customerFilter = "blocked eq ' '";
const LOOK_ALIKE_ID = '6f1b7d7e-0000-4000-8000-000000000001';

describe('the match activities (MockActivityEnvironment, SQLite, emulators)', function () {
  this.timeout(60_000);
  let f: ActivityFixture;
  let customers: Row[];
  let shared: Row[];
  let ambiguous: Row;

  beforeEach(async () => {
    f = await startActivityFixture({
      seed,
      mappings: customerMappings({ matchOn: [{ bcField: 'displayName', dvField: 'name' }] }),
    });
    customers = await allOf(f, 'bc', 'customers', customerFilter);
    const accounts = await allOf(f, 'dv', 'accounts', accountFilter);
    shared = customers.filter((c) => accounts.some((a) => a.name === c.displayName));
    assert.ok(shared.length >= 2, 'the demo data overlaps');
    // A look-alike makes one of the shared names ambiguous in Dataverse.
    ambiguous = shared[0];
    await f.connectors.dv.createWithId('accounts', LOOK_ALIKE_ID, { name: ambiguous.displayName, customertypecode: 3 });
  });
  afterEach(async () => f.close());

  async function matchAll(dryRun: boolean) {
    const started = await f.call('startMatch', { mapping: 'CUSTOMER', dryRun, workflowId: 'wf-match', runId: 'run-1' });
    const page = await f.call('matchPage', {
      mapping: 'CUSTOMER',
      dryRun,
      jobId: started.jobId,
      pageNo: 0,
      until: started.until,
      after: null,
    });
    return { started, page };
  }

  it("leaves a coupled pair's first values to the BC→Dataverse pass, even when the Dataverse→BC pass comes first", async () => {
    const matched = await matchAll(false);
    // The match run ends (releasing the mapping's lease) before the sync's passes start, as in a full synchronization.
    await f.call('finishMatch', { jobId: matched.started.jobId!, counts: matched.page.counts });
    const pair = (await f.store.knex('couplings').where({ mapping: 'CUSTOMER' }).first()) as Row;
    const before = (await allOf(f, 'bc', 'customers')).find((c) => c.id === pair.bc_id)!;
    const account = (await allOf(f, 'dv', 'accounts')).find((a) => a.accountid === pair.dv_id)!;
    assert.notEqual(before.phoneNumber, account.telephone1, 'the pair starts with different values');
    // The customer changes after the BC→Dataverse pass started (so that pass did not read it); Dataverse→BC runs.
    await f.connectors.bc.update('customers', pair.bc_id as string, '*', { phoneNumber: '+47 55509876' });
    const pass = (direction: 'to-bc' | 'to-dataverse', n: number) =>
      f.call('startPass', {
        mapping: 'CUSTOMER',
        direction,
        mode: 'full',
        workflowId: 'wf-first',
        runId: `run-first-${n}`,
        retryOfJobId: null,
        recordIds: null,
      });
    const toBc = await pass('to-bc', 1);
    await f.call('syncPage', {
      ...toBc,
      mapping: 'CUSTOMER',
      direction: 'to-bc',
      mode: 'full',
      pageNo: 0,
      recordIds: null,
    });
    const customer = (await allOf(f, 'bc', 'customers')).find((c) => c.id === pair.bc_id)!;
    assert.equal(customer.phoneNumber, '+47 55509876', "the customer's values are not overwritten by the account's");
    // The next BC→Dataverse pass gives the account the customer's values.
    const toDv = await pass('to-dataverse', 2);
    await f.call('syncPage', {
      ...toDv,
      mapping: 'CUSTOMER',
      direction: 'to-dataverse',
      mode: 'full',
      pageNo: 0,
      recordIds: null,
    });
    const after = (await allOf(f, 'dv', 'accounts')).find((a) => a.accountid === pair.dv_id)!;
    assert.equal(after.telephone1, '+47 55509876');
  });

  it('couples each record with exactly one candidate and reports the ambiguous one with every candidate', async () => {
    const { started, page } = await matchAll(false);
    assert.deepEqual(started.criteria, ['displayName = name']);
    assert.equal(page.next, null, 'one page holds every customer');
    assert.deepEqual(page.counts, {
      coupled: shared.length - 1,
      ambiguous: 1,
      unmatched: customers.length - shared.length,
      alreadyCoupled: 0,
    });

    const accounts = await allOf(f, 'dv', 'accounts', accountFilter);
    const rows = await f.store.knex('couplings').where({ mapping: 'CUSTOMER' }).orderBy('id');
    const expectedPairs = shared
      .filter((c) => c !== ambiguous)
      .map((c) => [c.id, accounts.find((a) => a.name === c.displayName)!.accountid])
      .sort();
    assert.deepEqual(rows.map((r) => [r.bc_id, r.dv_id]).sort(), expectedPairs);
    assert.deepEqual(page.pairs.map((p) => [p.bcId, p.dvId]).sort(), expectedPairs);

    const original = accounts.find((a) => a.name === ambiguous.displayName && a.accountid !== LOOK_ALIKE_ID)!;
    assert.equal(page.ambiguities.length, 1);
    const [a] = page.ambiguities;
    assert.deepEqual(
      [a.sourceSide, a.sourceId, a.criterion, a.candidates.map((c) => c.id).sort()],
      ['bc', ambiguous.id, 'displayName = name', [original.accountid, LOOK_ALIKE_ID].sort()],
    );
    const errors = await listErrors(f.store.knex, { jobId: started.jobId! });
    assert.deepEqual(
      errors.map((e) => [e.direction, e.sourceId, e.destinationId]),
      [['to-dataverse', ambiguous.id, null]],
    );
    assert.match(errors[0].message, /matches 2 uncoupled records on displayName = name/);
    assert.match(errors[0].message, /bcsync couple CUSTOMER/);

    await f.call('finishMatch', { jobId: started.jobId!, counts: page.counts });
    const job = await getJob(f.store.knex, started.jobId!);
    assert.equal(job!.status, 'completed_with_errors');
    assert.equal(job!.type, 'coupling');
    assert.deepEqual(
      [job!.coupled, job!.failed, job!.unchanged],
      [shared.length - 1, 1, customers.length - shared.length],
    );
  });

  it('returns the stored result when a committed match page is retried', async () => {
    const { started, page } = await matchAll(false);
    const before = f.requests();
    const retried = await f.call('matchPage', {
      mapping: 'CUSTOMER',
      dryRun: false,
      jobId: started.jobId,
      pageNo: 0,
      until: started.until,
      after: null,
    });
    assert.deepEqual(retried, page);
    assert.equal(f.requests(), before, 'the retry sent no request');
  });

  it('writes nothing in a dry run but reports the same decisions', async () => {
    const { started, page } = await matchAll(true);
    assert.equal(started.jobId, null);
    assert.deepEqual(page.counts, {
      coupled: shared.length - 1,
      ambiguous: 1,
      unmatched: customers.length - shared.length,
      alreadyCoupled: 0,
    });
    for (const table of ['couplings', 'sync_jobs', 'sync_errors', 'sync_pages']) {
      assert.deepEqual(await f.store.knex(table).count({ n: '*' }), [{ n: 0 }], `${table} is empty`);
    }
  });
});
