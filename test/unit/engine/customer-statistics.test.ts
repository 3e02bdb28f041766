import assert from 'node:assert/strict';
import { changedStatisticsColumns, invoicePaymentState, statisticsRowOf } from '../../../engine/customer-statistics';
import { defaultMappings } from '../../../mappings';

const mapping = defaultMappings().find((m) => m.name === 'CUSTOMER STATISTICS')!;
const ACCOUNT = 'AAAAAAAA-0000-0000-0000-000000000001';
const CURRENCY = 'cccccccc-0000-0000-0000-000000000001';

const figures = {
  id: 'b0000000-0000-0000-0000-000000000001',
  number: 'C00010',
  displayName: 'Adatum Corporation',
  balanceLcy: 1234.5,
  outstandingOrdersLcy: 0,
  shippedNotInvoicedLcy: 0,
  outstandingInvoicesLcy: 100,
  totalLcy: 1334.5,
  creditLimitLcy: 5000,
  overdueAmountsLcy: 200,
  overdueAmountsAsOf: '2026-12-01',
  totalSalesLcy: 9000,
  invoicedPrepaymentAmountLcy: 0,
};

describe('customer statistics rules', () => {
  it('builds the row from the enabled field mappings: figures, account and base currency', () => {
    const row = statisticsRowOf(mapping, figures, ACCOUNT, CURRENCY);
    assert.deepEqual(row.values, {
      bcsync_name: 'Adatum Corporation',
      bcsync_customernumber: 'C00010',
      bcsync_balance: 1234.5,
      bcsync_outstandingorders: 0,
      bcsync_shippednotinvoiced: 0,
      bcsync_outstandinginvoices: 100,
      bcsync_total: 1334.5,
      bcsync_creditlimit: 5000,
      bcsync_overdueamount: 200,
      bcsync_overdueasof: '2026-12-01',
      bcsync_totalsales: 9000,
      bcsync_invoicedprepayments: 0,
    });
    assert.equal(row.accountId, ACCOUNT.toLowerCase());
    const long = statisticsRowOf(mapping, { ...figures, displayName: 'x'.repeat(150) }, ACCOUNT, CURRENCY);
    assert.equal(String(long.values.bcsync_name).length, 100, 'cut to the column length');
  });

  it('finds nothing to write when Dataverse holds the same values in its own formatting', () => {
    const row = statisticsRowOf(mapping, figures, ACCOUNT, CURRENCY);
    const current: Record<string, unknown> = {
      ...row.values,
      bcsync_balance: '1234.5000',
      bcsync_overdueasof: '2026-12-01T00:00:00Z',
      _bcsync_accountid_value: ACCOUNT,
      _transactioncurrencyid_value: CURRENCY.toUpperCase(),
    };
    assert.deepEqual(changedStatisticsColumns(mapping, row, current), []);
    assert.deepEqual(changedStatisticsColumns(mapping, row, { ...current, bcsync_balance: 1000 }), ['bcsync_balance']);
    assert.deepEqual(changedStatisticsColumns(mapping, row, { ...current, _transactioncurrencyid_value: null }), [
      'transactioncurrencyid',
    ]);
  });

  it('derives the invoice payment state from the remaining amount', () => {
    assert.deepEqual(invoicePaymentState(125, 125), { label: 'active', statecode: 0, statuscode: 4 });
    assert.deepEqual(invoicePaymentState(100, 125), { label: 'partially paid', statecode: 2, statuscode: 100002 });
    assert.deepEqual(invoicePaymentState(0, 125), { label: 'paid', statecode: 2, statuscode: 100001 });
    // Cent rounding: float noise does not make a paid invoice partial.
    assert.equal(invoicePaymentState(0.1 + 0.2 - 0.3, 125).label, 'paid');
  });
});
