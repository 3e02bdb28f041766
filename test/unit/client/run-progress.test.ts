import assert from 'node:assert/strict';
import { runProgressLine } from '../../../client/run-progress';
import { zeroCounts } from '../../../engine/run-types';

describe('run progress line', () => {
  it('counts the records each pass looked at (not couplings), its pages, the running page and the rate', () => {
    const line = runProgressLine(
      {
        mapping: 'CUSTOMER',
        mode: 'incremental',
        phase: 'running',
        passes: [
          {
            direction: 'to-dataverse',
            jobId: 1,
            counts: { ...zeroCounts(), inserted: 3, modified: 2, failed: 1, coupled: 3 },
            pages: 1,
            status: 'succeeded',
          },
          { direction: 'to-bc', jobId: 2, counts: { ...zeroCounts(), unchanged: 4 }, pages: 2, status: 'running' },
        ],
        current: { direction: 'to-bc', phase: 'changed', pages: 2 },
      },
      2000,
    );
    assert.equal(
      line,
      'CUSTOMER: to-dataverse 6 records in 1 page, to-bc 4 records in 2 pages, running page 3 (5 records/s)',
    );
  });

  it('says planning before the passes start', () => {
    const line = runProgressLine({ mapping: 'CONTACT', mode: 'full', phase: 'planning', passes: [], current: null }, 0);
    assert.equal(line, 'CONTACT: planning (0 records/s)');
  });
});
