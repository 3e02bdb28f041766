/**
 * Candidate look-up for match-based coupling: the uncoupled destination records (within the destination filter) that
 * could be the same as some source records under the mapping's match criteria. The engine (engine/matching.ts) then
 * decides which pairs hold.
 */
import {
  type DataRecord,
  destinationProperty,
  type LookupResolver,
  matchCriteriaOf,
  queryablePair,
  sourceMatchValue,
} from '../../engine';
import { stringLiteral } from '../../connectors/http/odata';
import type { IntegrationTableMapping } from '../../mappings';
import { destinationSideOf, type PassDirection } from '../../engine/run-types';
import { findByBcIds, findByDvIds } from '../../store/couplings';
import type { SyncDeps } from '../deps';
import { type ApiRecord, sideApi } from '../sides';

/** Values per OData `or` filter (keeps URLs well under the services' limits). */
const VALUES_PER_QUERY = 20;

/**
 * Reads the destination records whose first non-lookup criterion field equals a source value (case-insensitively
 * where the criterion is), for every criterion, and drops those already coupled in the mapping. A criterion with no
 * queryable pair (lookups only, or towards BC transformed pairs only: see `queryablePair`) contributes no candidates.
 */
export async function findUncoupledCandidates(
  deps: SyncDeps,
  m: IntegrationTableMapping,
  direction: PassDirection,
  sources: readonly DataRecord[],
  lookups: LookupResolver,
  signal?: AbortSignal,
): Promise<ApiRecord[]> {
  const dstSide = destinationSideOf(direction);
  const dst = sideApi(deps.connectors, m, dstSide);
  const dstFilter = dstSide === 'bc' ? m.bc.filter : m.dataverse.filter;
  const found = new Map<string, ApiRecord>();
  for (const criterion of matchCriteriaOf(m)) {
    const pair = criterion.fields.find((p) => queryablePair(m, direction, p));
    if (!pair) continue;
    const property = destinationProperty(m, direction, pair).property;
    // Raw (untrimmed-case) source values: the service compares strings case-insensitively (both APIs do by default),
    // the engine then applies the criterion's exact rule.
    const values = [
      ...new Set(
        sources
          .map((s) => sourceMatchValue(m, direction, pair, s, lookups, true))
          .filter((v): v is string => v !== null),
      ),
    ];
    for (let n = 0; n < values.length; n += VALUES_PER_QUERY) {
      const or = values
        .slice(n, n + VALUES_PER_QUERY)
        .map((v) => `${property} eq ${stringLiteral(v)}`)
        .join(' or ');
      for (const c of await dst.list(dstFilter ? `(${dstFilter}) and (${or})` : or, signal)) {
        found.set(String(c[dst.key]).toLowerCase(), c);
      }
    }
  }
  if (!found.size) return [];
  const ids = [...found.keys()];
  const coupled =
    dstSide === 'bc' ? await findByBcIds(deps.knex, m.name, ids) : await findByDvIds(deps.knex, m.name, ids);
  return [...found.entries()].filter(([id]) => !coupled.has(id)).map(([, record]) => record);
}
