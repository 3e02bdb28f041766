import assert from 'node:assert/strict';
import {
  decodeCursor,
  duration,
  encodeCursor,
  explainError,
  parseTimeFilter,
  statusClass,
} from '../../../client/console/view-models';

describe('console view models', () => {
  it('names the record and says what to do from the messages the engine writes', () => {
    assert.deepEqual(
      explainError(
        "Customer 'Adatum' could not be created in Dataverse (account): name is too long — shorten the value in the source record",
      ),
      { record: "Customer 'Adatum'", advice: 'Shorten the value in the source record' },
    );
    assert.deepEqual(
      explainError(
        "Currency 'ISK' has no exchange rate in Business Central on or before 2026-12-01; add one on the Currency Exchange Rates page",
      ),
      { record: "Currency 'ISK'", advice: 'Add one on the Currency Exchange Rates page' },
    );
    const plain = explainError('the API answered 500');
    assert.equal(plain.record, null);
    assert.match(plain.advice, /^Fix the cause named in the message, then retry/);
  });

  it('round-trips keyset cursors and refuses anything else', () => {
    const at = new Date('2026-11-24T03:31:56.123Z');
    assert.equal(encodeCursor(at, 42), '1795491116123_42');
    assert.deepEqual(decodeCursor(encodeCursor(at, 42)), { at, id: 42 });
    for (const bad of [undefined, '', '12', '1_2_3', "1_2' or 1=1", ['1_2']])
      assert.equal(decodeCursor(bad), undefined);
  });

  it('reads time filters as UTC and names a bad one', () => {
    assert.equal(parseTimeFilter('from', '2026-11-24T03:30')!.toISOString(), '2026-11-24T03:30:00.000Z');
    assert.equal(parseTimeFilter('from', '2026-11-24T03:30:00+01:00')!.toISOString(), '2026-11-24T02:30:00.000Z');
    assert.equal(parseTimeFilter('from', ''), undefined);
    assert.throws(() => parseTimeFilter('from', 'yesterday'), /^Error: from: 'yesterday' is not a time/);
  });

  it('colours outcomes and shows durations', () => {
    assert.deepEqual(
      ['succeeded', 'completed_with_errors', 'failed', 'abandoned', 'running', 'skipped'].map(statusClass),
      ['ok', 'warn', 'bad', 'bad', 'run', 'muted'],
    );
    const startedAt = new Date('2026-01-01T00:00:00Z');
    const after = (ms: number) => duration({ startedAt, finishedAt: new Date(startedAt.getTime() + ms) });
    assert.deepEqual([after(1250), after(184_000), after(7_500_000)], ['1.3 s', '3 min 4 s', '2 h 5 min']);
    assert.equal(duration({ startedAt, finishedAt: null }), 'running');
  });
});
