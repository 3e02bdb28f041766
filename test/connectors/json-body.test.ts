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

  it('throws a retryable InvalidJson that names the service, the request, the status and what came back', () => {
    assert.throws(
      () =>
        parseJsonBody(
          { status: 201, headers: new Headers({ 'content-type': 'text/html' }), text: '<html>\n  <b>Sign in</b>' },
          'business-central',
          'POST customers',
        ),
      (error: unknown) =>
        error instanceof TransientServerError &&
        error.service === 'business-central' &&
        error.status === 201 &&
        error.code === 'InvalidJson' &&
        error.retryable &&
        error.message ===
          "Business Central answered POST customers with 201, but the answer was text/html, not JSON: '<html> <b>Sign in</b>'",
    );
  });

  it('cuts a long answer to 200 characters in the message without splitting an emoji', () => {
    const text = `${'x'.repeat(199)}😀 and more`;
    assert.throws(
      () => parseJsonBody(response(200, text), 'dataverse', 'GET accounts'),
      (error: unknown) =>
        error instanceof TransientServerError && error.message.endsWith(`not JSON: '${'x'.repeat(199)}😀…'`),
    );
  });
});

describe('parseJsonOrNull, valueOf, selectWith', () => {
  it('parses JSON and gives null for anything else', () => {
    assert.deepEqual(parseJsonOrNull('{"error":{"code":"x"}}'), { error: { code: 'x' } });
    assert.equal(parseJsonOrNull(''), null);
    assert.equal(parseJsonOrNull('Bad Gateway'), null);
  });

  it("reads a collection's value and refuses a body without a value array instead of reading it as empty", () => {
    assert.deepEqual(valueOf({ value: [1, 2] }, 'dataverse', 'GET accounts'), [1, 2]);
    assert.deepEqual(valueOf({ value: [] }, 'dataverse', 'GET accounts'), []);
    for (const body of [{ value: 'no' }, {}]) {
      assert.throws(
        () => valueOf(body, 'dataverse', 'GET accounts'),
        (error: unknown) =>
          error instanceof TransientServerError &&
          error.code === 'UnexpectedBody' &&
          error.retryable &&
          error.message ===
            `Dataverse answered GET accounts with JSON that has no 'value' array: '${JSON.stringify(body)}'`,
      );
    }
  });

  it('adds the required fields once to a $select, and selects everything without one', () => {
    assert.equal(selectWith(['name', 'id'], ['id', 'modifiedon']), 'id,modifiedon,name');
    assert.equal(selectWith([], ['id']), undefined);
    assert.equal(selectWith(undefined, ['id']), undefined);
  });
});
