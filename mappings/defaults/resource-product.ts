import type { IntegrationTableMappingInput } from '../mapping-model';

/**
 * RESOURCE-PRODUCT: BC resources (custom API page `/api/bcsync/sync/v1.0/…/resources`; API v2.0 has no resources)
 * → Dataverse products of type Services (reference/bc-sync-semantics.md §8.9). The custom page's property names are
 * this product's choice and follow the v2.0 style (the page's shape: docs/emulators.md, "Custom API pages").
 * Product number, name, price, standard and current cost, vendor number, capacity as quantity on hand (negative ⇒ 0),
 * two quantity decimals, and the unit group of the base unit of measure through the UNIT OF MEASURE couplings. The
 * entity rules are ITEM-PRODUCT's (activities/entity-rules/product.ts): default unit, publishing, blocked ⇔ retired.
 * Bidirectional as in BC: the name and the retired state come back (a product retired in Dataverse blocks the
 * resource); a Dataverse product never creates a resource (`createsIn`). The currency (LCY) and the default price
 * list are the price mappings' (activities/entity-rules/price-list.ts).
 */
export const resourceProductMapping: IntegrationTableMappingInput = {
  name: 'RESOURCE-PRODUCT',
  description: 'Business Central resources → Dataverse products (Services)',
  complete: true,
  bc: {
    api: 'custom',
    entitySet: 'resources',
    caption: 'Resource',
    titleField: 'displayName',
    numberField: 'number',
  },
  dataverse: {
    entitySet: 'products',
    key: 'productid',
    caption: 'product',
    titleField: 'name',
    // producttypecode 3 = Services.
    // Every state, not only Active: a product retired in Dataverse must reach the pass towards Business Central, which
    // blocks the item (bc-sync-semantics §8.8, "DV inactive ⇒ BC Blocked").
    filter: 'producttypecode eq 3',
    template: { producttypecode: 3, productstructure: 1, quantitydecimal: 2 },
  },
  // Bidirectional as in BC (§8.1): the name and the retired state come back; everything else goes to Dataverse only.
  // Products are created in Dataverse only: a Dataverse product never creates an item or resource.
  direction: 'bidirectional',
  createsIn: ['dataverse'],
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
    {
      bcField: 'displayName',
      dvField: 'name',
      direction: 'bidirectional',
      bcMaxLength: 100,
      dvMaxLength: 100,
      bcRequired: true,
      dvRequired: true,
    },
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
    // Vendor No. is free text in Dataverse (bc-sync-semantics §8.8).
    {
      bcField: 'vendorNumber',
      dvField: 'vendorid',
      direction: 'to-dataverse',
      type: 'code',
      dvType: 'text',
      dvMaxLength: 100,
    },
    {
      bcField: 'capacity',
      dvField: 'quantityonhand',
      direction: 'to-dataverse',
      type: 'number',
      transform: 'negative-to-zero',
    },
    // BC blocked ⇔ product retired (statecode 1; 0 Active), both ways: a product retired in Dataverse blocks the
    // resource. A new product is created Draft and published instead, and a blocked record gets no new product (entity
    // rules: activities/entity-rules/product.ts).
    {
      bcField: 'blocked',
      dvField: 'statecode',
      direction: 'bidirectional',
      type: 'boolean',
      dvType: 'option',
      transform: 'boolean-to-statecode',
      caption: 'blocked',
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
