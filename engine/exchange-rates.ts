/**
 * Exchange rates for CURRENCY (reference/bc-sync-semantics.md §4.10, §8.6): Business Central keeps rates against its
 * local currency (LCY) in "Currency Exchange Rates"; Dataverse keeps one rate per currency against the organization's
 * base currency. Pure: the caller reads the rates and the base currency.
 *
 * Terminology:
 * - LCY: Business Central's local currency; a blank currency code means it.
 * - BC rate row: from `startingDate` on, `exchangeRateAmount` units of `currencyCode` are worth
 *   `relationalExchangeRateAmount` units of `relationalCurrencyCode` (blank = LCY).
 * - Dataverse `exchangerate`: units of the currency per 1 unit of the base currency.
 */

/** One row of API v2.0 `currencyExchangeRates` (the fields this module reads). */
export interface ExchangeRateRow {
  readonly currencyCode?: string;
  readonly startingDate?: string;
  readonly exchangeRateAmount?: number;
  readonly relationalCurrencyCode?: string;
  readonly relationalExchangeRateAmount?: number;
}

export interface ExchangeRateContext {
  /** Every BC rate row that may apply (rows starting after `today` are ignored here anyway). */
  readonly rates: readonly ExchangeRateRow[];
  /** The date rates are taken for, `YYYY-MM-DD`: the newest row with `startingDate ≤ today` applies. */
  readonly today: string;
  /** The ISO code of the Dataverse base currency. */
  readonly baseCode: string;
  /**
   * BC's LCY code when known. (Default: inferred — the base currency is taken to be LCY unless BC has an exchange rate
   * for it, because BC keeps no rate for its own LCY. API v2.0 does not expose the LCY code.)
   */
  readonly lcyCode?: string | null;
}

export type ExchangeRateResult = { ok: true; rate: number } | { ok: false; message: string };

/** Digits Dataverse stores of `exchangerate` (Edm.Decimal, precision 10). */
export const EXCHANGE_RATE_DECIMALS = 10;
/** Longest chain of relational currencies followed (EUR → USD → LCY …) before giving up. */
const MAX_CHAIN = 5;

const upper = (v: string | undefined | null): string => (v ?? '').trim().toUpperCase();

/** Rounds a rate to what Dataverse stores, so a computed rate compares equal to the stored one. */
export function roundExchangeRate(rate: number): number {
  return Number(rate.toFixed(EXCHANGE_RATE_DECIMALS));
}

/** The newest BC rate row of `code` that starts on or before `today`, or undefined. */
export function currentRateRow(
  rates: readonly ExchangeRateRow[],
  code: string,
  today: string,
): ExchangeRateRow | undefined {
  let best: ExchangeRateRow | undefined;
  for (const r of rates) {
    if (upper(r.currencyCode) !== code || !r.startingDate || r.startingDate.slice(0, 10) > today) continue;
    if (!best || r.startingDate > best.startingDate!) best = r;
  }
  return best;
}

/** What `lcyCode` resolves to: the given code, else the base currency when BC has no rate for it, else unknown. */
function lcyOf(ctx: ExchangeRateContext): string | null {
  if (ctx.lcyCode !== undefined && ctx.lcyCode !== null) return upper(ctx.lcyCode);
  const base = upper(ctx.baseCode);
  return currentRateRow(ctx.rates, base, ctx.today) ? null : base;
}

/** LCY per 1 unit of `code` on `today`, or a message saying what is missing. */
function lcyPerUnit(ctx: ExchangeRateContext, code: string, lcy: string | null, depth = 0): ExchangeRateResult {
  if (code === '' || code === lcy) return { ok: true, rate: 1 };
  const row = currentRateRow(ctx.rates, code, ctx.today);
  if (!row) {
    return {
      ok: false,
      message: `Currency '${code}' has no exchange rate in Business Central on or before ${ctx.today}; add one on the Currency Exchange Rates page`,
    };
  }
  const amount = Number(row.exchangeRateAmount ?? 0);
  const relational = Number(row.relationalExchangeRateAmount ?? 0);
  if (!(amount > 0) || !(relational > 0)) {
    return {
      ok: false,
      message: `Currency '${code}' has an exchange rate of 0 in Business Central (starting ${row.startingDate!.slice(0, 10)}: ${amount} ${code} = ${relational} ${upper(row.relationalCurrencyCode) || 'LCY'}); enter a rate above 0 on the Currency Exchange Rates page`,
    };
  }
  const via = upper(row.relationalCurrencyCode);
  if (via === '' || via === lcy) return { ok: true, rate: relational / amount };
  if (depth >= MAX_CHAIN || via === code) {
    return {
      ok: false,
      message: `Currency '${code}' has an exchange rate in Business Central that does not lead to the local currency (relational currency '${via}'); enter its rate against the local currency on the Currency Exchange Rates page`,
    };
  }
  const next = lcyPerUnit(ctx, via, lcy, depth + 1);
  return next.ok ? { ok: true, rate: (relational / amount) * next.rate } : next;
}

/**
 * The Dataverse `exchangerate` of currency `code` (units of it per 1 unit of the base currency), from BC's newest
 * rates on `today`, rounded to 10 decimals. The base currency itself is 1. When the base currency is not BC's LCY
 * (BC has a rate for it), the rate is a cross rate through LCY. Never throws: a missing rate (of the currency, or of
 * the base currency in a cross rate) or a rate of 0 comes back as a message naming the currency and what to do.
 */
export function dataverseExchangeRate(code: string, ctx: ExchangeRateContext): ExchangeRateResult {
  const currency = upper(code);
  const base = upper(ctx.baseCode);
  if (currency === base) return { ok: true, rate: 1 };
  const lcy = lcyOf(ctx);
  const basePerLcy = lcyPerUnit(ctx, base, lcy);
  if (!basePerLcy.ok) {
    return {
      ok: false,
      message: `Currency '${currency}' cannot be converted to the Dataverse base currency '${base}': ${basePerLcy.message.replace(/^Currency/, 'currency')}`,
    };
  }
  const own = lcyPerUnit(ctx, currency, lcy);
  if (!own.ok) return own;
  // LCY per base / LCY per currency = currency per base.
  return { ok: true, rate: roundExchangeRate(basePerLcy.rate / own.rate) };
}

/**
 * Decimal places of a BC amount rounding precision (0.01 ⇒ 2, 1 ⇒ 0, 0.05 ⇒ 2), clamped to Dataverse's 0–10.
 * A missing or non-positive precision gives 2, Business Central's and Dataverse's default.
 */
export function decimalsOfRoundingPrecision(precision: unknown): number {
  const p = typeof precision === 'number' ? precision : Number(precision);
  if (!Number.isFinite(p) || p <= 0) return 2;
  let decimals = 0;
  while (decimals < 10 && Math.abs(Math.round(p * 10 ** decimals) - p * 10 ** decimals) > 1e-9) decimals += 1;
  return decimals;
}
