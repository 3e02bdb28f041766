import assert from 'node:assert/strict';
import {
  failedRunDetailsText,
  type FinishedPass,
  innermostMessage,
  runDetailsText,
  runVerdict,
  skippedRunDetailsText,
} from '../../../engine/run-outcome';
import { type PassCounts, type PassDirection, zeroCounts } from '../../../engine/run-types';

const counts = (c: Partial<PassCounts>): PassCounts => ({ ...zeroCounts(), ...c });

const pass = (status: string, c: Partial<PassCounts> = {}, direction: PassDirection = 'to-dataverse') =>
  ({ direction, jobId: direction === 'to-dataverse' ? 1 : 2, counts: counts(c), status }) satisfies FinishedPass;

describe('the outcome of a sync run', () => {
  it('succeeds when every pass succeeded without a failed record, and totals the changes of all passes', () => {
    assert.deepEqual(
      runVerdict([
        pass('succeeded', { inserted: 2, modified: 3, deleted: 1, unchanged: 7, skipped: 4 }),
        pass('succeeded', { modified: 5, coupled: 9 }, 'to-bc'),
      ]),
      { outcome: 'succeeded', failed: 0, changed: 11 },
    );
  });

  it('succeeds with zero totals when the run had no pass', () => {
    assert.deepEqual(runVerdict([]), { outcome: 'succeeded', failed: 0, changed: 0 });
  });

  it('completes with errors when a record failed in any pass, and totals the failures', () => {
    assert.deepEqual(
      runVerdict([pass('succeeded', { inserted: 1 }), pass('completed_with_errors', { failed: 2 }, 'to-bc')]),
      { outcome: 'completed_with_errors', failed: 2, changed: 1 },
    );
  });

  it('completes with errors when a pass says so even though its failed counter is zero', () => {
    assert.equal(runVerdict([pass('completed_with_errors')]).outcome, 'completed_with_errors');
  });

  it('completes with errors on failed records even when every pass says succeeded', () => {
    assert.equal(runVerdict([pass('succeeded', { failed: 1 })]).outcome, 'completed_with_errors');
  });

  it('fails when any pass failed, whatever the other passes did', () => {
    assert.deepEqual(runVerdict([pass('completed_with_errors', { failed: 3 }), pass('failed', {}, 'to-bc')]), {
      outcome: 'failed',
      failed: 3,
      changed: 0,
    });
  });
});

describe('the current-details text of a sync run', () => {
  it('names the mapping and mode, every pass with its counters, and the page under way', () => {
    const text = runDetailsText(
      {
        mapping: 'CUSTOMER',
        mode: 'incremental',
        passes: [
          {
            direction: 'to-dataverse',
            jobId: 41,
            pages: 3,
            status: 'succeeded',
            counts: counts({ inserted: 1, modified: 2, unchanged: 3, skipped: 4, failed: 5, deleted: 6 }),
          },
          { direction: 'to-bc', jobId: 42, pages: 1, status: 'running', counts: counts({ modified: 7 }) },
        ],
      },
      { direction: 'to-bc', cursor: { phase: 'changed' }, pages: 1 },
    );
    assert.equal(
      text,
      [
        '**CUSTOMER** (incremental)',
        '- to-dataverse: succeeded, job 41, 3 pages — inserted 1, modified 2, unchanged 3, skipped 4, failed 5',
        '- to-bc: running, job 42, 1 pages — inserted 0, modified 7, unchanged 0, skipped 0, failed 0',
        '- now: to-bc, changed phase, page 2',
      ].join('\n'),
    );
  });

  it('has no "now" line when no pass is under way', () => {
    assert.equal(runDetailsText({ mapping: 'CURRENCY', mode: 'full', passes: [] }, null), '**CURRENCY** (full)');
  });

  it('ends with the outcome and totals, and links each job to its console page when the console is known', () => {
    const passes = [
      {
        direction: 'to-dataverse' as const,
        jobId: 7,
        pages: 2,
        status: 'completed_with_errors',
        counts: counts({ failed: 84, modified: 3 }),
      },
    ];
    assert.equal(
      runDetailsText({ mapping: 'CONTACT', mode: 'incremental', passes }, null, {
        consoleUrl: 'https://sync.example.com/console/',
        verdict: runVerdict(passes),
      }),
      [
        '**CONTACT** (incremental)',
        'Outcome: **completed_with_errors** — 84 failed, 3 changed',
        '- to-dataverse: completed_with_errors, [job 7](https://sync.example.com/console/jobs/7), 2 pages — inserted 0, modified 3, unchanged 0, skipped 0, failed 84',
      ].join('\n'),
    );
  });

  it('ends a run that gave up with the innermost cause of its failure', () => {
    const failure = { message: 'Activity task failed', cause: { message: 'business-central: authentication refused' } };
    assert.equal(
      failedRunDetailsText('**CUSTOMER** (incremental)', innermostMessage(failure)),
      '**CUSTOMER** (incremental)\nOutcome: **failed** — business-central: authentication refused',
    );
    assert.equal(failedRunDetailsText('', 'x'), 'Outcome: **failed** — x');
  });

  it('says why a scheduled run was skipped', () => {
    assert.equal(skippedRunDetailsText('CONTACT', 'CUSTOMER is running'), '**CONTACT** skipped: CUSTOMER is running');
  });
});
