import assert from 'node:assert/strict';
import { matchCriteriaOf, matchRecords, noLookups, pendingFailureOutcome } from '../../../engine';
import { defaultMappings, type IntegrationTableMapping } from '../../../mappings';

const customer = (): IntegrationTableMapping => defaultMappings().find((m) => m.name === 'CUSTOMER')!;
const bc = (number: string, displayName: string) => ({ id: `bc-${number}`, number, displayName });
const dv = (accountid: string, accountnumber: string | null, name: string) => ({ accountid, accountnumber, name });

describe('engine: match-based coupling rules', function () {
  it('tries the criteria in priority order: number first, then name', () => {
    assert.deepEqual(
      matchCriteriaOf(customer()).map((c) => c.fields.map((f) => `${f.bcField}=${f.dvField}`)),
      [['number=accountnumber'], ['displayName=name']],
    );
    const verdicts = matchRecords(
      customer(),
      'to-dataverse',
      [bc('10000', 'Adatum'), bc('20000', 'Trey Research')],
      [dv('a1', null, 'Trey Research'), dv('a2', '10000', 'Adatum Norge')],
      noLookups,
    );
    assert.deepEqual(
      verdicts.map((v) => (v.kind === 'matched' ? v.candidate : v.kind)),
      [1, 0],
    );
  });

  it('compares trimmed and case-insensitively unless the criterion is case-sensitive', () => {
    const m = customer();
    const sources = [bc('1', '  adatum ')];
    const candidates = [dv('a1', null, 'ADATUM')];
    assert.equal(matchRecords(m, 'to-dataverse', sources, candidates, noLookups)[0].kind, 'matched');
    const strict = [{ fields: [{ bcField: 'displayName', dvField: 'name' }], caseSensitive: true }];
    assert.equal(matchRecords(m, 'to-dataverse', sources, candidates, noLookups, strict)[0].kind, 'unmatched');
  });

  it('reports several candidates as ambiguous with all of them, and never falls back to a weaker criterion', () => {
    const [v] = matchRecords(
      customer(),
      'to-dataverse',
      [bc('10000', 'Adatum')],
      [dv('a1', '10000', 'X'), dv('a2', '10000', 'Y'), dv('a3', null, 'Adatum')],
      noLookups,
    );
    assert.equal(v.kind, 'ambiguous');
    assert.deepEqual(v.kind === 'ambiguous' && v.candidates, [0, 1]);
  });

  it('reports two source records claiming one candidate as ambiguous, naming the rival', () => {
    const verdicts = matchRecords(
      customer(),
      'to-dataverse',
      [bc('1', 'Adatum'), bc('2', 'Adatum')],
      [dv('a1', null, 'Adatum')],
      noLookups,
    );
    assert.deepEqual(
      verdicts.map((v) => (v.kind === 'ambiguous' ? v.rivals : v.kind)),
      [[1], [0]],
    );
  });

  it('gives a candidate to one source only, and leaves records with empty values unmatched', () => {
    const verdicts = matchRecords(
      customer(),
      'to-dataverse',
      [bc('10000', 'Adatum'), bc('', '')],
      [dv('a1', '10000', 'Adatum')],
      noLookups,
    );
    assert.deepEqual(
      verdicts.map((v) => v.kind),
      ['matched', 'unmatched'],
    );
  });
});

describe('engine: the "two identical failures" rule for records never coupled', function () {
  it('parks a record whose create failed the same way twice', () => {
    assert.equal(pendingFailureOutcome(null, 'name too long').skip, false);
    assert.equal(pendingFailureOutcome({ lastError: 'name too long' }, 'name too long').skip, true);
    assert.equal(pendingFailureOutcome({ lastError: 'currency not coupled' }, 'name too long').skip, false);
  });

  it('never parks a record for a transient failure', () => {
    assert.equal(pendingFailureOutcome({ lastError: 'unavailable (503)' }, 'unavailable (503)', true).skip, false);
  });
});
