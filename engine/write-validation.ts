import { type IntegrationTableMapping, appliesTo } from '../mappings/mapping-model';
import { type PassDirection, destinationSideOf, sourceSideOf } from './run-types';
import { fieldName, writeProperty } from './field-access';
import { describeRecord } from './messages';
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
 * Checks a payload against the destination's known limits before the write, so that one bad record fails alone
 * with an actionable message instead of failing a whole batch: text longer than the destination column
 * (`bcMaxLength`/`dvMaxLength`), and required destination fields (`bcRequired`/`dvRequired`) empty on create or
 * cleared on update. Returns the problems (empty = valid), one message each.
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
    if (max !== undefined && typeof value === 'string' && value.length > max) {
      problems.push(
        `${who} cannot be synchronized to ${where}: ${sourceName} is ${value.length} characters long ('${value.slice(0, 40)}${value.length > 40 ? '…' : ''}'), but the ${destCaption} field ${name} allows at most ${max}; shorten it in the source record`,
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
