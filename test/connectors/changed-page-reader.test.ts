import assert from 'node:assert/strict';
import {
  type ChangeCursor,
  type ChangedPage,
  type ChangedPageQuery,
  readChangedPage,
} from '../../connectors/http/changed-page-reader';

interface Row {
  id: string;
  modified: string;
}

/**
 * SQL Server's uniqueidentifier order: bytes 10..15 first, then 8..9, 6..7, 4..5, 0..3. A server that sorts like this
 * disagrees with JavaScript string comparison, which the reader must not depend on.
 */
function sqlGuidKey(id: string): string {
  const hex = id.replace(/-/g, '').toLowerCase();
  const groups = [hex.slice(20, 32), hex.slice(16, 20), hex.slice(12, 16), hex.slice(8, 12), hex.slice(0, 8)];
  return groups.join('');
}

/** A tiny in-memory "server" answering the three filter shapes the reader sends, with server-driven pages. */
function fakeServer(rows: Map<string, Row>, serverPageSize: number, requests: ChangedPageQuery[]) {
  return (query: ChangedPageQuery): AsyncIterable<Row[]> => {
    requests.push(query);
    const clauses = [...(query.filter ?? '').matchAll(/(modified|id) (ge|gt|eq|le) ([^\s)]+)/g)];
    const match = (row: Row): boolean =>
      clauses.every(([, field, op, value]) => {
        const left = field === 'modified' ? Date.parse(row.modified) : sqlGuidKey(row.id);
        const right = field === 'modified' ? Date.parse(value) : sqlGuidKey(value);
        if (op === 'ge') return left >= right;
        if (op === 'gt') return left > right;
        if (op === 'le') return left <= right;
        return left === right;
      });
    const sorted = [...rows.values()]
      .filter(match)
      .sort((a, b) => Date.parse(a.modified) - Date.parse(b.modified) || (sqlGuidKey(a.id) < sqlGuidKey(b.id) ? -1 : 1))
      .map((r) => ({ ...r }));
    const size = Math.min(serverPageSize, query.pageSizeHint);
    return (async function* () {
      for (let i = 0; i < sorted.length; i += size) yield sorted.slice(i, i + size);
    })();
  };
}

function guid(n: number): string {
  // Vary the last group most, so SQL order and string order differ.
  const a = (n * 2654435761) >>> 0;
  const hex = a.toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${(0xffffffffffff - n * 7919).toString(16).padStart(12, '0')}`;
}

function spec(rows: Map<string, Row>, requests: ChangedPageQuery[], cursorIdLimit: number, serverPageSize = 1000) {
  return {
    modifiedField: 'modified',
    keyField: 'id',
    query: fakeServer(rows, serverPageSize, requests),
    modifiedOf: (r: Row) => r.modified,
    keyOf: (r: Row) => r.id,
    dateTime: (v: string) => v,
    key: (v: string) => v,
    maxPageSize: 1000,
    cursorIdLimit,
  };
}

async function readAll(
  rows: Map<string, Row>,
  pageSize: number,
  cursorIdLimit: number,
  between?: (page: number) => void,
) {
  const requests: ChangedPageQuery[] = [];
  const seen: Row[] = [];
  let after: ChangeCursor | null = null;
  for (let page = 0; page < 10_000; page++) {
    const result: ChangedPage<Row> = await readChangedPage(spec(rows, requests, cursorIdLimit), { after, pageSize });
    assert.ok(result.records.length <= pageSize);
    seen.push(...result.records);
    if (!result.next) break;
    after = result.next;
    between?.(page);
  }
  return { seen, requests };
}

describe('readChangedPage keyset reading', () => {
  it('returns every record once when many share one timestamp, with a server that orders GUIDs like SQL Server', async () => {
    const rows = new Map<string, Row>();
    for (let i = 0; i < 57; i++) rows.set(guid(i), { id: guid(i), modified: '2024-05-01T10:00:00.000Z' });
    for (let i = 57; i < 90; i++) rows.set(guid(i), { id: guid(i), modified: `2024-05-01T10:00:0${i % 3}.500Z` });
    const { seen } = await readAll(rows, 10, 1000);
    assert.equal(seen.length, rows.size);
    assert.equal(new Set(seen.map((r) => r.id)).size, rows.size);
  });

  it('switches to id keyset paging when one timestamp holds more ids than the cursor keeps', async () => {
    const rows = new Map<string, Row>();
    for (let i = 0; i < 500; i++) rows.set(guid(i), { id: guid(i), modified: '2024-05-01T10:00:00Z' });
    const { seen, requests } = await readAll(rows, 40, 25);
    assert.equal(new Set(seen.map((r) => r.id)).size, 500);
    assert.equal(seen.length, 500);
    assert.ok(
      requests.some((q) => /id gt /.test(q.filter ?? '')),
      'expected the id keyset query',
    );
    // Each call reads about one page: no quadratic re-reading of the tie group.
    assert.ok(requests.length < 60, `too many requests: ${requests.length}`);
  });

  it('never misses a record modified between pages, and returns each version at most once', async () => {
    const rows = new Map<string, Row>();
    let clock = Date.parse('2024-05-01T10:00:00Z');
    const tick = (): string => new Date((clock += 1)).toISOString();
    for (let i = 0; i < 200; i++)
      rows.set(guid(i), { id: guid(i), modified: new Date(clock + (i % 20)).toISOString() });
    clock += 100;
    let next = 200;
    const { seen } = await readAll(rows, 15, 5, (page) => {
      // Touch an already-read record, a not-yet-read record, and add a new one, between every page.
      const ids = [...rows.keys()];
      rows.get(ids[page])!.modified = tick();
      rows.get(ids[ids.length - 1 - page])!.modified = tick();
      rows.set(guid(next), { id: guid(next), modified: tick() });
      next++;
    });
    const versions = seen.map((r) => `${r.id}@${r.modified}`);
    assert.equal(new Set(versions).size, versions.length, 'a version was returned twice');
    for (const row of rows.values()) assert.ok(versions.includes(`${row.id}@${row.modified}`), `missed ${row.id}`);
  });

  it('reports no next cursor once the end is reached, and keeps the position for the watermark', async () => {
    const rows = new Map<string, Row>();
    for (let i = 0; i < 5; i++) rows.set(guid(i), { id: guid(i), modified: `2024-05-01T10:00:0${i}Z` });
    const result = await readChangedPage(spec(rows, [], 100), { after: null, pageSize: 10 });
    assert.equal(result.records.length, 5);
    assert.equal(result.next, null);
    assert.equal(result.position?.modifiedAt, '2024-05-01T10:00:04Z');
    const again = await readChangedPage(spec(rows, [], 100), { after: result.position, pageSize: 10 });
    assert.equal(again.records.length, 0);
  });
});
