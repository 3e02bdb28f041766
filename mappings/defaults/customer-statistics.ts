import type { IntegrationTableMappingInput } from '../mapping-model';

/**
 * CUSTOMER STATISTICS: the Customer Statistics job (reference/bc-sync-semantics.md §8.15): coupled customers and
 * their `customerFinancialDetail` → a custom Dataverse "account statistics" table. `kind: statistics`: BC→DV only,
 * rows are created for coupled customers (the DV row id is derived from the customer, so no coupling table is
 * needed), failures are skipped at once in BC.
 * INCOMPLETE: the custom table's names (`bcsync_accountstatistics`, set `bcsync_accountstatisticses`) are this
 * product's proposal and must match the Dataverse emulator/solution; only the amounts API v2.0 exposes are mapped
 * (balance, total sales, overdue amount); outstanding orders, shipped-not-invoiced, etc. are not in API v2.0.
 */
export const customerStatisticsMapping: IntegrationTableMappingInput = {
  name: 'CUSTOMER STATISTICS',
  kind: 'statistics',
  description: 'Business Central customer financial details → Dataverse account statistics',
  complete: false,
  incompleteReason: 'the statistics job is not built yet',
  bc: {
    entitySet: 'customers',
    caption: 'Customer',
    titleField: 'displayName',
    numberField: 'number',
    filter: "blocked eq ' '",
  },
  dataverse: {
    entitySet: 'bcsync_accountstatisticses',
    key: 'bcsync_accountstatisticsid',
    caption: 'account statistics',
    titleField: 'bcsync_name',
  },
  direction: 'to-dataverse',
  // Rows are created for every customer coupled by CUSTOMER; the activity layer selects only those.
  onlyCoupled: false,
  dependencies: ['CUSTOMER'],
  fieldMappings: [
    { bcField: 'displayName', dvField: 'bcsync_name', direction: 'to-dataverse', dvMaxLength: 100 },
    {
      bcField: 'number',
      dvField: 'bcsync_customernumber',
      direction: 'to-dataverse',
      type: 'code',
      dvType: 'text',
      dvMaxLength: 20,
    },
    {
      bcField: 'customerFinancialDetail.balance',
      dvField: 'bcsync_balance',
      direction: 'to-dataverse',
      type: 'number',
    },
    {
      bcField: 'customerFinancialDetail.totalSalesExcludingTax',
      dvField: 'bcsync_totalsales',
      direction: 'to-dataverse',
      type: 'number',
    },
    {
      bcField: 'customerFinancialDetail.overdueAmount',
      dvField: 'bcsync_overdueamount',
      direction: 'to-dataverse',
      type: 'number',
    },
    { bcField: 'creditLimit', dvField: 'bcsync_creditlimit', direction: 'to-dataverse', type: 'number' },
  ],
};
