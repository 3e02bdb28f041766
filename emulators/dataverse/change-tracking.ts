// Change tracking (`Prefer: odata.track-changes`, `$deltatoken`): the first request returns the full set and a
// deltaLink; following it returns rows changed since the token (by versionnumber) and then `$deletedEntity`
// tombstones, with a new deltaLink each time. Pages inside a delta are keyset by id and carry the snapshot version,
// so rows changing while a client pages appear again in the next delta rather than being lost.
import { CODES, badRequest } from './errors';
import { type TableDef } from './schema';
import { type DataverseStore, type Row } from './store';

const NOT_WITH_TRACKING = ['$filter', '$orderby', '$expand', '$top'];

/** Throws the documented 400 when a query option is combined with change tracking. */
export function checkTrackingOptions(query: URLSearchParams): void {
  for (const option of NOT_WITH_TRACKING) {
    if (query.has(option)) {
      throw badRequest(
        `The "${option}" query parameter isn't supported when Change Tracking is enabled.`,
        CODES.generic,
      );
    }
  }
  if (query.has('$skip')) throw badRequest('Skip Clause is not supported in CRM', CODES.generic);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** A delta token like Dataverse's: `<version>!<MM/dd/yyyy HH:mm:ss>` (UTC issue time). */
export function makeDeltaToken(version: number, issuedAt: Date): string {
  const d = issuedAt;
  const stamp =
    `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${version}!${stamp}`;
}

/** Parses a delta token; throws 400 when malformed and the documented "expired" error when older than `maxAgeMs`. */
export function parseDeltaToken(token: string, now: Date, maxAgeMs: number): number {
  const m = /^(\d+)!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(token);
  if (m === null) throw badRequest(`The delta token '${token}' is not valid.`, CODES.generic);
  const issued = Date.UTC(Number(m[4]), Number(m[2]) - 1, Number(m[3]), Number(m[5]), Number(m[6]), Number(m[7]));
  if (now.getTime() - issued > maxAgeMs) {
    throw badRequest(
      'Version stamp associated with the client has expired. Please perform a full sync.',
      CODES.changeTrackingExpired,
    );
  }
  return Number(m[1]);
}

interface DeltaCursor {
  /** Version that the final deltaLink will carry (the store version when the first page was served). */
  snapshot: number;
  /** 0: changed rows, 1: tombstones. */
  phase: 0 | 1;
  lastId: string;
  page: number;
}

function encodeCursor(c: DeltaCursor): string {
  return `<cookie pagenumber="${c.page}" pagingcookie="${Buffer.from(JSON.stringify(c)).toString('base64url')}" istracking="True" />`;
}

function decodeCursor(token: string): DeltaCursor {
  const inner = /pagingcookie="([^"]*)"/.exec(token)?.[1];
  try {
    const c = JSON.parse(Buffer.from(inner ?? '', 'base64url').toString('utf8')) as DeltaCursor;
    if (typeof c.snapshot !== 'number' || typeof c.lastId !== 'string') throw new Error('shape');
    return c;
  } catch {
    throw badRequest(`The $skiptoken '${token}' is not valid.`, CODES.generic);
  }
}

export type DeltaItem = { kind: 'row'; row: Row } | { kind: 'deleted'; id: string };

export interface DeltaPage {
  items: DeltaItem[];
  /** Set when more pages follow: the `$skiptoken` for the next one. */
  nextSkipToken?: string;
  /** Set on the last page: the version for the new deltaLink. */
  deltaVersion?: number;
}

/**
 * One page of a tracked read. `sinceVersion` undefined = the initial full read. Rows come in id order, then the
 * tombstones of rows deleted since the token (those re-created afterwards are left out).
 */
export function readDelta(
  store: DataverseStore,
  table: TableDef,
  sinceVersion: number | undefined,
  pageSize: number,
  skipToken: string | undefined,
): DeltaPage {
  const cursor: DeltaCursor =
    skipToken === undefined
      ? { snapshot: store.currentVersion(), phase: 0, lastId: '', page: 1 }
      : decodeCursor(skipToken);
  const items: DeltaItem[] = [];
  let phase = cursor.phase;
  let lastId = cursor.lastId;
  if (phase === 0) {
    const rows: Row[] = [];
    for (const row of store.rows(table.entitySet)) {
      const id = String(row.values[table.primaryKey]);
      if (id <= lastId) continue;
      if (sinceVersion !== undefined && (row.values.versionnumber as number) <= sinceVersion) continue;
      rows.push(row);
    }
    rows.sort((a, b) => (String(a.values[table.primaryKey]) < String(b.values[table.primaryKey]) ? -1 : 1));
    for (const row of rows.slice(0, pageSize)) items.push({ kind: 'row', row });
    if (rows.length > pageSize) {
      const last = rows[pageSize - 1];
      lastId = String(last?.values[table.primaryKey]);
      return { items, nextSkipToken: encodeCursor({ ...cursor, phase: 0, lastId, page: cursor.page + 1 }) };
    }
    phase = 1;
    lastId = '';
  }
  if (sinceVersion !== undefined) {
    const deleted = new Map<string, number>();
    for (const t of store.tombstones(table.entitySet)) {
      if (t.version > sinceVersion && t.id > lastId) deleted.set(t.id, Math.max(t.version, deleted.get(t.id) ?? 0));
    }
    const ids = [...deleted.entries()]
      .filter(([id, version]) => {
        const live = store.get(table.entitySet, id);
        return live === undefined || (live.values.versionnumber as number) < version;
      })
      .map(([id]) => id)
      .sort();
    const room = pageSize - items.length;
    for (const id of ids.slice(0, room)) items.push({ kind: 'deleted', id });
    if (ids.length > room) {
      const last = ids[room - 1] ?? lastId;
      return { items, nextSkipToken: encodeCursor({ ...cursor, phase: 1, lastId: last, page: cursor.page + 1 }) };
    }
  }
  return { items, deltaVersion: cursor.snapshot };
}
