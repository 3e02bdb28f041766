/**
 * Match-based coupling rules (bc-sync-semantics §7.4), pure: which uncoupled destination record, if any, a source
 * record is the same as. Criteria are tried in priority order; within a criterion exactly one candidate (that no other
 * source record also claims) is a match, several are an ambiguity that is reported with every candidate and never
 * guessed, none moves on to the next criterion.
 */
import { type FieldMapping, type IntegrationTableMapping } from '../mappings/mapping-model';
import { destinationSideOf, type PassDirection, sourceSideOf } from './run-types';
import { readPath, readProperty } from './field-access';
import { lookupRequestFor, type LookupResolver } from './lookups';
import { stringify } from './normalize-value';
import { applyTransform } from './value-transforms';
import type { TransformName } from '../mappings/transform-names';
import type { DataRecord } from './record-types';

/**
 * One field pair of a criterion. `transform`: the BC value is compared after this transform's rule towards Dataverse
 * (UNIT OF MEASURE: code `PCS` ⇔ unit group name `NAV PCS`), whichever side is the source.
 */
export interface MatchFieldPair {
  readonly bcField: string;
  readonly dvField: string;
  readonly transform?: TransformName;
}

/** One match criterion: field pairs that must all be equal. */
export interface MatchCriterion {
  readonly fields: readonly MatchFieldPair[];
  readonly caseSensitive: boolean;
}

/**
 * The criteria of a mapping in priority order: `matchOn` (the shorthand of earlier override files), when set, is the
 * one case-insensitive criterion; else `matchCriteria`.
 */
export function matchCriteriaOf(m: IntegrationTableMapping): MatchCriterion[] {
  return m.matchOn.length ? [{ fields: m.matchOn, caseSensitive: false }] : m.matchCriteria;
}

/** `number = accountnumber and displayName = name` (`unit-group-name(code) = name`) — a criterion in reports. */
export function criterionLabel(c: MatchCriterion): string {
  return (
    c.fields.map((f) => `${f.transform ? `${f.transform}(${f.bcField})` : f.bcField} = ${f.dvField}`).join(' and ') +
    (c.caseSensitive ? ' (case-sensitive)' : '')
  );
}

/** The BC value of a pair as compared: after the pair's transform (its rule towards Dataverse), if any. */
function comparedBcValue(pair: MatchFieldPair, bcRecord: DataRecord): unknown {
  const value = readPath(bcRecord, pair.bcField);
  return pair.transform
    ? applyTransform(pair.transform, value, { direction: 'to-dataverse', source: bcRecord })
    : value;
}

/** The field mapping behind a pair when it is a coupling lookup (compared through couplings), else undefined. */
function lookupField(m: IntegrationTableMapping, pair: MatchFieldPair): FieldMapping | undefined {
  return m.fieldMappings.find(
    (f) => f.bcField === pair.bcField && f.dvField === pair.dvField && f.lookup?.kind === 'coupling',
  );
}

function normalizeText(v: unknown, caseSensitive: boolean): string | null {
  if (v === null || v === undefined) return null;
  const s = stringify(v).trim();
  if (s === '') return null;
  return caseSensitive ? s : s.toLowerCase();
}

/**
 * The property of the destination record a pair compares (for a Dataverse lookup: `_parentcustomerid_value`), and
 * whether the pair is a lookup. Callers use the non-lookup properties to query candidates.
 */
export function destinationProperty(
  m: IntegrationTableMapping,
  direction: PassDirection,
  pair: MatchFieldPair,
): { property: string; lookup: boolean } {
  const dst = destinationSideOf(direction);
  const field = lookupField(m, pair);
  if (field) return { property: readProperty(field, dst)?.property ?? pair.dvField, lookup: true };
  return { property: dst === 'bc' ? pair.bcField : pair.dvField, lookup: false };
}

/** The source record's value of a pair in destination terms (lookups resolved); null when empty or unresolved. */
export function sourceMatchValue(
  m: IntegrationTableMapping,
  direction: PassDirection,
  pair: MatchFieldPair,
  source: DataRecord,
  lookups: LookupResolver,
  caseSensitive: boolean,
): string | null {
  const field = lookupField(m, pair);
  if (field) {
    const request = lookupRequestFor(field, direction, source);
    const result = request ? lookups(request) : undefined;
    return result?.status === 'resolved' ? normalizeText(result.value, caseSensitive) : null;
  }
  const value = sourceSideOf(direction) === 'bc' ? comparedBcValue(pair, source) : readPath(source, pair.dvField);
  return normalizeText(value, caseSensitive);
}

/**
 * Whether candidates can be queried by this pair's destination property with the source values: not for a lookup
 * (compared through couplings) nor, towards Business Central, for a transformed pair (the source value is the
 * transformed one; the BC field holds the untransformed value).
 */
export function queryablePair(m: IntegrationTableMapping, direction: PassDirection, pair: MatchFieldPair): boolean {
  if (destinationProperty(m, direction, pair).lookup) return false;
  return !(pair.transform && destinationSideOf(direction) === 'bc');
}

/** A destination record's value of a pair as compared (the BC side after the pair's transform). */
function destinationMatchValue(
  m: IntegrationTableMapping,
  direction: PassDirection,
  pair: MatchFieldPair,
  record: DataRecord,
): unknown {
  const { property, lookup } = destinationProperty(m, direction, pair);
  if (!lookup && destinationSideOf(direction) === 'bc') return comparedBcValue(pair, record);
  return readPath(record, property);
}

/** The match key of a record under a criterion; null when any of its values is empty (the criterion cannot hold). */
function matchKey(
  m: IntegrationTableMapping,
  direction: PassDirection,
  criterion: MatchCriterion,
  record: DataRecord,
  side: 'source' | 'destination',
  lookups: LookupResolver,
): string | null {
  const parts: string[] = [];
  for (const pair of criterion.fields) {
    const v =
      side === 'source'
        ? sourceMatchValue(m, direction, pair, record, lookups, criterion.caseSensitive)
        : normalizeText(destinationMatchValue(m, direction, pair, record), criterion.caseSensitive);
    if (v === null) return null;
    parts.push(v);
  }
  return parts.join('\u0000');
}

/** The verdict for one source record. `candidates` are indexes into the candidate list given to `matchRecords`. */
export type MatchVerdict =
  | { readonly kind: 'matched'; readonly criterion: MatchCriterion; readonly candidate: number }
  | {
      readonly kind: 'ambiguous';
      readonly criterion: MatchCriterion;
      readonly candidates: readonly number[];
      /** Other source records (indexes) that claim the same candidate. */
      readonly rivals: readonly number[];
    }
  | { readonly kind: 'unmatched' };

/**
 * Matches source records against uncoupled destination candidates. Each candidate is given to at most one source
 * record. Per criterion, in priority order: a source whose key has exactly one unclaimed candidate, and which no other
 * undecided source record shares, is matched; a key with several candidates, or shared by several source records, is
 * ambiguous (decided: not matched, not tried on later criteria — a weaker criterion must not override a conflict the
 * stronger one found); a key with no candidate (or an empty value) goes on to the next criterion.
 */
export function matchRecords(
  m: IntegrationTableMapping,
  direction: PassDirection,
  sources: readonly DataRecord[],
  candidates: readonly DataRecord[],
  lookups: LookupResolver,
  criteria: readonly MatchCriterion[] = matchCriteriaOf(m),
): MatchVerdict[] {
  const verdicts: (MatchVerdict | undefined)[] = sources.map(() => undefined);
  const taken = new Set<number>();
  for (const criterion of criteria) {
    const byKey = new Map<string, number[]>();
    candidates.forEach((c, i) => {
      if (taken.has(i)) return;
      const key = matchKey(m, direction, criterion, c, 'destination', lookups);
      if (key !== null) byKey.set(key, [...(byKey.get(key) ?? []), i]);
    });
    const sourcesByKey = new Map<string, number[]>();
    sources.forEach((s, i) => {
      if (verdicts[i]) return;
      const key = matchKey(m, direction, criterion, s, 'source', lookups);
      if (key !== null && byKey.has(key)) sourcesByKey.set(key, [...(sourcesByKey.get(key) ?? []), i]);
    });
    for (const [key, claimants] of sourcesByKey) {
      const found = byKey.get(key)!;
      if (found.length === 1 && claimants.length === 1) {
        verdicts[claimants[0]] = { kind: 'matched', criterion, candidate: found[0] };
        taken.add(found[0]);
      } else {
        for (const i of claimants) {
          verdicts[i] = { kind: 'ambiguous', criterion, candidates: found, rivals: claimants.filter((j) => j !== i) };
        }
      }
    }
  }
  return verdicts.map((v) => v ?? { kind: 'unmatched' });
}
