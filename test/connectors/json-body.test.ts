/** Reading JSON answers: service-named failures and the helpers for error bodies and collections. */
import assert from 'node:assert/strict';
import { TransientServerError } from '../../connectors/http/errors';
import { parseJsonBody, parseJsonOrNull, valueOf } from '../../connectors/http/json-body';
import { selectWith } from '../../connectors/http/odata';

const response = (status: number, text: string) => ({ status, headers: new Headers(), text });

describe('parseJsonBody', () => {
  it('returns the object of a JSON body', () => {
    assert.deepEqual(parseJsonBody(response(200, '{"id":"a"}'), 'dataverse', 'GET accounts'), { id: 'a' });
  });

  it('throws a retryable InvalidJson that names the service, the request and the status', () => {
    assert.throws(
      () => parseJsonBody(response(201, '<html>'), 'business-central', 'POST customers'),
      (error: unknown) =>
        error instanceof TransientServerError &&
        error.service === 'business-central' &&
        error.status === 201 &&
        error.code === 'InvalidJson' &&
        error.retryable &&
        error.message === 'Business Central answered POST customers with a body that is not JSON',
    );
  });
});

describe('parseJsonOrNull, valueOf, selectWith', () => {
  it('parses JSON and gives null for anything else', () => {
    assert.deepEqual(parseJsonOrNull('{"error":{"code":"x"}}'), { error: { code: 'x' } });
    assert.equal(parseJsonOrNull(''), null);
    assert.equal(parseJsonOrNull('Bad Gateway'), null);
  });

  it("reads a collection's value, or nothing when the body has none", () => {
    assert.deepEqual(valueOf({ value: [1, 2] }), [1, 2]);
    assert.deepEqual(valueOf({ value: 'no' }), []);
    assert.deepEqual(valueOf({}), []);
  });

  it('adds the required fields once to a $select, and selects everything without one', () => {
    assert.equal(selectWith(['name', 'id'], ['id', 'modifiedon']), 'id,modifiedon,name');
    assert.equal(selectWith([], ['id']), undefined);
    assert.equal(selectWith(undefined, ['id']), undefined);
  });
});
