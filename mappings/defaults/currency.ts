import type { IntegrationTableMappingInput } from '../mapping-model';

/**
 * CURRENCY: BC currencies → Dataverse transaction currencies (reference/bc-sync-semantics.md §8.6).
 * INCOMPLETE: BC computes `exchangerate` (from BC exchange rates relative to the DV base currency) and
 * `currencyprecision` in code, not through field mappings. The template supplies placeholder values required on
 * create (exchange rate 1, precision 2); the activity layer must compute the real rate (API v2.0
 * `currencyExchangeRates`). BC also couples uncoupled currencies by ISO code before creating (match step): the
 * activity layer should look up `isocurrencycode` before an insert.
 */
export const currencyMapping: IntegrationTableMappingInput = {
  name: 'CURRENCY',
  description: 'Business Central currencies → Dataverse transaction currencies',
  complete: false,
  bc: { entitySet: 'currencies', caption: 'Currency', titleField: 'displayName', numberField: 'code' },
  dataverse: {
    entitySet: 'transactioncurrencies',
    key: 'transactioncurrencyid',
    caption: 'currency',
    titleField: 'currencyname',
    template: { exchangerate: 1, currencyprecision: 2 },
  },
  direction: 'to-dataverse',
  onlyCoupled: false,
  // Match-based coupling (bc-sync-semantics §7.4): how an uncoupled record is recognised on the other side.
  matchCriteria: [{ fields: [{ bcField: 'code', dvField: 'isocurrencycode' }] }],
  fieldMappings: [
    {
      bcField: 'code',
      dvField: 'isocurrencycode',
      direction: 'to-dataverse',
      type: 'code',
      dvType: 'text',
      dvMaxLength: 5,
      dvRequired: true,
    },
    {
      bcField: 'symbol',
      dvField: 'currencysymbol',
      direction: 'to-dataverse',
      dvMaxLength: 10,
      note: 'BC defaults it to the ISO code when empty (hook)',
    },
    { bcField: 'displayName', dvField: 'currencyname', direction: 'to-dataverse', dvMaxLength: 100, dvRequired: true },
  ],
};
