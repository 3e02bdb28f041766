// The (modified-on, key) index must give exactly the pages a scan and sort of the table gives, for every query the
// index serves and for the ones it does not, with rows written and deleted between pages.
import assert from 'node:assert/strict';
import {
  compileFilter,
  dataverseFilterDialect,
  parseFilter,
  type GuidOrder,
} from '../../../emulators/shared/odata-filter';
import { parseOrderBy } from '../../../emulators/shared/odata-query';
import { OrderedIndex } from '../../../emulators/shared/ordered-index';
import { paginateKeyset } from '../../../emulators/shared/paging';

type Row = Record<string, unknown> & { id: string; modified: string | null; name: string };

/** A small deterministic generator (mulberry32) so that a failure is reproducible. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function guid(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One copy of the table: rows by id and, for the indexed copy, the index. */
class Copy {
  readonly rows = new Map<string, Row>();
  constructor(readonly index: OrderedIndex<Row> | undefined) {}
  put(row: Row): void {
    this.rows.set(row.id, row);
    this.index?.set(row.id, row.modified, row);
  }
  remove(id: string): void {
    this.rows.delete(id);
    this.index?.delete(id);
  }
}

interface Query {
  filter?: string;
  orderBy: string;
  pageSize: number;
  top?: number;
  skip?: number;
}

/** Reads every page of a query, calling `between` after each page; returns the ids in order and rows examined. */
function readAll(copy: Copy, query: Query, guidOrder: GuidOrder, between: () => void) {
  const dialect = { ...dataverseFilterDialect, guidOrder };
  const expression = query.filter ? parseFilter(query.filter, dialect) : undefined;
  const filter = expression ? compileFilter(expression, { dialect }) : undefined;
  const ids: string[] = [];
  let examined = 0;
  let skipToken: string | undefined;
  for (;;) {
    const page = paginateKeyset<Row>({
      records: copy.rows.values(),
      filter,
      orderBy: parseOrderBy(query.orderBy),
      keyField: 'id',
      pageSize: query.pageSize,
      top: query.top,
      skip: query.skip,
      skipToken,
      caseInsensitive: true,
      guidOrder,
      index: copy.index,
      filterExpression: expression,
      lookup: copy.index ? (id) => copy.rows.get(id.toLowerCase()) : undefined,
      // An equality index on `name` (case-insensitive), as the Dataverse store keeps for matching reads.
      lookupBy: copy.index
        ? (field, values) =>
            field === 'name'
              ? [...copy.rows.values()].filter((r) => values.some((v) => v.toLowerCase() === r.name.toLowerCase()))
              : undefined
        : undefined,
    });
    ids.push(...page.items.map((r) => r.id));
    examined += page.examined;
    if (!page.nextSkipToken) return { ids, examined };
    skipToken = page.nextSkipToken;
    between();
  }
}

const at = (second: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

describe('ordered (modified-on, key) index', () => {
  for (const guidOrder of ['text', 'sqlserver'] as const) {
    it(`pages through the index exactly as through a sort of the table (${guidOrder} GUID order), across writes`, () => {
      const seedRows = random(guidOrder === 'text' ? 7 : 11);
      // Few distinct instants so that many rows share one; some rows have no modified-on value.
      const stamp = (next: () => number): string | null => (next() < 0.05 ? null : at(Math.floor(next() * 40)));
      const initial: Row[] = Array.from({ length: 1200 }, (_, i) => ({
        id: guid(seedRows),
        modified: stamp(seedRows),
        name: `n${i % 17}`,
      }));
      const ids = initial.map((r) => r.id);
      const queries: Query[] = [
        { orderBy: 'modified,id', pageSize: 97 },
        { filter: `modified ge ${at(20)}`, orderBy: 'modified,id', pageSize: 50 },
        { filter: `modified gt ${at(20)} and modified le ${at(30)}`, orderBy: 'modified,id', pageSize: 41 },
        { filter: `${at(10)} lt modified and name eq 'n3'`, orderBy: 'modified asc,id', pageSize: 7, top: 30 },
        { filter: `modified eq ${at(20)}`, orderBy: 'id', pageSize: 9 },
        { filter: `modified eq ${at(20)} and id gt ${ids[5]}`, orderBy: 'id', pageSize: 9 },
        { filter: `id eq ${ids[1]} or id eq ${ids[2]} or id eq ${ids[2].toUpperCase()}`, orderBy: '', pageSize: 5 },
        { filter: `modified ge ${at(20)}`, orderBy: 'modified,id', pageSize: 20, skip: 15 },
        { filter: `modified ge ${at(20)}`, orderBy: 'modified desc,id', pageSize: 100 },
        { orderBy: 'name,id', pageSize: 100 },
        {
          filter: `modified ge ${at(5)} and (name eq 'n3' or name eq 'N5' or name eq 'new')`,
          orderBy: 'name,id',
          pageSize: 30,
        },
      ];
      for (const [n, query] of queries.entries()) {
        const copies = [
          new Copy(undefined),
          new Copy(new OrderedIndex('modified', 'id', { caseInsensitive: true, guidOrder })),
        ];
        const results = copies.map((copy) => {
          for (const row of initial) copy.put(row);
          // The same writes between pages on both copies: moves (to a later instant), deletions and inserts.
          const next = random(1000 + n);
          return readAll(copy, query, guidOrder, () => {
            const victim = ids[Math.floor(next() * ids.length)];
            const row = copy.rows.get(victim);
            if (row && next() < 0.3) copy.remove(victim);
            else if (row) copy.put({ ...row, modified: at(25 + Math.floor(next() * 10)) });
            copy.put({ id: guid(next), modified: stamp(next), name: 'new' });
          });
        });
        const [plain, indexed] = results;
        assert.ok(plain.ids.length > 0, JSON.stringify(query));
        assert.deepEqual(indexed.ids, plain.ids, JSON.stringify(query));
        assert.equal(copies[1].index!.size, copies[1].rows.size);
        if (query.orderBy === 'modified,id' && query.filter === undefined)
          assert.ok(indexed.examined < plain.examined / 10, `examined ${indexed.examined} vs ${plain.examined}`);
      }
    });
  }
});
