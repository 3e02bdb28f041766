import type { IntegrationTableMappingInput } from '../mapping-model';

/** A figure of the custom `customerStatistics` page → a money column of the account statistics row. */
const figure = (bcField: string, dvField: string) =>
  ({ bcField, dvField, direction: 'to-dataverse', type: 'number' }) as const;

/**
 * CUSTOMER STATISTICS: the Customer Statistics job (reference/bc-sync-semantics §8.15), its own job kind
 * (`kind: statistics`, workflow `customerStatistics`, activities/statistics/), not a table synchronization.
 *
 * For every customer coupled by CUSTOMER it reads BC's Customer Statistics figures and writes them to the account's
 * row of the custom Dataverse table `bcsync_accountstatistics` (one row per account, linked from the account by its
 * `bcsync_accountstatisticsid` lookup, currency = the Dataverse base currency). Customers whose statistics were never
 * uploaded come first, then customers with activity since the last statistics run; a row is written only when a value
 * differs from what Dataverse holds. The same job then sets the payment state of the Dataverse invoices coupled by
 * POSTEDSALESINV-INV from the posted invoices' remaining amounts.
 *
 * BC source: API v2.0's `customerFinancialDetail` has only balance, total sales and overdue amount, so the figures come
 * from the custom API page `customerStatistics` (api/bcsync/sync/v1.0, keyed by the customer id) that also carries
 * outstanding orders, shipped not invoiced, outstanding invoices, total, credit limit, the overdue date and invoiced
 * prepayments, all in LCY. Its `lastModifiedDateTime` (the newest change of the customer or its sales documents and
 * ledger entries) is what "activity since the last run" compares with.
 */
export const customerStatisticsMapping: IntegrationTableMappingInput = {
  name: 'CUSTOMER STATISTICS',
  kind: 'statistics',
  description: 'Business Central customer statistics → Dataverse account statistics; invoice payment state',
  bc: {
    entitySet: 'customerStatistics',
    caption: 'Customer',
    titleField: 'displayName',
    numberField: 'number',
  },
  dataverse: {
    entitySet: 'bcsync_accountstatistics',
    key: 'bcsync_accountstatisticsid',
    caption: 'account statistics',
    titleField: 'bcsync_name',
  },
  direction: 'to-dataverse',
  // Rows are written for every customer coupled by CUSTOMER; the job selects only those.
  onlyCoupled: true,
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
    figure('balanceLcy', 'bcsync_balance'),
    figure('outstandingOrdersLcy', 'bcsync_outstandingorders'),
    figure('shippedNotInvoicedLcy', 'bcsync_shippednotinvoiced'),
    figure('outstandingInvoicesLcy', 'bcsync_outstandinginvoices'),
    figure('totalLcy', 'bcsync_total'),
    figure('creditLimitLcy', 'bcsync_creditlimit'),
    figure('overdueAmountsLcy', 'bcsync_overdueamount'),
    { bcField: 'overdueAmountsAsOf', dvField: 'bcsync_overdueasof', direction: 'to-dataverse', type: 'date' },
    figure('totalSalesLcy', 'bcsync_totalsales'),
    figure('invoicedPrepaymentAmountLcy', 'bcsync_invoicedprepayments'),
  ],
};
