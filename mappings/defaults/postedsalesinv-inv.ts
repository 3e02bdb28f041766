import type { IntegrationTableMappingInput } from '../mapping-model';
import { salespersonOwnerLookup, currencyLookup } from './shared-lookups';

/**
 * POSTEDSALESINV-INV: posted BC sales invoices → Dataverse invoices with their lines (reference/bc-sync-semantics.md
 * §4.10, §8.11). API v2.0 `salesInvoices` merges drafts and posted invoices; the filter keeps posted ones.
 * The entity rules (activities/entity-rules/posted-sales-invoice.ts) do what BC does in code: the price list
 * (`pricelevelid`: an active price list in the invoice's currency, else a new one), the lines (BC's line mapping
 * POSTEDSALESLINE-INV, which has no job: quantity, unit price, line discount, tax, the coupled product and its unit,
 * write-in products for G/L account, charge and comment lines) created with the header in one deep insert, and
 * "created once, never re-sent". As in BC, what an invoice refers to and is not coupled yet is synchronized on demand
 * first (activities/page/on-demand.ts): its customer through CUSTOMER, the items and resources of its lines through
 * ITEM-PRODUCT and RESOURCE-PRODUCT, each logged as a `records` job of that mapping. When that cannot couple it (a
 * customer whose salesperson is not coupled, say), the invoice fails naming the customer and why; a line whose item
 * or resource still has no product fails the whole invoice, which then waits: retried on every run, never parked.
 * Dataverse computes the invoice totals from the lines, so BC's Amount and Amount Including VAT are not sent (the
 * invoice discount is: the totals subtract it). The payment state (paid / partially paid) is the Customer Statistics
 * job's. Left out for lack of API v2.0 header properties: Shipment Date (datedelivered), Shipping Agent Code, Work
 * Description. Payment Terms would need the PAYMENT TERMS option mapping.
 */
export const postedSalesInvInvMapping: IntegrationTableMappingInput = {
  name: 'POSTEDSALESINV-INV',
  description: 'Posted Business Central sales invoices → Dataverse invoices with their lines',
  bc: {
    entitySet: 'salesInvoices',
    caption: 'Posted sales invoice',
    titleField: 'number',
    numberField: 'number',
    filter: "status ne 'Draft' and status ne 'In Review'",
  },
  dataverse: { entitySet: 'invoices', key: 'invoiceid', caption: 'invoice', titleField: 'name' },
  direction: 'to-dataverse',
  onlyCoupled: false,
  dependencies: ['CUSTOMER', 'SALESPRC-PRODPRICE', 'ITEM-PRODUCT', 'RESOURCE-PRODUCT'],
  fieldMappings: [
    {
      bcField: 'number',
      dvField: 'invoicenumber',
      direction: 'to-dataverse',
      type: 'code',
      dvType: 'text',
      dvMaxLength: 100,
    },
    {
      bcField: 'number',
      dvField: 'name',
      direction: 'to-dataverse',
      type: 'code',
      dvType: 'text',
      dvMaxLength: 300,
      dvRequired: true,
    },
    {
      bcField: 'customerId',
      dvField: 'customerid',
      direction: 'to-dataverse',
      type: 'guid',
      caption: 'customer',
      dvRequired: true,
      lookup: {
        kind: 'coupling',
        mapping: 'CUSTOMER',
        bcKey: 'id',
        dvEntitySet: 'accounts',
        dvNavigation: 'customerid_account',
        bcCaption: 'customer',
        dvCaption: 'account',
        syncOnDemand: true,
      },
    },
    {
      bcField: 'salesperson',
      dvField: 'ownerid',
      direction: 'to-dataverse',
      type: 'code',
      notNull: true,
      caption: 'salesperson',
      lookup: salespersonOwnerLookup,
    },
    {
      bcField: 'currencyCode',
      dvField: 'transactioncurrencyid',
      direction: 'to-dataverse',
      type: 'code',
      caption: 'currency',
      lookup: currencyLookup,
    },
    { bcField: 'dueDate', dvField: 'duedate', direction: 'to-dataverse', type: 'date' },
    { bcField: 'shipToName', dvField: 'shipto_name', direction: 'to-dataverse', dvMaxLength: 200 },
    { bcField: 'shipToAddressLine1', dvField: 'shipto_line1', direction: 'to-dataverse', dvMaxLength: 250 },
    { bcField: 'shipToAddressLine2', dvField: 'shipto_line2', direction: 'to-dataverse', dvMaxLength: 250 },
    { bcField: 'shipToCity', dvField: 'shipto_city', direction: 'to-dataverse', dvMaxLength: 80 },
    { bcField: 'shipToCountry', dvField: 'shipto_country', direction: 'to-dataverse', dvMaxLength: 80 },
    { bcField: 'shipToPostCode', dvField: 'shipto_postalcode', direction: 'to-dataverse', dvMaxLength: 20 },
    { bcField: 'shipToState', dvField: 'shipto_stateorprovince', direction: 'to-dataverse', dvMaxLength: 50 },
    { bcField: 'billToName', dvField: 'billto_name', direction: 'to-dataverse', dvMaxLength: 200 },
    { bcField: 'billToAddressLine1', dvField: 'billto_line1', direction: 'to-dataverse', dvMaxLength: 250 },
    { bcField: 'billToAddressLine2', dvField: 'billto_line2', direction: 'to-dataverse', dvMaxLength: 250 },
    { bcField: 'billToCity', dvField: 'billto_city', direction: 'to-dataverse', dvMaxLength: 80 },
    { bcField: 'billToCountry', dvField: 'billto_country', direction: 'to-dataverse', dvMaxLength: 80 },
    { bcField: 'billToPostCode', dvField: 'billto_postalcode', direction: 'to-dataverse', dvMaxLength: 20 },
    { bcField: 'billToState', dvField: 'billto_stateorprovince', direction: 'to-dataverse', dvMaxLength: 50 },
    { bcField: 'discountAmount', dvField: 'discountamount', direction: 'to-dataverse', type: 'number' },
  ],
};
