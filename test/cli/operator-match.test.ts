/**
 * `bcsync match` through the real binary on the real stack: a dry run writes nothing, an ambiguous record is reported
 * with every candidate and not coupled (exit 3), and --create-unmatched creates and couples the rest.
 */
import assert from 'node:assert/strict';
import type { MatchMappingResult } from '../../engine/run-types';
import { listJobs } from '../../store/sync-jobs';
import { runBcsync } from '../support/cli';
import { assertCouplingsWhole } from '../support/coupling-integrity';
import { all, mappingsWith, type Row, startSyncStack, type SyncStack } from '../support/sync-stack';
import { workerEnv } from '../support/worker-env';

/** The shipped mappings; SALESPEOPLE and CURRENCY, which CUSTOMER's owner and currency lookups resolve through, run first. */
const overrideJson = { mappings: {} };
const prerequisites = ['SALESPEOPLE', 'CURRENCY'];
const customerFilter = "blocked eq ' '";
const accountFilter = 'statecode eq 0 and customertypecode eq 3';
const LOOK_ALIKE = '6f1b7d7e-0000-4000-8000-000000000003';

describe('bcsync match', function () {
  this.timeout(180_000);
  let stack: SyncStack;
  let env: Record<string, string>;
  let shared: Row[];

  before(async () => {
    stack = await startSyncStack({
      seed: { customers: 8, contactsPerCustomer: 1, overlapFraction: 0.5, dataverseOnlyAccounts: 2 },
      mappings: mappingsWith(overrideJson),
      prerequisites,
    });
    env = await workerEnv(stack, overrideJson, { TEMPORAL_NAMESPACE: 'default' });
    const customers = await all(stack, 'bc', 'customers', customerFilter);
    const accounts = await all(stack, 'dv', 'accounts', accountFilter);
    shared = customers.filter((c) => accounts.some((a) => a.name === c.displayName));
    assert.ok(shared.length >= 2, 'the demo data overlaps');
    await stack.connectors.dv.createWithId('accounts', LOOK_ALIKE, {
      name: shared[0].displayName,
      customertypecode: 3,
    });
  });
  after(async () => stack.close());

  it('refuses bad usage with exit 2', async () => {
    const unknown = await runBcsync(['match', 'NOPE'], env);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /NOPE/);
    const both = await runBcsync(['match', 'CUSTOMER', '--dry-run', '--create-unmatched'], env);
    assert.equal(both.code, 2, both.stderr);
  });

  it('--dry-run prints what it would couple and the ambiguity, and writes nothing', async () => {
    const r = await runBcsync(['match', 'CUSTOMER', '--dry-run'], env, 120_000);
    assert.equal(r.code, 3, r.stderr + r.stdout);
    assert.match(r.stdout, new RegExp(`would couple ${shared.length - 1}, ambiguous 1`));
    assert.match(r.stdout, new RegExp(`- .*\\(${LOOK_ALIKE}\\)`));
    assert.equal((await stack.store.knex('couplings').where({ mapping: 'CUSTOMER' })).length, 0);
    assert.equal((await listJobs(stack.store.knex, { mapping: 'CUSTOMER' })).length, 0);
  });

  it('couples the unambiguous matches, then --create-unmatched creates the rest and never guesses', async () => {
    const r = await runBcsync(['match', 'CUSTOMER', '--json'], env, 120_000);
    assert.equal(r.code, 3, r.stderr);
    const result = JSON.parse(r.stdout) as MatchMappingResult;
    assert.deepEqual([result.counts.coupled, result.counts.ambiguous], [shared.length - 1, 1]);
    assert.equal((await stack.store.knex('couplings').where({ mapping: 'CUSTOMER' })).length, shared.length - 1);

    const created = await runBcsync(['match', 'CUSTOMER', '--create-unmatched', '--json'], env, 150_000);
    assert.equal(created.code, 3, created.stderr);
    const after = JSON.parse(created.stdout) as MatchMappingResult;
    assert.ok(after.sync && after.sync.outcome !== 'failed', created.stdout);
    const rows: Row[] = await stack.store.knex('couplings').where({ mapping: 'CUSTOMER' });
    assert.ok(!rows.some((x) => x.bc_id === String(shared[0].id).toLowerCase()), 'the ambiguous one is not guessed');
    const customers = await all(stack, 'bc', 'customers', customerFilter);
    assert.equal(rows.length, customers.length - 1, 'every other customer is coupled');
    await assertCouplingsWhole(stack, ['CUSTOMER']);
  });

  it('uncoupling a customer also uncouples the contacts under its account', async () => {
    const contacts = await runBcsync(['match', 'CONTACT', '--create-unmatched', '--json'], env, 150_000);
    assert.ok([0, 3].includes(contacts.code ?? -1), contacts.stderr);
    const knex = stack.store.knex;
    const contactRows: Row[] = await knex('couplings').where({ mapping: 'CONTACT' });
    assert.ok(contactRows.length > 0, 'contacts are coupled');
    const dvContacts = await all(stack, 'dv', 'contacts');
    const parentOf = (r: Row) => dvContacts.find((c) => c.contactid === r.dv_id)?._parentcustomerid_value as string;
    const account = parentOf(contactRows[0]);
    const customerRow = ((await knex('couplings').where({ mapping: 'CUSTOMER', dv_id: account })) as Row[])[0];
    const children = contactRows.filter((r) => parentOf(r) === account);

    const r = await runBcsync(['uncouple', 'CUSTOMER', '--bc', String(customerRow.bc_id), '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as { contactsUncoupled: string[] }).contactsUncoupled.sort(),
      children.map((c) => String(c.dv_id)).sort(),
    );
    const left: Row[] = await knex('couplings').where({ mapping: 'CONTACT' });
    assert.equal(left.length, contactRows.length - children.length, 'the other contacts stay coupled');
    assert.ok(!left.some((x) => parentOf(x) === account));
  });
});
