import assert from 'node:assert/strict';
import { type RecordDecision, decide, unchangedSource } from '../../../engine/decide';
import { dataverseIdFor } from '../../../engine/deterministic-ids';
import { projectWrite, hashRecord } from '../../../engine/record-hash';
import type { CouplingState, DataRecord } from '../../../engine/record-types';
import type { IntegrationTableMapping } from '../../../mappings/mapping-model';
import type { PassDirection } from '../../../engine/run-types';
import { BC_CUSTOMER_ID, DV_ACCOUNT_ID, bcCustomer, coupling, customerLookups, dvAccount, mapping } from './fixtures';

/** A coupling whose stored hashes are those of `bc` and `dv`, i.e. the state right after they were synchronized. */
function syncedCoupling(
  m: IntegrationTableMapping,
  bc: DataRecord,
  dv: DataRecord,
  change: Partial<CouplingState> = {},
): CouplingState {
  return coupling({ bcHash: hashRecord(m, 'bc', bc), dvHash: hashRecord(m, 'dataverse', dv), ...change });
}

function assertKind<K extends RecordDecision['kind']>(
  d: RecordDecision,
  kind: K,
): asserts d is Extract<RecordDecision, { kind: K }> {
  assert.equal(d.kind, kind, `expected ${kind}, got ${d.kind}: ${JSON.stringify(d)}`);
}

describe('decide: one record in one pass', () => {
  const customer = mapping('CUSTOMER');
  const withPolicy = (updateConflictPolicy: IntegrationTableMapping['updateConflictPolicy']) => ({
    ...customer,
    updateConflictPolicy,
  });

  describe('change detection', () => {
    it('counts a coupled record whose hash matches the stored one as unchanged, without reading lookups', () => {
      const lookups = customerLookups();
      const d = decide({
        mapping: customer,
        direction: 'to-dataverse',
        source: bcCustomer({ lastModifiedDateTime: '2026-11-24T02:00:00Z' }),
        coupling: syncedCoupling(customer, bcCustomer(), dvAccount()),
        destination: dvAccount(),
        lookups,
      });
      assertKind(d, 'unchanged');
      assert.equal(d.counter, 'unchanged');
      assert.equal(lookups.requests.length, 0);
    });

    it('updates only the changed fields of a record changed on one side', () => {
      const d = decide({
        mapping: customer,
        direction: 'to-dataverse',
        source: bcCustomer({ city: 'Bergen' }),
        coupling: syncedCoupling(customer, bcCustomer(), dvAccount()),
        destination: dvAccount(),
        lookups: customerLookups(),
      });
      assertKind(d, 'update');
      assert.equal(d.counter, 'modified');
      assert.deepEqual(d.write.payload, { address1_city: 'Bergen' });
      assert.equal(d.write.destinationId, DV_ACCOUNT_ID);
      assert.equal(d.hashes.bcHash, hashRecord(customer, 'bc', bcCustomer({ city: 'Bergen' })));
      assert.equal(d.hashes.dvHash, hashRecord(customer, 'dataverse', dvAccount({ address1_city: 'Bergen' })));
    });

    it('counts a changed source whose mapped values already match the destination as unchanged', () => {
      const d = decide({
        mapping: customer,
        direction: 'to-dataverse',
        source: bcCustomer({ city: 'Bergen' }),
        coupling: syncedCoupling(customer, bcCustomer(), dvAccount({ address1_city: 'Bergen' })),
        destination: dvAccount({ address1_city: 'Bergen' }),
        lookups: customerLookups(),
      });
      assertKind(d, 'unchanged');
      assert.equal(d.hashes.bcHash, hashRecord(customer, 'bc', bcCustomer({ city: 'Bergen' })));
    });

    it('never echoes a value the sync wrote itself back to where it came from', () => {
      // Pass 1 (BC → DV) writes the BC change into Dataverse.
      const bcAfterUserEdit = bcCustomer({ city: 'Bergen', phoneNumber: '+47 55 00 00 00' });
      const first = decide({
        mapping: customer,
        direction: 'to-dataverse',
        source: bcAfterUserEdit,
        coupling: syncedCoupling(customer, bcCustomer(), dvAccount()),
        destination: dvAccount(),
        lookups: customerLookups(),
      });
      assertKind(first, 'update');
      // Dataverse stores it and returns it with its own formatting and a new modifiedon/etag.
      const dvReadBack = {
        ...projectWrite(customer, 'dataverse', dvAccount(), first.write.payload),
        creditlimit: '5000.0000',
        modifiedon: '2026-11-24T03:00:00Z',
        '@odata.etag': 'W/"1002"',
      };
      const stored = coupling({ bcHash: first.hashes.bcHash!, dvHash: first.hashes.dvHash! });
      // Pass 2 (DV → BC) in the same run sees the row as modified by timestamp, but not by hash.
      const second = decide({
        mapping: customer,
        direction: 'to-bc',
        source: dvReadBack,
        coupling: stored,
        destination: bcAfterUserEdit,
        lookups: customerLookups(),
      });
      assertKind(second, 'unchanged');
    });

    it('retries a record whose last attempt in this direction failed, even when its hash is unchanged', () => {
      const d = decide({
        mapping: customer,
        direction: 'to-dataverse',
        source: bcCustomer({ city: 'Bergen' }),
        coupling: syncedCoupling(customer, bcCustomer({ city: 'Bergen' }), dvAccount(), {
          toDataverse: { lastResult: 'failure', lastError: 'timeout' },
        }),
        destination: dvAccount(),
        lookups: customerLookups(),
      });
      assertKind(d, 'update');
      assert.deepEqual(d.write.payload, { address1_city: 'Bergen' });
    });

    it('writes an unchanged-looking record when forced (manual sync), its values winning over destination edits', () => {
      const d = decide({
        mapping: customer,
        direction: 'to-dataverse',
        source: bcCustomer(),
        coupling: syncedCoupling(customer, bcCustomer(), dvAccount()),
        destination: dvAccount({ address1_city: 'Drammen' }),
        lookups: customerLookups(),
        force: true,
      });
      assertKind(d, 'update');
      assert.deepEqual(d.write.payload, { address1_city: 'Oslo' });
      assert.equal(d.bothChanged, true);
      assert.equal(d.hashes.dvHash, null, 'Dataverse stays "changed" so its one-way fields still flow back');
    });
  });

  describe('a record read back unchanged (unchangedSource: decided without its destination)', () => {
    const synced = syncedCoupling(customer, bcCustomer(), dvAccount());
    const input = { mapping: customer, direction: 'to-dataverse' as const, source: bcCustomer(), coupling: synced };

    it('counts a coupled record whose hash matches the stored one as unchanged, as decide does', () => {
      const d = unchangedSource(input);
      assert.ok(d, 'decided without the destination');
      assertKind(d, 'unchanged');
      assert.deepEqual(d, decide({ ...input, destination: dvAccount(), lookups: customerLookups() }));
    });

    it('recognises the echo of a Dataverse write read back in the Dataverse → BC pass', () => {
      const d = unchangedSource({
        ...input,
        direction: 'to-bc',
        source: dvAccount({ modifiedon: '2026-11-24T03:00Z' }),
      });
      assert.equal(d?.kind, 'unchanged');
    });

    it('leaves to decide a record that changed, failed last time, is forced, skipped, uncoupled or never hashed', () => {
      const cases: Array<[string, Parameters<typeof unchangedSource>[0]]> = [
        ['changed', { ...input, source: bcCustomer({ city: 'Bergen' }) }],
        [
          'failed last time in this direction',
          { ...input, coupling: { ...synced, toDataverse: { lastResult: 'failure', lastError: 'timeout' } } },
        ],
        ['forced (manual sync)', { ...input, force: true }],
        ['skipped', { ...input, coupling: { ...synced, skipped: true } }],
        ['uncoupled', { ...input, coupling: null }],
        ['never hashed', { ...input, coupling: { ...synced, bcHash: null } }],
      ];
      for (const [what, c] of cases) assert.equal(unchangedSource(c), null, what);
    });

    it('does not look at the other direction: a failure there leaves this one unchanged', () => {
      const d = unchangedSource({
        ...input,
        coupling: { ...synced, toBc: { lastResult: 'failure', lastError: 'timeout' } },
      });
      assert.equal(d?.kind, 'unchanged');
    });
  });

  describe('update conflicts', () => {
    // Both sides edited since the last sync: BC the city, Dataverse the phone.
    const bcEdited = bcCustomer({ city: 'Bergen' });
    const dvEdited = dvAccount({ telephone1: '+47 99 99 99 99' });
    const run = (m: IntegrationTableMapping, direction: PassDirection) =>
      decide({
        mapping: m,
        direction,
        source: direction === 'to-dataverse' ? bcEdited : dvEdited,
        coupling: syncedCoupling(m, bcCustomer(), dvAccount()),
        destination: direction === 'to-dataverse' ? dvEdited : bcEdited,
        lookups: customerLookups(),
      });

    it('counts a record changed on both sides as a conflict that fails (default policy), with both values', () => {
      const d = run(customer, 'to-dataverse');
      assertKind(d, 'conflict');
      assert.equal(d.resolution, 'fail');
      assert.equal(d.counter, 'failed');
      if (d.resolution !== 'fail') return;
      assert.match(
        d.failure.message,
        /^Customer 'Adatum Corporation' was changed in both Business Central and Dataverse since the last synchronization \(address1_city, telephone1\)/,
      );
      assert.deepEqual(d.conflict.fields, [
        { bcField: 'city', dvField: 'address1_city', bcValue: 'Bergen', dvValue: 'Oslo' },
        { bcField: 'phoneNumber', dvField: 'telephone1', bcValue: '+47 22 00 00 00', dvValue: '+47 99 99 99 99' },
      ]);
      assert.equal(d.conflict.winner, null);
    });

    it('lets BC overwrite in the BC → DV pass and skips in the DV → BC pass when BC wins', () => {
      const toDv = run(withPolicy('bc-wins'), 'to-dataverse');
      assertKind(toDv, 'conflict');
      assert.equal(toDv.resolution, 'overwrite');
      assert.equal(toDv.counter, 'modified');
      if (toDv.resolution !== 'overwrite') return;
      assert.deepEqual(toDv.write.payload, { address1_city: 'Bergen', telephone1: '+47 22 00 00 00' });
      assert.equal(toDv.conflict.winner, 'bc');
      assert.equal(
        toDv.conflict.fields.find((f) => f.dvField === 'telephone1')!.dvValue,
        '+47 99 99 99 99',
        'losing value kept',
      );
      assert.equal(toDv.hashes.dvHash, null, 'Dataverse stays "changed" so its one-way fields still flow');

      const toBc = run(withPolicy('bc-wins'), 'to-bc');
      assertKind(toBc, 'conflict');
      assert.equal(toBc.resolution, 'skip');
      assert.equal(toBc.counter, 'skipped');
    });

    it('lets Dataverse overwrite in the DV → BC pass and skips in the BC → DV pass when Dataverse wins', () => {
      const toDv = run(withPolicy('dataverse-wins'), 'to-dataverse');
      assertKind(toDv, 'conflict');
      assert.equal(toDv.resolution, 'skip');
      assert.equal(toDv.counter, 'skipped');

      const toBc = run(withPolicy('dataverse-wins'), 'to-bc');
      assertKind(toBc, 'conflict');
      assert.equal(toBc.resolution, 'overwrite');
      if (toBc.resolution !== 'overwrite') return;
      assert.deepEqual(toBc.write.payload, { city: 'Oslo', phoneNumber: '+47 99 99 99 99' });
      assert.equal(toBc.write.destinationId, BC_CUSTOMER_ID);
      assert.equal(toBc.hashes.bcHash, null);
    });

    it('does not call it a conflict when both sides changed but no bidirectional field differs', () => {
      // Both set the same city; BC also raised the credit limit (a BC → DV only field).
      const d = decide({
        mapping: customer,
        direction: 'to-dataverse',
        source: bcCustomer({ city: 'Bergen', creditLimit: 8000 }),
        coupling: syncedCoupling(customer, bcCustomer(), dvAccount()),
        destination: dvAccount({ address1_city: 'Bergen' }),
        lookups: customerLookups(),
      });
      assertKind(d, 'update');
      assert.equal(d.bothChanged, true);
      assert.deepEqual(d.write.payload, { creditlimit: 8000 });
      assert.equal(d.hashes.dvHash, null);
    });

    it('does not see a conflict in a one-way mapping', () => {
      const d = run({ ...customer, direction: 'to-dataverse' }, 'to-dataverse');
      assertKind(d, 'update');
    });
  });

  describe('deletion conflicts', () => {
    const run = (
      deletionConflictPolicy: IntegrationTableMapping['deletionConflictPolicy'],
      direction: PassDirection = 'to-dataverse',
    ) =>
      decide({
        mapping: { ...customer, deletionConflictPolicy },
        direction,
        source: direction === 'to-dataverse' ? bcCustomer() : dvAccount(),
        coupling: syncedCoupling(customer, bcCustomer(), dvAccount()),
        destination: null,
        lookups: customerLookups(),
      });

    it('fails a record whose coupled destination was deleted (default policy)', () => {
      const d = run('fail');
      assertKind(d, 'deletion-conflict');
      assert.equal(d.resolution, 'fail');
      assert.equal(d.counter, 'failed');
      if (d.resolution === 'fail')
        assert.match(d.failure.message, /coupled to a Dataverse account that has been deleted/);
    });

    it('re-creates the deleted destination with its deterministic id when the policy is restore', () => {
      const d = run('restore');
      assertKind(d, 'deletion-conflict');
      assert.equal(d.resolution, 'restore');
      assert.equal(d.counter, 'inserted');
      if (d.resolution !== 'restore') return;
      assert.equal(d.write.operation, 'create');
      assert.equal(d.write.destinationId, dataverseIdFor('CUSTOMER', BC_CUSTOMER_ID));
      assert.equal(d.write.payload.name, 'Adatum Corporation');
    });

    it('re-creates a deleted BC record under its deterministic number when the policy is restore', () => {
      const d = run('restore', 'to-bc');
      assertKind(d, 'deletion-conflict');
      if (d.resolution !== 'restore') return assert.fail('expected restore');
      assert.equal(d.write.destinationId, null);
      assert.match(d.write.createKey!.value, /^DV[0-9A-Z]{10}$/);
      assert.equal(d.write.payload.number, d.write.createKey!.value);
      assert.equal(d.write.payload.type, 'Company', 'BC template');
    });

    it('removes the coupling and counts the pair as deleted when the policy is uncouple', () => {
      const d = run('uncouple');
      assertKind(d, 'deletion-conflict');
      assert.equal(d.resolution, 'uncouple');
      assert.equal(d.counter, 'deleted');
    });
  });

  describe('uncoupled records', () => {
    it('ignores an uncoupled record, uncounted, when the mapping synchronizes only coupled records', () => {
      const d = decide({
        mapping: customer,
        direction: 'to-dataverse',
        source: bcCustomer(),
        coupling: null,
        destination: null,
        lookups: customerLookups(),
      });
      assertKind(d, 'ignore');
      assert.equal(d.counter, null);
    });

    it('inserts an uncoupled record with a deterministic Dataverse id and stores both hashes', () => {
      const m = { ...customer, onlyCoupled: false };
      const d = decide({
        mapping: m,
        direction: 'to-dataverse',
        source: bcCustomer(),
        coupling: null,
        destination: null,
        lookups: customerLookups(),
      });
      assertKind(d, 'insert');
      assert.equal(d.counter, 'inserted');
      assert.equal(d.write.destinationId, dataverseIdFor('CUSTOMER', BC_CUSTOMER_ID));
      assert.equal(d.write.payload.customertypecode, 3);
      assert.equal(d.hashes.bcHash, hashRecord(m, 'bc', bcCustomer()));
      assert.equal(
        d.hashes.dvHash,
        hashRecord(m, 'dataverse', dvAccount()),
        'predicted hash equals the row as it will read back',
      );
    });

    it('inserts into BC with the deterministic number that a retry looks up first', () => {
      const m = { ...customer, onlyCoupled: false };
      const d = decide({
        mapping: m,
        direction: 'to-bc',
        source: dvAccount(),
        coupling: null,
        destination: null,
        lookups: customerLookups(),
      });
      assertKind(d, 'insert');
      assert.equal(d.write.createKey!.field, 'number');
      assert.equal(d.write.payload.number, d.write.createKey!.value);
      assert.equal(d.write.payload.displayName, 'Adatum Corporation');
      assert.equal(d.write.payload.currencyCode, 'NOK');
    });

    it('creates nothing on a side the mapping does not create in, but still creates on the other', () => {
      const m = { ...customer, onlyCoupled: false, createsIn: ['dataverse' as const] };
      const toBc = decide({
        mapping: m,
        direction: 'to-bc',
        source: dvAccount(),
        coupling: null,
        destination: null,
        lookups: customerLookups(),
      });
      assertKind(toBc, 'ignore');
      assert.equal(toBc.counter, null, 'not counted');
      assert.match(toBc.reason, /is not coupled and mapping CUSTOMER creates no records in Business Central$/);
      const toDv = decide({
        mapping: m,
        direction: 'to-dataverse',
        source: bcCustomer(),
        coupling: null,
        destination: null,
        lookups: customerLookups(),
      });
      assertKind(toDv, 'insert');
    });

    it('fails an insert whose required destination field would be empty, with an actionable message', () => {
      const m = { ...customer, onlyCoupled: false };
      const d = decide({
        mapping: m,
        direction: 'to-bc',
        source: dvAccount({ name: '  ' }),
        coupling: null,
        destination: null,
        lookups: customerLookups(),
      });
      assertKind(d, 'fail');
      assert.equal(d.failure.skip, false, 'an uncoupled record has no coupling to park');
      assert.match(
        d.failure.message,
        /cannot be created in Business Central: the customer field displayName is required, but name is empty/,
      );
    });
  });

  describe('validation before write', () => {
    it('fails one record whose value is longer than the destination allows, naming field and limit', () => {
      const longName = 'A'.repeat(120);
      const d = decide({
        mapping: customer,
        direction: 'to-bc',
        source: dvAccount({ name: longName }),
        coupling: syncedCoupling(customer, bcCustomer(), dvAccount()),
        destination: bcCustomer(),
        lookups: customerLookups(),
      });
      assertKind(d, 'fail');
      assert.match(
        d.failure.message,
        /^Dataverse account 'A{120}' cannot be synchronized to Business Central: name is 120 characters long .* the customer field displayName allows at most 100/,
      );
    });
  });

  describe('skipping after repeated failures', () => {
    const failing = (previous: CouplingState['toDataverse']) =>
      decide({
        mapping: customer,
        direction: 'to-dataverse',
        source: bcCustomer({ salespersonCode: 'PS' }),
        coupling: syncedCoupling(customer, bcCustomer(), dvAccount(), { toDataverse: previous }),
        destination: dvAccount(),
        lookups: customerLookups(),
      });

    it('fails the first time without skipping', () => {
      const d = failing({ lastResult: 'success', lastError: null });
      assertKind(d, 'fail');
      assert.equal(d.failure.skip, false);
    });

    it('marks the coupling skipped when the same error happens twice in a row', () => {
      const first = failing({ lastResult: 'success', lastError: null });
      assertKind(first, 'fail');
      const second = failing({ lastResult: 'failure', lastError: first.failure.message });
      assertKind(second, 'fail');
      assert.equal(second.failure.skip, true);
      assert.equal(
        second.counter,
        'failed',
        'the second failure is still counted as failed; later passes count it skipped',
      );
    });

    it('does not skip when the previous failure had a different error', () => {
      const d = failing({ lastResult: 'failure', lastError: 'Customer could not be written: timeout' });
      assertKind(d, 'fail');
      assert.equal(d.failure.skip, false);
    });

    it('counts a skipped coupling as skipped and does nothing else', () => {
      const lookups = customerLookups();
      const d = decide({
        mapping: customer,
        direction: 'to-dataverse',
        source: bcCustomer({ city: 'Bergen' }),
        coupling: coupling({ skipped: true }),
        destination: dvAccount(),
        lookups,
      });
      assertKind(d, 'skip');
      assert.equal(d.counter, 'skipped');
      assert.equal(lookups.requests.length, 0);
    });

    it('counts a parked uncoupled record as skipped instead of trying its create again', () => {
      const m = { ...customer, onlyCoupled: false };
      const input = {
        mapping: m,
        direction: 'to-dataverse' as const,
        source: bcCustomer(),
        coupling: null,
        destination: null,
      };
      const parked = decide({ ...input, lookups: customerLookups(), parked: true });
      assertKind(parked, 'skip');
      assert.match(
        parked.reason,
        /is skipped after failing twice with the same error; restore it with 'bcsync restore'/,
      );
      assertKind(decide({ ...input, lookups: customerLookups() }), 'insert');
    });
  });

  it('puts every looked-at record in exactly one counter (ignored ones in none)', () => {
    const counters = new Set(['inserted', 'modified', 'deleted', 'unchanged', 'skipped', 'failed']);
    const decisions: RecordDecision[] = [];
    for (const policy of ['fail', 'bc-wins', 'dataverse-wins'] as const) {
      for (const deletion of ['fail', 'restore', 'uncouple'] as const) {
        for (const direction of ['to-dataverse', 'to-bc'] as const) {
          const m = { ...customer, updateConflictPolicy: policy, deletionConflictPolicy: deletion, onlyCoupled: false };
          const src = direction === 'to-dataverse' ? bcCustomer({ city: 'Bergen' }) : dvAccount({ telephone1: '1' });
          const dst = direction === 'to-dataverse' ? dvAccount({ telephone1: '1' }) : bcCustomer({ city: 'Bergen' });
          const c = syncedCoupling(m, bcCustomer(), dvAccount());
          for (const [cp, dest] of [
            [c, dst],
            [c, null],
            [null, null],
            [coupling({ skipped: true }), dst],
          ] as const) {
            decisions.push(
              decide({
                mapping: m,
                direction,
                source: src,
                coupling: cp,
                destination: dest,
                lookups: customerLookups(),
              }),
            );
          }
        }
      }
    }
    for (const d of decisions) {
      if (d.kind === 'ignore') assert.equal(d.counter, null);
      else assert.ok(counters.has(d.counter), `${d.kind} has counter ${String(d.counter)}`);
    }
    const kinds = new Set(decisions.map((d) => `${d.kind}${'resolution' in d ? `:${d.resolution}` : ''}`));
    for (const expected of [
      'insert',
      'conflict:fail',
      'conflict:overwrite',
      'conflict:skip',
      'deletion-conflict:fail',
      'deletion-conflict:restore',
      'deletion-conflict:uncouple',
      'skip',
    ]) {
      assert.ok(kinds.has(expected), `covers ${expected}`);
    }
  });
});
