import { type FieldMapping, type IntegrationTableMapping } from '../mappings/mapping-model';
import { type PassDirection, sourceSideOf, type Side } from './run-types';
import { readPath } from './field-access';
import type { LookupRequest, LookupResult } from './lookups';
import { stringify } from './normalize-value';
import type { DataRecord } from './record-types';

const sideName = (side: Side): string => (side === 'bc' ? 'Business Central' : 'Dataverse');

const str = (v: unknown): string => stringify(v).trim();

/**
 * How a record is named in messages: `Customer 'Adatum'` (BC) or `Dataverse account 'Adatum'`; falls back to the
 * number and then the id when the title is empty.
 */
export function describeRecord(mapping: IntegrationTableMapping, side: Side, record: DataRecord): string {
  const s = side === 'bc' ? mapping.bc : mapping.dataverse;
  const title =
    str(readPath(record, s.titleField)) ||
    (side === 'bc' && mapping.bc.numberField ? str(readPath(record, mapping.bc.numberField)) : '') ||
    str(record[s.key]) ||
    '(no name)';
  const caption = side === 'bc' ? s.caption.charAt(0).toUpperCase() + s.caption.slice(1) : `Dataverse ${s.caption}`;
  return `${caption} '${title}'`;
}

/** The message for a lookup that could not be resolved (the record fails unless clearValueOnFailedSync). */
export function lookupFailureMessage(
  mapping: IntegrationTableMapping,
  direction: PassDirection,
  source: DataRecord,
  field: FieldMapping,
  request: LookupRequest,
  result: LookupResult | undefined,
): string {
  const from = sourceSideOf(direction);
  const who = describeRecord(mapping, from, source);
  const lookup = field.lookup!;
  const caption = from === 'bc' ? (field.caption ?? lookup.bcCaption) : lookup.dvCaption;
  const targetCaption = from === 'bc' ? `Dataverse ${lookup.dvCaption}` : `Business Central ${lookup.bcCaption}`;
  const run = lookup.kind === 'coupling' ? lookup.mapping : lookup.kind === 'option' ? lookup.optionSet : mapping.name;
  const number =
    (result && result.status !== 'resolved' ? result.targetNumber : undefined) ?? request.value ?? '(blank)';
  const name = result && result.status !== 'resolved' && result.targetName ? ` (${result.targetName})` : '';
  if (result === undefined) {
    return `${who} cannot be synchronized: its ${caption} '${number}' was not looked up through ${run} (internal error: lookup not pre-fetched)`;
  }
  if (result.status === 'no-target') {
    return `${who} cannot be synchronized: its ${caption} '${number}'${name} was not found in ${sideName(from)}`;
  }
  const advice = result.status === 'not-coupled' && result.advice ? result.advice : `run ${run} first`;
  if (lookup.kind === 'option') {
    const optionAdvice =
      result.status === 'not-coupled' && result.advice ? result.advice : `run 'bcsync options sync ${run}'`;
    return `${who} cannot be synchronized: its ${caption} '${number}'${name} is not mapped to a ${targetCaption}; ${optionAdvice}`;
  }
  return `${who} cannot be synchronized: its ${caption} '${number}'${name} is not coupled to a ${targetCaption}; ${advice}`;
}

/**
 * Normalises an error message for the "same error twice ⇒ skipped" rule: removes what differs between two
 * occurrences of the same problem (BC `CorrelationId: <guid>`, Dataverse trace/activity ids, timestamps) and
 * collapses whitespace.
 */
export function normalizeErrorMessage(message: string): string {
  return stripCorrelationIds(message)
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g, '<time>')
    .replace(/\s+/g, ' ')
    .trim();
}

function stripCorrelationIds(message: string): string {
  return message.replace(/\s*(CorrelationId|ActivityId|RequestId|TraceId)\s*[:=]\s*[0-9a-f-]{36}\.?/gi, '');
}

const hints: Array<[RegExp, string]> = [
  [
    /duplicate/i,
    'a matching record already exists there; couple it with `bcsync couple` instead of creating a new one',
  ],
  [
    /StringExceededLength|exceeds the maximum length|too long|maximum length/i,
    'shorten the value in the source record',
  ],
  [/currency values do not match/i, 'the currency code and id disagree; check the CURRENCY couplings'],
  [/privilege|Authorization_|\b403\b/i, 'the integration user lacks a privilege; check its security role'],
  [
    /EntityChanged|RowVersion|Another user has already changed/i,
    'the record changed during the write; the next run retries it',
  ],
  [/does not exist|RecordNotFound|NotFound/i, 'a referenced record is missing; check the record and its lookups'],
];

/**
 * Human text for a write the API rejected (the caller keeps the raw API error as the error row's detail):
 * `Customer 'Adatum' could not be updated in Dataverse (account): <API message> — <hint>`. `operation` defaults to
 * "written".
 */
export function describeWriteFailure(
  mapping: IntegrationTableMapping,
  direction: PassDirection,
  record: DataRecord,
  apiMessage: string,
  operation: 'created' | 'updated' | 'written' = 'written',
): string {
  const source = sourceSideOf(direction);
  const destination: Side = source === 'bc' ? 'dataverse' : 'bc';
  const destCaption = destination === 'bc' ? mapping.bc.caption.toLowerCase() : mapping.dataverse.caption;
  const cleaned = stripCorrelationIds(apiMessage).replace(/\s+/g, ' ').trim() || 'no error text returned';
  const hint = hints.find(([pattern]) => pattern.test(apiMessage))?.[1];
  const preposition = operation === 'written' ? 'to' : 'in';
  return `${describeRecord(mapping, source, record)} could not be ${operation} ${preposition} ${sideName(destination)} (${destCaption}): ${cleaned}${hint ? ` — ${hint}` : ''}`;
}

/** Why nothing that needs the Dataverse base currency can be written: the organization names none. */
export const NO_BASE_CURRENCY_MESSAGE =
  'the Dataverse organization has no base currency (organizations._basecurrencyid_value is empty); check the Dataverse connection';

/**
 * Appended to a write failure that was only transient (throttling, 5xx, resets) after every retry: the record is not
 * wrong, and it is retried on the next run (never parked).
 */
export const TRANSIENT_WRITE_FAILURE_SUFFIX =
  ': the service kept answering with a temporary error while this page retried; the record is retried on the next run';

/** The error row's text for a failure that parked its record (the second identical failure in a row). */
export function parkedFailureMessage(message: string): string {
  return `${message} (failed twice with the same error: the record is now skipped; 'bcsync skipped' lists it)`;
}
