import type { FieldMapping, ValueType } from '../mappings/mapping-model';
import type { Side } from './run-types';
import type { DataRecord } from './record-types';

/** Reads a property; a dotted path (`customerFinancialDetail.balance`) reads through expanded navigations. */
export function readPath(record: DataRecord, path: string): unknown {
  if (!path.includes('.')) return record[path];
  let current: unknown = record;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * Where a field mapping's value lives on one side when reading, and its value type there: the BC property; the
 * Dataverse column, or `_<lookup>_value` for a coupling or entity-rule lookup (a GUID). Null when the field mapping has no field
 * on that side (a constant written to the other side).
 */
export function readProperty(field: FieldMapping, side: Side): { property: string; type: ValueType } | null {
  if (side === 'bc') {
    return field.bcField === undefined ? null : { property: field.bcField, type: field.type };
  }
  if (field.dvField === undefined) return null;
  if (field.lookup?.kind === 'coupling' || field.lookup?.kind === 'entity-rule') {
    return { property: `_${field.dvField}_value`, type: 'guid' };
  }
  if (field.lookup?.kind === 'option') return { property: field.dvField, type: field.dvType ?? 'option' };
  return { property: field.dvField, type: field.dvType ?? field.type };
}

/** The property a write uses: BC property; Dataverse column, or `<navigation>@odata.bind` for a coupling lookup. */
export function writeProperty(field: FieldMapping, side: Side): string | null {
  if (side === 'bc') return field.bcField ?? null;
  if (field.dvField === undefined) return null;
  if (field.lookup?.kind === 'coupling') return `${field.lookup.dvNavigation ?? field.dvField}@odata.bind`;
  if (field.lookup?.kind === 'entity-rule') return `${field.dvField}@odata.bind`;
  return field.dvField;
}

/** The name used for a field in messages and the audit trail on `side`. */
export function fieldName(field: FieldMapping, side: Side): string {
  return (side === 'bc' ? field.bcField : field.dvField) ?? field.caption ?? '(constant)';
}
