// Choice metadata over the Web API: `InsertOptionValue` (unbound action) and the attribute definitions read as
// `GET EntityDefinitions(LogicalName='account')/Attributes(LogicalName='paymenttermscode')
// /Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet`, in the documented shape
// (OptionSet.Options[].Value, Label.LocalizedLabels[], Label.UserLocalizedLabel.Label).
import { createHash } from 'node:crypto';
import { json, type DataverseCore, type DvRequest, type DvResponse } from './core';
import { CODES, DataverseError, badRequest, resourceNotFound } from './errors';
import { DuplicateOptionValue, columnsUsing, optionSetOf, type OptionValue } from './option-sets';
import { TABLES_BY_LOGICAL_NAME, type TableDef } from './schema';

const LANGUAGE = 1033;
const PICKLIST_CAST = 'Microsoft.Dynamics.CRM.PicklistAttributeMetadata';

/** A stable GUID for a metadata item (the real service has fixed MetadataIds too). */
function metadataId(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('/')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function label(text: string | undefined, ...idParts: string[]): Record<string, unknown> {
  if (text === undefined) return { LocalizedLabels: [], UserLocalizedLabel: null };
  const localized = {
    Label: text,
    LanguageCode: LANGUAGE,
    IsManaged: false,
    MetadataId: metadataId('label', ...idParts),
    HasChanged: null,
  };
  return { LocalizedLabels: [localized], UserLocalizedLabel: localized };
}

function optionJson(setName: string, option: OptionValue): Record<string, unknown> {
  return {
    Value: option.value,
    Color: null,
    IsManaged: false,
    ExternalValue: '',
    ParentValues: [],
    Tag: null,
    IsHidden: false,
    MetadataId: null,
    HasChanged: null,
    Label: label(option.label, setName, String(option.value)),
    Description: label(undefined),
  };
}

function findTable(logicalName: string): TableDef {
  const table = TABLES_BY_LOGICAL_NAME.get(logicalName.toLowerCase());
  if (table === undefined) {
    throw new DataverseError(404, CODES.notFound, `Could not find entity with logical name '${logicalName}'.`);
  }
  return table;
}

function findAttribute(table: TableDef, logicalName: string): string {
  const column = logicalName.toLowerCase();
  if (table.columns[column] === undefined) {
    throw new DataverseError(
      404,
      CODES.notFound,
      `Could not find attribute '${logicalName}' on entity '${table.logicalName}'.`,
    );
  }
  return column;
}

const ATTRIBUTE_PATH =
  /^EntityDefinitions\(LogicalName='([^']+)'\)\/Attributes\(LogicalName='([^']+)'\)(?:\/([\w.]+))?$/i;

/** True when the path addresses the metadata routes this module serves. */
export function isMetadataPath(path: string): boolean {
  return /^EntityDefinitions\(/i.test(path);
}

/**
 * `GET EntityDefinitions(LogicalName='t')/Attributes(LogicalName='c')[/Microsoft.Dynamics.CRM.PicklistAttributeMetadata]`
 * with `$select` (top-level properties) and `$expand=OptionSet` / `GlobalOptionSet`. Throws 404 for an unknown table or
 * column and for the Picklist cast of a column that is not a picklist.
 */
export function getAttributeMetadata(core: DataverseCore, request: DvRequest): DvResponse {
  const m = ATTRIBUTE_PATH.exec(request.path);
  if (m === null) throw resourceNotFound(request.path);
  const table = findTable(m[1] ?? '');
  const column = findAttribute(table, m[2] ?? '');
  const cast = m[3];
  const optionSet = optionSetOf(table, column);
  if (cast !== undefined && cast !== PICKLIST_CAST) throw resourceNotFound(cast);
  if (cast === PICKLIST_CAST && optionSet === undefined) {
    throw resourceNotFound(`${PICKLIST_CAST} of attribute '${column}'`);
  }
  const attribute: Record<string, unknown> = {
    MetadataId: metadataId('attribute', table.logicalName, column),
    LogicalName: column,
    SchemaName: column,
    EntityLogicalName: table.logicalName,
    AttributeType: optionSet === undefined ? table.columns[column]?.type : 'Picklist',
    AttributeTypeName: { Value: optionSet === undefined ? 'Unknown' : 'PicklistType' },
    IsCustomAttribute: false,
  };
  const select = request.query
    .get('$select')
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const body: Record<string, unknown> = {
    '@odata.context':
      `${request.serviceRoot}/$metadata#EntityDefinitions('${table.logicalName}')/Attributes/` +
      `${optionSet === undefined ? 'Microsoft.Dynamics.CRM.AttributeMetadata' : PICKLIST_CAST}/$entity`,
  };
  if (cast === undefined && optionSet !== undefined) body['@odata.type'] = `#${PICKLIST_CAST}`;
  for (const [name, value] of Object.entries(attribute)) {
    if (select === undefined || select.includes(name)) body[name] = value;
  }
  const expand = (request.query.get('$expand') ?? '').split(',').map((s) => s.trim().replace(/\(.*$/, ''));
  for (const nav of expand.filter((e) => e !== '')) {
    if (nav !== 'OptionSet' && nav !== 'GlobalOptionSet') {
      throw badRequest(`Could not find a property named '${nav}' on type '${PICKLIST_CAST}'.`);
    }
    if (optionSet === undefined) throw badRequest(`'${nav}' can only be expanded on a picklist attribute.`);
    const setJson = {
      MetadataId: metadataId('optionset', optionSet.name),
      HasChanged: null,
      IsCustomOptionSet: false,
      IsGlobal: optionSet.isGlobal,
      IsManaged: false,
      Name: optionSet.name,
      ExternalTypeName: null,
      OptionSetType: 'Picklist',
      ParentOptionSetName: null,
      Description: label(undefined),
      DisplayName: label(undefined),
      Options: (core.store.optionSets.options(optionSet.name) ?? []).map((o) => optionJson(optionSet.name, o)),
    };
    // The real service answers GlobalOptionSet as null for a local set and OptionSet for both.
    body[nav] = nav === 'GlobalOptionSet' && !optionSet.isGlobal ? null : setJson;
  }
  return json(200, body);
}

/** The text of a `Label` complex value: the 1033 localized label, else the first one. */
function labelText(value: unknown): string | undefined {
  const labels = (value as { LocalizedLabels?: unknown } | null | undefined)?.LocalizedLabels;
  if (!Array.isArray(labels)) return undefined;
  const entries = labels.filter(
    (l): l is { Label: string; LanguageCode?: number } => typeof (l as { Label?: unknown })?.Label === 'string',
  );
  const chosen = entries.find((l) => l.LanguageCode === LANGUAGE) ?? entries[0];
  return chosen === undefined || chosen.Label.trim() === '' ? undefined : chosen.Label;
}

/**
 * `POST InsertOptionValue` (unbound): adds an option to the local option set of `EntityLogicalName` +
 * `AttributeLogicalName`, or to the global set `OptionSetName`; every column using the set sees it. `Value` is
 * optional (the next value from 100,000,000 up); `Label` is required. Answers 200 `{ NewOptionValue }`; throws 400 for a
 * missing label, a column without an option set or a value the set has (PicklistValueNotUnique), 404 for an unknown
 * table, column or option set.
 */
export function insertOptionValue(core: DataverseCore, request: DvRequest): DvResponse {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const text = labelText(body.Label);
  if (text === undefined) {
    throw badRequest(
      'InsertOptionValue needs a Label: { "LocalizedLabels": [{ "Label": "…", "LanguageCode": 1033 }] }.',
      CODES.invalidArgument,
    );
  }
  const value = body.Value;
  if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isInteger(value))) {
    throw badRequest(`The option value ${JSON.stringify(value)} is not an Edm.Int32.`, CODES.invalidArgument);
  }
  let setName: string;
  if (typeof body.OptionSetName === 'string' && body.OptionSetName !== '') {
    setName = body.OptionSetName;
    const users = columnsUsing(setName);
    if (users.length === 0 || optionSetOf(users[0].table, users[0].column)?.isGlobal !== true) {
      throw new DataverseError(
        404,
        CODES.notFound,
        `Could not find a global option set named '${setName}'. For a local option set pass EntityLogicalName and AttributeLogicalName.`,
      );
    }
  } else {
    if (typeof body.EntityLogicalName !== 'string' || typeof body.AttributeLogicalName !== 'string') {
      throw badRequest(
        'InsertOptionValue needs OptionSetName (a global option set) or EntityLogicalName and AttributeLogicalName.',
        CODES.invalidArgument,
      );
    }
    const table = findTable(body.EntityLogicalName);
    const column = findAttribute(table, body.AttributeLogicalName);
    const optionSet = optionSetOf(table, column);
    if (optionSet === undefined) {
      throw badRequest(
        `The attribute '${column}' of '${table.logicalName}' is not a picklist attribute with an option set.`,
        CODES.invalidArgument,
      );
    }
    setName = optionSet.name;
  }
  let newValue: number;
  try {
    newValue = core.store.optionSets.insert(setName, text, typeof value === 'number' ? value : undefined);
  } catch (error) {
    if (error instanceof DuplicateOptionValue) {
      throw badRequest(
        'The picklist value already exists.  Picklist values must be unique.',
        CODES.picklistValueNotUnique,
      );
    }
    throw error;
  }
  core.store.noteMetadataChange();
  return json(200, {
    '@odata.context': `${request.serviceRoot}/$metadata#Microsoft.Dynamics.CRM.InsertOptionValueResponse`,
    NewOptionValue: newValue,
  });
}
