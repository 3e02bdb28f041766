import type { IntegrationTableMapping } from '../mappings/mapping-model';
import type { Side } from './run-types';
import { readPath, readProperty } from './field-access';
import { canonicalJson, normalizeValue, type NormalizedValue } from './normalize-value';
import type { DataRecord } from './record-types';
import { sha256 } from './sha256';
import { toHex } from './utf8';

/**
 * The normalised mapped values of a record on one side: every enabled field mapping that has a field on that side
 * (whatever its direction, constants' target fields included), keyed by the read property. This is what
 * `hashRecord` hashes and what the audit trail can show.
 */
export function mappedValues(
  mapping: IntegrationTableMapping,
  side: Side,
  record: DataRecord,
): Record<string, NormalizedValue> {
  const values: Record<string, NormalizedValue> = {};
  for (const field of mapping.fieldMappings) {
    if (!field.enabled) continue;
    const read = readProperty(field, side);
    if (read === null || read.property in values) continue;
    values[read.property] = normalizeValue(readPath(record, read.property), read.type);
  }
  return values;
}

/**
 * Stable hash (SHA-256, 64 hex characters) of a record's mapped values on one side (see `mappedValues` and
 * `normalizeValue`): independent of property order, of unmapped properties (etags, timestamps), and of formatting
 * differences the APIs introduce. Change detection compares it with the hash stored on the coupling.
 */
export function hashRecord(mapping: IntegrationTableMapping, side: Side, record: DataRecord): string {
  return toHex(sha256(canonicalJson(mappedValues(mapping, side, record))));
}

/**
 * The record as it will read back after `payload` is written over `current` (`current` null for a create):
 * `<nav>@odata.bind: '/set(id)'` becomes `_<lookup>_value: id`. Used to predict the destination hash of a write.
 */
export function projectWrite(
  mapping: IntegrationTableMapping,
  side: Side,
  current: DataRecord | null,
  payload: DataRecord,
): DataRecord {
  const out: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(payload)) {
    if (side === 'dataverse' && key.endsWith('@odata.bind')) {
      const nav = key.slice(0, -'@odata.bind'.length);
      const field = mapping.fieldMappings.find(
        (f) => f.lookup?.kind === 'coupling' && (f.lookup.dvNavigation ?? f.dvField) === nav,
      );
      const column = field?.dvField ?? nav;
      out[`_${column}_value`] = typeof value === 'string' ? (/\(([^)]+)\)\s*$/.exec(value)?.[1] ?? value) : null;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * The hash the destination will have after the write (`hashRecord` of `projectWrite`). Prefer hashing the record the
 * API returns after the write when there is one (BC PATCH/POST and DV `return=representation` return it): the API
 * may change values on write (BC validation fills City from Post Code, upper-cases codes), and only the read-back
 * hash makes the next opposite pass see "unchanged".
 */
export function hashAfterWrite(
  mapping: IntegrationTableMapping,
  side: Side,
  current: DataRecord | null,
  payload: DataRecord,
): string {
  return hashRecord(mapping, side, projectWrite(mapping, side, current, payload));
}
