import type { IntegrationTableMappingInput } from '../mapping-model';

/**
 * CONTACT: BC person contacts of customer companies ↔ Dataverse contacts (reference/bc-sync-semantics.md §8.5,
 * §4.10), translated to API v2.0 names. Complete for the fields API v2.0 exposes.
 *
 * - The parent account is a field mapping here (BC derives it in code): `companyNumber` ↔ `parentcustomerid`,
 *   resolved through the CUSTOMER couplings (`bcKey: company-contact-number` = "the customer whose company contact
 *   has this number"). A person whose company is not a customer is ignored, not counted (BC's post-filter); a
 *   company whose customer is not coupled yet fails the contact with "run CUSTOMER first".
 * - Name: API v2.0 contacts have only `displayName` (no First Name / Middle Name / Surname), and Dataverse
 *   `fullname` is read-only, so the name flows as displayName → firstname + lastname (split at the last word) and
 *   firstname + middlename + lastname → displayName. These are one-way field mappings, so a name changed on both
 *   sides is not reported as a conflict (the BC → DV pass runs first and wins).
 *
 * Left out because API v2.0 `contacts` has no such property (checked against the BC emulator's `contacts` entity,
 * which has the documented v2.0 shape): Salesperson Code (→ ownerid), Currency Code (→ transactioncurrencyid),
 * Fax No. (→ fax), Pager (→ pager), Middle Name (→ middlename: it still reaches BC inside the composed displayName),
 * Salutation Code (→ salutation, disabled in BC anyway). Mapping them needs a custom API page over the Contact table,
 * as `customerCards` is over the Customer table; no such page is published yet.
 * Primary contact fix-ups after inserts (both directions): activities/entity-rules/contact.ts.
 * Constants not needed with the Web API: `parentcustomeridtype = account` (implied by binding
 * `parentcustomerid_account`), `owneridtype`. The BC-side constant `type = Person` is kept.
 * DV filter: BC's `parentcustomeridtype = account` cannot be expressed in a Web API filter; a contact whose parent is
 * another contact resolves as "no target" through the CUSTOMER couplings and is ignored.
 */
export const contactMapping: IntegrationTableMappingInput = {
  name: 'CONTACT',
  description: 'Business Central person contacts of customer companies ↔ Dataverse contacts',
  complete: true,
  bc: {
    entitySet: 'contacts',
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
  dependencies: ['CUSTOMER'],
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
      bcField: 'displayName',
      dvField: 'firstname',
      direction: 'to-dataverse',
      transform: 'first-name',
      dvMaxLength: 50,
    },
    {
      bcField: 'displayName',
      dvField: 'lastname',
      direction: 'to-dataverse',
      transform: 'last-name',
      dvMaxLength: 50,
      dvRequired: true,
    },
    {
      bcField: 'displayName',
      dvField: 'fullname',
      direction: 'to-bc',
      transform: 'person-full-name',
      bcMaxLength: 100,
      bcRequired: true,
      note: 'composed from firstname, middlename, lastname (fullname itself is read-only in Dataverse)',
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
    { bcField: 'website', dvField: 'websiteurl', direction: 'bidirectional', bcMaxLength: 80, dvMaxLength: 200 },
    {
      bcField: 'mobilePhoneNumber',
      dvField: 'mobilephone',
      direction: 'bidirectional',
      bcMaxLength: 30,
      dvMaxLength: 50,
    },
    { bcField: 'phoneNumber', dvField: 'telephone1', direction: 'bidirectional', bcMaxLength: 30, dvMaxLength: 50 },
    {
      bcField: 'type',
      constant: 'Person',
      direction: 'to-bc',
      note: 'contacts created or updated from Dataverse are persons',
    },
  ],
};
