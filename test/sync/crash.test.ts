/**
 * Invariant 1 (DESIGN §7): killing a worker at the worst instants, or throttling the APIs, never creates a second
 * destination record for one source record and never loses a change — the next attempt converges.
 */
import assert from 'node:assert/strict';
import { eventually } from '../support/env';
import { spawnBcsync } from '../support/cli';
import { workerEnv } from '../support/worker-env';
import { all, type Row, setFaults, startSyncStack, type SyncStack, mappingsWith } from '../support/sync-stack';
import { pass, startSync } from '../support/sync-runs';

const seed = {
  customers: 12,
  contactsPerCustomer: 1,
  overlapFraction: 0,
  dataverseOnlyAccounts: 5,
  dataverseContactsPerAccount: 1,
};
/** CUSTOMER creating uncoupled records both ways, with its shipped lookups (SALESPEOPLE and CURRENCY run first). */
const overrideJson = { mappings: { CUSTOMER: { onlyCoupled: false } } };
const prerequisites = ['SALESPEOPLE', 'CURRENCY'];

/** Asserts one destination record per source record on both sides: names are unique and every coupling is complete. */
async function assertConverged(stack: SyncStack, customersBefore: Row[], accountsBefore: Row[]) {
  const customers = await all(stack, 'bc', 'customers');
  const accounts = await all(stack, 'dv', 'accounts');
  const names = (rows: Row[], field: string) => rows.map((r) => r[field] as string).sort();
  const expected = [...names(customersBefore, 'displayName'), ...names(accountsBefore, 'name')].sort();
  assert.deepEqual(names(accounts, 'name'), expected, 'Dataverse: exactly one account per customer, no duplicate');
  assert.deepEqual(names(customers, 'displayName'), expected, 'Business Central: exactly one customer per account');
  const couplings = await stack.store.knex('couplings').where({ mapping: 'CUSTOMER' });
  assert.equal(couplings.length, expected.length);
  assert.ok(
    couplings.every((c: Row) => c.bc_id && c.dv_id && c.to_dv_result !== 'failure' && c.to_bc_result !== 'failure'),
  );
}

describe('crashes and throttling converge without duplicates or lost changes', function () {
  this.timeout(240_000);

  for (const direction of ['to-dataverse', 'to-bc'] as const) {
    it(`survives a worker killed between the ${direction === 'to-dataverse' ? 'Dataverse' : 'Business Central'} write and the coupling commit`, async () => {
      // The in-process worker stays off until the crashing one has died.
      const stack = await startSyncStack({ seed, prerequisites, mappings: mappingsWith(overrideJson) });
      try {
        stack.worker.shutdown();
        const customersBefore = await all(stack, 'bc', 'customers');
        const accountsBefore = await all(stack, 'dv', 'accounts');
        const crashing = spawnBcsync(
          ['worker'],
          await workerEnv(stack, overrideJson, { FAULT_KILL_AFTER_WRITE: `CUSTOMER:${direction}` }),
        );
        const died = new Promise<NodeJS.Signals | null>((resolve) =>
          crashing.child.once('close', (_c, signal) => resolve(signal)),
        );
        const handle = await startSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
        assert.equal(await died, 'SIGKILL', crashing.output());
        assert.match(crashing.output(), /FAULT_KILL_AFTER_WRITE/);

        await stack.restartWorker();
        const result = await handle.result();
        assert.equal(result.outcome, 'succeeded', JSON.stringify(result));
        assert.equal(pass(result, 'to-dataverse').counts.inserted, customersBefore.length);
        assert.equal(pass(result, 'to-bc').counts.inserted, accountsBefore.length);
        await assertConverged(stack, customersBefore, accountsBefore);
      } finally {
        await stack.close();
      }
    });
  }

  it('survives a worker killed in the middle of a page', async () => {
    const stack = await startSyncStack({ seed, prerequisites, mappings: mappingsWith(overrideJson) });
    try {
      stack.worker.shutdown();
      const customersBefore = await all(stack, 'bc', 'customers');
      const accountsBefore = await all(stack, 'dv', 'accounts');
      // Slow Dataverse writes down so the kill lands while a batch is under way.
      await setFaults(stack.emulators.dv.url, [{ entitySet: '$batch', latencyMs: 1500 }]);
      const victim = spawnBcsync(['worker'], await workerEnv(stack, overrideJson));
      const handle = await startSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      await eventually(async () => {
        const stats = (await (await fetch(`${stack.emulators.dv.url}/__emulator/stats`)).json()) as {
          byEntitySet: Record<string, number>;
        };
        return (stats.byEntitySet['$batch'] ?? 0) > 0;
      }, 'the first Dataverse batch to arrive');
      victim.child.kill('SIGKILL');
      await setFaults(stack.emulators.dv.url, []);

      await stack.restartWorker();
      const result = await handle.result();
      assert.equal(result.outcome, 'succeeded', JSON.stringify(result));
      await assertConverged(stack, customersBefore, accountsBefore);
    } finally {
      await stack.close();
    }
  });

  it('completes with 30 % of requests throttled, honouring Retry-After, without failing a record', async () => {
    const stack = await startSyncStack({ seed, prerequisites, mappings: mappingsWith(overrideJson), pageSize: 5 });
    try {
      const customersBefore = await all(stack, 'bc', 'customers');
      const accountsBefore = await all(stack, 'dv', 'accounts');
      for (const e of [stack.emulators.bc, stack.emulators.dv]) {
        await setFaults(e.url, [{ status: 429, rate: 0.3, retryAfterSeconds: 1 }]);
      }
      const handle = await startSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      const result = await handle.result();
      assert.equal(result.outcome, 'succeeded', JSON.stringify(result));
      assert.equal(result.failed, 0);
      const stats = (await (await fetch(`${stack.emulators.dv.url}/__emulator/stats`)).json()) as {
        byStatus: Record<string, number>;
      };
      assert.ok((stats.byStatus['429'] ?? 0) > 0, 'the storm really happened');
      for (const e of [stack.emulators.bc, stack.emulators.dv]) {
        await setFaults(e.url, []);
      }
      await assertConverged(stack, customersBefore, accountsBefore);
    } finally {
      await stack.close();
    }
  });

  it('picks up a record modified while a pass runs, in that pass or the next', async () => {
    const stack = await startSyncStack({ seed, prerequisites, mappings: mappingsWith(overrideJson), pageSize: 2 });
    try {
      await (await startSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' })).result();
      const customers = await all(stack, 'bc', 'customers');
      // Slow the BC reads of CUSTOMER's page (customerCards) so the pass is still running when the record changes.
      await setFaults(stack.emulators.bc.url, [{ entitySet: 'customerCards', method: 'GET', latencyMs: 300 }]);
      for (const c of customers.slice(0, 6)) {
        await stack.connectors.bc.update('customers', c.id as string, '*', { city: 'Before' });
      }
      const handle = await startSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      await eventually(
        async () =>
          (await stack.store.knex('sync_jobs').where({ workflow_id: handle.workflowId }).first()) as Row | undefined,
        'the pass to start',
      );
      const target = customers[customers.length - 1];
      await stack.connectors.bc.update('customers', target.id as string, '*', { city: 'Changed mid-pass' });
      await handle.result();
      await setFaults(stack.emulators.bc.url, []);
      await (await startSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' })).result();
      const row = await stack.store.knex('couplings').where({ mapping: 'CUSTOMER', bc_id: target.id }).first();
      const account = await stack.connectors.dv.get('accounts', row.dv_id as string);
      assert.equal(account!.address1_city, 'Changed mid-pass');
    } finally {
      await stack.close();
    }
  });
});
