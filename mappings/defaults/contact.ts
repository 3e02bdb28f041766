import type { IntegrationTableMappingInput } from '../mapping-model';
import { salespersonOwnerLookup, currencyLookup } from './shared-lookups';

/**
 * CONTACT: BC person contacts of customer companies ↔ Dataverse contacts (reference/bc-sync-semantics.md §8.5,
 * §4.10), read and written through the custom API page `contactCards` (docs/emulators.md): the same records as API
 * v2.0 `contacts`, plus the Contact Card fields v2.0 lacks (First Name, Middle Name, Surname, Fax No., Pager, Currency
 * Code, Salesperson Code). Complete: every §8.5 field BC enables by default is mapped.
 *
 * - The parent account is a field mapping here (BC derives it in code): `companyNumber` ↔ `parentcustomerid`,
 *   resolved through the CUSTOMER couplings (`bcKey: company-contact-number` = "the customer whose company contact
 *   has this number"). A person whose company is not a customer is ignored, not counted (BC's post-filter); a
 *   company whose customer is not coupled yet fails the contact with "run CUSTOMER first".
 * - Name: First Name, Middle Name and Surname ↔ firstname, middlename, lastname, as BC maps them. BC keeps the
 *   contact's Name (`displayName`) in agreement with its parts; Dataverse composes the read-only `fullname`.
 * - Salesperson Code → ownerid resolves through the SALESPEOPLE couplings (Person ownership; a blank salesperson
 *   leaves the owner unchanged); Currency Code ↔ transactioncurrencyid through the CURRENCY couplings (blank = the
 *   Dataverse base currency), as CUSTOMER's.
 * - Salutation Code (→ salutation) is BC's extra mapping, created disabled; it is left out (the emulator has no
 *   Salutation table to check the codes against).
 * Primary contact fix-ups after inserts (both directions): activities/entity-rules/contact.ts.
 * Constants not needed with the Web API: `parentcustomeridtype = account` (implied by binding
 * `parentcustomerid_account`), `owneridtype` (implied by the `/systemusers(..)` owner binding). The BC-side constant
 * `type = Person` is kept.
 * DV filter: BC's `parentcustomeridtype = account` cannot be expressed in a Web API filter; a contact whose parent is
 * another contact resolves as "no target" through the CUSTOMER couplings and is ignored.
 */
export const contactMapping: IntegrationTableMappingInput = {
  name: 'CONTACT',
  description: 'Business Central person contacts of customer companies ↔ Dataverse contacts',
  complete: true,
  bc: {
    // The custom page `contactCards` (same records, ids and ETags as v2.0 `contacts`) carries the Contact Card fields
    // v2.0 lacks.
    api: 'custom',
    entitySet: 'contactCards',
    caption: 'Contact',
    titleField: 'displayName',
    numberField: 'number',
    filter: "type eq 'Person' and companyNumber ne ''",
    template: { type: 'Person' },
    createKey: { field: 'number', prefix: 'DV', hashLength: 10 },
  },
  dataverse: {
    entitySet: 'contacts',
    key: 'contactid',
    caption: 'contact',
    titleField: 'fullname',
    filter: '_parentcustomerid_value ne null and statecode eq 0',
  },
  direction: 'bidirectional',
  dependencies: ['CUSTOMER', 'SALESPEOPLE', 'CURRENCY'],
  // Match-based coupling (bc-sync-semantics §7.4): how an uncoupled record is recognised on the other side.
  matchCriteria: [
    {
      fields: [
        { bcField: 'email', dvField: 'emailaddress1' },
        { bcField: 'companyNumber', dvField: 'parentcustomerid' },
      ],
    },
  ],
  fieldMappings: [
    {
      bcField: 'companyNumber',
      dvField: 'parentcustomerid',
      direction: 'bidirectional',
      type: 'code',
      caption: 'company customer',
      bcRequired: true,
      lookup: {
        kind: 'coupling',
        mapping: 'CUSTOMER',
        bcKey: 'company-contact-number',
        dvEntitySet: 'accounts',
        dvNavigation: 'parentcustomerid_account',
        bcCaption: 'customer',
        dvCaption: 'account',
        ignoreRecordWithoutTarget: true,
      },
      note: 'parent account derived from the CUSTOMER coupling of the contact’s company',
    },
    {
      bcField: 'salespersonCode',
      dvField: 'ownerid',
      direction: 'to-dataverse',
      type: 'code',
      notNull: true,
      caption: 'salesperson',
      lookup: salespersonOwnerLookup,
      note: 'Person ownership; a blank salesperson leaves the owner unchanged (Not Null)',
    },
    {
      bcField: 'currencyCode',
      dvField: 'transactioncurrencyid',
      direction: 'bidirectional',
      type: 'code',
      caption: 'currency',
      lookup: currencyLookup,
      note: 'blank (LCY) ⇔ the Dataverse base currency',
    },
    {
      bcField: 'addressLine1',
      dvField: 'address1_line1',
      direction: 'bidirectional',
      bcMaxLength: 100,
      dvMaxLength: 250,
    },
    {
      bcField: 'addressLine2',
      dvField: 'address1_line2',
      direction: 'bidirectional',
      bcMaxLength: 50,
      dvMaxLength: 250,
    },
    {
      bcField: 'postalCode',
      dvField: 'address1_postalcode',
      direction: 'bidirectional',
      type: 'code',
      dvType: 'text',
      bcMaxLength: 20,
      dvMaxLength: 20,
    },
    { bcField: 'city', dvField: 'address1_city', direction: 'bidirectional', bcMaxLength: 30, dvMaxLength: 80 },
    {
      bcField: 'country',
      dvField: 'address1_country',
      direction: 'bidirectional',
      type: 'code',
      dvType: 'text',
      bcMaxLength: 10,
      dvMaxLength: 80,
    },
    {
      bcField: 'state',
      dvField: 'address1_stateorprovince',
      direction: 'bidirectional',
      bcMaxLength: 30,
      dvMaxLength: 50,
    },
    { bcField: 'email', dvField: 'emailaddress1', direction: 'bidirectional', bcMaxLength: 80, dvMaxLength: 100 },
    // ── Contact Card fields of the `contactCards` page (name parts, fax, pager) ──
    { bcField: 'faxNumber', dvField: 'fax', direction: 'bidirectional', bcMaxLength: 30, dvMaxLength: 50 },
    { bcField: 'firstName', dvField: 'firstname', direction: 'bidirectional', bcMaxLength: 30, dvMaxLength: 50 },
    { bcField: 'middleName', dvField: 'middlename', direction: 'bidirectional', bcMaxLength: 30, dvMaxLength: 50 },
    {
      bcField: 'surname',
      dvField: 'lastname',
      direction: 'bidirectional',
      bcMaxLength: 30,
      dvMaxLength: 50,
      dvRequired: true,
      note: 'BC composes the contact’s Name from First Name, Middle Name and Surname',
    },
    { bcField: 'website', dvField: 'websiteurl', direction: 'bidirectional', bcMaxLength: 80, dvMaxLength: 200 },
    {
      bcField: 'mobilePhoneNumber',
      dvField: 'mobilephone',
      direction: 'bidirectional',
      bcMaxLength: 30,
      dvMaxLength: 50,
    },
    { bcField: 'pager', dvField: 'pager', direction: 'bidirectional', bcMaxLength: 30, dvMaxLength: 50 },
    { bcField: 'phoneNumber', dvField: 'telephone1', direction: 'bidirectional', bcMaxLength: 30, dvMaxLength: 50 },
    // ── end of the Contact Card fields ──
    {
      bcField: 'type',
      constant: 'Person',
      direction: 'to-bc',
      note: 'contacts created or updated from Dataverse are persons',
    },
  ],
};
