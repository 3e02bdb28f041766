/**
 * The first step of a page: load the records' couplings and earlier failures, resolve every lookup of the page in
 * bulk, fetch the coupled destination records, and let the engine decide each record.
 */
import { type DataRecord, decide, lookupRequests, lookupResolverFromMap, type LookupResolver } from '../../engine';
import { destinationSideOf, sourceSideOf } from '../../engine/run-types';
import { findByBcIds, findByDvIds } from '../../store/couplings';
import { findPendingFailures } from '../../store/pending-failures';
import type { SyncDeps } from '../deps';
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

  const requests = records.flatMap((r) => lookupRequests(m, direction, r as DataRecord));
  const lookups = lookupResolverFromMap(
    await resolveLookups(
      {
        knex: deps.knex,
        mappings: deps.mappings,
        connectors: deps.connectors,
        cache: deps.cache,
        syncOptionsOnMiss: true,
        syncOnDemand,
      },
      requests,
    ),
  );

  // The coupled destination records (absent = deleted on the other side).
  const destIds = records
    .map((r) => rows.get(lower(r[src.key])))
    .filter((row) => row !== undefined)
    .map((row) => (dstSide === 'bc' ? row.bcId : row.dvId));
  const destinations = new Map<string, ApiRecord>();
  if (destIds.length) for (const d of await dst.getByIds(destIds)) destinations.set(lower(d[dst.key]), d);

  const items: Item[] = records.map((source) => {
    const sourceId = lower(source[src.key]);
    const row = rows.get(sourceId);
    const state = couplingState(row);
    const destId = state ? (dstSide === 'bc' ? state.bcId : state.dvId) : null;
    const destination = destId ? (destinations.get(lower(destId)) ?? null) : null;
    const parked = pending.get(sourceId)?.skipped === true;
    const decision = decide({ mapping: m, direction, source, coupling: state, destination, lookups, parked });
    return { sourceId, source, row, pending: pending.get(sourceId), decision, destination };
  });
  return { items, lookups };
}
