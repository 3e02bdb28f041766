/**
 * CUSTPRCGRP-PRICE's entity rule (bc-sync-semantics §8.10): a Dataverse price list needs a currency, and Business
 * Central sets it in code to the local currency (LCY) — in Dataverse terms the organization's base currency
 * (`organizations._basecurrencyid_value`), since a BC customer price group has no currency of its own. A new price
 * list gets it; an existing one (matched by name, or coupled) keeps whatever currency it has, as Dataverse does not
 * let a price list with items change its currency.
 */
import { NO_BASE_CURRENCY_MESSAGE } from '../../engine';
import { plan, setPayload } from '../page/work';
import type { EntityRules } from './types';

const CURRENCY_BIND = 'transactioncurrencyid@odata.bind';

export const priceListRules: EntityRules = {
  async beforeWrite({ deps, work }, items) {
    if (work.direction !== 'to-dataverse') return;
    const creates = items.filter((i) => {
      const p = plan(i.decision);
      return p?.operation === 'create' && i.written === undefined && !i.failure && !(CURRENCY_BIND in p.payload);
    });
    if (!creates.length) return;
    const base = await deps.cache.dataverseBaseCurrencyId();
    if (!base) {
      // Every Dataverse organization has a base currency; without one no price list can be created at all.
      throw new Error(NO_BASE_CURRENCY_MESSAGE);
    }
    for (const item of creates) {
      const p = plan(item.decision)!;
      setPayload(item, { ...p.payload, [CURRENCY_BIND]: `/transactioncurrencies(${base.toLowerCase()})` });
    }
  },
};
