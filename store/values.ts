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

/** One row of `updateEach`: the row's key and its new column values (a Knex raw, e.g. an increment, is inlined). */
export interface RowUpdate {
  key: string | number;
  set: Readonly<Record<string, unknown>>;
}

/**
 * Updates many rows of `table`, each with its own values, in one statement per 500 rows: every column named in any
 * row becomes `CASE key WHEN … THEN … ELSE column END`, so a row that does not name a column keeps its value.
 * `where` narrows the rows further (e.g. a mapping), so `key` only needs to be unique inside it. Rows whose key does
 * not exist are ignored. Returns the number of rows updated.
 */
export async function updateEach(
  db: Db,
  table: string,
  key: string,
  rows: readonly RowUpdate[],
  where: Readonly<Record<string, unknown>> = {},
): Promise<number> {
  const counts = await inChunks(rows, 500, async (chunk) => {
    const columns = [...new Set(chunk.flatMap((r) => Object.keys(r.set)))];
    const patch: Record<string, Knex.Raw> = {};
    for (const column of columns) {
      const setting = chunk.filter((r) => column in r.set);
      const bindings: unknown[] = [key];
      for (const r of setting) bindings.push(r.key, r.set[column]);
      bindings.push(column);
      patch[column] = db.raw(
        `CASE ?? ${setting.map(() => 'WHEN ? THEN ?').join(' ')} ELSE ?? END`,
        bindings as Knex.RawBinding[],
      );
    }
    const updated: number = await db(table)
      .where(where)
      .whereIn(
        key,
        chunk.map((r) => r.key),
      )
      .update(patch);
    return [updated];
  });
  return counts.reduce((a, b) => a + b, 0);
}
