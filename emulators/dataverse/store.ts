// The in-memory state of the Dataverse emulator: rows per entity set, the global version counter behind
// `versionnumber`/ETags, deletion tombstones for change tracking, and an undo log that makes change sets and bulk
// actions atomic. Serializable to JSON for the optional state file.
import { OrderedIndex } from '../shared/ordered-index';
import { OptionSets, type OptionSetSnapshot } from './option-sets';
import { TABLES } from './schema';

/** One stored row: column values (lookups as `_x_value`) and, per lookup, the entity set it points to. */
export type Row = {
  values: Record<string, unknown>;
  targets: Record<string, string>;
};

export interface Tombstone {
  readonly id: string;
  readonly version: number;
}

interface TableState {
  rows: Map<string, Row>;
  tombstones: Tombstone[];
  /** Per alternate key (index in TableDef.alternateKeys): normalized key values → row id. */
  keyIndex: Map<string, string>[];
  /** Rows in (modifiedon, primary key) order, as Dataverse sorts them: strings case-insensitively. */
  byModified: OrderedIndex<Row>;
  /** Equality indexes built on first use: column → lower-cased string value → row ids. */
  byColumn: Map<string, Map<string, Set<string>>>;
}

function indexColumn(index: Map<string, Set<string>>, value: unknown, key: string, add: boolean): void {
  if (typeof value !== 'string') return;
  const folded = value.toLowerCase();
  let keys = index.get(folded);
  if (add) {
    if (!keys) index.set(folded, (keys = new Set()));
    keys.add(key);
  } else {
    keys?.delete(key);
    if (keys?.size === 0) index.delete(folded);
  }
}

/**
 * The normalized index string of an alternate key for some row values, or undefined when a part is null.
 * Strings compare case-insensitively, like the SQL collation behind Dataverse keys.
 */
export function alternateKeyString(values: Record<string, unknown>, columns: readonly string[]): string | undefined {
  const parts: string[] = [];
  for (const c of columns) {
    const v = values[c];
    if (v === null || v === undefined) return undefined;
    parts.push(typeof v === 'string' ? v.toLowerCase() : JSON.stringify(v));
  }
  return JSON.stringify(parts);
}

type UndoEntry =
  | { kind: 'row'; entitySet: string; id: string; previous: Row | undefined }
  | { kind: 'tombstones'; entitySet: string; length: number };

/** The JSON shape of the state file. */
export interface StoreSnapshot {
  version: number;
  lastStampMs: number;
  tables: Record<string, { rows: Row[]; tombstones: Tombstone[] }>;
  /** Option sets with the values inserted through InsertOptionValue (absent in older state files). */
  optionSets?: OptionSetSnapshot;
}

export class DataverseStore {
  private tables = new Map<string, TableState>();
  private version = 1000;
  private lastStampMs = 0;
  private undo: UndoEntry[] | undefined;
  /** Incremented on every committed change (drives the state-file writer). */
  changeCount = 0;
  /** Choice metadata: survives `clear()` (metadata is not data); `resetMetadata()` restores the shipped values. */
  readonly optionSets = new OptionSets();

  constructor(private readonly clock: () => Date) {
    this.clear();
  }

  /** Removes every row and tombstone (the version counter keeps increasing). */
  clear(): void {
    this.tables = new Map(
      [...TABLES.values()].map((def) => [
        def.entitySet,
        {
          rows: new Map(),
          tombstones: [],
          keyIndex: def.alternateKeys.map(() => new Map<string, string>()),
          byModified: new OrderedIndex<Row>('modifiedon', def.primaryKey, { caseInsensitive: true, guidOrder: 'text' }),
          byColumn: new Map(),
        },
      ]),
    );
    this.changeCount++;
  }

  /** Restores the metadata Dataverse ships (drops inserted option values). */
  resetMetadata(): void {
    this.optionSets.reset();
    this.changeCount++;
  }

  /** Marks a metadata change (an inserted option value) for the state-file writer. */
  noteMetadataChange(): void {
    this.changeCount++;
  }

  private table(entitySet: string): TableState {
    const t = this.tables.get(entitySet);
    if (t === undefined) throw new Error(`unknown entity set ${entitySet}`);
    return t;
  }

  /** The current (highest issued) version number. */
  currentVersion(): number {
    return this.version;
  }

  /** Issues the next global version number. */
  nextVersion(): number {
    this.version += 1;
    return this.version;
  }

  /**
   * A UTC timestamp with milliseconds from the injected clock, strictly greater than every stamp issued before, so
   * that `modifiedon` orders writes even when the clock stands still or several writes share a millisecond.
   */
  stamp(): string {
    const now = this.clock().getTime();
    this.lastStampMs = Math.max(now, this.lastStampMs + 1);
    return new Date(this.lastStampMs).toISOString();
  }

  /** Makes later stamps exceed `iso` (after loading rows written elsewhere). */
  observeStamp(iso: string): void {
    const ms = Date.parse(iso);
    if (!Number.isNaN(ms)) this.lastStampMs = Math.max(this.lastStampMs, ms);
  }

  get(entitySet: string, id: string): Row | undefined {
    return this.table(entitySet).rows.get(id.toLowerCase());
  }

  rows(entitySet: string): IterableIterator<Row> {
    return this.table(entitySet).rows.values();
  }

  /**
   * The rows whose string `column` equals one of `values` case-insensitively, through an equality index built on the
   * first call for that column and kept up to date on every write and undo after it (matching reads such as
   * `name eq 'A' or name eq 'B'` then cost the values, not the table).
   */
  rowsWhereEqual(entitySet: string, column: string, values: readonly string[]): Row[] {
    const t = this.table(entitySet);
    let index = t.byColumn.get(column);
    if (!index) {
      index = new Map();
      for (const [key, row] of t.rows) indexColumn(index, row.values[column], key, true);
      t.byColumn.set(column, index);
    }
    const keys = new Set<string>();
    for (const value of values) for (const key of index.get(value.toLowerCase()) ?? []) keys.add(key);
    return [...keys].map((key) => t.rows.get(key)!);
  }

  /** The rows of a table in (modifiedon, primary key) order, kept up to date on every write and undo. */
  rowsByModified(entitySet: string): OrderedIndex<Row> {
    return this.table(entitySet).byModified;
  }

  count(entitySet: string): number {
    return this.table(entitySet).rows.size;
  }

  tombstones(entitySet: string): readonly Tombstone[] {
    return this.table(entitySet).tombstones;
  }

  /** The id of the row whose alternate key number `keyIndex` has these values, if any. */
  findByAlternateKey(entitySet: string, keyIndex: number, values: Record<string, unknown>): string | undefined {
    const def = TABLES.get(entitySet);
    const columns = def?.alternateKeys[keyIndex];
    if (columns === undefined) return undefined;
    const k = alternateKeyString(values, columns);
    return k === undefined ? undefined : this.table(entitySet).keyIndex[keyIndex]?.get(k);
  }

  /** Inserts or replaces a row (the caller has stamped version and dates). */
  put(entitySet: string, id: string, row: Row): void {
    const key = id.toLowerCase();
    const t = this.table(entitySet);
    const previous = t.rows.get(key);
    this.undo?.push({ kind: 'row', entitySet, id: key, previous });
    this.setRow(entitySet, t, key, previous, row);
    this.changeCount++;
  }

  private setRow(
    entitySet: string,
    t: TableState,
    key: string,
    previous: Row | undefined,
    next: Row | undefined,
  ): void {
    const def = TABLES.get(entitySet);
    def?.alternateKeys.forEach((columns, i) => {
      const index = t.keyIndex[i];
      if (index === undefined) return;
      const before = previous === undefined ? undefined : alternateKeyString(previous.values, columns);
      if (before !== undefined && index.get(before) === key) index.delete(before);
      const after = next === undefined ? undefined : alternateKeyString(next.values, columns);
      if (after !== undefined) index.set(after, key);
    });
    for (const [column, index] of t.byColumn) {
      if (previous !== undefined) indexColumn(index, previous.values[column], key, false);
      if (next !== undefined) indexColumn(index, next.values[column], key, true);
    }
    if (next === undefined) {
      t.rows.delete(key);
      t.byModified.delete(key);
    } else {
      t.rows.set(key, next);
      t.byModified.set(key, next.values.modifiedon ?? null, next);
    }
  }

  /** Deletes a row and leaves a tombstone with a fresh version for change tracking. */
  delete(entitySet: string, id: string): boolean {
    const key = id.toLowerCase();
    const t = this.table(entitySet);
    const previous = t.rows.get(key);
    if (previous === undefined) return false;
    this.undo?.push({ kind: 'row', entitySet, id: key, previous });
    this.undo?.push({ kind: 'tombstones', entitySet, length: t.tombstones.length });
    this.setRow(entitySet, t, key, previous, undefined);
    t.tombstones.push({ id: key, version: this.nextVersion() });
    this.changeCount++;
    return true;
  }

  /**
   * Runs `work` atomically: when it throws, every row change it made is undone and the error is rethrown.
   * Not re-entrant: a nested call joins the outer transaction.
   */
  atomically<T>(work: () => T): T {
    if (this.undo !== undefined) return work();
    const log: UndoEntry[] = [];
    this.undo = log;
    try {
      const result = work();
      this.undo = undefined;
      return result;
    } catch (error) {
      this.undo = undefined;
      for (const entry of log.reverse()) {
        const t = this.table(entry.entitySet);
        if (entry.kind === 'row') {
          this.setRow(entry.entitySet, t, entry.id, t.rows.get(entry.id), entry.previous);
        } else {
          t.tombstones.length = entry.length;
        }
      }
      this.changeCount++;
      throw error;
    }
  }

  toSnapshot(): StoreSnapshot {
    const tables: StoreSnapshot['tables'] = {};
    for (const [set, t] of this.tables) tables[set] = { rows: [...t.rows.values()], tombstones: t.tombstones };
    return { version: this.version, lastStampMs: this.lastStampMs, tables, optionSets: this.optionSets.toSnapshot() };
  }

  loadSnapshot(snapshot: StoreSnapshot): void {
    this.clear();
    this.optionSets.loadSnapshot(snapshot.optionSets);
    this.version = Math.max(this.version, snapshot.version);
    this.lastStampMs = Math.max(this.lastStampMs, snapshot.lastStampMs);
    for (const [set, data] of Object.entries(snapshot.tables)) {
      const def = TABLES.get(set);
      if (def === undefined) continue;
      const t = this.table(set);
      for (const row of data.rows) {
        const key = String(row.values[def.primaryKey]).toLowerCase();
        this.setRow(set, t, key, undefined, row);
      }
      t.tombstones = [...data.tombstones];
    }
  }
}
