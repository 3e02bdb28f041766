import assert from 'node:assert/strict';
import {
  criterionLabel,
  matchCriteriaOf,
  matchRecords,
  noLookups,
  pendingFailureOutcome,
  queryablePair,
  sourceMatchValue,
} from '../../../engine';
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

describe('engine: match pairs with a transform (UNIT OF MEASURE: code ⇔ unit group `NAV <code>`)', function () {
  const units = (): IntegrationTableMapping => defaultMappings().find((m) => m.name === 'UNIT OF MEASURE')!;
  const unit = (code: string) => ({ id: `bc-${code}`, code });
  const group = (uomscheduleid: string, name: string) => ({ uomscheduleid, name });

  it('compares the BC value after the transform, towards Dataverse', () => {
    const [criterion] = matchCriteriaOf(units());
    assert.equal(criterionLabel(criterion), 'unit-group-name(code) = name');
    assert.equal(
      sourceMatchValue(units(), 'to-dataverse', criterion.fields[0], unit('PCS'), noLookups, true),
      'NAV PCS',
    );
    const verdicts = matchRecords(
      units(),
      'to-dataverse',
      [unit('PCS'), unit('BOX'), unit('HOUR')],
      [group('g1', 'Default Unit'), group('g2', 'nav box'), group('g3', 'PCS')],
      noLookups,
    );
    // `PCS` is not `NAV PCS`: the untransformed look-alike is not taken.
    assert.deepEqual(
      verdicts.map((v) => (v.kind === 'matched' ? v.candidate : v.kind)),
      ['unmatched', 1, 'unmatched'],
    );
  });

  it('transforms the BC candidates when Business Central is the destination, and does not query by such a pair', () => {
    const m = units();
    const [criterion] = matchCriteriaOf(m);
    const verdicts = matchRecords(m, 'to-bc', [group('g1', 'NAV KG')], [unit('KG'), unit('NAV KG')], noLookups);
    assert.deepEqual(verdicts[0].kind === 'matched' && verdicts[0].candidate, 0);
    assert.equal(queryablePair(m, 'to-bc', criterion.fields[0]), false);
    assert.equal(queryablePair(m, 'to-dataverse', criterion.fields[0]), true);
  });

  it('leaves a pair without transform as it was', () => {
    const strict = [{ fields: [{ bcField: 'code', dvField: 'name' }], caseSensitive: false }];
    const verdicts = matchRecords(units(), 'to-dataverse', [unit('PCS')], [group('g1', 'NAV PCS')], noLookups, strict);
    assert.equal(verdicts[0].kind, 'unmatched');
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
