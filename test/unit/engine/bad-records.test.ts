/**
 * Bad records (issue 12, docs/reliability.md "Bad input"): each fails alone, before anything is written, with a message
 * that names the record, the field, what is wrong and what to do; values at each limit pass; emoji and right-to-left
 * text pass through unchanged. Lengths count UTF-16 code units, as Business Central (Text[n]) and Dataverse
 * (nvarchar(n) string columns) do: an emoji outside the Basic Multilingual Plane counts 2.
 */
import assert from 'node:assert/strict';
import { type RecordDecision, decide } from '../../../engine/decide';
import { hashRecord } from '../../../engine/record-hash';
import type { DataRecord } from '../../../engine/record-types';
import type { PassDirection } from '../../../engine/run-types';
import { bcCustomer, coupling, customerLookups, dvAccount, mapping } from './fixtures';

const customer = { ...mapping('CUSTOMER'), onlyCoupled: false };

/** The decision for `source` as an update of the coupled pair (bc, dv) in `direction`. */
function update(direction: PassDirection, source: DataRecord): RecordDecision {
  return decide({
    mapping: customer,
    direction,
    source,
    coupling: coupling({
      bcHash: hashRecord(customer, 'bc', bcCustomer()),
      dvHash: hashRecord(customer, 'dataverse', dvAccount()),
    }),
    destination: direction === 'to-bc' ? bcCustomer() : dvAccount(),
    lookups: customerLookups(),
  });
}

/** The decision for `source` as a create (uncoupled) in `direction`. */
function create(direction: PassDirection, source: DataRecord): RecordDecision {
  return decide({
    mapping: customer,
    direction,
    source,
    coupling: null,
    destination: null,
    lookups: customerLookups(),
  });
}

function failureOf(d: RecordDecision): string {
  assert.equal(d.kind, 'fail', `expected a failure, got ${d.kind}: ${JSON.stringify(d)}`);
  return d.failure.message;
}

function payloadOf(d: RecordDecision): Record<string, unknown> {
  assert.ok(d.kind === 'update' || d.kind === 'insert', `expected a write, got ${d.kind}: ${JSON.stringify(d)}`);
  return d.write.payload;
}

describe('bad records fail alone with a message a user can act on', () => {
  it('writes a name of exactly the limit and fails one character longer, naming field, length and limit', () => {
    assert.equal(payloadOf(update('to-bc', dvAccount({ name: 'N'.repeat(100) }))).displayName, 'N'.repeat(100));
    assert.equal(
      failureOf(update('to-bc', dvAccount({ name: 'N'.repeat(101) }))),
      `Dataverse account '${'N'.repeat(101)}' cannot be synchronized to Business Central: name is 101 characters long ('${'N'.repeat(40)}…'), but the customer field displayName allows at most 100; shorten it in the source record`,
    );
  });

  it('counts an emoji as two characters, as both services do, and never cuts one in half in the message', () => {
    const fifteen = '🏔'.repeat(15); // 30 UTF-16 code units: exactly BC's limit for city
    assert.equal(payloadOf(update('to-bc', dvAccount({ address1_city: fifteen }))).city, fifteen);
    assert.match(failureOf(update('to-bc', dvAccount({ address1_city: '🏔'.repeat(16) }))), /is 32 characters long/);
    // 39 letters and 17 emoji: 73 code units; the 40th character of the excerpt is an emoji, kept whole.
    const message = failureOf(update('to-bc', dvAccount({ address1_city: `${'a'.repeat(39)}${'🏔'.repeat(17)}` })));
    assert.equal(
      message,
      `Dataverse account 'Adatum Corporation' cannot be synchronized to Business Central: address1_city is 73 characters long (an emoji counts as 2) ('${'a'.repeat(39)}🏔…'), but the customer field city allows at most 30; shorten it in the source record`,
    );
    assert.doesNotMatch(message, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'no lone high surrogate');
  });

  it('carries right-to-left text, combining marks and emoji unchanged in both directions', () => {
    const arabic = 'شركة النور للتجارة 🌙';
    const hebrew = 'חברת אור בע״מ';
    const accented = 'Société Générale — Ærøskøbing';
    assert.equal(payloadOf(update('to-dataverse', bcCustomer({ displayName: arabic }))).name, arabic);
    assert.equal(payloadOf(update('to-bc', dvAccount({ name: hebrew }))).displayName, hebrew);
    const inserted = payloadOf(create('to-dataverse', bcCustomer({ displayName: accented, city: 'القاهرة' })));
    assert.equal(inserted.name, accented);
    assert.equal(inserted.address1_city, 'القاهرة');
  });

  it('fails a create whose required field is empty, naming the field and what to fill', () => {
    assert.equal(
      failureOf(create('to-dataverse', bcCustomer({ displayName: '' }))),
      "Customer '10000' cannot be created in Dataverse: the account field name is required, but displayName is empty; fill it in the source record",
    );
  });

  it('fails an update that would clear a required field, saying it cannot be cleared', () => {
    assert.equal(
      failureOf(update('to-bc', dvAccount({ name: null }))),
      "Dataverse account '7d2a1c3b-1111-4222-8333-944455556666' cannot be synchronized to Business Central: the customer field displayName is required and cannot be cleared; fill name in the source record",
    );
  });

  it('fails a value of the wrong type (text where a number belongs), naming the value and the type', () => {
    assert.equal(
      failureOf(update('to-dataverse', bcCustomer({ creditLimit: 'five thousand' }))),
      "Customer 'Adatum Corporation' cannot be synchronized to Dataverse: creditLimit is 'five thousand', which is not a number, but the account field creditlimit takes a number; correct it in the source record",
    );
    assert.equal(payloadOf(update('to-dataverse', bcCustomer({ creditLimit: '7500.5' }))).creditlimit, 7500.5);
  });
});
