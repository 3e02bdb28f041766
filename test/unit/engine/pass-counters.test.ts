import assert from 'node:assert/strict';
import { decide } from '../../../engine/decide';
import { addCounters, countDecision, countFailure, emptyCounters } from '../../../engine/pass-counters';
import { hashRecord } from '../../../engine/record-hash';
import { bcCustomer, coupling, customerLookups, dvAccount, mapping } from './fixtures';

describe('pass counters', () => {
  it('counts a page of decisions so that every record except ignored ones is counted once', () => {
    const customer = mapping('CUSTOMER');
    const synced = coupling({
      bcHash: hashRecord(customer, 'bc', bcCustomer()),
      dvHash: hashRecord(customer, 'dataverse', dvAccount()),
    });
    const base = { mapping: customer, direction: 'to-dataverse' as const, lookups: customerLookups() };
    const decisions = [
      decide({ ...base, source: bcCustomer(), coupling: synced, destination: dvAccount() }), // unchanged
      decide({ ...base, source: bcCustomer({ city: 'Bergen' }), coupling: synced, destination: dvAccount() }), // modified
      decide({ ...base, source: bcCustomer(), coupling: null, destination: null }), // ignored
      decide({ ...base, source: bcCustomer(), coupling: coupling({ skipped: true }), destination: dvAccount() }), // skipped
      decide({
        ...base,
        mapping: { ...customer, deletionConflictPolicy: 'uncouple' },
        source: bcCustomer(),
        coupling: synced,
        destination: null,
      }), // deleted
      decide({ ...base, source: bcCustomer({ salespersonCode: 'PS' }), coupling: synced, destination: dvAccount() }), // failed
    ];
    const counters = decisions.reduce(countDecision, emptyCounters());
    assert.deepEqual(counters, {
      inserted: 0,
      modified: 1,
      deleted: 1,
      unchanged: 1,
      skipped: 1,
      failed: 1,
      uncoupled: 1,
    });
    assert.deepEqual(addCounters(counters, countFailure(emptyCounters())).failed, 2);
  });
});
