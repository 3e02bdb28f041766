// An ordered index over a table's rows by (modified-on, key), shared by both emulators, so that a page read costs
// the rows it returns (plus a binary search), not a scan and sort of the whole table: what the clustered/secondary
// indexes of the real services' SQL databases do. The index is kept up to date on every write, undo and load by the
// stores; `paginateKeyset` (paging.ts) walks it when the query's order is the index's order.
//
// The structure is a list of sorted blocks (as in Python's `sortedcontainers`): inserting or deleting one entry costs
// a binary search plus moving at most one block's entries, and scanning from a position walks the blocks in order.

import { compareNullable } from './odata-query';
import type { GuidOrder } from './odata-filter';

/** One index entry: the two sort values and the row they were read from. */
export interface IndexEntry<T> {
  modified: unknown;
  key: unknown;
  row: T;
}

/** A position to start a scan at: a prefix of (modified, key) and whether entries equal to it are left out. */
export interface ScanStart {
  /** `[modified]` or `[modified, key]`. */
  tuple: readonly unknown[];
  exclusive: boolean;
}

const MAX_BLOCK = 512;

function keyText(key: unknown): string {
  return String(key).toLowerCase();
}

/**
 * Rows ordered by (modified, key) ascending with the service's comparison rules (`compareNullable`: nulls first,
 * datetimes by instant, GUIDs in the service's GUID order), i.e. exactly the order `paginateKeyset` sorts by for
 * `$orderby=<modified>,<key>`. Keys must be unique.
 */
export class OrderedIndex<T> {
  private blocks: IndexEntry<T>[][] = [];
  /** Each indexed key (lower-cased text) and the modified value it was indexed under. */
  private readonly modifiedByKey = new Map<string, unknown>();

  /**
   * @param modifiedField the modified-on field name (BC: `lastModifiedDateTime`, Dataverse: `modifiedon`)
   * @param keyField the primary key field name
   */
  constructor(
    readonly modifiedField: string,
    readonly keyField: string,
    private readonly options: { caseInsensitive: boolean; guidOrder: GuidOrder },
  ) {}

  /** Number of entries. */
  get size(): number {
    return this.modifiedByKey.size;
  }

  /** Compares an entry with a (prefix) tuple; a shorter tuple compares equal on the parts it has. */
  private compareTo(entry: IndexEntry<T>, tuple: readonly unknown[]): number {
    const { caseInsensitive, guidOrder } = this.options;
    const c = compareNullable(entry.modified ?? null, tuple[0] ?? null, caseInsensitive, guidOrder);
    if (c !== 0 || tuple.length < 2) return c;
    return compareNullable(entry.key ?? null, tuple[1] ?? null, caseInsensitive, guidOrder);
  }

  /** Position of the first entry not before `start` (strictly after it when exclusive). */
  private seek(start: ScanStart | undefined): { block: number; offset: number } {
    if (!start) return { block: 0, offset: 0 };
    const before = (e: IndexEntry<T>): boolean => {
      const c = this.compareTo(e, start.tuple);
      return start.exclusive ? c <= 0 : c < 0;
    };
    // First block whose last entry is not before the start.
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = this.blocks[mid];
      if (before(block[block.length - 1])) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.blocks.length) return { block: lo, offset: 0 };
    const block = this.blocks[lo];
    let a = 0;
    let b = block.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (before(block[mid])) a = mid + 1;
      else b = mid;
    }
    return { block: lo, offset: a };
  }

  /** Adds a row, or moves it when its key is indexed already (the key's old position is remembered). */
  set(key: unknown, modified: unknown, row: T): void {
    this.delete(key);
    const entry: IndexEntry<T> = { modified, key, row };
    this.modifiedByKey.set(keyText(key), modified);
    if (this.blocks.length === 0) {
      this.blocks.push([entry]);
      return;
    }
    let { block, offset } = this.seek({ tuple: [modified, key], exclusive: false });
    if (block === this.blocks.length) {
      block = this.blocks.length - 1;
      offset = this.blocks[block].length;
    }
    const target = this.blocks[block];
    target.splice(offset, 0, entry);
    if (target.length > MAX_BLOCK)
      this.blocks.splice(block, 1, target.slice(0, MAX_BLOCK / 2), target.slice(MAX_BLOCK / 2));
  }

  /** Removes the row with this key; returns whether it was there. */
  delete(key: unknown): boolean {
    const text = keyText(key);
    if (!this.modifiedByKey.has(text)) return false;
    const modified = this.modifiedByKey.get(text);
    this.modifiedByKey.delete(text);
    const { block, offset } = this.seek({ tuple: [modified, key], exclusive: false });
    const target = this.blocks[block];
    if (!target || offset >= target.length || this.compareTo(target[offset], [modified, key]) !== 0)
      throw new Error(`ordered index out of step: key ${text} not at its position`);
    target.splice(offset, 1);
    if (target.length === 0) this.blocks.splice(block, 1);
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.blocks = [];
    this.modifiedByKey.clear();
  }

  /** Entries in order from `start` (or from the first), while the caller keeps iterating. */
  *scan(start?: ScanStart): Generator<IndexEntry<T>> {
    let { block, offset } = this.seek(start);
    // Blocks may be split or removed if the caller writes while iterating; callers (page reads) do not.
    for (; block < this.blocks.length; block++, offset = 0) {
      const entries = this.blocks[block];
      for (; offset < entries.length; offset++) yield entries[offset];
    }
  }
}
