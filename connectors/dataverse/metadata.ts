/**
 * Choice-column metadata of a Dataverse client: the values of a picklist column's option set (read through
 * `EntityDefinitions(LogicalName='…')/Attributes(LogicalName='…')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata`
 * with `$expand=OptionSet`) and `InsertOptionValue`, which adds a value to it. Used by the option mappings (PAYMENT
 * TERMS, SHIPMENT METHOD, SHIPPING AGENT; bc-sync-semantics §4.12).
 */
import { ValidationError } from '../http/errors';
import { parseJsonBody } from '../http/json-body';
import { queryString, stringLiteral } from '../http/odata';
import { sig } from '../http/util';
import { type DvContext, SERVICE } from './context';
import { type DataverseClient } from './types';

export type DvMetadata = Pick<DataverseClient, 'readChoiceOptions' | 'insertOptionValue'>;

/** English (United States), the language of the labels the product writes. */
const LANGUAGE_CODE = 1033;

/** A logical name goes into the URL inside quotes: refuse anything that is not shaped like one. */
function checkLogicalName(name: string, what: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new ValidationError({
      service: SERVICE,
      status: 0,
      code: 'InvalidLogicalName',
      message: `'${name}' is not a Dataverse ${what} logical name`,
      retryable: false,
    });
  }
  return name;
}

/** The label of an option: the user-localized one, else the 1033 one, else the first, else ''. */
function labelOf(option: Record<string, unknown>): string {
  const label = option['Label'] as
    | {
        UserLocalizedLabel?: { Label?: string } | null;
        LocalizedLabels?: Array<{ Label?: string; LanguageCode?: number }>;
      }
    | undefined;
  const localized = label?.LocalizedLabels ?? [];
  return (
    label?.UserLocalizedLabel?.Label ??
    localized.find((l) => l.LanguageCode === LANGUAGE_CODE)?.Label ??
    localized[0]?.Label ??
    ''
  );
}

/** The metadata operations of a client over `ctx`; see DataverseClient for each one's contract. */
export function createDvMetadata(ctx: DvContext): DvMetadata {
  return {
    async readChoiceOptions(table, column, opts = {}) {
      const entity = checkLogicalName(table, 'table');
      const attribute = checkLogicalName(column, 'column');
      const url =
        `${ctx.base}/EntityDefinitions(LogicalName=${stringLiteral(entity)})` +
        `/Attributes(LogicalName=${stringLiteral(attribute)})/Microsoft.Dynamics.CRM.PicklistAttributeMetadata` +
        queryString({ $select: 'LogicalName', $expand: 'OptionSet' });
      const description = `GET the choice values of ${entity}.${attribute}`;
      const body = await ctx.reader.getJson(url, description, sig(opts.signal));
      const optionSet = body['OptionSet'] as { Options?: Array<Record<string, unknown>> } | null | undefined;
      const options = optionSet?.Options;
      if (!Array.isArray(options)) {
        throw new ValidationError({
          service: SERVICE,
          status: 200,
          code: 'NoOptionSet',
          message: `Dataverse answered ${description} without an OptionSet (is ${entity}.${attribute} a choice column?)`,
          retryable: false,
        });
      }
      return options
        .filter((o) => typeof o['Value'] === 'number')
        .map((o) => ({ value: o['Value'] as number, label: labelOf(o) }));
    },

    async insertOptionValue(table, column, label, opts = {}) {
      const entity = checkLogicalName(table, 'table');
      const attribute = checkLogicalName(column, 'column');
      const description = `InsertOptionValue '${label}' into ${entity}.${attribute}`;
      const res = await ctx.http().request({
        method: 'POST',
        url: `${ctx.base}/InsertOptionValue`,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          EntityLogicalName: entity,
          AttributeLogicalName: attribute,
          Label: { LocalizedLabels: [{ Label: label, LanguageCode: LANGUAGE_CODE }] },
          ...(opts.value !== undefined ? { Value: opts.value } : {}),
        }),
        // With an explicit Value a repeat answers "already exists" (0x80044310) instead of adding a second value.
        idempotent: opts.value !== undefined,
        description,
        ...sig(opts.signal),
      });
      const answer = parseJsonBody(res, SERVICE, description) as { NewOptionValue?: unknown };
      if (typeof answer.NewOptionValue !== 'number') {
        throw new ValidationError({
          service: SERVICE,
          status: res.status,
          code: 'NoNewOptionValue',
          message: `Dataverse answered ${description} without a NewOptionValue`,
          retryable: false,
        });
      }
      return answer.NewOptionValue;
    },
  };
}
