/**
 * One page of one pass: decide every source record with the engine (prepare), couple what already exists on the
 * other side instead of creating it (match before create), make Business Central creates idempotent, write the
 * destination in batches (destination writes), then commit couplings, errors, audit rows and the page result in one
 * transaction (commit). Per-record failures never fail the page; they become error rows with a message a user can
 * act on.
 */
import { destinationSideOf, sourceSideOf } from '../../engine/run-types';
import { recordPlannedHashes } from '../../store/sync-pages';
import type { SyncDeps } from '../deps';
import { entityRulesFor } from '../entity-rules';
import { sideApi } from '../sides';
import { commitPage } from './commit';
import { writeDestination } from './destination-writes';
import { prepareBcCreates } from './idempotent-creates';
import { matchBeforeCreate } from './match-before-create';
import { onDemandSyncer } from './on-demand';
import { preparePage } from './prepare';
import { type Item, type PageProgress, type PageWork, plan } from './work';

export { addPart } from './work';
export type { PageProgress, PageWork, StoredPageResult } from './work';

/** Source id → the destination hash each planned write is to leave (the decision's predicted hash). */
function plannedHashesOf(work: PageWork, items: readonly Item[]): Record<string, string> {
  const dstSide = destinationSideOf(work.direction);
  const out: Record<string, string> = {};
  for (const item of items) {
    if (!plan(item.decision) || !('hashes' in item.decision)) continue;
    const hash = dstSide === 'bc' ? item.decision.hashes.bcHash : item.decision.hashes.dvHash;
    if (hash) out[item.sourceId] = hash;
  }
  return out;
}

/** Decides, writes and commits one page (one part of a page activity); returns the activity's progress with it. */
export async function processRecords(deps: SyncDeps, work: PageWork, signal?: AbortSignal): Promise<PageProgress> {
  const now = deps.now();
  const syncOnDemand = onDemandSyncer(deps, work, processRecords, signal);
  const { items, lookups } = await preparePage(deps, work, syncOnDemand);
  const rules = entityRulesFor(work.mapping.name);
  await matchBeforeCreate(deps, work, items, lookups);
  await prepareBcCreates(deps, work, items, now);
  const beforeWrite = rules?.beforeWrite
    ? (some: Item[]) => rules.beforeWrite!({ deps, work, lookups, syncOnDemand }, some)
    : undefined;
  await beforeWrite?.(items);
  if (work.pageRead) await recordPlannedHashes(deps.knex, work.pageRead.key, plannedHashesOf(work, items));
  await writeDestination(deps, work, items, lookups, signal, beforeWrite);
  await rules?.afterWrite?.({ deps, work, lookups, syncOnDemand }, items);
  await deps.faults?.afterDestinationWrite?.({
    mapping: work.mapping.name,
    direction: work.direction,
    jobId: work.jobId,
    pageNo: work.pageNo,
  });
  const sourceKey = sideApi(deps.connectors, work.mapping, sourceSideOf(work.direction)).key;
  return commitPage(deps.knex, work, items, sourceKey, now);
}
