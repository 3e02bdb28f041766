import { type IntegrationTableMapping, appliesTo } from '../mappings/mapping-model';
import { type PassDirection, type Side, destinationSideOf, sourceSideOf } from './run-types';
import { fieldName, readPath, readProperty, writeProperty } from './field-access';
import { type LookupResolver, lookupRequestFor } from './lookups';
import { describeRecord, lookupFailureMessage } from './messages';
import { normalizeValue, type NormalizedValue } from './normalize-value';
import type { DataRecord } from './record-types';
import { KEEP_DESTINATION, applyTransform } from './value-transforms';

/** One destination field a write changes, for the audit trail (`field_changes`) and conflict detection. */
export interface FieldChange {
  /** Index of the field mapping in `mapping.fieldMappings`; null for template values. */
  readonly fieldIndex: number | null;
  /** Destination field (Dataverse logical name or BC property). */
  readonly field: string;
  /** Source field, null for constants and template values. */
  readonly sourceField: string | null;
  /** The destination's value before the write (normalised); null on create. */
  readonly oldValue: NormalizedValue;
  /** The value written (normalised; the resolved id/key for lookups). */
  readonly newValue: NormalizedValue;
  /** Whether the field mapping is bidirectional (only those can conflict). */
  readonly bidirectional: boolean;
  /** `rule`: computed by the mapping's entity rules (e.g. CURRENCY's exchange rate), not by a field mapping. */
  readonly origin: 'field' | 'constant' | 'template' | 'rule';
}

export interface TransferInput {
  readonly mapping: IntegrationTableMapping;
  readonly direction: PassDirection;
  readonly source: DataRecord;
  /** The destination's current record for an update; null for a create. */
  readonly destination: DataRecord | null;
  readonly lookups: LookupResolver;
}

export type TransferResult =
  /** `payload` is what to send: only changed fields for an update; template + constants + mapped values for a create.
   *  Dataverse lookups are `<nav>@odata.bind: '/<set>(<id>)'` (null clears them); BC lookups are codes/numbers/ids. */
  | { readonly outcome: 'ok'; readonly payload: Record<string, unknown>; readonly changes: readonly FieldChange[] }
  /** The record is out of scope (a lookup with `ignoreRecordWithoutTarget` found no target): not counted. */
  | { readonly outcome: 'ignore'; readonly reason: string }
  /** The record cannot be transferred; `message` says why and what to do. */
  | { readonly outcome: 'fail'; readonly message: string };

const bind = (entitySet: string, id: string): string => `/${entitySet}(${id})`;

/**
 * Transfers the values of one source record through the mapping's enabled field mappings that apply to `direction`,
 * in field-mapping order: constant or source value → transform → lookup → normalisation to the destination type →
 * comparison with the destination's current value (updates: equal values are not written). Templates fill fields
 * of creates that the mapping leaves empty (mapped values win over template values, unlike BC where the template
 * is applied last). Lookup failures fail the record unless the field has `clearValueOnFailedSync`; `notNull`
 * fields are not written when empty. Never throws for data problems.
 */
export function transferFields(input: TransferInput): TransferResult {
  const { mapping, direction, source, destination, lookups } = input;
  const destSide = destinationSideOf(direction);
  const sourceSide = sourceSideOf(direction);
  const create = destination === null;
  const payload: Record<string, unknown> = {};
  const changes: FieldChange[] = [];

  for (const [index, field] of mapping.fieldMappings.entries()) {
    if (!field.enabled || !appliesTo(field.direction, direction)) continue;
    // Written by the mapping's entity rule, which resolves it (the field only counts in the record's hash).
    if (field.lookup?.kind === 'entity-rule') continue;
    const target = writeProperty(field, destSide);
    const destRead = readProperty(field, destSide);
    if (target === null || destRead === null) continue;
    const isConstant = field.constant !== undefined;
    const sourceRead = isConstant ? null : readProperty(field, sourceSide);
    if (!isConstant && sourceRead === null) continue;

    let value: unknown = isConstant ? field.constant : readPath(source, sourceRead!.property);
    if (field.transform) {
      value = applyTransform(field.transform, value, { direction, source });
      if (value === KEEP_DESTINATION) continue;
    }

    let written: unknown;
    let newValue: NormalizedValue;
    if (field.lookup) {
      const request = lookupRequestFor(field, direction, { ...source, [sourceRead!.property]: value });
      let resolved: string | number | null = null;
      if (request !== null) {
        const result = lookups(request);
        if (result?.status === 'resolved') {
          resolved = result.value;
        } else if (
          result?.status === 'no-target' &&
          field.lookup.kind === 'coupling' &&
          field.lookup.ignoreRecordWithoutTarget
        ) {
          return {
            outcome: 'ignore',
            reason: `${describeRecord(mapping, sourceSide, source)} is out of scope: its ${field.caption ?? field.lookup.bcCaption} '${request.value ?? ''}' has no ${direction === 'to-dataverse' ? field.lookup.bcCaption : field.lookup.dvCaption}`,
          };
        } else if (result !== undefined && field.clearValueOnFailedSync) {
          resolved = null;
        } else {
          return { outcome: 'fail', message: lookupFailureMessage(mapping, direction, source, field, request, result) };
        }
      }
      newValue = normalizeValue(resolved, destRead.type);
      if (destSide === 'dataverse' && field.lookup.kind === 'coupling') {
        written = newValue === null ? null : bind(field.lookup.dvEntitySet, String(newValue));
      } else {
        written = newValue;
      }
    } else {
      newValue = normalizeValue(value, destRead.type);
      written = newValue;
    }
    // BC text and code fields have no null: blank is ''. (Dataverse clears a column with null.)
    if (destSide === 'bc' && written === null && (destRead.type === 'text' || destRead.type === 'code')) written = '';

    if (newValue === null && field.notNull) continue;
    if (create) {
      if (newValue === null) continue;
    } else {
      const oldValue = normalizeValue(readPath(destination, destRead.property), destRead.type);
      if (oldValue === newValue) continue;
      changes.push(change(index, field, destSide, sourceRead?.property ?? null, oldValue, newValue, isConstant));
      payload[target] = written;
      continue;
    }
    payload[target] = written;
    changes.push(change(index, field, destSide, sourceRead?.property ?? null, null, newValue, isConstant));
  }

  if (create) {
    const template = destSide === 'bc' ? mapping.bc.template : mapping.dataverse.template;
    const withTemplate: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      if (key in payload || value === null) continue;
      withTemplate[key] = value;
      changes.push({
        fieldIndex: null,
        field: key,
        sourceField: null,
        oldValue: null,
        newValue: value,
        bidirectional: false,
        origin: 'template',
      });
    }
    return { outcome: 'ok', payload: { ...withTemplate, ...payload }, changes };
  }
  return { outcome: 'ok', payload, changes };
}

function change(
  index: number,
  field: IntegrationTableMapping['fieldMappings'][number],
  destSide: Side,
  sourceField: string | null,
  oldValue: NormalizedValue,
  newValue: NormalizedValue,
  isConstant: boolean,
): FieldChange {
  return {
    fieldIndex: index,
    field: fieldName(field, destSide),
    sourceField,
    oldValue,
    newValue,
    bidirectional: field.direction === 'bidirectional',
    origin: isConstant ? 'constant' : 'field',
  };
}
