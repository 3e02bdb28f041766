// Dataverse error responses: `{ "error": { "code": "0x…", "message": "…" } }` with the status mapping of api-facts B8.
// The hex codes are the real families where known (see docs/emulators-dataverse.md for the list).

import { EmulatorError } from '../shared/errors';

/** Every request failure is a shared `EmulatorError` (status, hex code, message); the dispatcher renders it. */
export { EmulatorError as DataverseError };

export const CODES = {
  generic: '0x80060888',
  notFound: '0x80040217',
  duplicateKey: '0x80040237',
  rowVersion: '0x80060882',
  invalidArgument: '0x80040203',
  maxLength: '0x80044331',
  outOfRange: '0x8004431a',
  duplicateRecord: '0x80040333',
  payload: '0x80048d19',
  invalidKey: '0x80060888',
  unsupportedMessage: '0x80040800',
  changeTrackingExpired: '0x80044352',
  changeTrackingNotEnabled: '0x80040216',
  requestLimit: '0x80072322',
  executionTimeLimit: '0x80072321',
  concurrencyLimit: '0x80072326',
  // Product catalog and metadata errors (Microsoft's web service error codes list).
  duplicateIsoCurrencyCode: '0x80048cf3',
  picklistValueNotUnique: '0x80044310',
  productMissingUomSchedule: '0x80043b13',
  productInvalidUnit: '0x80043b14',
  duplicateProductPriceLevel: '0x80043b08',
  quantityReadonly: '0x80043b18',
  productActiveToActive: '0x8004f982',
  productActiveToDraft: '0x8004f912',
  productDraftToRetired: '0x8004f978',
  productDraftToRevised: '0x8004f913',
  productRetiredToActive: '0x8004f977',
  productRetiredToDraft: '0x8004f979',
  productRetiredToRetired: '0x8004f980',
  // Sales documents: a paid or canceled invoice cannot be changed (its lines neither) until it is reactivated.
  invoiceReadOnly: '0x80040203',
} as const;

export const badRequest = (message: string, code: string = CODES.generic): EmulatorError =>
  new EmulatorError(400, code, message);

export const notFound = (logicalName: string, id: string): EmulatorError =>
  new EmulatorError(404, CODES.notFound, `Entity '${logicalName}' With Id = ${id} Does Not Exist`);

export const resourceNotFound = (segment: string): EmulatorError =>
  new EmulatorError(404, CODES.generic, `Resource not found for the segment '${segment}'.`);

export const invalidKey = (logicalName: string): EmulatorError =>
  new EmulatorError(
    400,
    CODES.invalidKey,
    `The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.${logicalName}'. ` +
      'Make sure both the names and number of the key properties match the resource key.',
  );

export const alreadyExists = (): EmulatorError =>
  new EmulatorError(412, CODES.duplicateKey, 'A record with matching key values already exists.');

export const rowVersionMismatch = (): EmulatorError =>
  new EmulatorError(
    412,
    CODES.rowVersion,
    "The version of the existing record doesn't match the RowVersion property provided.",
  );

/** Builds the JSON error body; with annotations requested, adds the PowerApps error-detail annotations. */
export function errorBody(error: EmulatorError, includeAnnotations: boolean): Record<string, unknown> {
  const inner: Record<string, unknown> = { code: error.code, message: error.message };
  if (includeAnnotations) {
    inner['@Microsoft.PowerApps.CDS.ErrorDetails.OperationStatus'] = error.status >= 500 ? 'Failed' : 'Invalid';
    inner['@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode'] = String(parseInt(error.code, 16) | 0);
    inner['@Microsoft.PowerApps.CDS.HelpLink'] =
      `http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a${error.code.slice(2)}&client=platform`;
    inner['@Microsoft.PowerApps.CDS.TraceText'] = '';
    inner['@Microsoft.PowerApps.CDS.InnerError.Message'] = error.message;
  }
  return { error: inner };
}
