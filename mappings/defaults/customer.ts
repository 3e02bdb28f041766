import type { IntegrationTableMappingInput } from '../mapping-model';

/**
 * CUSTOMER: BC customers ↔ Dataverse accounts (reference/bc-sync-semantics.md §8.3), translated to API v2.0 names.
 * Complete: every §8.3 field that has an API v2.0 equivalent is mapped.
 *
 * Left out because the BC API v2.0 `customers` entity has no such property:
 * - Contact (→ address1_primarycontactname), Fax No. (→ fax), Mobile Phone No. (→ telephone2),
 *   Primary Contact No. (→ primarycontactid).
 * - The `owneridtype` constant: with the Web API the owner type follows from the `ownerid@odata.bind` target
 *   (`/systemusers(..)`), so no constant is needed.
 * The DV-side `companyid = own company | empty` condition of BC belongs to BC's proxy tables and is not applied.
 * Payment terms, shipment method and shipping agent are read as codes from the custom page `customerCards` and
 * translated through the option mappings (mappings/option-mappings.ts).
 */
export const customerMapping: IntegrationTableMappingInput = {
  name: 'CUSTOMER',
  description: 'Business Central customers ↔ Dataverse accounts of type Customer',
  complete: true,
  bc: {
    // The custom page `customerCards` (same records as v2.0 `customers`) carries the codes v2.0 lacks: payment terms,
    // shipment method and shipping agent codes (the option mappings pair codes, not ids).
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
      lookup: {
        kind: 'coupling',
        mapping: 'SALESPEOPLE',
        bcKey: 'code',
        dvEntitySet: 'systemusers',
        bcCaption: 'salesperson',
        dvCaption: 'user',
      },
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
      lookup: {
        kind: 'coupling',
        mapping: 'CURRENCY',
        bcKey: 'code',
        dvEntitySet: 'transactioncurrencies',
        bcCaption: 'currency',
        dvCaption: 'currency',
        blankIsBaseCurrency: true,
      },
      note: 'blank (LCY) ⇔ the Dataverse base currency',
    },
    { bcField: 'email', dvField: 'emailaddress1', direction: 'bidirectional', bcMaxLength: 80, dvMaxLength: 100 },
    { bcField: 'website', dvField: 'websiteurl', direction: 'bidirectional', bcMaxLength: 80, dvMaxLength: 200 },
    { bcField: 'phoneNumber', dvField: 'telephone1', direction: 'bidirectional', bcMaxLength: 30, dvMaxLength: 50 },
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
