// Field-level validation of POST/PATCH bodies against the entity definitions: unknown and read-only properties, JSON
// types, BC field lengths, enum values and GUID syntax. Entity rules (lookups, consistency) live in rules.ts.

import { EmulatorError } from '../shared/errors';
import type { EntityDef, FieldDef } from './entities';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Whether a string is a GUID (any case). */
export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID.test(value);
}

/** The validated body: plain field changes plus nested collections for deep insert (e.g. `salesInvoiceLines`). */
export interface ValidatedBody {
  changes: Record<string, unknown>;
  nested: Record<string, unknown[]>;
}

/**
 * Checks a request body against the entity's fields. `existingId` (PATCH) allows an `id` equal to the record's own.
 * Throws `EmulatorError(400)`: BadRequest (not an object, unknown property, wrong JSON type),
 * Application_FieldValidationException (read-only property), Application_StringExceededLength, Unknown (enum value),
 * Application_InvalidGUID.
 */
export function validateBody(def: EntityDef, body: unknown, existingId?: string): ValidatedBody {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new EmulatorError(400, 'BadRequest', 'The request body must be a JSON object.');
  const changes: Record<string, unknown> = {};
  const nested: Record<string, unknown[]> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key.startsWith('@odata.') || key.startsWith('@')) continue;
    const nav = def.navigations?.[key];
    if (nav?.kind === 'many' && existingId === undefined) {
      if (!Array.isArray(value))
        throw new EmulatorError(400, 'BadRequest', `The navigation property '${key}' must be a JSON array.`);
      nested[key] = value;
      continue;
    }
    if (nav)
      throw new EmulatorError(400, 'BadRequest', `Deep update of the navigation property '${key}' is not supported.`);
    const field = def.fields[key];
    if (!field || key.startsWith('__'))
      throw new EmulatorError(
        400,
        'BadRequest',
        `The property '${key}' does not exist on type 'Microsoft.NAV.${def.entityName}'. Make sure to only use property names that are defined by the type.`,
      );
    if (field.readOnly) {
      if (key === 'id' && existingId !== undefined && typeof value === 'string' && value.toLowerCase() === existingId)
        continue;
      throw new EmulatorError(
        400,
        'Application_FieldValidationException',
        `The field '${key}' of the entity '${def.entityName}' is read-only and cannot be set.`,
      );
    }
    changes[key] = checkValue(def, key, field, value);
  }
  return { changes, nested };
}

function checkValue(def: EntityDef, key: string, field: FieldDef, value: unknown): unknown {
  const typeName = (t: string): never => {
    throw new EmulatorError(
      400,
      'BadRequest',
      `Cannot convert the literal '${JSON.stringify(value)}' to the expected type '${t}' of the property '${key}'.`,
    );
  };
  switch (field.type) {
    case 'string': {
      if (value === null) return '';
      if (typeof value !== 'string') return typeName('Edm.String');
      if (field.maxLength !== undefined && value.length > field.maxLength)
        throw new EmulatorError(
          400,
          'Application_StringExceededLength',
          `The length of the string is ${value.length}, but it must be less than or equal to ${field.maxLength} characters. Value: ${value}`,
        );
      return value;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return typeName('Edm.Decimal');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') return typeName('Edm.Boolean');
      return value;
    case 'guid':
      if (value === null) return '00000000-0000-0000-0000-000000000000';
      if (typeof value !== 'string' || !GUID.test(value))
        throw new EmulatorError(
          400,
          'Application_InvalidGUID',
          `Invalid GUID value '${JSON.stringify(value)}' for the property '${key}' of '${def.entityName}'.`,
        );
      return value.toLowerCase();
    case 'date':
      if (value === null || value === '0001-01-01') return null;
      if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(value)))
        return typeName('Edm.Date');
      return value;
    case 'datetime':
      if (value === null) return null;
      if (typeof value !== 'string' || !DATETIME.test(value) || Number.isNaN(Date.parse(value)))
        return typeName('Edm.DateTimeOffset');
      return new Date(value).toISOString();
    case 'enum':
      if (typeof value !== 'string' || !field.values!.includes(value))
        throw new EmulatorError(
          400,
          'Unknown',
          `Cannot convert the literal '${String(value)}' to the expected type 'Microsoft.NAV.${field.enumType ?? key}'.`,
        );
      return value;
  }
}

/** The empty value of a field as BC returns it ('' for text, 0, false, the empty GUID, null dates). */
export function emptyValue(field: FieldDef): unknown {
  switch (field.type) {
    case 'string':
      return '';
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'guid':
      return '00000000-0000-0000-0000-000000000000';
    case 'enum':
      return field.values![0];
    default:
      return null;
  }
}
