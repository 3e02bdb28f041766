// The in-memory state of the Business Central emulator: companies, their tables of records, unique indexes, number
// series and an undo journal for `Isolation: snapshot` batches. Every write stamps `lastModifiedDateTime` from the
// monotonic clock and bumps the record's version (the source of its ETag).

import { EmulatorError } from '../shared/errors';
import { OrderedIndex } from '../shared/ordered-index';
import type { MonotonicClock } from '../shared/clock';
import type { BusinessCentralDemoData, DemoCompany } from '../shared/demo-data';
import { ENTITIES, STORED_SETS } from './entities';

/** A stored record: its fields (API names plus internal `__*` fields) and a version that changes on every write. */
export interface StoredRecord {
  data: Record<string, unknown>;
  version: number;
}

/** A company and its tables. */
export interface CompanyState {
  company: DemoCompany & { systemCreatedAt: string; systemModifiedAt: string };
  tables: Map<string, Table>;
  /** Last number handed out per number series. */
  counters: Record<string, number>;
}

/** The persisted shape (`stateFile`). */
export interface StoreSnapshot {
  format: 1;
  versionCounter: number;
  companies: {
    company: CompanyState['company'];
    counters: Record<string, number>;
    tables: Record<string, StoredRecord[]>;
  }[];
}

/** A record change, as webhooks see it. `at` is the write time (the record's new lastModifiedDateTime). */
export interface ChangeEvent {
  companyId: string;
  set: string;
  id: string;
  kind: 'created' | 'updated' | 'deleted';
  at: string;
  /** For lines: the document (invoice) id, because line changes notify the header. */
  documentId?: string;
}

interface UndoEntry {
  companyId: string;
  set: string;
  id: string;
  before: StoredRecord | undefined;
}

function keyText(value: unknown): string {
  return typeof value === 'string' ? value : value == null ? '' : JSON.stringify(value);
}

/**
 * One table: records by id, the unique-key index, the (lastModifiedDateTime, id) index that page reads walk and (for
 * lines) an index by document.
 */
export class Table {
  readonly records = new Map<string, StoredRecord>();
  readonly unique = new Map<string, string>();
  readonly byDocument = new Map<string, Set<string>>();
  /** In BC's order for `$orderby=lastModifiedDateTime,id`: case-sensitive, GUIDs as SQL Server orders them. */
  readonly byModified = new OrderedIndex<StoredRecord>('lastModifiedDateTime', 'id', {
    caseInsensitive: false,
    guidOrder: 'sqlserver',
  });

  constructor(readonly set: string) {}

  /** The unique-key string of a record, or undefined when the set has no unique key. */
  uniqueKeyOf(data: Record<string, unknown>): string | undefined {
    const key = ENTITIES[this.set]?.uniqueKey;
    if (!key) return undefined;
    return key.map((f) => keyText(data[f]).toUpperCase()).join('\u0001');
  }

  index(record: StoredRecord): void {
    this.byModified.set(record.data['id'], record.data['lastModifiedDateTime'] ?? null, record);
    const key = this.uniqueKeyOf(record.data);
    if (key !== undefined) this.unique.set(key, record.data['id'] as string);
    const doc = record.data['documentId'];
    if (this.set === 'salesInvoiceLines' && typeof doc === 'string') {
      let ids = this.byDocument.get(doc);
      if (!ids) this.byDocument.set(doc, (ids = new Set()));
      ids.add(record.data['id'] as string);
    }
  }

  unindex(record: StoredRecord): void {
    this.byModified.delete(record.data['id']);
    const key = this.uniqueKeyOf(record.data);
    if (key !== undefined && this.unique.get(key) === record.data['id']) this.unique.delete(key);
    const doc = record.data['documentId'];
    if (typeof doc === 'string') this.byDocument.get(doc)?.delete(record.data['id'] as string);
  }
}

/** The whole state. Mutations go through `insert`/`update`/`remove` so indexes, versions and the journal stay right. */
export class BcStore {
  readonly companies = new Map<string, CompanyState>();
  private versionCounter = 0;
  private journal: UndoEntry[] | undefined;
  private pendingEvents: ChangeEvent[] | undefined;
  /** Receives every committed record change (webhooks). Seeding, restoring and clearing emit nothing. */
  changeListener: ((event: ChangeEvent) => void) | undefined;

  /** `onChange` is called after every mutation (the state file marks itself dirty). */
  constructor(
    private readonly clock: MonotonicClock,
    private readonly onChange: () => void = () => undefined,
  ) {}

  /** Adds an empty company (replacing one with the same id). */
  addCompany(company: DemoCompany): CompanyState {
    const now = this.clock.nextWriteTime().toISOString();
    const state: CompanyState = {
      company: { ...company, systemCreatedAt: now, systemModifiedAt: now },
      tables: new Map(STORED_SETS.map((s) => [s, new Table(s)])),
      counters: {},
    };
    this.companies.set(company.id, state);
    this.onChange();
    return state;
  }

  /** Finds a company by id (GUID, any case) or by name/display name. */
  findCompany(idOrName: string): CompanyState | undefined {
    const lower = idOrName.toLowerCase();
    const byId = this.companies.get(lower);
    if (byId) return byId;
    for (const state of this.companies.values())
      if (state.company.name.toLowerCase() === lower || state.company.displayName.toLowerCase() === lower) return state;
    return undefined;
  }

  table(companyId: string, set: string): Table {
    const table = this.companies.get(companyId)?.tables.get(set);
    if (!table) throw new Error(`No table ${set} in company ${companyId}`);
    return table;
  }

  get(companyId: string, set: string, id: string): StoredRecord | undefined {
    return this.table(companyId, set).records.get(id.toLowerCase());
  }

  /** The record with these unique-key values, if any. */
  findUnique(companyId: string, set: string, values: Record<string, unknown>): StoredRecord | undefined {
    const table = this.table(companyId, set);
    const key = table.uniqueKeyOf(values);
    const id = key === undefined ? undefined : table.unique.get(key);
    return id ? table.records.get(id) : undefined;
  }

  /** The first record whose `field` equals `value` (linear; for small tables such as currencies). */
  findBy(companyId: string, set: string, field: string, value: unknown): StoredRecord | undefined {
    for (const record of this.table(companyId, set).records.values()) if (record.data[field] === value) return record;
    return undefined;
  }

  /** The lines of a sales invoice, in `sequence` order. */
  linesOf(companyId: string, invoiceId: string): StoredRecord[] {
    const table = this.table(companyId, 'salesInvoiceLines');
    const ids = table.byDocument.get(invoiceId) ?? new Set<string>();
    return [...ids]
      .map((id) => table.records.get(id)!)
      .sort((a, b) => (a.data['sequence'] as number) - (b.data['sequence'] as number));
  }

  /**
   * Inserts a record (its `id` must be set), stamping `lastModifiedDateTime` and a fresh version. Throws 400
   * `Internal_EntityWithSameKeyExists` when the unique key is taken.
   */
  insert(companyId: string, set: string, data: Record<string, unknown>): StoredRecord {
    const table = this.table(companyId, set);
    this.checkUnique(table, data, undefined);
    const record: StoredRecord = {
      data: { ...data, lastModifiedDateTime: this.clock.nextWriteTime().toISOString() },
      version: ++this.versionCounter,
    };
    this.log(companyId, set, record.data['id'] as string, undefined);
    table.records.set(record.data['id'] as string, record);
    table.index(record);
    this.emit(companyId, set, record.data, 'created');
    this.onChange();
    return record;
  }

  /** Replaces the fields of a record, stamping time and version. Throws 400 on a unique-key clash. */
  update(
    companyId: string,
    set: string,
    id: string,
    data: Record<string, unknown>,
    options: { keepModifiedAt?: boolean } = {},
  ): StoredRecord {
    const table = this.table(companyId, set);
    const before = table.records.get(id);
    if (!before) throw new Error(`update of a missing record ${set}(${id})`);
    this.checkUnique(table, data, id);
    // keepModifiedAt: a change of a computed value (a FlowField such as an invoice's remaining amount) that BC does
    // not make through the record, so its SystemModifiedAt stays as it was.
    const modifiedAt = options.keepModifiedAt
      ? before.data['lastModifiedDateTime']
      : this.clock.nextWriteTime().toISOString();
    const record: StoredRecord = {
      data: { ...data, id, lastModifiedDateTime: modifiedAt },
      version: ++this.versionCounter,
    };
    this.log(companyId, set, id, before);
    table.unindex(before);
    table.records.set(id, record);
    table.index(record);
    this.emit(companyId, set, record.data, 'updated');
    this.onChange();
    return record;
  }

  /** Deletes a record (no tombstone: deletions are invisible to lastModifiedDateTime polling, as in BC). */
  remove(companyId: string, set: string, id: string): void {
    const table = this.table(companyId, set);
    const before = table.records.get(id);
    if (!before) return;
    this.log(companyId, set, id, before);
    table.unindex(before);
    table.records.delete(id);
    this.emit(companyId, set, { ...before.data, lastModifiedDateTime: this.clock.now().toISOString() }, 'deleted');
    this.onChange();
  }

  /** The next number of a series, e.g. `C00010`. Never reuses a number that exists in `set`. */
  nextNumber(companyId: string, series: string, prefix: string, digits: number, set: string, field: string): string {
    const state = this.companies.get(companyId)!;
    for (;;) {
      const n = (state.counters[series] ?? 0) + 10;
      state.counters[series] = n;
      const candidate = `${prefix}${String(n).padStart(digits, '0')}`;
      if (!this.findUnique(companyId, set, { [field]: candidate })) return candidate;
    }
  }

  /** Starts recording undo entries (one level; nested calls are not supported). */
  beginTransaction(): void {
    this.journal = [];
    this.pendingEvents = [];
  }

  /** Stops recording and keeps the changes. */
  commit(): void {
    this.journal = undefined;
    const events = this.pendingEvents ?? [];
    this.pendingEvents = undefined;
    for (const event of events) this.changeListener?.(event);
  }

  /** Undoes every change since `beginTransaction`, newest first. */
  rollback(): void {
    const journal = this.journal ?? [];
    this.journal = undefined;
    this.pendingEvents = undefined;
    for (const entry of journal.reverse()) {
      const table = this.table(entry.companyId, entry.set);
      const current = table.records.get(entry.id);
      if (current) {
        table.unindex(current);
        table.records.delete(entry.id);
      }
      if (entry.before) {
        table.records.set(entry.id, entry.before);
        table.index(entry.before);
      }
    }
    this.onChange();
  }

  /** Removes every record of every company (companies stay). */
  clear(): void {
    for (const state of this.companies.values()) {
      state.tables = new Map(STORED_SETS.map((s) => [s, new Table(s)]));
      state.counters = {};
    }
    this.onChange();
  }

  /**
   * Replaces the data of the demo company with a generated dataset. Records keep their demo timestamps, so a later
   * write is always newer; each gets a fresh version.
   */
  loadDemo(data: BusinessCentralDemoData): Record<string, number> {
    const state = this.companies.get(data.company.id) ?? this.addCompany(data.company);
    state.tables = new Map(STORED_SETS.map((s) => [s, new Table(s)]));
    state.counters = {};
    const counts: Record<string, number> = {};
    for (const set of STORED_SETS) {
      const rows = (data as unknown as Record<string, Record<string, unknown>[]>)[set] ?? [];
      const table = state.tables.get(set)!;
      for (const row of rows) {
        const record: StoredRecord = { data: row, version: ++this.versionCounter };
        table.records.set(row['id'] as string, record);
        table.index(record);
        this.clock.observe(row['lastModifiedDateTime'] as string);
      }
      counts[set] = rows.length;
    }
    this.onChange();
    return counts;
  }

  /** The state as plain JSON-able data. */
  snapshot(): StoreSnapshot {
    return {
      format: 1,
      versionCounter: this.versionCounter,
      companies: [...this.companies.values()].map((state) => ({
        company: state.company,
        counters: state.counters,
        tables: Object.fromEntries([...state.tables].map(([set, table]) => [set, [...table.records.values()]])),
      })),
    };
  }

  /** Replaces the state with a snapshot (from the state file). Throws when the format is unknown. */
  restore(snapshot: StoreSnapshot): void {
    if (snapshot.format !== 1) throw new Error(`Unknown state file format ${String(snapshot.format)}`);
    this.companies.clear();
    this.versionCounter = snapshot.versionCounter;
    for (const saved of snapshot.companies) {
      const state: CompanyState = {
        company: saved.company,
        counters: saved.counters,
        tables: new Map(STORED_SETS.map((s) => [s, new Table(s)])),
      };
      for (const [set, records] of Object.entries(saved.tables)) {
        const table = state.tables.get(set);
        if (!table) continue;
        for (const record of records) {
          table.records.set(record.data['id'] as string, record);
          table.index(record);
          this.clock.observe(record.data['lastModifiedDateTime'] as string);
        }
      }
      this.companies.set(saved.company.id, state);
    }
  }

  private checkUnique(table: Table, data: Record<string, unknown>, ownId: string | undefined): void {
    const key = table.uniqueKeyOf(data);
    if (key === undefined) return;
    const holder = table.unique.get(key);
    if (holder && holder !== ownId) {
      const def = ENTITIES[table.set];
      const fields = def.uniqueKey!.map((f) => `${f}='${keyText(data[f])}'`).join(', ');
      throw new EmulatorError(
        400,
        'Internal_EntityWithSameKeyExists',
        `The ${def.caption} already exists. Identification fields and values: ${fields}`,
      );
    }
  }

  private emit(companyId: string, set: string, data: Record<string, unknown>, kind: ChangeEvent['kind']): void {
    if (!this.changeListener) return;
    const event: ChangeEvent = {
      companyId,
      set,
      id: data['id'] as string,
      kind,
      at: data['lastModifiedDateTime'] as string,
      ...(set === 'salesInvoiceLines' ? { documentId: data['documentId'] as string } : {}),
    };
    if (this.pendingEvents) this.pendingEvents.push(event);
    else this.changeListener(event);
  }

  private log(companyId: string, set: string, id: string, before: StoredRecord | undefined): void {
    this.journal?.push({ companyId, set, id, before });
  }
}
