import assert from 'node:assert/strict';
import {
  currentRateRow,
  dataverseExchangeRate,
  decimalsOfRoundingPrecision,
  type ExchangeRateRow,
} from '../../../engine/exchange-rates';
import { transferFields } from '../../../engine/field-transfer';
import { resolver } from './fixtures';
import { defaultMappings } from '../../../mappings';

/** 100 units of `code` cost `lcy` units of the local currency from `from` on. */
const rate = (code: string, from: string, lcy: number, via = ''): ExchangeRateRow => ({
  currencyCode: code,
  startingDate: from,
  exchangeRateAmount: 100,
  relationalCurrencyCode: via,
  relationalExchangeRateAmount: lcy,
});

const RATES = [
  rate('EUR', '2024-01-01', 1150),
  rate('EUR', '2025-01-01', 1175.5),
  rate('EUR', '2026-07-01', 1200),
  rate('USD', '2025-01-01', 1065.2),
  rate('ZERO', '2025-01-01', 0),
];
const today = '2026-03-01';

describe('exchange rates (CURRENCY)', () => {
  it('takes the newest rate that starts on or before today', () => {
    assert.equal(currentRateRow(RATES, 'EUR', today)?.relationalExchangeRateAmount, 1175.5);
    assert.equal(currentRateRow(RATES, 'EUR', '2026-07-01')?.relationalExchangeRateAmount, 1200);
    assert.equal(currentRateRow(RATES, 'EUR', '2023-12-31'), undefined);
  });

  it('gives units of the currency per 1 unit of the base currency when the base currency is the local one', () => {
    const eur = dataverseExchangeRate('EUR', { rates: RATES, today, baseCode: 'NOK' });
    assert.deepEqual(eur, { ok: true, rate: Number((100 / 1175.5).toFixed(10)) });
    assert.deepEqual(dataverseExchangeRate('NOK', { rates: RATES, today, baseCode: 'NOK' }), { ok: true, rate: 1 });
  });

  it('uses cross rates through the local currency when Business Central has a rate for the base currency', () => {
    // Base EUR, LCY NOK: 1 EUR = 11.755 NOK, 1 USD = 10.652 NOK ⇒ 1 EUR = 11.755 / 10.652 USD.
    const usd = dataverseExchangeRate('USD', { rates: RATES, today, baseCode: 'EUR' });
    assert.deepEqual(usd, { ok: true, rate: Number((1175.5 / 1065.2).toFixed(10)) });
    // The local currency itself, known by its code: 1 EUR = 11.755 NOK.
    const nok = dataverseExchangeRate('NOK', { rates: RATES, today, baseCode: 'EUR', lcyCode: 'NOK' });
    assert.deepEqual(nok, { ok: true, rate: 11.755 });
  });

  it('fails a cross rate naming the base currency when Business Central has no rate for it', () => {
    const r = dataverseExchangeRate('USD', { rates: RATES, today, baseCode: 'GBP', lcyCode: 'NOK' });
    assert.equal(r.ok, false);
    assert.match(
      (r as { message: string }).message,
      /^Currency 'USD' cannot be converted to the Dataverse base currency 'GBP': currency 'GBP' has no exchange rate in Business Central on or before 2026-03-01; add one on the Currency Exchange Rates page$/,
    );
  });

  it('follows a rate given against another currency', () => {
    const rates = [...RATES, rate('DKK', '2025-01-01', 13.4, 'EUR')]; // 100 DKK = 13.4 EUR
    const dkk = dataverseExchangeRate('DKK', { rates, today, baseCode: 'NOK' });
    assert.deepEqual(dkk, { ok: true, rate: Number((1 / (0.134 * 11.755)).toFixed(10)) });
  });

  it('fails a currency without a rate, and a rate of 0, with what to do', () => {
    assert.deepEqual(dataverseExchangeRate('ISK', { rates: RATES, today: '2026-12-01', baseCode: 'NOK' }), {
      ok: false,
      message:
        "Currency 'ISK' has no exchange rate in Business Central on or before 2026-12-01; add one on the Currency Exchange Rates page",
    });
    const zero = dataverseExchangeRate('ZERO', { rates: RATES, today, baseCode: 'NOK' });
    assert.equal(zero.ok, false);
    assert.match((zero as { message: string }).message, /^Currency 'ZERO' has an exchange rate of 0 .* above 0/);
  });

  it('turns a rounding precision into decimal places', () => {
    assert.deepEqual(
      [0.01, 1, 0.05, 0.001, 10, 0, undefined, '0.1'].map(decimalsOfRoundingPrecision),
      [2, 0, 2, 3, 0, 2, 2, 1],
    );
  });

  it('writes the ISO code as symbol when BC has none, and the precision as decimals', () => {
    const currency = defaultMappings().find((m) => m.name === 'CURRENCY')!;
    const t = transferFields({
      mapping: currency,
      direction: 'to-dataverse',
      source: { id: 'x', code: 'ISK', displayName: 'Icelandic Krona', symbol: '', amountRoundingPrecision: 1 },
      destination: null,
      lookups: resolver({}),
    });
    assert.equal(t.outcome, 'ok');
    const payload = (t as { payload: Record<string, unknown> }).payload;
    assert.equal(payload.currencysymbol, 'ISK');
    assert.equal(payload.currencyprecision, 0);
    assert.equal(payload.exchangerate, undefined, 'the rate is no field mapping: the entity rules compute it');
  });
});
