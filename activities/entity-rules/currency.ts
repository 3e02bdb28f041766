/**
 * CURRENCY's entity rules (bc-sync-semantics §4.10, §8.6): the exchange rate, computed from Business Central's
 * `currencyExchangeRates` against the Dataverse base currency (engine/exchange-rates.ts), and the base currency
 * itself, which this mapping never writes.
 *
 * Why every run reads every currency (`readsEverySourceRecord`): a new rate is a row of another table; the currency
 * record does not change, so a watermark on currencies would never offer it. The table is small (tens of rows), its
 * unchanged records cost one comparison each, and a rate dated in the future is picked up on the day it starts.
 */
import type { DvEntitySet } from '../../connectors/dataverse';
import {
  dataverseExchangeRate,
  type ExchangeRateRow,
  type FieldChange,
  hashRecord,
  NO_BASE_CURRENCY_MESSAGE,
  type RecordDecision,
  roundExchangeRate,
  type WritePlan,
} from '../../engine';
import type { SyncDeps } from '../deps';
import { type Item, lower, plan } from '../page/work';
import type { EntityRules } from './types';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

const CURRENCIES = 'transactioncurrencies' as DvEntitySet;

/** What the rules need once per page: the base currency and the rates in force on `today`. */
interface RateContext {
  baseId: string;
  baseCode: string;
  today: string;
  rates: ExchangeRateRow[];
}

/** The Dataverse row a decision writes to or stays with (null for a create). */
function destinationIdOf(item: Item): string | null {
  const p = plan(item.decision);
  if (p?.operation === 'create') return null;
  return lower(p?.destinationId ?? item.row?.dvId ?? item.matchedId ?? '') || null;
}

/** The decisions these rules look at: a planned write, or an unchanged record whose rate may have moved. */
function concerns(item: Item): boolean {
  if (item.failure || item.written !== undefined) return false;
  return plan(item.decision) !== undefined || item.decision.kind === 'unchanged';
}

async function loadRateContext(deps: SyncDeps): Promise<RateContext> {
  const baseId = await deps.cache.dataverseBaseCurrencyId();
  if (!baseId) {
    // Every Dataverse organization has a base currency; without one no rate can be computed for any currency.
    throw new Error(NO_BASE_CURRENCY_MESSAGE);
  }
  const base = await deps.connectors.dv.get(CURRENCIES, baseId, { select: ['isocurrencycode'] });
  if (!base) throw new Error(`the Dataverse base currency ${baseId} could not be read from transactioncurrencies`);
  // BC's "today" is its work date; the UTC date of the run is the closest the API lets us see.
  const today = deps.now().toISOString().slice(0, 10);
  const rates: ExchangeRateRow[] = [];
  for await (const page of deps.connectors.bc.listAll({
    entitySet: 'currencyExchangeRates',
    filter: `startingDate le ${today}`,
  })) {
    rates.push(...page);
  }
  return { baseId: lower(baseId), baseCode: text(base.isocurrencycode), today, rates };
}

/** The base currency is matched and coupled, never written: BC's local currency has no rate and another name. */
function keepBaseAsItIs(item: Item, mapping: Parameters<typeof hashRecord>[0]): RecordDecision {
  const d = item.decision;
  const hashes = 'hashes' in d ? d.hashes : {};
  return {
    kind: 'unchanged',
    counter: 'unchanged',
    couplingResult: 'success',
    hashes: {
      // The source hash is stored, so the next run sees the BC record as synchronized.
      ...(hashes.bcHash !== undefined ? { bcHash: hashes.bcHash } : {}),
      ...(item.destination ? { dvHash: hashRecord(mapping, 'dataverse', item.destination) } : {}),
    },
  };
}

/** `decision` with `exchangerate: rate` added to its write — an unchanged record becomes an update of the rate. */
function withRate(item: Item, dvId: string | null, rate: number): RecordDecision | null {
  const d = item.decision;
  const p = plan(d);
  const stored = item.destination?.exchangerate;
  const current = typeof stored === 'number' ? roundExchangeRate(stored) : null;
  if (p?.operation !== 'create' && current === rate) return null;
  const change: FieldChange = {
    fieldIndex: null,
    field: 'exchangerate',
    sourceField: null,
    oldValue: p?.operation === 'create' ? null : current,
    newValue: rate,
    bidirectional: false,
    origin: 'rule',
  };
  if (p) {
    const write: WritePlan = { ...p, payload: { ...p.payload, exchangerate: rate }, changes: [...p.changes, change] };
    return { ...d, write } as RecordDecision;
  }
  if (d.kind !== 'unchanged' || !dvId) return null;
  return {
    kind: 'update',
    counter: 'modified',
    couplingResult: 'success',
    bothChanged: false,
    write: {
      operation: 'update',
      destinationId: dvId,
      createKey: null,
      payload: { exchangerate: rate },
      changes: [change],
    },
    // The mapped fields did not change: the stored hashes stay right (the rate is not a mapped field).
    hashes: d.hashes,
  };
}

export const currencyRules: EntityRules = {
  readsEverySourceRecord: true,
  decidesUnchangedRecords: true,

  async beforeWrite({ deps, work }, items) {
    if (work.direction !== 'to-dataverse') return;
    const concerned = items.filter(concerns);
    if (!concerned.length) return;
    const ctx = await loadRateContext(deps);
    for (const item of concerned) {
      const dvId = destinationIdOf(item);
      if (dvId === ctx.baseId) {
        if (plan(item.decision)) item.decision = keepBaseAsItIs(item, work.mapping);
        continue;
      }
      const code = text(item.source.code);
      // A create of the base currency's code (match before create off, or its criteria changed) meets the base row's
      // ISO code and is resolved there; rate 1 is what the base currency has by definition.
      const result = dataverseExchangeRate(code, ctx);
      if (!result.ok) {
        item.failure = result.message;
        continue;
      }
      const next = withRate(item, dvId, result.rate);
      if (next) item.decision = next;
    }
  },
};
