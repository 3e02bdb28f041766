import { type IntegrationTableMapping, type ValueType, appliesTo } from '../mappings/mapping-model';
import { type PassDirection, destinationSideOf, sourceSideOf } from './run-types';
import { fieldName, readProperty, writeProperty } from './field-access';
import { describeRecord } from './messages';
import { stringify } from './normalize-value';
import type { DataRecord } from './record-types';

export interface WriteValidationInput {
  readonly mapping: IntegrationTableMapping;
  readonly direction: PassDirection;
  readonly source: DataRecord;
  /** The payload from `transferFields`. */
  readonly payload: DataRecord;
  readonly create: boolean;
}

const isEmpty = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/**
 * What a value normalised to `type` must look like (normalizeValue keeps a value it cannot read as its type as text);
 * undefined for types any text is (text, code, guid).
 */
const TYPE_CHECKS: Partial<Record<ValueType, { test: (v: unknown) => boolean; expected: string }>> = {
  number: { test: (v) => typeof v === 'number', expected: 'a number' },
  option: { test: (v) => typeof v === 'number', expected: 'a number (an option value)' },
  boolean: { test: (v) => typeof v === 'boolean', expected: 'true or false' },
  date: { test: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v), expected: 'a date (YYYY-MM-DD)' },
  datetime: {
    test: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v),
    expected: 'a date and time (ISO 8601)',
  },
};

/** The first `max` characters of `text` for a message, never splitting an emoji or other surrogate pair. */
function excerpt(text: string, max = 40): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
}

/** True when `text` holds characters outside the Basic Multilingual Plane (emoji), which count twice in a length. */
const hasSurrogatePairs = (text: string): boolean => /[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(text);

/**
 * Checks a payload against the destination's known limits before the write, so that one bad record fails alone
 * with an actionable message instead of failing a whole batch: text longer than the destination column
 * (`bcMaxLength`/`dvMaxLength`, in UTF-16 code units), a value that is not of the destination field's type (text
 * where a number, a boolean, a date or a date and time belongs), and required destination fields
 * (`bcRequired`/`dvRequired`) empty on create or cleared on update. Returns the problems (empty = valid), one message
 * each.
 */
export function validateWrite(input: WriteValidationInput): string[] {
  const { mapping, direction, source, payload, create } = input;
  const destSide = destinationSideOf(direction);
  const where = destSide === 'bc' ? 'Business Central' : 'Dataverse';
  const destCaption = destSide === 'bc' ? mapping.bc.caption.toLowerCase() : mapping.dataverse.caption;
  const who = describeRecord(mapping, sourceSideOf(direction), source);
  const problems: string[] = [];
  const checked = new Set<string>();

  for (const field of mapping.fieldMappings) {
    if (!field.enabled || !appliesTo(field.direction, direction)) continue;
    const target = writeProperty(field, destSide);
    if (target === null || checked.has(target)) continue;
    checked.add(target);
    const name = fieldName(field, destSide);
    const sourceName = fieldName(field, sourceSideOf(direction));
    const value = payload[target];
    const max = destSide === 'bc' ? field.bcMaxLength : field.dvMaxLength;
    // Lengths count UTF-16 code units, as both services do (BC Text[n] and Dataverse nvarchar(n) columns): an emoji
    // counts 2, a right-to-left letter or a combining mark 1.
    if (max !== undefined && typeof value === 'string' && value.length > max) {
      const units = hasSurrogatePairs(value) ? ' (an emoji counts as 2)' : '';
      problems.push(
        `${who} cannot be synchronized to ${where}: ${sourceName} is ${value.length} characters long${units} ('${excerpt(value)}'), but the ${destCaption} field ${name} allows at most ${max}; shorten it in the source record`,
      );
    }
    const check = field.lookup ? undefined : TYPE_CHECKS[readProperty(field, destSide)?.type ?? 'text'];
    if (check && value !== null && value !== undefined && !check.test(value)) {
      problems.push(
        `${who} cannot be synchronized to ${where}: ${sourceName} is '${excerpt(stringify(value))}', which is not ${check.expected}, but the ${destCaption} field ${name} takes ${check.expected}; correct it in the source record`,
      );
    }
    const required = destSide === 'bc' ? field.bcRequired : field.dvRequired;
    if (!required) continue;
    if (create && isEmpty(value)) {
      problems.push(
        `${who} cannot be created in ${where}: the ${destCaption} field ${name} is required, but ${sourceName} is empty; fill it in the source record`,
      );
    } else if (!create && target in payload && isEmpty(value)) {
      problems.push(
        `${who} cannot be synchronized to ${where}: the ${destCaption} field ${name} is required and cannot be cleared; fill ${sourceName} in the source record`,
      );
    }
  }
  return problems;
}
