/**
 * The first step of a page: load the records' couplings and earlier failures, set aside the records that hold the
 * values last synchronized (unchanged), resolve every lookup of the others in bulk, fetch their coupled destination
 * records, and let the engine decide each record.
 */
import {
  type DataRecord,
  decide,
  lookupRequests,
  lookupResolverFromMap,
  type LookupResolver,
  type RecordDecision,
  unchangedSource,
} from '../../engine';
import { hashRecord } from '../../engine/record-hash';
import { destinationSideOf, sourceSideOf } from '../../engine/run-types';
import { findByBcIds, findByDvIds } from '../../store/couplings';
import { findPendingFailures } from '../../store/pending-failures';
import type { SyncDeps } from '../deps';
import { entityRulesFor } from '../entity-rules';
import { resolveLookups } from '../lookup-resolution';
import { type ApiRecord, sideApi } from '../sides';
import type { SyncOnDemand } from './on-demand';
import { couplingState, type Item, lower, type PageWork } from './work';

export interface PreparedPage {
  items: Item[];
  lookups: LookupResolver;
}

/** Decides every record of the page; records the retry phase of this pass already handled are left out. */
export async function preparePage(deps: SyncDeps, work: PageWork, syncOnDemand?: SyncOnDemand): Promise<PreparedPage> {
  const m = work.createUncoupled ? { ...work.mapping, onlyCoupled: false } : work.mapping;
  const direction = work.direction;
  const srcSide = sourceSideOf(direction);
  const dstSide = destinationSideOf(direction);
  const src = sideApi(deps.connectors, m, srcSide);
  const dst = sideApi(deps.connectors, m, dstSide);

  const sourceIds = work.records.map((r) => lower(r[src.key]));
  const rows =
    srcSide === 'bc'
      ? await findByBcIds(deps.knex, m.name, sourceIds)
      : await findByDvIds(deps.knex, m.name, sourceIds);
  const pending = await findPendingFailures(deps.knex, m.name, direction, sourceIds);

  // Records the retry phase of this pass already handled are not counted a second time in the changed phase.
  const handledThisPass = (id: string): boolean => {
    const row = rows.get(id);
    const jobId = row
      ? direction === 'to-dataverse'
        ? row.toDataverse.jobId
        : row.toBc.jobId
      : pending.get(id)?.jobId;
    return jobId === work.jobId;
  };
  const records = work.records.filter((r) => !(work.phase === 'changed' && handledThisPass(lower(r[src.key]))));

  // Records that hold the values last synchronized are unchanged without their lookups or destination: a pass that
  // reads records back (its watermark's instant, the safety overlap, the echo of its own writes) makes no request for
  // them. Rules that look at unchanged records again (CURRENCY's rates) get every record decided in full.
  const early = new Map<DataRecord, RecordDecision>();
  if (!entityRulesFor(m.name)?.decidesUnchangedRecords) {
    for (const source of records) {
      const decision = unchangedSource({
        mapping: m,
        direction,
        source,
        coupling: couplingState(rows.get(lower(source[src.key]))),
        force: work.force,
      });
      if (decision) early.set(source, decision);
    }
  }
  const toDecide = records.filter((r) => !early.has(r));

  const requests = toDecide.flatMap((r) => lookupRequests(m, direction, r as DataRecord));
  const lookups = lookupResolverFromMap(
    await resolveLookups(
      {
        knex: deps.knex,
        mappings: deps.mappings,
        connectors: deps.connectors,
        cache: deps.cache,
        syncOptionsOnMiss: true,
        syncOnDemand,
        neverCreates: (target, record) => entityRulesFor(target.name)?.neverCreates?.(target, record),
      },
      requests,
    ),
  );

  // The coupled destination records (absent = deleted on the other side).
  const destIds = toDecide
    .map((r) => rows.get(lower(r[src.key])))
    .filter((row) => row !== undefined)
    .map((row) => (dstSide === 'bc' ? row.bcId : row.dvId));
  const destinations = new Map<string, ApiRecord>();
  if (destIds.length) for (const d of await dst.getByIds(destIds)) destinations.set(lower(d[dst.key]), d);

  const items: Item[] = records.map((source) => {
    const sourceId = lower(source[src.key]);
    const row = rows.get(sourceId);
    const unchanged = early.get(source);
    if (unchanged)
      return { sourceId, source, row, pending: pending.get(sourceId), decision: unchanged, destination: null };
    let state = couplingState(row);
    const destId = state ? (dstSide === 'bc' ? state.bcId : state.dvId) : null;
    const destination = destId ? (destinations.get(lower(destId)) ?? null) : null;
    // Redoing a part that died after its writes: a destination holding what an earlier attempt planned to write was
    // written by it, not changed by someone else — its hash is what this coupling would have stored.
    const planned = work.pageRead?.plannedHashes?.[sourceId];
    const destHash = state && destination && planned ? hashRecord(m, dstSide, destination) : undefined;
    const held = destHash !== undefined && planned?.includes(destHash) ? destHash : undefined;
    if (state && held) state = dstSide === 'bc' ? { ...state, bcHash: held } : { ...state, dvHash: held };
    const parked = pending.get(sourceId)?.skipped === true;
    let decision = decide({
      mapping: m,
      direction,
      source,
      coupling: state,
      destination,
      lookups,
      parked,
      force: work.force,
    });
    // Nothing left to write because the dead attempt wrote it: the pair is synchronized at the hash that attempt
    // planned. Such an unchanged decision (the source changed, nothing differs) stores only the source's hash, which
    // would leave the destination's stored hash behind the sync's own write — the opposite pass would take the
    // destination for changed, and meet a user's change of the source made since as a conflict with the sync itself.
    // (An unchanged source stores no hash: the destination may hold an older plan the source has moved back from.)
    const sourceHashKey = dstSide === 'bc' ? 'dvHash' : 'bcHash';
    if (held && decision.kind === 'unchanged' && sourceHashKey in decision.hashes) {
      decision = {
        ...decision,
        hashes: { ...decision.hashes, ...(dstSide === 'bc' ? { bcHash: held } : { dvHash: held }) },
      };
    }
    return { sourceId, source, row, pending: pending.get(sourceId), decision, destination };
  });
  return { items, lookups };
}
