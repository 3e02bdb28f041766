/**
 * The public types of the Dataverse connector: client options, query and write arguments, and the `DataverseClient`
 * interface that `createDataverseClient` implements.
 */
import { type ChangedPage, type ReadChangedPageArgs } from '../http/changed-page-reader';
import { type ConnectorClientOptions } from '../http/connector-core';
import { type ConnectorError } from '../http/errors';
import { type DvEntitySet, type DvRecord } from './entity-sets';

export interface DataverseClientOptions extends ConnectorClientOptions {
  /** Organization URL (`https://org.crm.dynamics.com`) or emulator root (`http://127.0.0.1:7049`); `/api/data/v9.2` is appended. */
  url: string;
  /** Upper bound of concurrent requests; Dataverse allows 52 per user per web server. (Default: 16) */
  maxConcurrency?: number;
  /** Operations per `$batch` request, at most 1000. (Default: 100) */
  batchSize?: number;
  /** `Prefer: odata.maxpagesize`, at most 5000. (Default: 5000) */
  maxPageSize?: number;
}

export interface DvQueryOptions {
  /** `$select` columns; the primary key (and `modifiedon` where needed) are added. */
  select?: readonly string[];
  /** `$expand` expression. */
  expand?: string;
  signal?: AbortSignal;
}

/** `after`, `until` (on `modifiedon`), `pageSize` and `filter` as ReadChangedPageArgs describes them. */
export interface DvReadChangedPageArgs extends DvQueryOptions, ReadChangedPageArgs {
  entitySet: DvEntitySet;
}

export interface DvListArgs extends DvQueryOptions {
  entitySet: DvEntitySet;
  filter?: string;
  orderBy?: string;
  /** Page size for this listing. (Default: maxPageSize) */
  pageSize?: number;
}

export interface DvWriteOptions {
  /** Columns returned in the representation. (Default: primary key and modifiedon) */
  select?: readonly string[];
  signal?: AbortSignal;
}

export type DvWriteOp =
  | { kind: 'createWithId'; set: DvEntitySet; id: string; body: Record<string, unknown> }
  | { kind: 'update'; set: DvEntitySet; id: string; body: Record<string, unknown>; etag?: string }
  | { kind: 'delete'; set: DvEntitySet; id: string; etag?: string };

export type DvWriteResult =
  { ok: true; record: DvRecord | null; etag: string | null } | { ok: false; error: ConnectorError };

export interface DvTrackChangesResult {
  /** New and updated rows since the delta token (all rows on the first call). */
  changed: DvRecord[];
  /** Ids of rows deleted since the delta token. */
  deleted: string[];
  /** Pass this back on the next call. */
  deltaLink: string;
}

/** One value of a choice column: its integer value and its label (the user's language, else 1033, else the first). */
export interface DvChoiceOption {
  value: number;
  label: string;
}

/** Dataverse Web API v9.2 client; see `createDataverseClient`. */
export interface DataverseClient {
  /** Next `pageSize` rows strictly after the cursor in (modifiedon, primary key) order. */
  readChangedPage(args: DvReadChangedPageArgs): Promise<ChangedPage<DvRecord>>;
  /** All rows matching the filter, one array per server page (server-driven paging). */
  listAll(args: DvListArgs): AsyncIterable<DvRecord[]>;
  /** Rows by id (chunks of `pk eq … or …`); missing ids are simply absent. */
  getByIds(set: DvEntitySet, ids: readonly string[], options?: DvQueryOptions): Promise<DvRecord[]>;
  /** One row by id, or null when it does not exist. */
  get(set: DvEntitySet, id: string, options?: DvQueryOptions): Promise<DvRecord | null>;
  /** The first row matching `filter`, or null. */
  findOne(set: DvEntitySet, filter: string, options?: DvQueryOptions): Promise<DvRecord | null>;
  /**
   * Creates a row with a client-chosen id: `PATCH set(id)` with `If-None-Match: *`. Throws DuplicateKeyError when the
   * row already exists (after a crash: treat as success).
   */
  createWithId(
    set: DvEntitySet,
    id: string,
    body: Record<string, unknown>,
    options?: DvWriteOptions,
  ): Promise<DvRecord>;
  /**
   * Creates a row with `POST set`, the body's primary key as its id, and `Prefer: return=representation`: the one way
   * Dataverse creates a row together with related rows (deep insert: a collection-valued navigation property such as
   * an invoice's `invoice_details` holding an array of new rows, created in the same transaction). PATCH upserts may
   * not carry related rows (OData 4.0 §11.4.3). Throws DuplicateKeyError when a row with that id exists (a repeat
   * after a crash: treat as success and read it).
   */
  create(set: DvEntitySet, body: Record<string, unknown>, options?: DvWriteOptions): Promise<DvRecord>;
  /** Updates a row: `If-Match: etag` or `*`. 412 → ConcurrencyConflictError, 404 → NotFoundError. */
  update(
    set: DvEntitySet,
    id: string,
    body: Record<string, unknown>,
    etag?: string,
    options?: DvWriteOptions,
  ): Promise<DvRecord>;
  /** Deletes a row (`If-Match` when an etag is given). 404 → NotFoundError, 412 → ConcurrencyConflictError. */
  delete(set: DvEntitySet, id: string, etag?: string, options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Writes through multipart `$batch` with `Prefer: odata.continue-on-error`, in chunks of `batchSize`. One result
   * per op in input order; per-record failures are reported, never thrown. Whole-request failures are retried, then
   * thrown.
   */
  writeBatch(ops: readonly DvWriteOp[], options?: DvWriteOptions): Promise<DvWriteResult[]>;
  /**
   * Change tracking: all changes since `deltaLink` (or the full set on the first call) across pages. Throws
   * ChangeTrackingExpiredError when the token expired: do a full read and start again without a deltaLink.
   */
  trackChanges(
    set: DvEntitySet,
    options: { select: readonly string[]; deltaLink?: string; signal?: AbortSignal },
  ): Promise<DvTrackChangesResult>;
  /**
   * Calls a bound action on one row: `POST set(id)/Microsoft.Dynamics.CRM.<action>` with `body` (Default: `{}`).
   * Returns the action's JSON result, or null when it answers 204. Throws the classified ConnectorError of a refusal
   * (e.g. ValidationError for a 400), NotFoundError for a missing row. `idempotent`: the action may be repeated after
   * an ambiguous failure (timeout, reset, 502/504) (Default: false — repeated only after 429/503).
   */
  callBoundAction(
    set: DvEntitySet,
    id: string,
    action: string,
    body?: Record<string, unknown>,
    options?: { idempotent?: boolean; signal?: AbortSignal },
  ): Promise<Record<string, unknown> | null>;
  /**
   * The values of a choice (picklist) column's option set, read from the attribute metadata with
   * `$expand=OptionSet`. 404 → NotFoundError (unknown table or column, or not a choice column).
   */
  readChoiceOptions(table: string, column: string, options?: { signal?: AbortSignal }): Promise<DvChoiceOption[]>;
  /**
   * Adds a value to a choice column's option set (`InsertOptionValue`, label in language 1033) and returns the new
   * value. With `value` the caller chooses it (a repeat then throws DuplicateKeyError, Dataverse's
   * PicklistValueNotUnique 0x80044310); without, Dataverse takes the next free one in the publisher's range.
   */
  insertOptionValue(
    table: string,
    column: string,
    label: string,
    options?: { value?: number; signal?: AbortSignal },
  ): Promise<number>;
  /** The adaptive concurrency limit right now (for metrics). */
  readonly concurrencyLimit: number;
}
