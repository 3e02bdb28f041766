import assert from 'node:assert/strict';
import { failureOutcome } from '../../../engine/failure-state';
import { describeRecord, describeWriteFailure, normalizeErrorMessage } from '../../../engine/messages';
import { validateWrite } from '../../../engine/write-validation';
import { bcCustomer, coupling, dvAccount, mapping } from './fixtures';

describe('messages for users', () => {
  const customer = mapping('CUSTOMER');

  it('names records by caption and title, falling back to the number', () => {
    assert.equal(describeRecord(customer, 'bc', bcCustomer()), "Customer 'Adatum Corporation'");
    assert.equal(describeRecord(customer, 'bc', bcCustomer({ displayName: '' })), "Customer '10000'");
    assert.equal(describeRecord(customer, 'dataverse', dvAccount()), "Dataverse account 'Adatum Corporation'");
  });

  it('turns an API error into text naming the record and destination, without correlation ids, with a hint', () => {
    const text = describeWriteFailure(
      customer,
      'to-bc',
      dvAccount(),
      'The currency values do not match to a specific Currency.  CorrelationId: 1b7c1a1e-0000-4000-8000-000000000001.',
      'updated',
    );
    assert.equal(
      text,
      "Dataverse account 'Adatum Corporation' could not be updated in Business Central (customer): The currency values do not match to a specific Currency. — the currency code and id disagree; check the CURRENCY couplings",
    );
    assert.match(
      describeWriteFailure(
        customer,
        'to-dataverse',
        bcCustomer(),
        'A record with matching key values already exists (duplicate).',
      ),
      /couple it with `bcsync couple`/,
    );
  });

  it('normalises error messages so that only the problem is compared', () => {
    assert.equal(
      normalizeErrorMessage(
        'Bad value\n  CorrelationId: 1b7c1a1e-0000-4000-8000-000000000001. at 2026-11-24T01:02:03.456Z',
      ),
      'Bad value at <time>',
    );
  });

  it('skips a coupling after two identical API write failures that differ only by correlation id', () => {
    const previous = 'Validation failed CorrelationId: 1b7c1a1e-0000-4000-8000-000000000001.';
    const current = 'Validation failed CorrelationId: 2c8d2b2f-0000-4000-8000-000000000002.';
    const c = coupling({ toBc: { lastResult: 'failure', lastError: previous } });
    assert.equal(failureOutcome(c, 'to-bc', current).skip, true);
    assert.equal(failureOutcome(c, 'to-dataverse', current).skip, false, 'the other direction has its own history');
    assert.equal(failureOutcome(null, 'to-bc', current).skip, false);
  });

  it('reports a required field cleared by an update', () => {
    const problems = validateWrite({
      mapping: customer,
      direction: 'to-dataverse',
      source: bcCustomer(),
      payload: { name: '' },
      create: false,
    });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /the account field name is required and cannot be cleared; fill displayName/);
  });
});
