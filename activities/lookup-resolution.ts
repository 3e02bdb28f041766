/**
 * Resolving a page's lookup requests (engine `LookupRequest`) in bulk: through the couplings of the mapping a lookup
 * points to (store), the option mappings (store), and — where a lookup is by code, number or company contact — the
 * referenced records themselves (APIs). The engine stays pure; this is the I/O it asked for.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { BcEntitySet } from '../connectors/business-central';
import type { DvEntitySet } from '../connectors/dataverse';
import { stringLiteral } from '../connectors/http/odata';
import type { LookupRequest, LookupResult } from '../engine';
import type { IntegrationTableMapping } from '../mappings';
import { findByBcIds, findByDvIds } from '../store/couplings';
import { findOptionMapping } from '../mappings/option-mappings';
import { listOptionMappings, type OptionMapping } from '../store/option-mappings';
import { syncOptionMapping } from './options/sync-option-mapping';
import { chunk, guidLiteral } from '../connectors/http/odata';
import type { Connectors } from './sides';

/**
 * Worker-lifetime caches of reference data that is expensive to look up per page and rarely changes: the Dataverse
 * base currency and Business Central's company contact ⇔ customer relation. Entries expire so edits are seen.
 */
export class ReferenceCache {
  private baseCurrency?: { id: string | null; at: number };
  private contactRelation?: { byNumber: Map<string, string>; byCustomer: Map<string, string>; at: number };
  /** Values known to be missing since the last load: a miss reloads once, not on every page (invariant 4). */
  private knownMissing = new Set<string>();

  constructor(
    private readonly connectors: Connectors,
    private readonly now: () => number = Date.now,
    /** How long cached reference data is trusted. (Default: 60 s) */
    private readonly ttlMs = 60_000,
  ) {}

  /** The Dataverse organization's base currency id (what a blank BC currency code means). */
  async dataverseBaseCurrencyId(signal?: AbortSignal): Promise<string | null> {
    if (!this.baseCurrency || this.now() - this.baseCurrency.at > this.ttlMs) {
      const org = await this.connectors.dv.findOne('organizations', 'organizationid ne null', {
        select: ['_basecurrencyid_value'],
        signal,
      });
      this.baseCurrency = { id: (org?.['_basecurrencyid_value'] as string | undefined) ?? null, at: this.now() };
    }
    return this.baseCurrency.id;
  }

  /**
   * BC's contact business relation: company contact number → customer id, and back. Read from every customer's
   * `contactsInformation` (API v2.0 has no filter from a contact to its customer); reloaded after the TTL or when
   * `refreshOnMiss` names a value that is not there (at most once a second).
   */
  async companyContacts(
    refreshOnMiss?: { numbers?: readonly string[]; customers?: readonly string[] },
    signal?: AbortSignal,
  ): Promise<{ byNumber: Map<string, string>; byCustomer: Map<string, string> }> {
    const stale = !this.contactRelation || this.now() - this.contactRelation.at > this.ttlMs;
    // A miss may be a customer created moments ago (by the sync itself): reload, but at most once a second.
    const unknown = [
      ...(refreshOnMiss?.numbers ?? []).filter((n) => !this.contactRelation?.byNumber.has(n)).map((n) => `n:${n}`),
      ...(refreshOnMiss?.customers ?? []).filter((c) => !this.contactRelation?.byCustomer.has(c)).map((c) => `c:${c}`),
    ].filter((k) => !this.knownMissing.has(k));
    const missing = this.contactRelation && this.now() - this.contactRelation.at > 1000 && unknown.length > 0;
    if (stale || missing) {
      const byNumber = new Map<string, string>();
      const byCustomer = new Map<string, string>();
      for await (const page of this.connectors.bc.listAll({
        entitySet: 'customers',
        select: ['id', 'number'],
        expand: 'contactsInformation',
        signal,
      })) {
        for (const customer of page) {
          const infos = (customer['contactsInformation'] as Array<Record<string, unknown>> | undefined) ?? [];
          const company = infos.find((i) => i['contactType'] === 'Company');
          if (company && typeof company['contactNumber'] === 'string') {
            byNumber.set(company['contactNumber'], customer.id);
            byCustomer.set(customer.id, company['contactNumber']);
          }
        }
      }
      this.contactRelation = { byNumber, byCustomer, at: this.now() };
      this.knownMissing = new Set();
    }
    for (const n of refreshOnMiss?.numbers ?? [])
      if (!this.contactRelation!.byNumber.has(n)) this.knownMissing.add(`n:${n}`);
    for (const c of refreshOnMiss?.customers ?? [])
      if (!this.contactRelation!.byCustomer.has(c)) this.knownMissing.add(`c:${c}`);
    return this.contactRelation!;
  }
}

export interface LookupContext {
  knex: Knex;
  mappings: readonly IntegrationTableMapping[];
  connectors: Connectors;
  cache: ReferenceCache;
  signal?: AbortSignal;
  /**
   * A BC code (or choice value) that has no option pair yet runs its option mapping first (which may create the
   * choice value in Dataverse), so a customer never fails for a code the option job has not seen yet. Off where
   * nothing may be written (match dry runs). (Default: false)
   */
  syncOptionsOnMiss?: boolean;
  /**
   * Synchronizes referenced BC records that are not coupled yet through their own mapping, for lookups marked
   * `syncOnDemand` (activities/page/on-demand.ts), and returns why those still uncoupled are. Absent where nothing may
   * be written, and on pages that themselves run on demand.
   */
  syncOnDemand?: (target: IntegrationTableMapping, bcIds: readonly string[]) => Promise<Map<string, string>>;
  /**
   * Why the target mapping never creates a record for an uncoupled BC record (a blocked item gets no product: the
   * target's entity rules, `EntityRules.neverCreates`), given as the advice instead of "run <mapping> first".
   * (Default: it would)
   */
  neverCreates?: (target: IntegrationTableMapping, record: Record<string, unknown>) => string | undefined;
}

/** Resolves every request (de-duplicated by key) and returns the results keyed by `LookupRequest.key`. */
export async function resolveLookups(
  ctx: LookupContext,
  requests: readonly LookupRequest[],
): Promise<Map<string, LookupResult>> {
  const results = new Map<string, LookupResult>();
  const groups = new Map<string, LookupRequest[]>();
  for (const r of requests) {
    if (results.has(r.key)) continue;
    const g = `${r.kind}|${r.target}|${r.from}|${r.bcKey ?? ''}`;
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  for (const group of groups.values()) {
    const first = group[0];
    if (first.kind === 'option') await resolveOptions(ctx, group, results);
    else if (first.from === 'bc') await resolveFromBc(ctx, group, results);
    else await resolveFromDataverse(ctx, group, results);
  }
  return results;
}

function targetMapping(ctx: LookupContext, name: string): IntegrationTableMapping {
  const m = ctx.mappings.find((x) => x.name === name);
  if (!m) {
    throw ApplicationFailure.create({
      message: `a lookup points to mapping ${name}, which does not exist; fix the mapping definition or MAPPINGS_FILE`,
      type: 'NonRetryable',
      nonRetryable: true,
    });
  }
  return m;
}

async function resolveOptions(ctx: LookupContext, group: LookupRequest[], out: Map<string, LookupResult>) {
  const optionSet = group[0].target;
  const find = (options: OptionMapping[], r: LookupRequest) =>
    r.from === 'bc'
      ? options.find((o) => o.bcCode.toUpperCase() === r.value?.toUpperCase())
      : options.find((o) => String(o.dvValue) === r.value);
  let options = await listOptionMappings(ctx.knex, optionSet);
  const definition = findOptionMapping(optionSet);
  if (ctx.syncOptionsOnMiss && definition && group.some((r) => !find(options, r))) {
    await syncOptionMapping(
      { knex: ctx.knex, connectors: ctx.connectors, now: () => new Date() },
      definition,
      ctx.signal,
    );
    options = await listOptionMappings(ctx.knex, optionSet);
  }
  for (const r of group) {
    const hit = find(options, r);
    if (hit) {
      out.set(r.key, { status: 'resolved', value: r.from === 'bc' ? hit.dvValue : hit.bcCode });
    } else if (r.from === 'bc') {
      out.set(r.key, { status: 'not-coupled', targetNumber: r.value ?? '' });
    } else {
      // A Dataverse choice value no BC code pairs with: the option mappings only run from BC, so running them cannot
      // help — a code labelled like the value can.
      const advice = definition
        ? `create the Business Central ${definition.bc.caption} for it (a code equal to the choice's label) and run 'bcsync options sync ${definition.name}'`
        : undefined;
      out.set(r.key, { status: 'not-coupled', targetNumber: r.value ?? '', ...(advice ? { advice } : {}) });
    }
  }
}

/** BC value (id, code, number or company contact number) → the coupled Dataverse id. */
async function resolveFromBc(ctx: LookupContext, group: LookupRequest[], out: Map<string, LookupResult>) {
  const target = targetMapping(ctx, group[0].target);
  const bcKey = group[0].bcKey ?? 'id';
  const bcSet = target.bc.entitySet as BcEntitySet;
  const withValue = group.filter((r) => r.value !== null);
  for (const r of group) {
    if (r.value === null && r.blankIsBaseCurrency) {
      const base = await ctx.cache.dataverseBaseCurrencyId(ctx.signal);
      out.set(r.key, base ? { status: 'resolved', value: base } : { status: 'no-target' });
    }
  }
  if (!withValue.length) return;

  // value → BC record id (and a caption for messages)
  const bcIdOf = new Map<string, string>();
  const caption = new Map<string, { number?: string; name?: string }>();
  const values = [...new Set(withValue.map((r) => r.value!))];
  if (bcKey === 'id') {
    for (const v of values) bcIdOf.set(v, v);
  } else if (bcKey === 'company-contact-number') {
    const contacts = await ctx.cache.companyContacts({ numbers: values }, ctx.signal);
    for (const v of values) {
      const customerId = contacts.byNumber.get(v);
      if (customerId) bcIdOf.set(v, customerId);
    }
  } else {
    for (const part of chunk(values, 20)) {
      const filter = part.map((v) => `${bcKey} eq ${stringLiteral(v)}`).join(' or ');
      for await (const page of ctx.connectors.bc.listAll({ entitySet: bcSet, filter, signal: ctx.signal })) {
        for (const rec of page) {
          const v = rec[bcKey];
          if (typeof v === 'string') {
            const match = values.find((x) => x.toUpperCase() === v.toUpperCase());
            if (match) bcIdOf.set(match, rec.id);
          }
        }
      }
    }
  }
  const couplings = await findByBcIds(ctx.knex, target.name, [...new Set(bcIdOf.values())]);
  const uncoupledIds = [...new Set(bcIdOf.values())].filter((id) => !couplings.get(id)?.dvId);
  // Uncoupled targets the target mapping's rules never create a record for (a blocked item): what to do instead.
  const neverCreated = new Map<string, string>();
  if (uncoupledIds.length) {
    for (const rec of await ctx.connectors.bc.getByIds(bcSet, uncoupledIds, { signal: ctx.signal })) {
      caption.set(rec.id, {
        number: target.bc.numberField ? (rec[target.bc.numberField] as string | undefined) : undefined,
        name: rec[target.bc.titleField] as string | undefined,
      });
      const why = ctx.neverCreates?.(target, rec);
      if (why) neverCreated.set(rec.id.toLowerCase(), why);
    }
  }
  // An uncoupled target outside the target mapping's filter (a blocked customer) is never coupled by that mapping:
  // for the record pointing at it, it is no target at all (out of scope), not "run the other mapping first".
  const outOfScope = new Set<string>();
  if (uncoupledIds.length && target.bc.filter) {
    const inScope = new Set<string>();
    for (const part of chunk(uncoupledIds, 20)) {
      const ids = part.map((id) => `id eq ${guidLiteral(id, 'business-central')}`).join(' or ');
      const filter = `(${target.bc.filter}) and (${ids})`;
      for await (const page of ctx.connectors.bc.listAll({ entitySet: bcSet, filter, signal: ctx.signal })) {
        for (const rec of page) inScope.add(String(rec.id).toLowerCase());
      }
    }
    for (const id of uncoupledIds) if (!inScope.has(id.toLowerCase())) outOfScope.add(id);
  }
  // Lookups synchronized on demand: the referenced records in scope are synchronized through their mapping first,
  // then looked up again; those still not coupled fail the referencing record with the reason.
  let onDemandFailure = new Map<string, string>();
  if (ctx.syncOnDemand) {
    const wanted = new Set(group.filter((r) => r.syncOnDemand && r.value !== null).map((r) => bcIdOf.get(r.value!)));
    const ids = uncoupledIds.filter((id) => wanted.has(id) && caption.has(id) && !outOfScope.has(id));
    if (ids.length) {
      onDemandFailure = await ctx.syncOnDemand(target, ids);
      for (const [id, c] of await findByBcIds(ctx.knex, target.name, ids)) couplings.set(id, c);
    }
  }
  for (const r of withValue) {
    const bcId = bcIdOf.get(r.value!);
    if (!bcId) {
      out.set(r.key, { status: 'no-target', targetNumber: r.value! });
      continue;
    }
    const dvId = couplings.get(bcId)?.dvId;
    if (dvId) out.set(r.key, { status: 'resolved', value: dvId });
    else if (bcKey === 'id' && !caption.has(bcId)) out.set(r.key, { status: 'no-target', targetNumber: r.value! });
    else if (outOfScope.has(bcId)) {
      const c = caption.get(bcId);
      out.set(r.key, { status: 'no-target', targetNumber: c?.number ?? r.value!, targetName: c?.name });
    } else {
      const c = caption.get(bcId);
      // A target mapping that only synchronizes Dataverse → Business Central (SALESPEOPLE) never creates the Dataverse
      // record for a BC-only one: running it cannot help, coupling by hand or choosing another one can.
      const failedOnDemand = onDemandFailure.get(bcId.toLowerCase());
      const advice =
        target.direction === 'to-bc'
          ? `${target.name} only synchronizes from Dataverse, so it never creates one for it: couple it to an existing Dataverse ${target.dataverse.caption} with 'bcsync couple ${target.name} --bc ${bcId} --dv <id>', or choose another`
          : (neverCreated.get(bcId.toLowerCase()) ??
            (failedOnDemand
              ? `synchronizing it on demand through ${target.name} failed: ${failedOnDemand}`
              : undefined));
      out.set(r.key, {
        status: 'not-coupled',
        targetNumber: c?.number ?? r.value!,
        targetName: c?.name,
        ...(advice ? { advice } : {}),
      });
    }
  }
}

/** Dataverse id → the coupled BC record's key (id, code, number or company contact number). */
async function resolveFromDataverse(ctx: LookupContext, group: LookupRequest[], out: Map<string, LookupResult>) {
  const target = targetMapping(ctx, group[0].target);
  const bcKey = group[0].bcKey ?? 'id';
  const base = group.some((r) => r.blankIsBaseCurrency) ? await ctx.cache.dataverseBaseCurrencyId(ctx.signal) : null;
  const pending: LookupRequest[] = [];
  for (const r of group) {
    if (r.value === null) out.set(r.key, { status: 'resolved', value: null });
    else if (r.blankIsBaseCurrency && base && r.value.toLowerCase() === base.toLowerCase()) {
      out.set(r.key, { status: 'resolved', value: '' });
    } else pending.push(r);
  }
  if (!pending.length) return;
  const dvIds = [...new Set(pending.map((r) => r.value!.toLowerCase()))];
  const couplings = await findByDvIds(ctx.knex, target.name, dvIds);
  const bcIds = [...couplings.values()].map((c) => c.bcId).filter((x): x is string => !!x);

  const keyOf = new Map<string, string>(); // bc id → key value
  if (bcKey === 'id') for (const id of bcIds) keyOf.set(id, id);
  else if (bcKey === 'company-contact-number') {
    const contacts = await ctx.cache.companyContacts({ customers: bcIds }, ctx.signal);
    for (const id of bcIds) {
      const n = contacts.byCustomer.get(id);
      if (n) keyOf.set(id, n);
    }
  } else if (bcIds.length) {
    for (const rec of await ctx.connectors.bc.getByIds(target.bc.entitySet as BcEntitySet, bcIds, {
      signal: ctx.signal,
    })) {
      const v = rec[bcKey];
      if (typeof v === 'string') keyOf.set(rec.id, v);
    }
  }
  const uncoupled = dvIds.filter((id) => !couplings.get(id)?.bcId);
  const existing = new Map<string, Record<string, unknown>>();
  if (uncoupled.length) {
    const rows = await ctx.connectors.dv.getByIds(target.dataverse.entitySet as DvEntitySet, uncoupled, {
      signal: ctx.signal,
    });
    for (const row of rows) existing.set(String(row[target.dataverse.key]).toLowerCase(), row);
  }
  for (const r of pending) {
    const dvId = r.value!.toLowerCase();
    const bcId = couplings.get(dvId)?.bcId;
    const key = bcId ? keyOf.get(bcId) : undefined;
    if (key !== undefined) out.set(r.key, { status: 'resolved', value: key });
    else if (bcId || existing.has(dvId)) {
      const row = existing.get(dvId);
      out.set(r.key, {
        status: 'not-coupled',
        targetName: row ? (row[target.dataverse.titleField] as string) : undefined,
      });
    } else out.set(r.key, { status: 'no-target' });
  }
}
