import type { IntegrationTableMappingInput } from '../mapping-model';

/**
 * ITEM-PRODUCT: BC items → Dataverse products (reference/bc-sync-semantics.md §8.8; BC→DV per DESIGN §6).
 * INCOMPLETE: the default unit (`defaultuomid`, required on create) and the default price list are set by hooks in
 * BC; currency = LCY likewise. Left out for lack of API v2.0 properties: Unit Volume (stockvolume), Gross Weight
 * (stockweight), Vendor No. (vendorid), Vendor Item No. (vendorpartnumber).
 */
export const itemProductMapping: IntegrationTableMappingInput = {
  name: 'ITEM-PRODUCT',
  description: 'Business Central items → Dataverse products (Sales Inventory)',
  complete: false,
  bc: {
    entitySet: 'items',
    caption: 'Item',
    titleField: 'displayName',
    numberField: 'number',
    filter: 'blocked eq false',
  },
  dataverse: {
    entitySet: 'products',
    key: 'productid',
    caption: 'product',
    titleField: 'name',
    // producttypecode 1 = Sales Inventory.
    filter: 'producttypecode eq 1 and statecode eq 0',
    template: { producttypecode: 1, productstructure: 1, quantitydecimal: 2 },
  },
  direction: 'to-dataverse',
  onlyCoupled: false,
  dependencies: ['UNIT OF MEASURE'],
  // Match-based coupling (bc-sync-semantics §7.4): how an uncoupled record is recognised on the other side.
  matchCriteria: [{ fields: [{ bcField: 'number', dvField: 'productnumber' }] }],
  fieldMappings: [
    {
      bcField: 'number',
      dvField: 'productnumber',
      direction: 'to-dataverse',
      type: 'code',
      dvType: 'text',
      dvMaxLength: 100,
      dvRequired: true,
    },
    { bcField: 'displayName', dvField: 'name', direction: 'to-dataverse', dvMaxLength: 100, dvRequired: true },
    {
      bcField: 'unitPrice',
      dvField: 'price',
      direction: 'to-dataverse',
      type: 'number',
      transform: 'negative-to-zero',
    },
    {
      bcField: 'unitCost',
      dvField: 'standardcost',
      direction: 'to-dataverse',
      type: 'number',
      transform: 'negative-to-zero',
    },
    {
      bcField: 'unitCost',
      dvField: 'currentcost',
      direction: 'to-dataverse',
      type: 'number',
      transform: 'negative-to-zero',
    },
    {
      bcField: 'inventory',
      dvField: 'quantityonhand',
      direction: 'to-dataverse',
      type: 'number',
      transform: 'negative-to-zero',
    },
    {
      bcField: 'baseUnitOfMeasureCode',
      dvField: 'defaultuomscheduleid',
      direction: 'to-dataverse',
      type: 'code',
      caption: 'base unit of measure',
      dvRequired: true,
      lookup: {
        kind: 'coupling',
        mapping: 'UNIT OF MEASURE',
        bcKey: 'code',
        dvEntitySet: 'uomschedules',
        bcCaption: 'unit of measure',
        dvCaption: 'unit group',
      },
    },
  ],
};
