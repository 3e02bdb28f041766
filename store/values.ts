/**
 * Value conversions shared by the query modules. MySQL (mysql2, timezone 'Z') returns DATETIME(3) as a Date;
 * better-sqlite3 stores a bound Date as epoch milliseconds and returns a number. Both become a Date here.
 */
import type { Knex } from 'knex';

export type Db = Knex | Knex.Transaction;

/** A DATETIME(3) column value as a Date (null stays null). */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string') {
    // SQLite may hand back what a raw statement wrote as text: 'YYYY-MM-DD HH:MM:SS.mmm' is UTC.
    return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
  }
  throw new TypeError(`not a date: ${JSON.stringify(value)}`);
}

/** A boolean column (MySQL TINYINT(1), SQLite integer) as a boolean. */
export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

/** An auto-increment id or count from either driver as a number. */
export function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** The id of the row an insert created, for both drivers (mysql2 and better-sqlite3 both return `[id]`). */
export function insertedId(result: unknown): number {
  const first = Array.isArray(result) ? result[0] : result;
  if (first && typeof first === 'object' && 'id' in first) return toNumber((first as { id: unknown }).id);
  return toNumber(first);
}

/** Runs `fn` on chunks of `items` of at most `size` (SQL parameter limits: SQLite 32,766, MySQL 65,535). */
export async function inChunks<T, R>(
  items: readonly T[],
  size: number,
  fn: (chunk: T[]) => Promise<R[]>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await fn(items.slice(i, i + size))));
  return out;
}
