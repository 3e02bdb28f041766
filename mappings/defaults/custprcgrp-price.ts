import type { IntegrationTableMappingInput } from '../mapping-model';

/**
 * CUSTPRCGRP-PRICE: BC customer price groups (custom API page; not in API v2.0) → Dataverse price lists
 * (reference/bc-sync-semantics.md §8.10). Not built yet, so it cannot run (`complete: false`, refused by name with
 * `incompleteReason`): Dataverse price lists need a currency, which BC sets in code (LCY), and no entity rule supplies
 * `transactioncurrencyid@odata.bind` yet (issue: prices, invoices and statistics).
 */
export const custPrcGrpPriceMapping: IntegrationTableMappingInput = {
  name: 'CUSTPRCGRP-PRICE',
  description: 'Business Central customer price groups → Dataverse price lists',
  complete: false,
  incompleteReason: 'price lists need their currency and products, which this version does not set yet',
  bc: {
    api: 'custom',
    entitySet: 'customerPriceGroups',
    caption: 'Customer price group',
    titleField: 'code',
    numberField: 'code',
  },
  dataverse: { entitySet: 'pricelevels', key: 'pricelevelid', caption: 'price list', titleField: 'name' },
  direction: 'to-dataverse',
  onlyCoupled: false,
  dependencies: ['CURRENCY', 'ITEM-PRODUCT', 'RESOURCE-PRODUCT'],
  // Match-based coupling (bc-sync-semantics §7.4): how an uncoupled record is recognised on the other side.
  matchCriteria: [{ fields: [{ bcField: 'code', dvField: 'name' }] }],
  fieldMappings: [
    {
      bcField: 'code',
      dvField: 'name',
      direction: 'to-dataverse',
      type: 'code',
      dvType: 'text',
      dvMaxLength: 100,
      dvRequired: true,
    },
    { bcField: 'description', dvField: 'description', direction: 'to-dataverse', dvMaxLength: 2000 },
  ],
};
