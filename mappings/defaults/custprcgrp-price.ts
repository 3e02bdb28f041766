import type { IntegrationTableMappingInput } from '../mapping-model';

/**
 * CUSTPRCGRP-PRICE: BC customer price groups (custom API page; not in API v2.0) → Dataverse price lists
 * (reference/bc-sync-semantics.md §8.10): code → name, description. A customer price group has no currency; BC sets the
 * price list's currency in code to the local currency, which is the Dataverse base currency — the entity rule
 * activities/entity-rules/price-list.ts adds it to every new price list. An existing price list of the same name is
 * coupled instead of creating a second one (match before create on the name).
 */
export const custPrcGrpPriceMapping: IntegrationTableMappingInput = {
  name: 'CUSTPRCGRP-PRICE',
  description:
    'Business Central customer price groups → Dataverse price lists (currency: the Dataverse base currency, set by its entity rule)',
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
