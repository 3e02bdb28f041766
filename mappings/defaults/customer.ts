import type { IntegrationTableMappingInput } from '../mapping-model';
import { salespersonOwnerLookup, currencyLookup } from './shared-lookups';

/**
 * CUSTOMER: BC customers ↔ Dataverse accounts (reference/bc-sync-semantics.md §8.3), read and written through the
 * custom API page `customerCards` (docs/emulators.md): the same records as API v2.0 `customers`, plus the Customer Card
 * fields v2.0 lacks (Contact, Fax No., Mobile Phone No., Primary Contact No., the option codes).
 * Complete: every §8.3 field BC enables by default is mapped (the option fields through their option mappings).
 *
 * - Primary Contact No. ↔ primarycontactid resolves through the CONTACT couplings with "clear value on failed sync",
 *   as BC has it: CONTACT depends on CUSTOMER, so on an account's first insert its primary contact is usually not
 *   coupled yet; the account is written without it, and CONTACT's entity rules (activities/entity-rules/contact.ts)
 *   fill it in on both sides after the contacts are inserted (§4.10).
 * - Mobile Phone No. (→ telephone2) and No. (→ accountnumber) are BC's extra mappings, created disabled.
 * - The `owneridtype` constant is not needed: with the Web API the owner type follows from the `ownerid@odata.bind`
 *   target (`/systemusers(..)`).
 * The DV-side `companyid = own company | empty` condition of BC belongs to BC's proxy tables and is not applied.
 * Payment terms, shipment method and shipping agent are read as codes from the custom page `customerCards` and
 * translated through the option mappings (mappings/option-mappings.ts).
 */
export const customerMapping: IntegrationTableMappingInput = {
  name: 'CUSTOMER',
  description: 'Business Central customers ↔ Dataverse accounts of type Customer',
  complete: true,
  bc: {
    // The custom page `customerCards` (same records, ids and ETags as v2.0 `customers`) carries the Customer Card
    // fields v2.0 lacks, and the codes the option mappings pair (payment terms, shipment method, shipping agent).
    api: 'custom',
    entitySet: 'customerCards',
    caption: 'Customer',
    titleField: 'displayName',
    numberField: 'number',
    filter: "blocked eq ' '",
    template: { type: 'Company' },
    createKey: { field: 'number', prefix: 'DV', hashLength: 10 },
  },
  dataverse: {
    entitySet: 'accounts',
    key: 'accountid',
    caption: 'account',
    titleField: 'name',
    // statecode 0 = Active; customertypecode 3 = Customer.
    filter: 'statecode eq 0 and customertypecode eq 3',
    template: { customertypecode: 3 },
  },
  direction: 'bidirectional',
  dependencies: ['SALESPEOPLE', 'CURRENCY'],
  // Match-based coupling (bc-sync-semantics §7.4): how an uncoupled record is recognised on the other side.
  matchCriteria: [
    { fields: [{ bcField: 'number', dvField: 'accountnumber' }] },
    { fields: [{ bcField: 'displayName', dvField: 'name' }] },
  ],
  fieldMappings: [
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
      bcField: 'displayName',
      dvField: 'name',
      direction: 'bidirectional',
      bcMaxLength: 100,
      dvMaxLength: 160,
      bcRequired: true,
      dvRequired: true,
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
    {
      bcField: 'currencyCode',
      dvField: 'transactioncurrencyid',
      direction: 'bidirectional',
      type: 'code',
      caption: 'currency',
      lookup: currencyLookup,
      note: 'blank (LCY) ⇔ the Dataverse base currency',
    },
    { bcField: 'email', dvField: 'emailaddress1', direction: 'bidirectional', bcMaxLength: 80, dvMaxLength: 100 },
    { bcField: 'website', dvField: 'websiteurl', direction: 'bidirectional', bcMaxLength: 80, dvMaxLength: 200 },
    { bcField: 'phoneNumber', dvField: 'telephone1', direction: 'bidirectional', bcMaxLength: 30, dvMaxLength: 50 },
    // ── Customer Card fields of the `customerCards` page (contact, fax, mobile phone, primary contact) ──
    {
      bcField: 'contactName',
      dvField: 'address1_primarycontactname',
      direction: 'bidirectional',
      bcMaxLength: 100,
      dvMaxLength: 100,
      note: 'BC sets it to the primary contact’s name when the primary contact changes',
    },
    { bcField: 'faxNumber', dvField: 'fax', direction: 'bidirectional', bcMaxLength: 30, dvMaxLength: 50 },
    {
      bcField: 'mobilePhoneNumber',
      dvField: 'telephone2',
      direction: 'bidirectional',
      enabled: false,
      bcMaxLength: 30,
      dvMaxLength: 50,
      note: 'extra mapping, disabled by default as in BC',
    },
    {
      bcField: 'primaryContactNumber',
      dvField: 'primarycontactid',
      direction: 'bidirectional',
      type: 'code',
      caption: 'primary contact',
      clearValueOnFailedSync: true,
      lookup: {
        kind: 'coupling',
        mapping: 'CONTACT',
        bcKey: 'number',
        dvEntitySet: 'contacts',
        bcCaption: 'contact',
        dvCaption: 'contact',
      },
      note: 'through the CONTACT couplings; cleared when the contact is not coupled (yet): CONTACT’s rules fill it in',
    },
    // ── end of the Customer Card fields ──
    {
      bcField: 'shipmentMethodCode',
      dvField: 'address1_freighttermscode',
      direction: 'bidirectional',
      type: 'code',
      dvType: 'option',
      caption: 'shipment method',
      lookup: {
        kind: 'option',
        optionSet: 'SHIPMENT METHOD',
        bcCaption: 'shipment method',
        dvCaption: 'freight terms option',
      },
      note: 'through the SHIPMENT METHOD option mapping (a code without a choice value gets one)',
    },
    {
      bcField: 'shippingAgentCode',
      dvField: 'address1_shippingmethodcode',
      direction: 'bidirectional',
      type: 'code',
      dvType: 'option',
      caption: 'shipping agent',
      lookup: {
        kind: 'option',
        optionSet: 'SHIPPING AGENT',
        bcCaption: 'shipping agent',
        dvCaption: 'shipping method option',
      },
      note: 'through the SHIPPING AGENT option mapping (a code without a choice value gets one)',
    },
    {
      bcField: 'paymentTermsCode',
      dvField: 'paymenttermscode',
      direction: 'bidirectional',
      type: 'code',
      dvType: 'option',
      caption: 'payment terms',
      lookup: {
        kind: 'option',
        optionSet: 'PAYMENT TERMS',
        bcCaption: 'payment terms',
        dvCaption: 'payment terms option',
      },
      note: 'through the PAYMENT TERMS option mapping (a code without a choice value gets one)',
    },
    { bcField: 'creditLimit', dvField: 'creditlimit', direction: 'to-dataverse', type: 'number' },
    {
      bcField: 'number',
      dvField: 'accountnumber',
      direction: 'to-dataverse',
      type: 'code',
      dvType: 'text',
      enabled: false,
      dvMaxLength: 20,
      note: 'extra mapping, disabled by default as in BC',
    },
    {
      bcField: 'blocked',
      dvField: 'statecode',
      direction: 'to-bc',
      dvType: 'option',
      transform: 'blocked-to-statecode',
      enabled: false,
      note: 'extra: an inactive account blocks the customer (All); disabled because the DV filter only reads active accounts',
    },
  ],
};
