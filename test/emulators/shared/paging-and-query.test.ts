import assert from 'node:assert/strict';
import { EmulatorError } from '../../../emulators/shared/errors';
import {
  hasPreference,
  makeComparator,
  parseExpand,
  parseMaxPageSize,
  parseOrderBy,
  parseSelect,
  parseTop,
} from '../../../emulators/shared/odata-query';
import { decodeSkipToken, paginateKeyset } from '../../../emulators/shared/paging';

describe('shared OData query options', () => {
  it('parses $select, $orderby, $top and Prefer', () => {
    assert.deepEqual(parseSelect('a, b ,c'), ['a', 'b', 'c']);
    assert.equal(parseSelect(undefined), undefined);
    assert.equal(parseSelect('*'), undefined);
    assert.throws(() => parseSelect('a,,b'), EmulatorError);
    assert.deepEqual(parseOrderBy('name desc, id'), [
      { path: 'name', descending: true },
      { path: 'id', descending: false },
    ]);
    assert.throws(() => parseOrderBy('name sideways'), EmulatorError);
    assert.equal(parseTop('5'), 5);
    assert.throws(() => parseTop('-1'), EmulatorError);
    assert.equal(parseMaxPageSize('return=representation, odata.maxpagesize=250'), 250);
    assert.equal(parseMaxPageSize(undefined), undefined);
    assert.throws(() => parseMaxPageSize('odata.maxpagesize=0'), EmulatorError);
    assert.equal(hasPreference('odata.include-annotations="*", return=representation', 'return=representation'), true);
  });

  it('parses $expand with nested options', () => {
    assert.deepEqual(parseExpand("lines($select=a,b;$filter=name eq 'x(y)';$top=2),customer"), [
      { name: 'lines', options: { $select: 'a,b', $filter: "name eq 'x(y)'", $top: '2' } },
      { name: 'customer', options: {} },
    ]);
  });

  it('orders with a final tie-break on the key and nulls first', () => {
    const rows = [
      { id: 'b', v: 2 },
      { id: 'a', v: 2 },
      { id: 'c', v: null },
    ];
    rows.sort(makeComparator([{ path: 'v', descending: false }], 'id', { caseInsensitive: false }));
    assert.deepEqual(
      rows.map((r) => r.id),
      ['c', 'a', 'b'],
    );
  });
});

describe('shared keyset paging', () => {
  const make = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ id: `id${String(i).padStart(3, '0')}`, group: i % 3 }));

  it('walks all rows page by page with an opaque token', () => {
    const rows = make(10);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = paginateKeyset({
        records: rows,
        orderBy: [{ path: 'group', descending: true }],
        keyField: 'id',
        pageSize: 4,
        skipToken: token,
        caseInsensitive: false,
      });
      seen.push(...page.items.map((r) => r.id));
      token = page.nextSkipToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, 10);
  });

  it('does not shift later pages when rows before the cursor are inserted or deleted', () => {
    const rows = make(10);
    const first = paginateKeyset({ records: rows, orderBy: [], keyField: 'id', pageSize: 5, caseInsensitive: false });
    const remaining = rows.slice(1).concat({ id: 'id000a', group: 0 });
    const second = paginateKeyset({
      records: remaining,
      orderBy: [],
      keyField: 'id',
      pageSize: 5,
      skipToken: first.nextSkipToken,
      caseInsensitive: false,
    });
    assert.deepEqual(
      second.items.map((r) => r.id),
      ['id005', 'id006', 'id007', 'id008', 'id009'],
    );
    assert.equal(second.nextSkipToken, undefined);
  });

  it('honours $top over pages and $skip on the first page', () => {
    const rows = make(10);
    const a = paginateKeyset({
      records: rows,
      orderBy: [],
      keyField: 'id',
      pageSize: 3,
      top: 4,
      caseInsensitive: false,
    });
    assert.equal(a.items.length, 3);
    const b = paginateKeyset({
      records: rows,
      orderBy: [],
      keyField: 'id',
      pageSize: 3,
      top: 4,
      skipToken: a.nextSkipToken,
      caseInsensitive: false,
    });
    assert.equal(b.items.length, 1);
    assert.equal(b.nextSkipToken, undefined);
    const skipped = paginateKeyset({
      records: rows,
      orderBy: [],
      keyField: 'id',
      pageSize: 3,
      skip: 8,
      caseInsensitive: false,
    });
    assert.deepEqual(
      skipped.items.map((r) => r.id),
      ['id008', 'id009'],
    );
  });

  it('rejects a tampered token', () => {
    assert.throws(() => decodeSkipToken('garbage!'), EmulatorError);
  });
});
