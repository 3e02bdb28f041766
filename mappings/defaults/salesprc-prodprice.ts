import type { IntegrationTableMappingInput } from '../mapping-model';

/**
 * SALESPRC-PRODPRICE: BC sales prices for customer price groups (custom API page) → Dataverse price list items
 * (reference/bc-sync-semantics.md §8.10). New prices are created automatically (onlyCoupled = false, as in BC).
 * INCOMPLETE: Dataverse requires the unit (`uomid`) of a price list item; BC's legacy mapping derives it in code.
 * BC matches uncoupled DV price list items by (price list, product, unit) before inserting; the activity layer
 * should do the same.
 */
export const salesPrcProdPriceMapping: IntegrationTableMappingInput = {
  name: 'SALESPRC-PRODPRICE',
  description: 'Business Central sales prices (customer price groups) → Dataverse price list items',
  complete: false,
  incompleteReason: 'price list items need their unit and product, which this version does not set yet',
  bc: {
    api: 'custom',
    entitySet: 'salesPrices',
    caption: 'Sales price',
    titleField: 'itemNumber',
    filter: "salesType eq 'Customer Price Group' and salesCode ne ''",
  },
  dataverse: {
    entitySet: 'productpricelevels',
    key: 'productpricelevelid',
    caption: 'price list item',
    titleField: 'productnumber',
  },
  direction: 'to-dataverse',
  onlyCoupled: false,
  dependencies: ['CUSTPRCGRP-PRICE', 'ITEM-PRODUCT'],
  fieldMappings: [
    {
      bcField: 'salesCode',
      dvField: 'pricelevelid',
      direction: 'to-dataverse',
      type: 'code',
      caption: 'customer price group',
      dvRequired: true,
      lookup: {
        kind: 'coupling',
        mapping: 'CUSTPRCGRP-PRICE',
        bcKey: 'code',
        dvEntitySet: 'pricelevels',
        bcCaption: 'customer price group',
        dvCaption: 'price list',
      },
    },
    {
      bcField: 'itemNumber',
      dvField: 'productid',
      direction: 'to-dataverse',
      type: 'code',
      caption: 'item',
      dvRequired: true,
      lookup: {
        kind: 'coupling',
        mapping: 'ITEM-PRODUCT',
        bcKey: 'number',
        dvEntitySet: 'products',
        bcCaption: 'item',
        dvCaption: 'product',
      },
    },
    {
      bcField: 'itemNumber',
      dvField: 'productnumber',
      direction: 'to-dataverse',
      type: 'code',
      dvType: 'text',
      dvMaxLength: 100,
    },
    {
      bcField: 'currencyCode',
      dvField: 'transactioncurrencyid',
      direction: 'to-dataverse',
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
    },
    // pricingmethodcode 1 = Currency Amount.
    { dvField: 'pricingmethodcode', constant: 1, direction: 'to-dataverse', dvType: 'option' },
    { bcField: 'unitPrice', dvField: 'amount', direction: 'to-dataverse', type: 'number' },
  ],
};
