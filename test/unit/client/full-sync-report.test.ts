import assert from 'node:assert/strict';
import { fullSyncExitError } from '../../../client/full-sync-runner';
import { formatFullSyncReport, groupErrorMessages, recommendations } from '../../../client/full-sync-report';
import type { FullSyncMappingResult, FullSyncResult } from '../../../engine/full-sync-types';

const counts = (o: Partial<NonNullable<FullSyncMappingResult['counts']>> = {}) => ({
  coupled: 0,
  ambiguous: 0,
  unmatched: 0,
  alreadyCoupled: 0,
  insertedToDataverse: 0,
  insertedToBc: 0,
  failed: 0,
  skipped: 0,
  ...o,
});

function mapping(name: string, o: Partial<FullSyncMappingResult> & { failedJob?: number } = {}): FullSyncMappingResult {
  const c = o.counts ?? counts();
  return {
    mapping: name,
    layer: 0,
    state: 'done',
    workflowId: `fs-${name}`,
    reason: null,
    counts: c,
    result: {
      mapping: name,
      dryRun: false,
      jobId: 10,
      counts: { coupled: c.coupled, ambiguous: c.ambiguous, unmatched: c.unmatched, alreadyCoupled: 0 },
      pairs: [],
      ambiguities: [],
      unmatched: [],
      sync: {
        mapping: name,
        outcome: c.failed ? 'completed_with_errors' : 'succeeded',
        passes: [
          {
            direction: 'to-dataverse',
            jobId: o.failedJob ?? 11,
            status: 'succeeded',
            counts: {
              inserted: c.insertedToDataverse,
              modified: 0,
              deleted: 0,
              unchanged: 0,
              skipped: c.skipped,
              failed: c.failed,
              coupled: 0,
              uncoupled: 0,
            },
          },
        ],
        failed: c.failed,
        changed: 0,
      },
    },
    ...o,
  };
}

const result = (mappings: FullSyncMappingResult[], dryRun = false): FullSyncResult => ({
  dryRun,
  outcome: 'succeeded',
  layers: [mappings.map((m) => m.mapping)],
  warnings: [],
  mappings,
});

describe('the full synchronization report', () => {
  it('groups failures of one mapping whose messages differ only in the record named', () => {
    const groups = groupErrorMessages([
      {
        jobId: 3,
        mapping: 'CONTACT',
        message: "Dataverse contact 'Ann' cannot be synchronized: its account 'a1' (Relecloud) is not coupled",
      },
      {
        jobId: 3,
        mapping: 'CONTACT',
        message: "Dataverse contact 'Bob' cannot be synchronized: its account 'b2' (Fabrikam) is not coupled",
      },
      { jobId: 4, mapping: 'CUSTOMER', message: "Customer 'X' cannot be created: the currency 'NOK' is not coupled" },
    ]);
    assert.deepEqual(
      groups.map((g) => [g.mapping, g.count, g.pattern, g.jobIds]),
      [
        ['CONTACT', 2, "Dataverse contact '…' cannot be synchronized: its account '…' (…) is not coupled", [3]],
        ['CUSTOMER', 1, "Customer '…' cannot be created: the currency '…' is not coupled", [4]],
      ],
    );
  });

  it('recommends nothing when every mapping completed cleanly', () => {
    const r = result([mapping('CUSTOMER', { counts: counts({ coupled: 3, insertedToDataverse: 2 }) })]);
    assert.deepEqual(recommendations(r, new Set(['CUSTOMER'])), []);
    assert.ok(formatFullSyncReport(r, [], []).some((l) => l.includes('none: every mapping is synchronized')));
    assert.equal(fullSyncExitError(r, 'fs'), undefined);
  });

  it('names failed, ambiguous, skipped and never-completed mappings with the command to run', () => {
    const r = result([
      mapping('CUSTOMER', { counts: counts({ ambiguous: 2, failed: 1, skipped: 1 }), failedJob: 42 }),
      mapping('CONTACT', { state: 'not-run', reason: 'not run: CUSTOMER failed', counts: null, result: null }),
      mapping('CURRENCY', { state: 'failed', reason: 'the API refused', counts: null, result: null }),
    ]);
    const recs = recommendations(r, new Set(['CUSTOMER']));
    const text = recs.map((x) => `${x.mapping}: ${x.reason} → ${x.action}`);
    assert.deepEqual(text, [
      "CUSTOMER: 2 record(s) have several equally good matches and were left uncoupled → couple them by hand: bcsync couple 'CUSTOMER' --bc ID --dv ID (candidates: bcsync full-sync --mapping 'CUSTOMER' --dry-run)",
      'CUSTOMER: 1 record(s) failed → bcsync errors --job 42; bcsync retry 42',
      "CUSTOMER: 1 record(s) are skipped (failed twice the same way) → bcsync skipped --mapping 'CUSTOMER'; bcsync restore 'CUSTOMER' --all once the cause is fixed",
      "CONTACT: not run: CUSTOMER failed → bcsync full-sync --mapping 'CONTACT'",
      "CURRENCY: failed: the API refused → bcsync full-sync --mapping 'CURRENCY'",
    ]);
    assert.equal(fullSyncExitError(r, 'fs')?.exitCode, 1);
  });

  it('exits 3 when only records failed, and recommends a run for a mapping that never completed one', () => {
    const r = result([mapping('CUSTOMER', { counts: counts({ failed: 2 }) })]);
    assert.equal(fullSyncExitError(r, 'fs')?.exitCode, 3);
    assert.ok(
      recommendations(r, new Set()).some((x) => x.reason.startsWith('has never completed a run')),
      'never completed',
    );
  });
});
