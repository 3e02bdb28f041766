// The types every part of the Dataverse emulator's request handling shares: the core state, one request, one
// response, the run-time settings, and small response helpers.
import { type DuplicateRule, type EntityRef, type WriteEnv } from './record-writer';
import { splitEntityReference } from './keys';
import { type DataverseStore } from './store';
import type { RequestStats } from '../shared/stats';

/** Knobs that tests and `POST /__emulator/limits`-style routes may change at run time. */
export interface DataverseSettings {
  /** Page size when the client sends no `odata.maxpagesize`. (Default: 5000) */
  defaultPageSize: number;
  /** Duplicate detection rules applied with `MSCRM.SuppressDuplicateDetection: false`. */
  duplicateRules: DuplicateRule[];
  /** HTTP status of a duplicate-detection hit (the docs show both). (Default: 500) */
  duplicateStatus: 412 | 500;
  /** Entity sets on which CreateMultiple/UpdateMultiple/UpsertMultiple are refused. */
  bulkUnsupported: Set<string>;
  /** Entity sets without change tracking. */
  changeTrackingDisabled: Set<string>;
  /** Age after which a delta token is refused as expired. (Default: 7 days) */
  changeTrackingRetentionMs: number;
}

/** One Web API request. Header names are lower case. */
export interface DvRequest {
  readonly method: string;
  /** Path below the API base without the leading slash, percent-decoded, e.g. `accounts(accountnumber='A 1')`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: unknown;
  /** Absolute service root used in links, e.g. `http://127.0.0.1:7049/api/data/v9.2`. */
  readonly serviceRoot: string;
  /** Content-ID references of the enclosing batch. */
  readonly contentIds?: ReadonlyMap<string, EntityRef>;
}

/** One Web API response; `entity` names the row a write touched (for batch Content-IDs). */
export interface DvResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  entity?: EntityRef;
}

export interface DataverseCore {
  readonly store: DataverseStore;
  readonly settings: DataverseSettings;
  readonly now: () => Date;
  /** Where page reads count the rows they looked at (`/__emulator/stats`). */
  readonly stats?: RequestStats;
}

/** The entity set and record id a request addresses, for stats and fault rules; never throws. */
export function describeTarget(path: string): { entitySet?: string; recordId?: string } {
  try {
    const ref = splitEntityReference(path);
    if (ref === undefined) return {};
    const id =
      ref.keyText !== undefined && /^[0-9a-f-]{36}$/i.test(ref.keyText.trim()) ? ref.keyText.trim() : undefined;
    return { entitySet: ref.entitySet, recordId: id };
  } catch {
    return {};
  }
}

export const JSON_CONTENT_TYPE = 'application/json; odata.metadata=minimal';

/** A JSON response with the OData content type. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): DvResponse {
  return { status, headers: { 'Content-Type': JSON_CONTENT_TYPE, ...headers }, body };
}

/** Builds the write environment of a request (duplicate detection from its header). */
export function writeEnv(core: DataverseCore, request: DvRequest): WriteEnv {
  const suppress = request.headers['mscrm.suppressduplicatedetection'];
  return {
    store: core.store,
    contentIds: request.contentIds,
    detectDuplicates: suppress !== undefined && suppress.trim().toLowerCase() === 'false',
    duplicateRules: core.settings.duplicateRules,
    duplicateStatus: core.settings.duplicateStatus,
  };
}

/** Builds a query string the way Dataverse prints links: `$`-names literal, values percent-encoded. */
export function queryString(params: URLSearchParams): string {
  return [...params.entries()].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}
