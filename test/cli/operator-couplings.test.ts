/**
 * `bcsync couple` and `bcsync couplings` through the real binary, on the real stack: both emulators over HTTP, MySQL,
 * and a worker on the Temporal dev server (one stack for the file).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Coupling } from '../../store/couplings';
import type { SyncMappingResult } from '../../engine/run-types';
import { runBcsync } from '../support/cli';
import { assertCouplingsWhole } from '../support/coupling-integrity';
import { all, mappingsWith, type Row, startSyncStack, type SyncStack } from '../support/sync-stack';
import { workerEnv } from '../support/worker-env';

/** The shipped mappings; SALESPEOPLE and CURRENCY, which CUSTOMER's owner and currency lookups resolve through, run first. */
const overrideJson = { mappings: {} };
const prerequisites = ['SALESPEOPLE', 'CURRENCY'];
const mappings = mappingsWith(overrideJson);
const seed = {
  customers: 6,
  contactsPerCustomer: 1,
  overlapFraction: 0,
  dataverseOnlyAccounts: 6,
  dataverseContactsPerAccount: 1,
};
/** A `couplings` row as stored. */
interface CouplingRow {
  id: number;
  bc_id: string | null;
  dv_id: string | null;
  bc_hash: string | null;
  dv_hash: string | null;
  to_dv_result: string | null;
  to_bc_result: string | null;
  to_dv_job_id: number | null;
  to_bc_job_id: number | null;
}

const customerFilter = "blocked eq ' '";
const accountFilter = 'statecode eq 0 and customertypecode eq 3';

describe('bcsync couple and couplings', function () {
  this.timeout(120_000);
  let stack: SyncStack;
  let env: Record<string, string>;
  let customers: Row[];
  let accounts: Row[];

  before(async () => {
    stack = await startSyncStack({ seed, mappings, prerequisites });
    env = await workerEnv(stack, overrideJson, { TEMPORAL_NAMESPACE: 'default' });
    customers = await all(stack, 'bc', 'customers', customerFilter);
    accounts = await all(stack, 'dv', 'accounts', accountFilter);
    assert.ok(customers.length >= 5 && accounts.length >= 5, 'the demo data has records on both sides');
  });
  after(async () => stack?.close());

  const bcsync = (...args: string[]) => runBcsync(args, env);
  const bcId = (n: number) => String(customers[n].id).toLowerCase();
  const dvId = (n: number) => String(accounts[n].accountid).toLowerCase();
  const rows = (): Promise<CouplingRow[]> =>
    stack.store.knex('couplings').where({ mapping: 'CUSTOMER' }).orderBy('id') as Promise<CouplingRow[]>;
  const rowOf = async (n: number): Promise<CouplingRow> => {
    const row = (await rows()).find((r) => r.bc_id === bcId(n));
    assert.ok(row, `customer ${n} is coupled`);
    return row;
  };
  const account = async (n: number) => (await stack.connectors.dv.get('accounts', dvId(n)))!;
  const customer = async (n: number) => (await stack.connectors.bc.get('customers', bcId(n)))!;

  describe('couple', function () {
    it('couples a customer to an account in one whole row with lower-case ids, and says how to synchronize it', async () => {
      const accountBefore = await account(0);
      assert.notEqual(accountBefore.name, customers[0].displayName, 'the two records differ before');
      const r = await bcsync('couple', 'customer', '--bc', bcId(0).toUpperCase(), '--dv', dvId(0).toUpperCase());
      assert.equal(r.code, 0, r.stderr);
      const [row] = await rows();
      assert.equal(row.bc_id, bcId(0).toLowerCase());
      assert.equal(row.dv_id, dvId(0).toLowerCase());
      assert.deepEqual([row.bc_hash, row.dv_hash, row.to_dv_result, row.to_bc_result], [null, null, null, null]);
      assert.deepEqual(await assertCouplingsWhole(stack, ['CUSTOMER'], mappings), { CUSTOMER: 1 });
      const name = (customers[0].displayName as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      assert.match(
        r.stdout,
        new RegExp(
          `^coupled Customer '${name}' \\(${bcId(0)}\\) to Dataverse account '.+' \\(${dvId(0)}\\) in CUSTOMER \\(coupling ${row.id}\\)$`,
          'm',
        ),
      );
      assert.match(r.stdout, new RegExp(`^To synchronize now: bcsync sync-record CUSTOMER --bc ${bcId(0)} `, 'm'));
      assert.match(r.stdout, /'bcsync run CUSTOMER --full' reads Business Central first/);
      assert.equal((await account(0)).name, accountBefore.name, 'nothing was synchronized yet');
    });

    it('refuses a record coupled to another one, from either side, naming that coupling; the same pair is a no-op', async () => {
      const first = await rowOf(0);
      const bcTaken = await bcsync('couple', 'CUSTOMER', '--bc', bcId(0), '--dv', dvId(1));
      assert.equal(bcTaken.code, 1);
      assert.equal(
        bcTaken.stderr.trim(),
        `bcsync: the Business Central customer ${bcId(0)} is already coupled to Dataverse account ${dvId(0)} ` +
          `(coupling ${first.id}); uncouple it first with 'bcsync uncouple CUSTOMER --bc ${bcId(0)}'`,
      );
      const dvTaken = await bcsync('couple', 'CUSTOMER', '--bc', bcId(1), '--dv', dvId(0));
      assert.equal(dvTaken.code, 1);
      assert.equal(
        dvTaken.stderr.trim(),
        `bcsync: the Dataverse account ${dvId(0)} is already coupled to Business Central customer ${bcId(0)} ` +
          `(coupling ${first.id}); uncouple it first with 'bcsync uncouple CUSTOMER --dv ${dvId(0)}'`,
      );
      const same = await bcsync('couple', 'CUSTOMER', '--bc', bcId(0), '--dv', dvId(0));
      assert.equal(same.code, 0, same.stderr);
      assert.match(
        same.stdout,
        new RegExp(`are already coupled in CUSTOMER \\(coupling ${first.id}\\); nothing to do$`, 'm'),
      );
      assert.equal((await rows()).length, 1, 'no row was added');
    });

    it('refuses a record that does not exist, naming its side and id, and couples nothing', async () => {
      const ghost = randomUUID();
      const noCustomer = await bcsync('couple', 'CUSTOMER', '--bc', ghost, '--dv', dvId(3));
      assert.equal(noCustomer.code, 1);
      assert.equal(
        noCustomer.stderr.trim(),
        `bcsync: Business Central customer ${ghost} does not exist; nothing was coupled`,
      );
      const noAccount = await bcsync('couple', 'CUSTOMER', '--bc', bcId(3), '--dv', ghost);
      assert.equal(noAccount.code, 1);
      assert.equal(noAccount.stderr.trim(), `bcsync: Dataverse account ${ghost} does not exist; nothing was coupled`);
      assert.equal((await rows()).length, 1);
    });

    it('exits 2 with the reason for an unknown mapping, a bad GUID, a missing id or a --sync the mapping lacks', async () => {
      const cases: Array<[string[], RegExp]> = [
        [['NOPE', '--bc', bcId(3), '--dv', dvId(3)], /^bcsync: unknown mapping 'NOPE'; valid mappings: SALESPEOPLE, /],
        [['CUSTOMER', '--bc', 'C00010', '--dv', dvId(3)], /^bcsync: --bc 'C00010' is not a record id \(GUID\)$/],
        [['CUSTOMER', '--bc', bcId(3), '--dv', 'x'], /^bcsync: --dv 'x' is not a record id \(GUID\)$/],
        [['CUSTOMER', '--bc', bcId(3)], /^bcsync: name both records: missing --dv /],
        [['CURRENCY', '--bc', bcId(3), '--dv', dvId(3), '--sync', 'to-bc'], /CURRENCY synchronizes to-dataverse only$/],
        [['CUSTOMER', '--bc', bcId(3), '--dv', dvId(3), '--wait'], /^bcsync: --wait waits for the run --sync starts/],
      ];
      for (const [args, reason] of cases) {
        const r = await bcsync('couple', ...args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr.trim(), reason);
      }
      assert.equal((await rows()).length, 1);
    });

    it('couple --sync to-dataverse --wait carries the Business Central values to the Dataverse row', async () => {
      const r = await bcsync(
        'couple',
        'CUSTOMER',
        '--bc',
        bcId(1),
        '--dv',
        dvId(1),
        '--sync',
        'to-dataverse',
        '--wait',
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^couple-customer-\S+: succeeded \(1 changed, 0 failed\)$/m);
      const after = await account(1);
      assert.equal(after.name, customers[1].displayName);
      assert.equal(after.address1_city, customers[1].city);
      assert.equal(after.emailaddress1, customers[1].email);
      assert.equal((await customer(1)).displayName, customers[1].displayName, 'the BC side is left as it was');
      const row = await rowOf(1);
      assert.equal(row.dv_id, dvId(1));
      assert.equal(row.to_dv_result, 'success');
      assert.ok(row.bc_hash && row.dv_hash, 'both hashes are known after the write');
      assert.deepEqual(await assertCouplingsWhole(stack, ['CUSTOMER'], mappings), { CUSTOMER: 2 });
    });

    it('the next full run writes the Business Central values of a fresh pair: no conflict, no duplicate', async () => {
      const r = await bcsync('couple', 'CUSTOMER', '--bc', bcId(2), '--dv', dvId(2));
      assert.equal(r.code, 0, r.stderr);
      const accountName = (await account(2)).name;
      assert.notEqual(accountName, customers[2].displayName, 'the fresh pair differs');
      const bcCount = (await all(stack, 'bc', 'customers')).length;
      const dvCount = (await all(stack, 'dv', 'accounts')).length;

      const run = await bcsync('run', 'CUSTOMER', '--full', '--wait', '--json');
      assert.equal(run.code, 0, run.stderr);
      const result = (JSON.parse(run.stdout) as { result: SyncMappingResult }).result;
      assert.equal(result.outcome, 'succeeded', JSON.stringify(result));
      for (const p of result.passes) {
        assert.equal(p.counts.failed, 0, `${p.direction}: ${JSON.stringify(p.counts)}`);
        assert.equal(p.counts.inserted, 0, `${p.direction}: ${JSON.stringify(p.counts)}`);
      }
      const toDv = result.passes.find((p) => p.direction === 'to-dataverse')!;
      assert.equal(toDv.counts.modified, 2, 'the two pairs never synchronized: this one and the first test’s');
      assert.equal((await account(2)).name, customers[2].displayName, 'Business Central wins a full run');
      assert.equal((await customer(2)).displayName, customers[2].displayName);
      assert.equal((await account(0)).name, customers[0].displayName);
      assert.equal((await all(stack, 'bc', 'customers')).length, bcCount, 'no customer was created');
      assert.equal((await all(stack, 'dv', 'accounts')).length, dvCount, 'no account was created');
      assert.equal((await stack.store.knex('sync_errors').where({ mapping: 'CUSTOMER' })).length, 0);
      const row = await rowOf(2);
      assert.deepEqual([row.to_dv_result, row.to_bc_result], ['success', 'success']);
      assert.deepEqual(await assertCouplingsWhole(stack, ['CUSTOMER'], mappings), { CUSTOMER: 3 });

      const idle = await bcsync('run', 'CUSTOMER', '--full', '--wait', '--json');
      assert.equal(idle.code, 0, idle.stderr);
      const again = (JSON.parse(idle.stdout) as { result: SyncMappingResult }).result;
      assert.equal(again.changed, 0, `a second full run finds nothing to do: ${JSON.stringify(again)}`);
    });
  });

  describe('couplings', function () {
    it('lists the couplings newest first with both ids and the last result of each direction', async () => {
      const [a, b, c] = [await rowOf(0), await rowOf(1), await rowOf(2)];
      const r = await bcsync('couplings', 'customer');
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.match(lines[0], /^coupling\s+bc\s+dataverse\s+skipped\s+to dataverse\s+to bc\s+last error$/);
      assert.deepEqual(
        lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3)),
        [c, b, a].map((x) => [String(x.id), x.bc_id, x.dv_id]),
      );
      assert.match(lines[1], new RegExp(`success \\(job ${c.to_dv_job_id}\\)\\s+success \\(job ${c.to_bc_job_id}\\)`));

      const limited = await bcsync('couplings', 'CUSTOMER', '--limit', '1', '--json');
      assert.equal(limited.code, 0, limited.stderr);
      const json = JSON.parse(limited.stdout) as Coupling[];
      assert.deepEqual(
        json.map((x) => [x.id, x.bcId, x.dvId, x.skipped, x.toDataverse.result, x.toBc.jobId]),
        [[c.id, c.bc_id, c.dv_id, false, 'success', c.to_bc_job_id]],
      );
    });

    it("shows one record's coupling with --bc or --dv, and exits 1 naming a record that is not coupled", async () => {
      const b = await rowOf(1);
      const byBc = await bcsync('couplings', 'CUSTOMER', '--bc', bcId(1));
      assert.equal(byBc.code, 0, byBc.stderr);
      assert.equal(byBc.stdout.trim().split('\n').length, 2);
      assert.match(byBc.stdout, new RegExp(`^${b.id}\\s+${bcId(1)}\\s+${dvId(1)}\\s`, 'm'));
      const byDv = await bcsync('couplings', 'CUSTOMER', '--dv', dvId(1).toUpperCase(), '--json');
      assert.equal(byDv.code, 0, byDv.stderr);
      assert.deepEqual(
        (JSON.parse(byDv.stdout) as Coupling[]).map((x) => [x.id, x.bcId]),
        [[b.id, bcId(1)]],
      );
      const none = await bcsync('couplings', 'CUSTOMER', '--bc', bcId(4));
      assert.equal(none.code, 1);
      assert.match(
        none.stderr.trim(),
        new RegExp(
          `^bcsync: the Business Central customer ${bcId(4)} is not coupled in CUSTOMER; couple it with 'bcsync couple CUSTOMER --bc ${bcId(4)} --dv <Dataverse account id>'$`,
        ),
      );
      const both = await bcsync('couplings', 'CUSTOMER', '--bc', bcId(1), '--dv', dvId(1));
      assert.equal(both.code, 2);
    });
  });

  describe('history', function () {
    it("shows a record's field changes from either side's id, newest first, and refuses a bad call", async () => {
      // Pair 1 was synchronized towards Dataverse by `couple --sync`: the account took the customer's name.
      const byBc = await bcsync('history', 'CUSTOMER', '--bc', bcId(1), '--json');
      assert.equal(byBc.code, 0, byBc.stderr);
      const trail = JSON.parse(byBc.stdout) as {
        coupled: boolean;
        dvId: string;
        changes: Array<{ field: string; direction: string; kind: string; newValue: string | null }>;
      };
      assert.equal(trail.coupled, true);
      assert.equal(trail.dvId, dvId(1));
      const name = trail.changes.find((c) => c.field === 'name');
      assert.deepEqual(name && [name.direction, name.kind, name.newValue], [
        'to-dataverse',
        'write',
        customers[1].displayName,
      ]);
      const byDv = await bcsync('history', 'CUSTOMER', '--dv', dvId(1).toUpperCase(), '--json');
      assert.deepEqual(JSON.parse(byDv.stdout), trail, 'the same trail from the Dataverse id');

      const text = await bcsync('history', 'CUSTOMER', '--bc', bcId(1));
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`^CUSTOMER: Business Central ${bcId(1)} ⇄ Dataverse ${dvId(1)}$`, 'm'));
      assert.match(text.stdout, /^time\s+job\s+direction\s+field\s+change$/m);
      assert.match(
        text.stdout,
        new RegExp(`\\sto-dataverse\\s+name\\s+.* → ${String(customers[1].displayName)}$`, 'm'),
      );

      const none = await bcsync('history', 'CUSTOMER', '--bc', bcId(4));
      assert.equal(none.code, 0, none.stderr);
      assert.match(none.stdout, /\(not coupled\)\n\(no field changes recorded\)/);
      const both = await bcsync('history', 'CUSTOMER', '--bc', bcId(1), '--dv', dvId(1));
      assert.equal(both.code, 2);
      assert.match(both.stderr, /--bc ID or --dv ID \(one of them\)/);
      const bad = await bcsync('history', 'CUSTOMER', '--bc', 'not-a-guid');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--bc 'not-a-guid' is not a record id/);
    });
  });
});
