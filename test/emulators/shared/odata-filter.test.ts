import assert from 'node:assert/strict';
import { EmulatorError } from '../../../emulators/shared/errors';
import {
  businessCentralFilterDialect as bc,
  compareValues,
  compileFilter,
  dataverseFilterDialect as dv,
  filterPropertyPaths,
  OR_ACROSS_FIELDS_MESSAGE,
  parseFilter,
  type FilterDialect,
} from '../../../emulators/shared/odata-filter';

const rows = [
  {
    id: 'A1B2C3D4-0000-4000-8000-000000000001',
    name: 'Contoso',
    city: 'Oslo',
    credit: 100,
    active: true,
    modified: '2024-05-01T10:00:00.000Z',
    lines: [{ qty: 1 }, { qty: 5 }],
    owner: { fullname: 'Anna Berg' },
  },
  {
    id: 'a1b2c3d4-0000-4000-8000-000000000002',
    name: "O'Hara Ltd",
    city: 'Bergen',
    credit: 0,
    active: false,
    modified: '2024-05-02T10:00:00.123Z',
    lines: [],
    owner: { fullname: 'Lars Dahl' },
  },
  {
    id: 'a1b2c3d4-0000-4000-8000-000000000003',
    name: 'contoso north',
    city: null,
    credit: 250.5,
    active: true,
    modified: '2024-05-03T00:00:00.000Z',
    lines: [{ qty: 2 }],
    owner: null,
  },
];

function run(filter: string, dialect: FilterDialect = bc): number[] {
  const predicate = compileFilter(parseFilter(filter, dialect), { dialect });
  return rows.flatMap((r, i) => (predicate(r) ? [i] : []));
}

function rejects(filter: string, dialect: FilterDialect, pattern?: RegExp): void {
  assert.throws(
    () => compileFilter(parseFilter(filter, dialect), { dialect }),
    (e: unknown) => e instanceof EmulatorError && e.status === 400 && (!pattern || pattern.test(e.message)),
  );
}

describe('shared OData $filter: common grammar', () => {
  it('evaluates the comparison operators', () => {
    assert.deepEqual(run('credit eq 100'), [0]);
    assert.deepEqual(run('credit ne 100'), [1, 2]);
    assert.deepEqual(run('credit gt 0'), [0, 2]);
    assert.deepEqual(run('credit ge 100'), [0, 2]);
    assert.deepEqual(run('credit lt 100'), [1]);
    assert.deepEqual(run('credit le 100'), [0, 1]);
  });

  it('evaluates and, or, not and parentheses with OData precedence', () => {
    assert.deepEqual(run('credit gt 0 and active eq true'), [0, 2]);
    assert.deepEqual(run('not (credit gt 0)'), [1]);
    assert.deepEqual(run("name eq 'Contoso' or credit eq 0", dv), [0, 1]);
    assert.deepEqual(run("name eq 'Contoso' or credit eq 0 and active eq true", dv), [0], 'and binds tighter than or');
    assert.deepEqual(run("(name eq 'Contoso' or credit eq 0) and active eq true", dv), [0]);
    assert.deepEqual(run("(name eq 'Contoso' or credit eq 0) and active eq false", dv), [1]);
  });

  it("unescapes '' in strings and compares null", () => {
    assert.deepEqual(run("name eq 'O''Hara Ltd'"), [1]);
    assert.deepEqual(run('city eq null'), [2]);
    assert.deepEqual(run('city ne null'), [0, 1]);
  });

  it('accepts unquoted GUIDs (Json case) and datetimes, with or without milliseconds', () => {
    assert.deepEqual(run('id eq a1b2c3d4-0000-4000-8000-000000000001'), [0]);
    assert.deepEqual(run('id eq A1B2C3D4-0000-4000-8000-000000000002'), [1]);
    assert.deepEqual(run('modified gt 2024-05-02T10:00:00Z'), [1, 2]);
    assert.deepEqual(run('modified gt 2024-05-02T10:00:00.123Z'), [2]);
    assert.deepEqual(run('modified ge 2024-05-02T12:00:00+02:00'), [1, 2]);
    assert.deepEqual(run("id eq guid'a1b2c3d4-0000-4000-8000-000000000003'"), [2]);
  });

  it('supports contains, startswith, endswith, tolower, toupper, length, and lookup paths', () => {
    assert.deepEqual(run("contains(name,'onto')"), [0, 2]);
    assert.deepEqual(run("startswith(name,'Contoso')"), [0]);
    assert.deepEqual(run("endswith(name,'north')"), [2]);
    assert.deepEqual(run("tolower(name) eq 'contoso'"), [0]);
    assert.deepEqual(run("toupper(city) eq 'OSLO'"), [0]);
    assert.deepEqual(run('length(city) eq 6'), [1]);
    assert.deepEqual(run("owner/fullname eq 'Lars Dahl'", dv), [1]);
  });

  it('compares two columns', () => {
    const predicate = compileFilter(parseFilter('a eq b', dv), { dialect: dv });
    assert.equal(predicate({ a: 'x', b: 'X' }), true);
    assert.equal(predicate({ a: 'x', b: 'y' }), false);
  });

  it('reports the property paths a filter reads', () => {
    assert.deepEqual([...filterPropertyPaths(parseFilter("a eq 1 and (b/c eq 'x' or contains(d,'y'))", dv))].sort(), [
      'a',
      'b/c',
      'd',
    ]);
  });

  it('rejects syntax errors with 400', () => {
    rejects("name eq 'open", bc, /unterminated/);
    rejects('name eq', bc);
    rejects('(name eq 1', bc);
    rejects('name eq 1 1', bc);
    rejects('frobnicate(name)', bc, /unknown function/);
    rejects('name ~ 1', bc);
  });
});

describe('shared OData $filter: Business Central dialect', () => {
  it('compares strings case-sensitively', () => {
    assert.deepEqual(run("name eq 'contoso'"), []);
    assert.deepEqual(run("contains(name,'CONTOSO')"), []);
  });

  it('rejects OR across distinct fields with the documented message, but not OR on one field', () => {
    rejects("city eq 'Oslo' or name eq 'x'", bc, new RegExp(OR_ACROSS_FIELDS_MESSAGE.replace(/[.()']/g, '.')));
    rejects("(city eq 'Oslo' or credit eq 1) and active eq true", bc);
    rejects("contains(name,'a') or startswith(city,'B')", bc);
    assert.deepEqual(run("city eq 'Oslo' or city eq 'Bergen'"), [0, 1]);
    assert.deepEqual(run("(city eq 'Oslo' or city eq 'Bergen') and credit gt 0"), [0]);
  });

  it('ignores lambda expressions (they match everything)', () => {
    assert.deepEqual(run('lines/any(l: l/qty gt 4)'), [0, 1, 2]);
    assert.deepEqual(run('lines/any(l: l/qty gt 4) and credit gt 0'), [0, 2]);
    assert.deepEqual(run("lines/any(l: l/qty gt 4) or city eq 'Oslo'"), [0, 1, 2], 'a lambda is not a distinct field');
  });

  it('rejects in unless allowed ($schemaversion=2.1)', () => {
    rejects("city in ('Oslo','Bergen')", bc, /schemaversion=2\.1/);
    assert.deepEqual(run("city in ('Oslo','Bergen')", { ...bc, allowIn: true }), [0, 1]);
  });

  it("orders GUIDs the way SQL Server orders uniqueidentifier (BC's database)", () => {
    // SQL Server compares the last byte group first; within the first three groups the bytes are reversed.
    const ordered = [
      '01000000-0000-0000-0000-000000000000',
      '00000010-0000-0000-0000-000000000000',
      '00000000-0100-0000-0000-000000000000',
      '00000000-0000-0001-0000-000000000000',
      '00000000-0000-0000-0001-000000000000',
      '00000000-0000-0000-0100-000000000000',
      '00000000-0000-0000-0000-000000000001',
      '00000000-0000-0000-0000-010000000000',
    ];
    const shuffled = [...ordered].reverse().map((id) => ({ id }));
    shuffled.sort((a, b) => compareValues(a.id, b.id, false, 'sqlserver')!);
    assert.deepEqual(
      shuffled.map((r) => r.id),
      ordered,
    );
    const gt = compileFilter(parseFilter('id gt 00000000-0000-0000-0001-000000000000', bc), { dialect: bc });
    assert.equal(gt({ id: '00000000-0000-0000-0000-000000000001' }), true, 'the last group outranks the fourth');
    assert.equal(gt({ id: 'ffffffff-0000-0000-0000-000000000000' }), false);
    assert.equal(
      compareValues('55666BEE-B3A0-4BF5-81A7-86FF976E763F', '8DD5BCA5-6ABE-4F73-B4B7-393AE6BBB849', false, 'sqlserver'),
      1,
    );
    assert.equal(
      compareValues('55666BEE-B3A0-4BF5-81A7-86FF976E763F', '8DD5BCA5-6ABE-4F73-B4B7-393AE6BBB849', false, 'text'),
      -1,
    );
  });

  it('rejects Microsoft.Dynamics.CRM functions', () => {
    rejects("Microsoft.Dynamics.CRM.In(PropertyName='city',PropertyValues=['Oslo'])", bc);
  });
});

describe('shared OData $filter: Dataverse dialect', () => {
  it('compares strings case-insensitively', () => {
    assert.deepEqual(run("name eq 'CONTOSO'", dv), [0]);
    assert.deepEqual(run("contains(name,'CONTOSO')", dv), [0, 2]);
    assert.deepEqual(run("startswith(name,'contoso')", dv), [0, 2]);
  });

  it('allows OR across fields and the in operator', () => {
    assert.deepEqual(run("city eq 'Oslo' or credit eq 0", dv), [0, 1]);
    assert.deepEqual(run("city in ('oslo','BERGEN')", dv), [0, 1]);
  });

  it('evaluates any/all lambdas', () => {
    assert.deepEqual(run('lines/any(l: l/qty gt 4)', dv), [0]);
    assert.deepEqual(run('lines/any()', dv), [0, 2]);
    assert.deepEqual(run('lines/all(l: l/qty lt 3)', dv), [1, 2]);
  });

  it('evaluates Microsoft.Dynamics.CRM.In / NotIn / Between / NotBetween / Null', () => {
    assert.deepEqual(
      run("Microsoft.Dynamics.CRM.In(PropertyName='city',PropertyValues=['Oslo','Bergen'])", dv),
      [0, 1],
    );
    assert.deepEqual(run("Microsoft.Dynamics.CRM.NotIn(PropertyName='city',PropertyValues=['Oslo'])", dv), [1, 2]);
    assert.deepEqual(run("Microsoft.Dynamics.CRM.Between(PropertyName='credit',PropertyValues=['1','200'])", dv), [0]);
    assert.deepEqual(
      run("Microsoft.Dynamics.CRM.NotBetween(PropertyName='credit',PropertyValues=[1,200])", dv),
      [1, 2],
    );
    assert.deepEqual(run("Microsoft.Dynamics.CRM.Null(PropertyName='city')", dv), [2]);
    rejects("Microsoft.Dynamics.CRM.LastXDays(PropertyName='modified',PropertyValue=3)", dv, /not a valid function/);
  });

  it('takes extra CRM functions through options', () => {
    const tree = parseFilter("Microsoft.Dynamics.CRM.LastXDays(PropertyName='modified',PropertyValue=3)", dv);
    const predicate = compileFilter(tree, {
      dialect: dv,
      now: () => new Date('2024-05-04T00:00:00.000Z'),
      crmFunctions: {
        LastXDays: ({ get, params, now }) =>
          Date.parse(String(get(String(params['PropertyName'])))) >=
          now.getTime() - Number(params['PropertyValue']) * 86_400_000,
      },
    });
    assert.deepEqual(
      rows.flatMap((r, i) => (predicate(r) ? [i] : [])),
      [0, 1, 2],
    );
  });
});
