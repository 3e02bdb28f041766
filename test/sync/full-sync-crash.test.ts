/**
 * Invariant 1 for the first synchronization: a worker SIGKILLed while `full-sync` matches and creates leaves no
 * duplicate on either side and no half coupling; the run converges on another worker.
 */
import assert from 'node:assert/strict';
import { applyMappingOverrides, defaultMappings, demoMappingOverrides } from '../../mappings';
import type { fullSync } from '../../workflows';
import { spawnBcsync } from '../support/cli';
import { assertCouplingsWhole } from '../support/coupling-integrity';
import { eventually, testResources, uniqueName } from '../support/env';
import { all, type Row, setFaults, startSyncStack } from '../support/sync-stack';
import { workerEnv } from '../support/worker-env';

const customerFilter = "blocked eq ' '";
const accountFilter = 'statecode eq 0 and customertypecode eq 3';

const names = (rows: Row[], field: string): string[] => rows.map((r) => String(r[field]).trim().toLowerCase());

describe('a worker killed during the full synchronization', function () {
  this.timeout(300_000);

  for (const moment of ['while matching', 'while creating'] as const) {
    it(`converges with no duplicate and whole couplings (killed ${moment})`, async () => {
      const mappings = applyMappingOverrides(defaultMappings(), demoMappingOverrides);
      const stack = await startSyncStack({
        mappings,
        pageSize: 20,
        // Every salesperson has a Dataverse user: SALESPEOPLE couples them all and no customer fails on its owner.
        seed: {
          customers: 60,
          contactsPerCustomer: 1,
          overlapFraction: 0.5,
          dataverseOnlyAccounts: 10,
          matchingSystemUsers: 6,
        },
      });
      try {
        stack.worker.shutdown();
        const customersBefore = await all(stack, 'bc', 'customers', customerFilter);
        const accountsBefore = await all(stack, 'dv', 'accounts', accountFilter);
        const expectedAccounts = new Set([...names(customersBefore, 'displayName'), ...names(accountsBefore, 'name')]);

        // Slow Dataverse reads (matching) or writes (creating), so the kill lands in the middle of that step.
        const slowed = stack.emulators.dv.url;
        await setFaults(slowed, [
          moment === 'while matching'
            ? { entitySet: 'accounts', method: 'GET', latencyMs: 300 }
            : { entitySet: '$batch', latencyMs: 800 },
        ]);
        const victim = spawnBcsync(['worker'], await workerEnv(stack, demoMappingOverrides));
        const handle = await testResources().temporal.client.workflow.start<typeof fullSync>('fullSync', {
          taskQueue: stack.taskQueue,
          workflowId: uniqueName('full-sync-crash'),
          args: [{ mappings: ['SALESPEOPLE', 'CURRENCY', 'CUSTOMER', 'CONTACT'] }],
        });
        const knex = stack.store.knex;
        await eventually(
          async () => {
            if (moment === 'while matching') {
              return (await knex('couplings').where({ mapping: 'CUSTOMER' })).length > 0;
            }
            const jobIds: number[] = (await knex('sync_jobs').where({ mapping: 'CUSTOMER', type: 'sync' })).map(
              (j: Row) => Number(j.id),
            );
            return jobIds.length > 0 && (await knex('sync_pages').whereIn('job_id', jobIds)).length > 0;
          },
          `the full synchronization to be ${moment}`,
          120_000,
        );
        victim.child.kill('SIGKILL');
        await setFaults(slowed, []);
        await stack.restartWorker();

        const result = await handle.result();
        assert.ok(
          result.mappings.every((m) => m.state === 'done'),
          JSON.stringify(result.mappings.map((m) => [m.mapping, m.state, m.reason])),
        );
        const customers = await all(stack, 'bc', 'customers', customerFilter);
        const accounts = await all(stack, 'dv', 'accounts', accountFilter);
        assert.deepEqual(new Set(names(accounts, 'name')), expectedAccounts);
        assert.equal(accounts.length, expectedAccounts.size, 'one account per name: no duplicate in Dataverse');
        assert.equal(
          customers.length,
          expectedAccounts.size,
          'one customer per name: no duplicate in Business Central',
        );
        assert.equal((await knex('couplings').where({ mapping: 'CUSTOMER' })).length, customers.length);
        await assertCouplingsWhole(stack, ['CUSTOMER', 'CONTACT'], mappings);
      } finally {
        await stack.close();
      }
    });
  }
});
