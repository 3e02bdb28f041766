import assert from 'node:assert/strict';
import { isSyncMappingInput, runStaticDetails } from '../../../client/run-metadata';

describe('the static details of a sync run', () => {
  it('name the mapping, the mode, the directions and what started a scheduled run', () => {
    assert.equal(
      runStaticDetails(
        { mapping: 'CUSTOMER', mode: 'incremental', scheduled: true },
        { startedBy: 'the schedule bcsync-customer' },
      ),
      [
        '**CUSTOMER** — incremental run',
        '- started by: the schedule bcsync-customer',
        '- directions: every direction of the mapping (BC → Dataverse first)',
        '- scheduled: skips itself while a mapping it depends on runs or never completed',
        '',
        'Outcome, counts per pass and links to each job: the current details, and the search attributes `BcSyncOutcome`, `BcSyncFailed`, `BcSyncChanged`.',
      ].join('\n'),
    );
  });

  it('name the records of a retry and link the job it retries to its console page', () => {
    const text = runStaticDetails(
      {
        mapping: 'CONTACT',
        mode: 'records',
        direction: 'to-dataverse',
        records: [{ direction: 'to-dataverse', ids: ['a', 'b', 'c'] }],
        retryOfJobId: 41,
      },
      { startedBy: '`bcsync retry`', consoleUrl: 'http://127.0.0.1:8234' },
    );
    assert.match(text, /^\*\*CONTACT\*\* — records run$/m);
    assert.match(text, /^- directions: to-dataverse only$/m);
    assert.match(text, /^- records: 3 chosen record\(s\)$/m);
    assert.match(text, /^- retries the failed records of \[job 41\]\(http:\/\/127\.0\.0\.1:8234\/jobs\/41\)$/m);
  });

  it('are written only for a sync run input', () => {
    assert.equal(isSyncMappingInput({ mapping: 'CUSTOMER', mode: 'full' }), true);
    assert.equal(isSyncMappingInput({ mappings: ['CUSTOMER'], dryRun: false }), false);
    assert.equal(isSyncMappingInput(undefined), false);
  });
});
