import type { IntegrationTableMappingInput } from '../mapping-model';

/**
 * CURRENCY: BC currencies → Dataverse transaction currencies (reference/bc-sync-semantics.md §8.6, §4.10).
 * The field mappings carry the ISO code, the symbol (the code when BC's symbol is blank), the name and the precision
 * (BC's amount rounding precision as decimal places). The exchange rate is no field of the currency: the entity rules
 * (activities/entity-rules/currency.ts) compute it from BC's `currencyExchangeRates` against the Dataverse base
 * currency on every run, and keep the base currency itself (BC's local currency) untouched. Uncoupled currencies are
 * matched by ISO code before anything is created.
 */
export const currencyMapping: IntegrationTableMappingInput = {
  name: 'CURRENCY',
  description: 'Business Central currencies → Dataverse transaction currencies',
  complete: true,
  bc: { entitySet: 'currencies', caption: 'Currency', titleField: 'displayName', numberField: 'code' },
  dataverse: {
    entitySet: 'transactioncurrencies',
    key: 'transactioncurrencyid',
    caption: 'currency',
    titleField: 'currencyname',
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
      transform: 'code-if-blank',
      note: 'the ISO code when BC has no symbol',
    },
    { bcField: 'displayName', dvField: 'currencyname', direction: 'to-dataverse', dvMaxLength: 100, dvRequired: true },
    {
      bcField: 'amountRoundingPrecision',
      dvField: 'currencyprecision',
      direction: 'to-dataverse',
      type: 'number',
      transform: 'rounding-precision-to-decimals',
      note: "BC's Amount Rounding Precision as decimal places (0.01 ⇒ 2); 2 when BC has none",
    },
  ],
};
