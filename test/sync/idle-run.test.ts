/**
 * End to end on the real Temporal dev server, MySQL and both emulators over HTTP: what an idle incremental run of
 * CUSTOMER costs. Once the runs have settled (an incremental run wrote nothing), a run with nothing to do reads one
 * page of changes per pass and nothing else — records it reads back (at the watermark's instant, or inside the safety
 * overlap) are recognised as unchanged by their hash without reading their counterparts — and a record changed
 * afterwards is still carried over (DESIGN §7.3).
 */
import assert from 'node:assert/strict';
import type { StatsSnapshot } from '../../emulators/shared/stats';
import { all, mappingsWith, type Row, startSyncStack, type SyncStack } from '../support/sync-stack';
import { pass, runSync } from '../support/sync-runs';

/** A small demo company whose every salesperson has a Dataverse user (CUSTOMER's owner lookup resolves). */
const seed = {
  customers: 12,
  contactsPerCustomer: 0,
  overlapFraction: 0,
  dataverseOnlyAccounts: 2,
  dataverseContactsPerAccount: 0,
  salespeople: 3,
  matchingSystemUsers: 3,
};

const customerFilter = "blocked eq ' '";

async function emulatorCall(url: string, path: string, method: 'GET' | 'POST'): Promise<unknown> {
  const res = await fetch(`${url}/__emulator/${path}`, { method });
  if (!res.ok) throw new Error(`${method} /__emulator/${path} failed: HTTP ${res.status}`);
  return res.status === 204 ? null : res.json();
}

/** The API requests each emulator answered while `fn` ran, by entity set (token requests are not counted). */
async function requestsDuring(
  stack: SyncStack,
  fn: () => Promise<void>,
): Promise<{ bc: StatsSnapshot['byEntitySet']; dv: StatsSnapshot['byEntitySet']; bcTotal: number; dvTotal: number }> {
  const { bc, dv } = stack.emulators;
  await Promise.all([emulatorCall(bc.url, 'stats/reset', 'POST'), emulatorCall(dv.url, 'stats/reset', 'POST')]);
  await fn();
  const [b, d] = (await Promise.all([emulatorCall(bc.url, 'stats', 'GET'), emulatorCall(dv.url, 'stats', 'GET')])) as [
    StatsSnapshot,
    StatsSnapshot,
  ];
  return { bc: b.byEntitySet, dv: d.byEntitySet, bcTotal: b.total, dvTotal: d.total };
}

/** Incremental runs of CUSTOMER until one writes nothing (at most five); returns how many ran. */
async function settle(stack: SyncStack): Promise<number> {
  for (let i = 1; i <= 5; i++) {
    const run = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
    assert.equal(run.failed, 0, JSON.stringify(run));
    if (run.changed === 0) return i;
  }
  throw new Error('CUSTOMER did not settle within five incremental runs');
}

async function couplingOf(stack: SyncStack, bcId: string): Promise<Row> {
  const row = await stack.store.knex('couplings').where({ mapping: 'CUSTOMER', bc_id: bcId }).first();
  assert.ok(row, `customer ${bcId} is coupled`);
  return row as Row;
}

describe('an idle incremental run of CUSTOMER', function () {
  this.timeout(240_000);

  // Without overlap the watermark sits on the newest record visited, which each run reads back; with the worker's
  // default overlap of 5 s the records written in the 5 s before the last pass start are read back too.
  for (const overlapMs of [0, 5000]) {
    describe(`with a safety overlap of ${overlapMs} ms`, function () {
      let stack: SyncStack;
      before(async () => {
        stack = await startSyncStack({
          seed,
          overlapMs,
          mappings: mappingsWith({ mappings: { CUSTOMER: { onlyCoupled: false } } }),
          prerequisites: ['SALESPEOPLE', 'CURRENCY'],
        });
        const full = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'full' });
        assert.equal(full.failed, 0, JSON.stringify(full));
        await settle(stack);
      });
      after(async () => stack?.close());

      it('reads one page of changes per pass and nothing else', async () => {
        let idle: Awaited<ReturnType<typeof runSync>> | undefined;
        const requests = await requestsDuring(stack, async () => {
          idle = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
        });
        assert.equal(idle!.changed, 0, JSON.stringify(idle));
        assert.equal(idle!.failed, 0, JSON.stringify(idle));
        // BC→Dataverse reads the changed customers, Dataverse→BC the changed accounts: one request each.
        assert.deepEqual(
          { bc: requests.bc, dv: requests.dv },
          { bc: { customerCards: 1 }, dv: { accounts: 1 } },
          JSON.stringify(requests),
        );
      });

      it('still carries over a record changed on each side after the idle run', async () => {
        const customers = await all(stack, 'bc', 'customers', customerFilter);
        const [a, b] = customers;
        const rowB = await couplingOf(stack, b.id as string);
        await stack.connectors.bc.update('customers', a.id as string, '*', { city: 'Tromsø' });
        await stack.connectors.dv.update('accounts', rowB.dv_id as string, { telephone1: '+47 7777 1234' }, '*');

        const run = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
        assert.equal(pass(run, 'to-dataverse').counts.modified, 1, JSON.stringify(run));
        assert.equal(pass(run, 'to-bc').counts.modified, 1, JSON.stringify(run));
        const rowA = await couplingOf(stack, a.id as string);
        assert.equal((await stack.connectors.dv.get('accounts', rowA.dv_id as string))!.address1_city, 'Tromsø');
        assert.equal((await stack.connectors.bc.get('customers', b.id as string))!.phoneNumber, '+47 7777 1234');
      });
    });
  }
});
