/**
 * The option mappings PAYMENT TERMS, SHIPMENT METHOD and SHIPPING AGENT (bc-sync-semantics §4.12, §8.6) end to end:
 * CUSTOMER's payment terms, shipment method and shipping agent fields resolve through them, pairing BC codes with the
 * account choice values labelled like them and creating the missing ones through the metadata API; `bcsync options`
 * lists the pairs and `bcsync options sync` runs them.
 *
 * CUSTOMER runs on its shipped defaults, every lookup on, after SALESPEOPLE and CURRENCY.
 */
import assert from 'node:assert/strict';
import { listOptionMappings, type OptionMapping } from '../../store/option-mappings';
import { listErrors } from '../../store/sync-errors';
import { runBcsync } from '../support/cli';
import { assertCouplingsWhole } from '../support/coupling-integrity';
import { pass, runFullSync, runMatch, runSync } from '../support/sync-runs';
import { all, mappingsWith, type Row, startSyncStack, type SyncStack } from '../support/sync-stack';
import { workerEnv } from '../support/worker-env';

/** The shipped mappings: CUSTOMER's owner and currency lookups resolve through SALESPEOPLE and CURRENCY, run first. */
const overrides = { mappings: {} };
const customerFilter = "blocked eq ' '";

const columns = {
  'PAYMENT TERMS': { table: 'account', column: 'paymenttermscode', bcField: 'paymentTermsCode' },
  'SHIPMENT METHOD': { table: 'account', column: 'address1_freighttermscode', bcField: 'shipmentMethodCode' },
  'SHIPPING AGENT': { table: 'account', column: 'address1_shippingmethodcode', bcField: 'shippingAgentCode' },
} as const;
type OptionSetName = keyof typeof columns;
const optionSets = Object.keys(columns) as OptionSetName[];

describe('option mappings end to end (CUSTOMER with payment terms, shipment method, shipping agent)', function () {
  this.timeout(180_000);
  let stack: SyncStack;
  let env: Record<string, string>;
  const shipped = new Map<OptionSetName, Array<{ value: number; label: string }>>();

  const choices = (set: OptionSetName) =>
    stack.connectors.dv.readChoiceOptions(columns[set].table, columns[set].column);
  const pairs = async (set: OptionSetName): Promise<OptionMapping[]> => listOptionMappings(stack.store.knex, set);
  /** Coupled customers (customer card ↔ account) that synchronized successfully to Dataverse. */
  const syncedCustomers = async (): Promise<Array<{ card: Row; account: Row }>> => {
    const rows: Row[] = await stack.store.knex('couplings').where({ mapping: 'CUSTOMER', to_dv_result: 'success' });
    const cards = await all(stack, 'bc', 'customerCards', customerFilter);
    const accounts = await all(stack, 'dv', 'accounts');
    return rows.flatMap((r) => {
      const card = cards.find((c) => String(c.id).toLowerCase() === r.bc_id);
      const account = accounts.find((a) => a.accountid === r.dv_id);
      return card && account ? [{ card, account }] : [];
    });
  };

  before(async () => {
    stack = await startSyncStack({
      seed: { customers: 12, contactsPerCustomer: 1 },
      mappings: mappingsWith(overrides),
    });
    env = await workerEnv(stack, overrides);
    for (const set of optionSets) shipped.set(set, await choices(set));
    const sp = await runMatch(stack.taskQueue, { mapping: 'SALESPEOPLE', createUnmatched: true });
    assert.equal(pass(sp.sync!, 'to-bc').counts.failed, 0);
    await runFullSync(stack.taskQueue, ['CURRENCY']);
  });
  after(async () => stack.close());

  it('pairs codes with the choice values labelled like them, creates the others once, and the accounts carry them', async () => {
    assert.deepEqual(await pairs('PAYMENT TERMS'), [], 'nothing is paired before the first run');
    const result = await runMatch(stack.taskQueue, { mapping: 'CUSTOMER', createUnmatched: true });
    const toDv = pass(result.sync!, 'to-dataverse').counts;
    assert.ok(toDv.inserted > 0, JSON.stringify(toDv));
    // The only failures are customers of BC-only salespeople (owner lookup), never an option field.
    for (const e of await listErrors(stack.store.knex, { mapping: 'CUSTOMER', unresolvedOnly: true })) {
      assert.match(e.message, /salesperson/, e.message);
    }

    const agents = await pairs('SHIPPING AGENT');
    const shippedAgents = shipped.get('SHIPPING AGENT')!;
    const valueOf = (label: string) => shippedAgents.find((o) => o.label === label)!.value;
    // DHL, FEDEX and UPS exist in Dataverse (DHL, FedEx, UPS): paired, not created; OWN LOG. is new.
    assert.deepEqual(
      agents.filter((p) => shippedAgents.some((o) => o.value === p.dvValue)).map((p) => [p.bcCode, p.dvValue]),
      [
        ['DHL', valueOf('DHL')],
        ['FEDEX', valueOf('FedEx')],
        ['UPS', valueOf('UPS')],
      ],
    );
    const methods = await pairs('SHIPMENT METHOD');
    assert.equal(
      methods.find((p) => p.bcCode === 'FOB')?.dvValue,
      shipped.get('SHIPMENT METHOD')!.find((o) => o.label === 'FOB')!.value,
    );

    for (const set of optionSets) {
      const codes = (
        await all(
          stack,
          'bc',
          set === 'SHIPPING AGENT' ? 'shippingAgents' : set === 'PAYMENT TERMS' ? 'paymentTerms' : 'shipmentMethods',
        )
      ).map((c) => String(c.code));
      const stored = await pairs(set);
      assert.deepEqual(stored.map((p) => p.bcCode).sort(), [...codes].sort(), `${set}: every BC code is paired`);
      const now = await choices(set);
      const created = stored.filter((p) => !shipped.get(set)!.some((o) => o.value === p.dvValue));
      // Every created value is labelled with its code, exists exactly once, and nothing else was added.
      for (const p of created) {
        assert.deepEqual(
          now.filter((o) => o.label.toUpperCase() === p.bcCode.toUpperCase()),
          [{ value: p.dvValue, label: p.bcCode }],
          `${set} '${p.bcCode}' has one choice value`,
        );
      }
      assert.equal(now.length, shipped.get(set)!.length + created.length, `${set}: no duplicate values`);
      assert.ok(created.length > 0, `${set}: the demo has codes Dataverse lacks`);
    }
    // Created payment terms are mirrored into the invoice's payment terms (BC mirrors them into sales documents).
    const invoiceTerms = await stack.connectors.dv.readChoiceOptions('invoice', 'paymenttermscode');
    for (const p of await pairs('PAYMENT TERMS'))
      assert.ok(
        invoiceTerms.some((o) => o.value === p.dvValue),
        p.bcCode,
      );

    const synced = await syncedCustomers();
    assert.ok(synced.length > 0);
    let carried = 0;
    for (const { card, account } of synced) {
      for (const set of optionSets) {
        const code = card[columns[set].bcField] as string;
        const expected = code ? (await pairs(set)).find((p) => p.bcCode === code)!.dvValue : null;
        assert.equal(account[columns[set].column] ?? null, expected, `${String(card.displayName)} ${set}`);
        if (code) carried += 1;
      }
    }
    assert.ok(carried > synced.length, 'the customers carry codes');
    await assertCouplingsWhole(stack, ['CUSTOMER', 'SALESPEOPLE']);
  });

  it('gives a new payment-terms code a choice value, and the customer that uses it carries it', async () => {
    const before = await choices('PAYMENT TERMS');
    await stack.connectors.bc.create('paymentTerms', {
      code: '7 DAYS',
      displayName: 'Net 7 days',
      dueDateCalculation: '7D',
    });
    const [{ card, account }] = await syncedCustomers();
    await stack.connectors.bc.update('customerCards', String(card.id), '*', { paymentTermsCode: '7 DAYS' });

    const result = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
    assert.equal(pass(result, 'to-dataverse').counts.modified, 1, JSON.stringify(result));
    const after = await choices('PAYMENT TERMS');
    const added = after.filter((o) => !before.some((b) => b.value === o.value));
    assert.deepEqual(
      added.map((o) => o.label),
      ['7 DAYS'],
      'exactly one new choice value, labelled with the code',
    );
    assert.deepEqual(
      (await pairs('PAYMENT TERMS')).find((p) => p.bcCode === '7 DAYS'),
      { optionSet: 'PAYMENT TERMS', bcCode: '7 DAYS', dvValue: added[0].value, dvLabel: '7 DAYS' },
    );
    const updated = await stack.connectors.dv.get('accounts', String(account.accountid), {
      select: ['paymenttermscode'],
    });
    assert.equal(updated?.paymenttermscode, added[0].value);
  });

  it('carries a paired choice value back to the customer, and fails a value no code pairs with, saying what to do', async () => {
    const [first, second] = await syncedCustomers();
    const thirtyDays = (await pairs('PAYMENT TERMS')).find((p) => p.bcCode === '30 DAYS')!;
    const unpaired = shipped.get('PAYMENT TERMS')!.find((o) => o.label === 'Net 45')!;
    await stack.connectors.dv.update(
      'accounts',
      String(first.account.accountid),
      { paymenttermscode: thirtyDays.dvValue },
      '*',
    );
    await stack.connectors.dv.update(
      'accounts',
      String(second.account.accountid),
      { paymenttermscode: unpaired.value },
      '*',
    );

    const result = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
    const toBc = pass(result, 'to-bc').counts;
    assert.deepEqual([toBc.modified, toBc.failed], [1, 1], JSON.stringify(toBc));
    assert.equal((await stack.connectors.bc.get('customerCards', String(first.card.id)))?.paymentTermsCode, '30 DAYS');
    const errors = await listErrors(stack.store.knex, { mapping: 'CUSTOMER', unresolvedOnly: true });
    const error = errors.find((e) => e.sourceId === String(second.account.accountid).toLowerCase());
    assert.ok(error, JSON.stringify(errors));
    assert.match(error.message, /payment terms option '\d+' is not mapped to a Business Central payment terms/);
    assert.match(error.message, /bcsync options sync PAYMENT TERMS/);
    // Put it back so the idle run below starts from a clean state.
    await stack.connectors.dv.update(
      'accounts',
      String(second.account.accountid),
      { paymenttermscode: thirtyDays.dvValue },
      '*',
    );
    await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
  });

  it('lists the pairs with bcsync options --json, and an idle run and bcsync options sync create nothing', async () => {
    const listed = await runBcsync(['options', '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = JSON.parse(listed.stdout) as Array<{
      mapping: string;
      bcCode: string;
      dvValue: number;
      dvLabel: string;
    }>;
    const stored = await listOptionMappings(stack.store.knex);
    assert.deepEqual(
      rows.map((r) => [r.mapping, r.bcCode, r.dvValue, r.dvLabel]),
      stored.map((p) => [p.optionSet, p.bcCode, p.dvValue, p.dvLabel]),
    );
    assert.ok(rows.some((r) => r.mapping === 'PAYMENT TERMS' && r.bcCode === '7 DAYS'));
    const one = await runBcsync(['options', 'shipping agent', '--json'], env);
    assert.deepEqual(
      (JSON.parse(one.stdout) as Array<{ mapping: string }>).map((r) => r.mapping),
      stored.filter((p) => p.optionSet === 'SHIPPING AGENT').map(() => 'SHIPPING AGENT'),
    );
    const bad = await runBcsync(['options', 'NO SUCH'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /'NO SUCH' is not an option mapping; the option mappings are PAYMENT TERMS, /);

    const choicesBefore = await Promise.all(optionSets.map((s) => choices(s)));
    const idle = await runSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
    for (const direction of ['to-dataverse', 'to-bc'] as const) {
      const c = pass(idle, direction).counts;
      assert.deepEqual([c.inserted, c.modified, c.failed], [0, 0, 0], `${direction}: ${JSON.stringify(c)}`);
    }
    const synced = await runBcsync(['options', 'sync', '--json'], env);
    assert.equal(synced.code, 0, synced.stderr);
    const results = JSON.parse(synced.stdout) as Array<{
      optionSet: string;
      created: number;
      paired: number;
      kept: number;
    }>;
    assert.deepEqual(
      results.map((r) => [r.optionSet, r.created, r.paired]),
      optionSets.map((s) => [s, 0, 0]),
    );
    assert.deepEqual(await Promise.all(optionSets.map((s) => choices(s))), choicesBefore, 'no choice value added');
    assert.deepEqual(await listOptionMappings(stack.store.knex), stored, 'no pair changed');
  });
});
