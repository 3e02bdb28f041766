import type { IntegrationTableMappingInput } from '../mapping-model';

/**
 * ITEM-PRODUCT: BC items → Dataverse products of type Sales Inventory (reference/bc-sync-semantics.md §8.8; BC→DV per
 * DESIGN §6). Product number, name, price, standard and current cost (unit cost), quantity on hand (inventory,
 * negative ⇒ 0), two quantity decimals, and the unit group of the item's base unit of measure through the UNIT OF
 * MEASURE couplings (an uncoupled unit fails the item: "run UNIT OF MEASURE first"). The entity rules
 * (activities/entity-rules/product.ts) set the default unit (the group's base unit), publish each new product, skip
 * blocked items that have no product yet and retire the product of an item that becomes blocked (BC's filter
 * `Blocked = false` applies to new products only, so that blocking reaches the coupled product).
 * Read through the custom API page `itemCards` (docs/emulators.md): the same records as API v2.0 `items`, plus the Item
 * Card fields v2.0 lacks: Vendor No. (→ vendorid), Vendor Item No. (→ vendorpartnumber), Unit Volume (→ stockvolume)
 * and Gross Weight (→ stockweight). `vendorid` is free text in Dataverse; BC's hook fills it with the vendor's name,
 * but the Business Central side here serves no vendors (API v2.0 `vendors` is not part of what the product reads
 * or the emulator serves), so it carries the vendor number. The currency (LCY) and the "<product> Default Price List"
 * are left to the price mappings. Bidirectional as in BC: a product's name and its state come back (retired ⇒ the
 * item is blocked, active again ⇒ unblocked); a Dataverse product never creates an item (`createsIn`).
 */
export const itemProductMapping: IntegrationTableMappingInput = {
  name: 'ITEM-PRODUCT',
  description: 'Business Central items → Dataverse products (Sales Inventory)',
  complete: true,
  bc: {
    // The custom page `itemCards` (same records, ids and ETags as v2.0 `items`) carries the Item Card fields v2.0 lacks.
    api: 'custom',
    entitySet: 'itemCards',
    caption: 'Item',
    titleField: 'displayName',
    numberField: 'number',
  },
  dataverse: {
    entitySet: 'products',
    key: 'productid',
    caption: 'product',
    titleField: 'name',
    // producttypecode 1 = Sales Inventory.
    // Every state, not only Active: a product retired in Dataverse must reach the pass towards Business Central, which
    // blocks the item (bc-sync-semantics §8.8, "DV inactive ⇒ BC Blocked").
    filter: 'producttypecode eq 1',
    template: { producttypecode: 1, productstructure: 1, quantitydecimal: 2 },
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
    // ── Item Card fields of the `itemCards` page (vendor, volume, weight) ──
    {
      bcField: 'unitVolume',
      dvField: 'stockvolume',
      direction: 'to-dataverse',
      type: 'number',
    },
    {
      bcField: 'grossWeight',
      dvField: 'stockweight',
      direction: 'to-dataverse',
      type: 'number',
    },
    {
      bcField: 'vendorNumber',
      dvField: 'vendorid',
      direction: 'to-dataverse',
      type: 'code',
      dvType: 'text',
      dvMaxLength: 100,
      note: 'free text in Dataverse: the vendor number (BC’s hook puts the vendor name; no vendors are read here)',
    },
    {
      bcField: 'vendorItemNumber',
      dvField: 'vendorpartnumber',
      direction: 'to-dataverse',
      dvMaxLength: 100,
    },
    // ── end of the Item Card fields ──
    {
      bcField: 'inventory',
      dvField: 'quantityonhand',
      direction: 'to-dataverse',
      type: 'number',
      transform: 'negative-to-zero',
    },
    // BC blocked ⇔ product retired (statecode 1; 0 Active), both ways: a product retired in Dataverse blocks the item.
    // A new product is created Draft and published instead, and a blocked record gets no new product (entity rules:
    // activities/entity-rules/product.ts).
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
