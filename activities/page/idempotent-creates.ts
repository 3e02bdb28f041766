/**
 * Exactly-once Business Central creates (DESIGN §7.1): BC assigns its own ids, so a create is made idempotent by an
 * intent row written before the call and a look-up by the record's deterministic key (`createKey`) before any repeat.
 * An intent left by an earlier attempt means the create may have happened: look first, create only if absent.
 */
import { stringLiteral } from '../../connectors/http/odata';
import { destinationSideOf } from '../../engine/run-types';
import { findIntents, recordIntents } from '../../store/pending-writes';
import type { SyncDeps } from '../deps';
import { type ApiRecord, sideApi } from '../sides';
import { type Item, type PageWork, plan } from './work';

/** The OData filter that finds a record by its deterministic create key. */
export function createKeyFilter(key: { field: string; value: string }): string {
  return `${key.field} eq ${stringLiteral(key.value)}`;
}

/** Looks a BC create up by its deterministic key: the record an earlier or overlapping attempt created, or null. */
export async function findByCreateKey(deps: SyncDeps, work: PageWork, item: Item): Promise<ApiRecord | null> {
  const key = plan(item.decision)?.createKey;
  if (!key) return null;
  return sideApi(deps.connectors, work.mapping, 'bc').findOne(createKeyFilter(key));
}

/**
 * For the page's BC creates: recovers those an earlier attempt already made (found by key; marked `recovered`), and
 * writes an intent row for each one still to create.
 */
export async function prepareBcCreates(deps: SyncDeps, work: PageWork, items: Item[], now: Date): Promise<void> {
  if (destinationSideOf(work.direction) !== 'bc') return;
  const m = work.mapping;
  const creates = items.filter((i) => plan(i.decision)?.operation === 'create');
  if (!creates.length) return;
  const earlier = await findIntents(
    deps.knex,
    m.name,
    work.direction,
    creates.map((i) => i.sourceId),
  );
  for (const item of creates) {
    if (!earlier.has(item.sourceId)) continue;
    const found = await findByCreateKey(deps, work, item);
    if (found) {
      item.written = found;
      item.recovered = true;
    }
  }
  const intents = creates.flatMap((item) => {
    const key = plan(item.decision)!.createKey;
    return key && item.written === undefined
      ? [{ sourceId: item.sourceId, lookupKey: `${key.field}=${key.value}` }]
      : [];
  });
  // One statement for the page, committed before any create is sent.
  await recordIntents(deps.knex, m.name, work.direction, work.jobId, now, intents);
}
