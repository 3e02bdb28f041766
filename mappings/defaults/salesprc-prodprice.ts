import type { IntegrationTableMappingInput } from '../mapping-model';
import { currencyLookup } from './shared-lookups';

/**
 * SALESPRC-PRODPRICE: BC sales prices for customer price groups (custom API page) → Dataverse price list items
 * (reference/bc-sync-semantics.md §8.10). New prices are created automatically (onlyCoupled = false, as in BC). The
 * price list comes from the CUSTPRCGRP-PRICE coupling of the price's customer price group, the product from the
 * ITEM-PRODUCT coupling of its item; the currency is the price list's (Dataverse sets it: a price list item's currency
 * is not valid for create); pricing method Currency Amount. The unit (`uomid`), which BC derives in code, is an
 * `entity-rule` lookup: it counts in the record's hash (a change of unit alone is carried), and the entity rule
 * activities/entity-rules/price-list-item.ts writes it: the unit of the product's unit group named like the price's
 * unit of measure code, or the product's default unit when it has none. The same rule couples a price about to be
 * created to the uncoupled price list item with its price list, product and unit (Dataverse keeps one per
 * combination); the match criteria below (price list, product) then accept the pair, also when Dataverse answers a
 * create with DuplicateProductPriceLevel.
 */
export const salesPrcProdPriceMapping: IntegrationTableMappingInput = {
  name: 'SALESPRC-PRODPRICE',
  description:
    "Business Central sales prices (customer price groups) → Dataverse price list items (unit `uomid`: the unit of the product's unit group named like the price's unit of measure, set by its entity rule)",
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
  // Match-based coupling (bc-sync-semantics §8.10: price list, product and unit; the unit is compared by the entity
  // rule, which computes it).
  matchCriteria: [
    {
      fields: [
        { bcField: 'salesCode', dvField: 'pricelevelid' },
        { bcField: 'itemNumber', dvField: 'productid' },
      ],
    },
  ],
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
    // BC maps Item No. → productnumber too. In Dataverse a price list item's productnumber is read-only (valid
    // neither for create nor for update): Dataverse fills it from the product, so it is not written.
    {
      bcField: 'itemNumber',
      dvField: 'productnumber',
      direction: 'to-dataverse',
      enabled: false,
      type: 'code',
      dvType: 'text',
      dvMaxLength: 100,
    },
    // BC maps Currency Code → transactioncurrencyid too. In Dataverse a price list item's currency is not valid for
    // create (IsValidForCreate false; Microsoft's ProductPriceLevel reference): a new item is in its price list's
    // currency — here the base currency, which CUSTPRCGRP-PRICE gives every price list. So it is not written.
    {
      bcField: 'currencyCode',
      dvField: 'transactioncurrencyid',
      direction: 'to-dataverse',
      enabled: false,
      note: "not valid for create in Dataverse: a price list item is in its price list's currency",
      type: 'code',
      caption: 'currency',
      lookup: currencyLookup,
    },
    // The unit, which BC derives in code: the entity rule resolves it (the unit of the product's unit group named like
    // the price's unit of measure code, or the product's default unit). Counted in the record's hash, so a price whose
    // only change is its unit is carried.
    {
      bcField: 'unitOfMeasureCode',
      dvField: 'uomid',
      direction: 'to-dataverse',
      type: 'code',
      caption: 'unit of measure',
      lookup: { kind: 'entity-rule', dvEntitySet: 'uoms', bcCaption: 'unit of measure', dvCaption: 'unit' },
    },
    // pricingmethodcode 1 = Currency Amount.
    { dvField: 'pricingmethodcode', constant: 1, direction: 'to-dataverse', dvType: 'option' },
    { bcField: 'unitPrice', dvField: 'amount', direction: 'to-dataverse', type: 'number' },
  ],
};
