import {
  type BcLookupKey,
  type FieldMapping,
  type IntegrationTableMapping,
  appliesTo,
} from '../mappings/mapping-model';
import { type PassDirection, sourceSideOf, type Side } from './run-types';
import { readPath, readProperty } from './field-access';
import { normalizeValue } from './normalize-value';
import type { DataRecord } from './record-types';

/**
 * One reference the caller must resolve before `transferFields`/`decide` (the engine does no I/O): "which
 * destination value corresponds to this source value through the couplings of `target`?".
 *
 * - kind `coupling`, from `bc`: `value` is the BC key named by `bcKey` (a currency code, a salesperson code, a
 *   customer SystemId, or — `company-contact-number` — the number of a company contact whose customer is meant).
 *   Resolve to the coupled Dataverse id. `value` null with `blankIsBaseCurrency`: resolve to the DV base currency id.
 * - kind `coupling`, from `dataverse`: `value` is the referenced row's GUID. Resolve to the BC key named by `bcKey`
 *   of the coupled BC record (`blankIsBaseCurrency`: the base currency resolves to `''`).
 * - kind `option`: translate through the option mapping `target` (BC code-table id ⇔ DV choice value).
 */
export interface LookupRequest {
  /** Stable identity of the request, for de-duplicating a page's requests and caching results. */
  readonly key: string;
  readonly kind: 'coupling' | 'option';
  /** The mapping (coupling) or option set (option) to resolve through. */
  readonly target: string;
  /** The side the known value comes from. */
  readonly from: Side;
  readonly bcKey: BcLookupKey | null;
  readonly value: string | null;
  readonly blankIsBaseCurrency: boolean;
  /**
   * A referenced BC record that is not coupled yet is first synchronized through its own mapping, then looked up again
   * (the lookup's `syncOnDemand`). (Default: false)
   */
  readonly syncOnDemand?: boolean;
}

/**
 * The caller's answer to a `LookupRequest`:
 * - `resolved`: the destination value (DV GUID, BC key, option value); `null` = blank;
 * - `not-coupled`: the referenced record exists but is not coupled (names it for the message via `targetNumber`,
 *   `targetName`, e.g. customer '10000' (Adatum));
 * - `no-target`: the referenced record does not exist (e.g. the company of a person contact is not a customer).
 */
export type LookupResult =
  | { readonly status: 'resolved'; readonly value: string | number | null }
  | {
      readonly status: 'not-coupled';
      readonly targetNumber?: string;
      readonly targetName?: string;
      /** What to do instead of "run <mapping> first", when running that mapping cannot help. */
      readonly advice?: string;
    }
  | { readonly status: 'no-target'; readonly targetNumber?: string; readonly targetName?: string };

/** Resolves a request from the caller's pre-fetched results; `undefined` = not pre-fetched (the record fails). */
export type LookupResolver = (request: LookupRequest) => LookupResult | undefined;

/** A resolver over a map keyed by `LookupRequest.key`. */
export function lookupResolverFromMap(results: ReadonlyMap<string, LookupResult>): LookupResolver {
  return (request) => results.get(request.key);
}

/** A resolver for mappings without lookups, or tests: everything is `undefined`. */
export const noLookups: LookupResolver = () => undefined;

/**
 * The lookup request of one field mapping for one source record, or null when there is nothing to resolve (not a
 * lookup, or a blank source value that simply clears the destination).
 */
export function lookupRequestFor(
  field: FieldMapping,
  direction: PassDirection,
  source: DataRecord,
): LookupRequest | null {
  const lookup = field.lookup;
  // An entity-rule lookup is resolved by the mapping's entity rule after the decision, not through a request.
  if (!lookup || lookup.kind === 'entity-rule') return null;
  const from = sourceSideOf(direction);
  const read = readProperty(field, from);
  if (read === null) return null;
  const normalized = normalizeValue(readPath(source, read.property), read.type);
  const value = normalized === null ? null : String(normalized);
  const blankIsBaseCurrency = lookup.kind === 'coupling' && lookup.blankIsBaseCurrency;
  if (value === null && !blankIsBaseCurrency) return null;
  const target = lookup.kind === 'coupling' ? lookup.mapping : lookup.optionSet;
  const bcKey = lookup.kind === 'coupling' ? lookup.bcKey : null;
  const syncOnDemand = lookup.kind === 'coupling' && lookup.syncOnDemand && from === 'bc';
  const key = [lookup.kind, target, from, bcKey ?? '', blankIsBaseCurrency ? 'base' : '', value ?? ''];
  return {
    key: (syncOnDemand ? [...key, 'on-demand'] : key).join('|'),
    kind: lookup.kind,
    target,
    from,
    bcKey,
    value,
    blankIsBaseCurrency,
    ...(syncOnDemand ? { syncOnDemand } : {}),
  };
}

/**
 * All lookup requests a record needs for one pass (enabled lookup fields that apply to the direction), de-duplicated
 * by key. The activity layer collects them for a page of records, resolves them in bulk through the store and the
 * APIs, and passes `lookupResolverFromMap(results)` to `decide`.
 */
export function lookupRequests(
  mapping: IntegrationTableMapping,
  direction: PassDirection,
  source: DataRecord,
): LookupRequest[] {
  const seen = new Map<string, LookupRequest>();
  for (const field of mapping.fieldMappings) {
    if (!field.enabled || !appliesTo(field.direction, direction)) continue;
    const request = lookupRequestFor(field, direction, source);
    if (request && !seen.has(request.key)) seen.set(request.key, request);
  }
  return [...seen.values()];
}
