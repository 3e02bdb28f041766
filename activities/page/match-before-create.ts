/**
 * Match before create (`matchBeforeCreate`, on by default): a record about to be created whose destination already
 * has exactly one uncoupled record that the match criteria accept is coupled to it instead, and decided again as an
 * update of that record — in the BC→Dataverse pass; in the Dataverse→BC pass of a two-way mapping the pair is coupled
 * without a write and takes Business Central's values in the next BC→Dataverse pass (see `applyMatches`). An ambiguous match fails the record with every candidate named: creating would add one more
 * look-alike, and picking one would be a guess.
 */
import {
  criterionLabel,
  decide,
  describeRecord,
  failureOutcome,
  type LookupResolver,
  matchCriteriaOf,
  matchRecords,
} from '../../engine';
import { hashRecord } from '../../engine/record-hash';
import { destinationSideOf, sourceSideOf } from '../../engine/run-types';
import { findByDvIds } from '../../store/couplings';
import { findIntentsByKeys } from '../../store/pending-writes';
import type { SyncDeps } from '../deps';
import { findUncoupledCandidates } from '../matching/candidates';
import { type ApiRecord, sideApi } from '../sides';
import { freshCoupling, type Item, lower, type PageWork, plan, sideCaption } from './work';

/** Applies match before create to the page's inserts; returns how many were matched. */
export async function matchBeforeCreate(
  deps: SyncDeps,
  work: PageWork,
  items: Item[],
  lookups: LookupResolver,
): Promise<number> {
  const m = work.mapping;
  await adoptOrphanedCreates(deps, work, items);
  if (!m.matchBeforeCreate || !matchCriteriaOf(m).length) return 0;
  const creating = items.filter((i) => i.decision.kind === 'insert');
  if (!creating.length) return 0;
  const candidates = await findUncoupledCandidates(
    deps,
    m,
    work.direction,
    creating.map((i) => i.source),
    lookups,
  );
  if (!candidates.length) return 0;
  // A candidate that carries the create's own deterministic id (Dataverse) or key (Business Central) is not a
  // look-alike: an earlier attempt of this create got that far before it died. It is recovered, not matched.
  const dstSide = destinationSideOf(work.direction);
  const dstKey = dstSide === 'bc' ? work.mapping.bc.key : work.mapping.dataverse.key;
  const ours = new Set<ApiRecord>();
  for (const item of creating) {
    const p = plan(item.decision);
    const own = candidates.find((c) =>
      p?.destinationId
        ? lower(c[dstKey]) === lower(p.destinationId)
        : p?.createKey
          ? String(c[p.createKey.field] as string) === p.createKey.value
          : false,
    );
    if (own) {
      item.written = own;
      item.recovered = true;
      ours.add(own);
    }
  }
  return applyMatches(
    work,
    creating.filter((i) => !i.recovered),
    candidates.filter((c) => !ours.has(c)),
    lookups,
  );
}

/**
 * In a BC→Dataverse pass: an uncoupled BC record that a Dataverse→BC create of this mapping made (its deterministic key
 * names an open intent: the attempt that created it died before its commit, and its retry no longer read the source,
 * which had changed meanwhile) is coupled to the Dataverse row it was made from, writing nothing: that row is the
 * source of the record's values, so its hash is left unknown and the Dataverse→BC pass that follows writes its current
 * values — matching it by name and writing the BC record over it would lose the row's newer changes.
 */
async function adoptOrphanedCreates(deps: SyncDeps, work: PageWork, items: Item[]): Promise<void> {
  const m = work.mapping;
  const spec = m.bc.createKey;
  if (!spec || destinationSideOf(work.direction) !== 'dataverse') return;
  const keyValue = (item: Item): string => {
    const v = item.source[spec.field];
    return typeof v === 'string' ? v : '';
  };
  const keyOf = (item: Item) => `${spec.field}=${keyValue(item)}`;
  const creating = items.filter((i) => i.decision.kind === 'insert' && keyValue(i).startsWith(spec.prefix));
  const intents = await findIntentsByKeys(deps.knex, m.name, 'to-bc', creating.map(keyOf));
  if (!intents.size) return;
  const origins = creating.flatMap((item) => {
    const intent = intents.get(keyOf(item));
    return intent ? [{ item, dvId: lower(intent.sourceId) }] : [];
  });
  const coupled = await findByDvIds(
    deps.knex,
    m.name,
    origins.map((o) => o.dvId),
  );
  const rows = new Map(
    (await sideApi(deps.connectors, m, 'dataverse').getByIds(origins.map((o) => o.dvId))).map((r) => [
      lower(r[m.dataverse.key]),
      r,
    ]),
  );
  for (const { item, dvId } of origins) {
    const origin = rows.get(dvId);
    if (!origin || coupled.has(dvId)) continue; // gone, or coupled meanwhile: an ordinary new BC record
    item.decision = {
      kind: 'unchanged',
      counter: 'unchanged',
      couplingResult: 'success',
      hashes: { bcHash: hashRecord(m, 'bc', item.source), dvHash: null },
    };
    item.destination = origin;
    item.matchedId = dvId;
  }
}

/**
 * Couples each item the engine matches to its candidate (decided again as an update of it) and fails each ambiguous
 * one with its candidates named. Returns how many were matched.
 */
export function applyMatches(
  work: PageWork,
  items: Item[],
  candidates: readonly ApiRecord[],
  lookups: LookupResolver,
): number {
  const m = work.createUncoupled ? { ...work.mapping, onlyCoupled: false } : work.mapping;
  const direction = work.direction;
  const dstSide = destinationSideOf(direction);
  const dstKey = dstSide === 'bc' ? m.bc.key : m.dataverse.key;
  const verdicts = matchRecords(
    m,
    direction,
    items.map((i) => i.source),
    candidates,
    lookups,
  );
  let matched = 0;
  verdicts.forEach((verdict, n) => {
    const item = items[n];
    if (verdict.kind === 'unmatched') return;
    const who = describeRecord(m, sourceSideOf(direction), item.source);
    if (verdict.kind === 'ambiguous') {
      const named = verdict.candidates
        .map((c) => `${describeRecord(m, dstSide, candidates[c])} (${lower(candidates[c][dstKey])})`)
        .join(', ');
      const rivals = verdict.rivals.length
        ? ` and ${verdict.rivals.length} other ${m.name} record(s) of this page look the same`
        : '';
      item.decision = {
        kind: 'fail',
        counter: 'failed',
        couplingResult: 'failure',
        failure: failureOutcome(
          null,
          direction,
          `${who} was not created: it matches ${verdict.candidates.length} uncoupled ${sideCaption(m, dstSide)}(s) on ${criterionLabel(verdict.criterion)}${rivals}: ${named}; couple the right one with 'bcsync couple ${m.name}' or make the values unique`,
        ),
      };
      return;
    }
    const target = candidates[verdict.candidate];
    const targetId = lower(target[dstKey]);
    if (dstSide === 'bc' && m.direction === 'bidirectional') {
      // A look-alike pair takes Business Central's values, as the BC→Dataverse pass that runs first gives them to the
      // pairs it matches: a customer the Dataverse→BC pass finds uncoupled was changed (or created) after that pass
      // read its records, so writing the account over it would lose that change. It is coupled as it is, its hash
      // left unknown: the next BC→Dataverse pass writes its values to the account.
      item.decision = {
        kind: 'unchanged',
        counter: 'unchanged',
        couplingResult: 'success',
        hashes: { bcHash: null, dvHash: hashRecord(m, 'dataverse', item.source) },
      };
    } else {
      const coupling =
        dstSide === 'bc' ? freshCoupling(targetId, item.sourceId) : freshCoupling(item.sourceId, targetId);
      item.decision = decide({ mapping: m, direction, source: item.source, coupling, destination: target, lookups });
    }
    item.destination = target;
    item.matchedId = targetId;
    matched += 1;
  });
  return matched;
}
