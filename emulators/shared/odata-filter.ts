// OData v4 `$filter`: a recursive-descent parser into a small AST and an evaluator over plain records. Both emulators
// use it; the differences between Business Central and Dataverse are switches of `FilterDialect` (api-facts A4, B3).
//
// Grammar (lowest precedence first):
//   or      := and ('or' and)*
//   and     := not ('and' not)*
//   not     := 'not' not | compare
//   compare := primary (('eq'|'ne'|'gt'|'ge'|'lt'|'le') primary | 'in' '(' list ')')?
//   primary := '(' or ')' | literal | function '(' args ')' | path ['/any(' v ':' or ')' | '/all(…)'] | CRM function
// Literals: 'text' (with '' escaping), numbers, true/false/null, unquoted GUIDs, unquoted datetimes and dates, and the
// legacy typed forms guid'…', datetime'…', datetimeoffset'…'.

import { EmulatorError } from './errors';

/** Type tag of a literal in a filter. */
export type FilterLiteralType = 'string' | 'number' | 'boolean' | 'null' | 'guid' | 'datetime' | 'date';

/** Comparison operators of `$filter`. */
export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

/** A parsed `$filter` expression. Property paths keep OData's `/` separator (`primarycontactid/fullname`). */
export type FilterExpression =
  | { kind: 'literal'; type: FilterLiteralType; value: string | number | boolean | null }
  | { kind: 'property'; path: string }
  | { kind: 'and' | 'or'; left: FilterExpression; right: FilterExpression }
  | { kind: 'compare'; op: ComparisonOperator; left: FilterExpression; right: FilterExpression }
  | { kind: 'not'; operand: FilterExpression }
  | { kind: 'in'; left: FilterExpression; values: FilterExpression[] }
  | { kind: 'call'; name: string; args: FilterExpression[] }
  | { kind: 'crm'; name: string; params: Record<string, FilterExpression | FilterExpression[]> }
  | { kind: 'lambda'; path: string; op: 'any' | 'all'; variable?: string; predicate?: FilterExpression };

/** The switches that make the parser and evaluator behave like one service or the other. */
export interface FilterDialect {
  /** String comparisons and contains/startswith/endswith ignore case (Dataverse: true; BC: false). */
  caseInsensitiveStrings: boolean;
  /** `or` whose operands reference more than one property → 400 (Business Central: true). */
  rejectOrAcrossFields: boolean;
  /** Whether the OData `in (…)` operator is accepted (BC: only with `$schemaversion=2.1`). */
  allowIn: boolean;
  /** Lambda `any`/`all`: `ignore` = treat as true (BC), `evaluate` (Dataverse), `reject` = 400. */
  lambdas: 'ignore' | 'evaluate' | 'reject';
  /** Accept `Microsoft.Dynamics.CRM.*(PropertyName=…,…)` query functions (Dataverse). (Default: false) */
  allowCrmFunctions?: boolean;
  /** Error code for syntax and rule errors. (Default: 'BadRequest') */
  errorCode?: string;
  /**
   * How GUIDs order in gt/lt and $orderby: `text` (hex string order) or `sqlserver` (SQL Server's uniqueidentifier
   * order, which Business Central inherits from its database: byte groups compared right to left). (Default: 'text')
   */
  guidOrder?: GuidOrder;
}

/** See `FilterDialect.guidOrder`. */
export type GuidOrder = 'text' | 'sqlserver';

/** Business Central's dialect (api-facts A4). Pass `allowIn: true` when the request has `$schemaversion=2.1`. */
export const businessCentralFilterDialect: FilterDialect = {
  caseInsensitiveStrings: false,
  rejectOrAcrossFields: true,
  allowIn: false,
  lambdas: 'ignore',
  errorCode: 'BadRequest',
  guidOrder: 'sqlserver',
};

/** Dataverse's dialect (api-facts B3). The error code is Dataverse's generic "invalid argument" hex. */
export const dataverseFilterDialect: FilterDialect = {
  caseInsensitiveStrings: true,
  rejectOrAcrossFields: false,
  allowIn: true,
  lambdas: 'evaluate',
  allowCrmFunctions: true,
  errorCode: '0x80060888',
};

/** The message Business Central answers an `or` across distinct fields with (api-facts A4, verbatim). */
export const OR_ACROSS_FIELDS_MESSAGE = "The 'OR' operator is not supported on distinct fields on an OData filter.";

const COMPARISON_OPERATORS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set([
  'contains',
  'startswith',
  'endswith',
  'tolower',
  'toupper',
  'length',
  'trim',
  'substring',
  'indexof',
  'concat',
]);

type Token =
  | { t: 'string'; v: string; pos: number }
  | { t: 'number'; v: number; pos: number }
  | { t: 'guid' | 'datetime' | 'date'; v: string; pos: number }
  | { t: 'ident'; v: string; pos: number }
  | { t: 'punct'; v: '(' | ')' | ',' | ':' | '[' | ']' | '='; pos: number };

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})?/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;
const NUMBER_RE = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDfFlL]?(?![\w])/;
const IDENT_RE = /^[A-Za-z_$@][\w.$@]*(?:\/[A-Za-z_$@][\w.$@]*)*/;
const TYPED_LITERAL_PREFIXES: Record<string, 'guid' | 'datetime' | 'date'> = {
  guid: 'guid',
  datetime: 'datetime',
  datetimeoffset: 'datetime',
  date: 'date',
};
/** An ISO-8601 datetime as both services print them; used to compare datetime strings by instant. */
const ISO_DATETIME_VALUE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

function tokenize(text: string, fail: (message: string) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if ('(),:[]='.includes(ch)) {
      tokens.push({ t: 'punct', v: ch as '(' | ')' | ',' | ':' | '[' | ']' | '=', pos: i });
      i++;
      continue;
    }
    if (ch === "'") {
      const [value, end] = readQuoted(text, i, fail);
      tokens.push({ t: 'string', v: value, pos: i });
      i = end;
      continue;
    }
    const rest = text.slice(i);
    let m = GUID_RE.exec(rest);
    if (m) {
      tokens.push({ t: 'guid', v: m[0].toLowerCase(), pos: i });
      i += m[0].length;
      continue;
    }
    m = DATETIME_RE.exec(rest);
    if (m) {
      tokens.push({ t: 'datetime', v: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    m = DATE_RE.exec(rest);
    if (m) {
      tokens.push({ t: 'date', v: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    m = NUMBER_RE.exec(rest);
    if (m) {
      tokens.push({ t: 'number', v: Number(m[0].replace(/[mMdDfFlL]$/, '')), pos: i });
      i += m[0].length;
      continue;
    }
    m = IDENT_RE.exec(rest);
    if (m) {
      const word = m[0];
      const typed = TYPED_LITERAL_PREFIXES[word.toLowerCase()];
      if (typed && text[i + word.length] === "'") {
        const [value, end] = readQuoted(text, i + word.length, fail);
        tokens.push({ t: typed, v: typed === 'guid' ? value.toLowerCase() : value, pos: i });
        i = end;
        continue;
      }
      tokens.push({ t: 'ident', v: word, pos: i });
      i += word.length;
      continue;
    }
    fail(`Syntax error: character '${ch}' is not valid at position ${i} in '${text}'.`);
  }
  return tokens;
}

function readQuoted(text: string, start: number, fail: (message: string) => never): [string, number] {
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) fail(`There is an unterminated string literal at position ${start} in '${text}'.`);
    const c = text[i];
    if (c === "'") {
      if (text[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return [value, i + 1];
    }
    value += c;
    i++;
  }
}

/**
 * Parses a `$filter` value into an expression tree and applies the dialect's rejections (OR across fields, `in`,
 * lambdas). Throws `EmulatorError(400, dialect.errorCode)` on a syntax error or a rejected construct.
 */
export function parseFilter(text: string, dialect: FilterDialect): FilterExpression {
  const code = dialect.errorCode ?? 'BadRequest';
  const fail = (message: string): never => {
    throw new EmulatorError(400, code, message);
  };
  const tokens = tokenize(text, fail);
  let p = 0;
  const peek = (): Token | undefined => tokens[p];
  const isWord = (tok: Token | undefined, word: string): boolean =>
    tok !== undefined && tok.t === 'ident' && tok.v.toLowerCase() === word;
  const isPunct = (tok: Token | undefined, v: string): boolean => tok !== undefined && tok.t === 'punct' && tok.v === v;
  const expectPunct = (v: string): void => {
    const tok = peek();
    if (!isPunct(tok, v))
      fail(`Syntax error: '${v}' expected at position ${tok ? tok.pos : text.length} in '${text}'.`);
    p++;
  };

  const parseOr = (): FilterExpression => {
    let left = parseAnd();
    while (isWord(peek(), 'or')) {
      p++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): FilterExpression => {
    let left = parseNot();
    while (isWord(peek(), 'and')) {
      p++;
      left = { kind: 'and', left, right: parseNot() };
    }
    return left;
  };
  const parseNot = (): FilterExpression => {
    if (isWord(peek(), 'not')) {
      p++;
      return { kind: 'not', operand: parseNot() };
    }
    return parseCompare();
  };
  const parseCompare = (): FilterExpression => {
    const left = parsePrimary();
    const tok = peek();
    if (tok?.t === 'ident' && COMPARISON_OPERATORS.has(tok.v.toLowerCase())) {
      p++;
      return { kind: 'compare', op: tok.v.toLowerCase() as ComparisonOperator, left, right: parsePrimary() };
    }
    if (isWord(tok, 'in')) {
      if (!dialect.allowIn) fail("The 'in' operator is supported only with $schemaversion=2.1.");
      p++;
      expectPunct('(');
      const values: FilterExpression[] = [];
      if (!isPunct(peek(), ')')) {
        values.push(parsePrimary());
        while (isPunct(peek(), ',')) {
          p++;
          values.push(parsePrimary());
        }
      }
      expectPunct(')');
      return { kind: 'in', left, values };
    }
    return left;
  };
  const parseArgs = (): FilterExpression[] => {
    expectPunct('(');
    const args: FilterExpression[] = [];
    if (!isPunct(peek(), ')')) {
      args.push(parseOr());
      while (isPunct(peek(), ',')) {
        p++;
        args.push(parseOr());
      }
    }
    expectPunct(')');
    return args;
  };
  const parseCrm = (name: string): FilterExpression => {
    expectPunct('(');
    const params: Record<string, FilterExpression | FilterExpression[]> = {};
    while (!isPunct(peek(), ')')) {
      const key = peek();
      if (key?.t !== 'ident') fail(`Syntax error: parameter name expected in '${text}'.`);
      p++;
      expectPunct('=');
      if (isPunct(peek(), '[')) {
        p++;
        const list: FilterExpression[] = [];
        while (!isPunct(peek(), ']')) {
          list.push(parsePrimary());
          if (isPunct(peek(), ',')) p++;
          else if (!isPunct(peek(), ']')) fail(`Syntax error: ']' expected in '${text}'.`);
        }
        p++;
        params[(key as Token & { v: string }).v] = list;
      } else {
        params[(key as Token & { v: string }).v] = parsePrimary();
      }
      if (isPunct(peek(), ',')) p++;
      else if (!isPunct(peek(), ')')) fail(`Syntax error: ')' expected in '${text}'.`);
    }
    p++;
    return { kind: 'crm', name, params };
  };
  const parsePrimary = (): FilterExpression => {
    const tok = peek();
    if (!tok) return fail(`Syntax error: unexpected end of the filter '${text}'.`);
    p++;
    switch (tok.t) {
      case 'string':
        return { kind: 'literal', type: 'string', value: tok.v };
      case 'number':
        return { kind: 'literal', type: 'number', value: tok.v };
      case 'guid':
      case 'datetime':
      case 'date':
        return { kind: 'literal', type: tok.t, value: tok.v };
      case 'punct': {
        if (tok.v !== '(') return fail(`Syntax error at position ${tok.pos} in '${text}'.`);
        const inner = parseOr();
        expectPunct(')');
        return inner;
      }
      case 'ident': {
        const lower = tok.v.toLowerCase();
        if (lower === 'true' || lower === 'false') return { kind: 'literal', type: 'boolean', value: lower === 'true' };
        if (lower === 'null') return { kind: 'literal', type: 'null', value: null };
        if (lower.startsWith('microsoft.dynamics.crm.')) {
          if (!dialect.allowCrmFunctions) fail(`Unknown function '${tok.v}'.`);
          return parseCrm(tok.v.slice('microsoft.dynamics.crm.'.length));
        }
        if (isPunct(peek(), '(')) {
          const segments = tok.v.split('/');
          const last = segments[segments.length - 1].toLowerCase();
          if (segments.length > 1 && (last === 'any' || last === 'all')) return parseLambda(segments, last);
          if (!FUNCTIONS.has(lower)) fail(`An unknown function with name '${tok.v}' was found.`);
          return { kind: 'call', name: lower, args: parseArgs() };
        }
        return { kind: 'property', path: tok.v };
      }
    }
  };
  const parseLambda = (segments: string[], op: 'any' | 'all'): FilterExpression => {
    if (dialect.lambdas === 'reject') fail('Lambda operators (any/all) are not supported.');
    const path = segments.slice(0, -1).join('/');
    expectPunct('(');
    if (isPunct(peek(), ')')) {
      p++;
      return { kind: 'lambda', path, op };
    }
    const variable = peek();
    if (variable?.t !== 'ident') return fail(`Syntax error: lambda variable expected in '${text}'.`);
    p++;
    expectPunct(':');
    const predicate = parseOr();
    expectPunct(')');
    return { kind: 'lambda', path, op, variable: variable.v, predicate };
  };

  const tree = parseOr();
  if (p < tokens.length) fail(`Syntax error at position ${tokens[p].pos} in '${text}'.`);
  if (dialect.rejectOrAcrossFields) checkOrAcrossFields(tree, fail);
  return tree;
}

/** Every property path the expression reads, outside lambda predicates (whose paths start with the variable). */
export function filterPropertyPaths(expression: FilterExpression): Set<string> {
  const paths = new Set<string>();
  const walk = (e: FilterExpression): void => {
    switch (e.kind) {
      case 'property':
        paths.add(e.path);
        return;
      case 'and':
      case 'or':
      case 'compare':
        walk(e.left);
        walk(e.right);
        return;
      case 'not':
        walk(e.operand);
        return;
      case 'in':
        walk(e.left);
        e.values.forEach(walk);
        return;
      case 'call':
        e.args.forEach(walk);
        return;
      case 'crm': {
        const name = e.params['PropertyName'];
        if (name && !Array.isArray(name) && name.kind === 'literal' && typeof name.value === 'string')
          paths.add(name.value);
        return;
      }
      case 'lambda':
        paths.add(e.path);
        return;
      case 'literal':
        return;
    }
  };
  walk(expression);
  return paths;
}

function checkOrAcrossFields(tree: FilterExpression, fail: (message: string) => never): void {
  const visit = (e: FilterExpression): void => {
    switch (e.kind) {
      case 'or': {
        const paths = filterPropertyPaths({ kind: 'and', left: stripLambdas(e.left), right: stripLambdas(e.right) });
        if (paths.size > 1) fail(OR_ACROSS_FIELDS_MESSAGE);
        visit(e.left);
        visit(e.right);
        return;
      }
      case 'and':
        visit(e.left);
        visit(e.right);
        return;
      case 'not':
        visit(e.operand);
        return;
      default:
        return;
    }
  };
  visit(tree);
}

/** Ignored lambdas do not count as "a field" for the OR rule. */
function stripLambdas(e: FilterExpression): FilterExpression {
  if (e.kind === 'lambda') return { kind: 'literal', type: 'boolean', value: true };
  if (e.kind === 'and' || e.kind === 'or') return { ...e, left: stripLambdas(e.left), right: stripLambdas(e.right) };
  if (e.kind === 'not') return { ...e, operand: stripLambdas(e.operand) };
  return e;
}

/** A `Microsoft.Dynamics.CRM.*` function implementation: gets the record and the evaluated parameters. */
export type CrmFilterFunction = (args: {
  record: Record<string, unknown>;
  /** Reads a property of the record by path. */
  get: (path: string) => unknown;
  /** Evaluated parameters: `PropertyName` as string, `PropertyValue(s)` as values/arrays. */
  params: Record<string, unknown>;
  /** The evaluator's clock. */
  now: Date;
  caseInsensitive: boolean;
}) => boolean;

/** Options of `compileFilter`. */
export interface CompileFilterOptions {
  /** Same dialect as given to `parseFilter`. */
  dialect: FilterDialect;
  /** Reads a property by OData path. (Default: walks plain objects along `/`) */
  getValue?: (record: Record<string, unknown>, path: string) => unknown;
  /** For `lambdas: 'evaluate'`: the related rows of a collection navigation path. (Default: the property as array) */
  getCollection?: (record: Record<string, unknown>, path: string) => Record<string, unknown>[];
  /** Extra or overriding `Microsoft.Dynamics.CRM.*` functions by (case-insensitive) name. */
  crmFunctions?: Record<string, CrmFilterFunction>;
  /** Clock for date-relative CRM functions. (Default: () => new Date()) */
  now?: () => Date;
}

/** A compiled filter: true when the record passes. */
export type RecordPredicate = (record: Record<string, unknown>) => boolean;

const defaultGetValue = (record: Record<string, unknown>, path: string): unknown => {
  let value: unknown = record;
  for (const segment of path.split('/')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
};

/**
 * Compiles a parsed filter into a predicate. Comparison rules: `null` equals only null/undefined; numbers compare
 * numerically; GUIDs case-insensitively; two ISO datetimes by instant (quoted or not); other strings by code unit,
 * case-insensitively when the dialect says so or when either side is wrapped in tolower()/toupper() (BC: those "just
 * turn off case sensitivity"). Throws `EmulatorError(400)` for an unknown CRM function.
 */
export function compileFilter(expression: FilterExpression, options: CompileFilterOptions): RecordPredicate {
  const { dialect } = options;
  const getValue = options.getValue ?? defaultGetValue;
  const getCollection =
    options.getCollection ??
    ((record: Record<string, unknown>, path: string): Record<string, unknown>[] => {
      const v = getValue(record, path);
      return Array.isArray(v) ? (v as Record<string, unknown>[]) : [];
    });
  const now = options.now ?? ((): Date => new Date());
  const crm: Record<string, CrmFilterFunction> = { ...BUILT_IN_CRM_FUNCTIONS };
  for (const [name, fn] of Object.entries(options.crmFunctions ?? {})) crm[name.toLowerCase()] = fn;
  const code = dialect.errorCode ?? 'BadRequest';
  const ci = dialect.caseInsensitiveStrings;
  const guidOrder = dialect.guidOrder ?? 'text';

  // Validate CRM function names up front so an unknown one fails the request, not silently each record.
  const check = (e: FilterExpression): void => {
    if (e.kind === 'crm' && !crm[e.name.toLowerCase()])
      throw new EmulatorError(400, code, `'Microsoft.Dynamics.CRM.${e.name}' is not a valid function.`);
    if (e.kind === 'and' || e.kind === 'or' || e.kind === 'compare') {
      check(e.left);
      check(e.right);
    } else if (e.kind === 'not') check(e.operand);
    else if (e.kind === 'lambda' && e.predicate) check(e.predicate);
  };
  check(expression);

  type Scope = { record: Record<string, unknown>; variables: Map<string, Record<string, unknown>> };
  const read = (scope: Scope, path: string): unknown => {
    const slash = path.indexOf('/');
    const head = slash < 0 ? path : path.slice(0, slash);
    const bound = scope.variables.get(head);
    if (bound) return slash < 0 ? bound : getValue(bound, path.slice(slash + 1));
    return getValue(scope.record, path);
  };
  const isCaseFn = (e: FilterExpression): boolean =>
    e.kind === 'call' && (e.name === 'tolower' || e.name === 'toupper');

  const evaluate = (e: FilterExpression, scope: Scope): unknown => {
    switch (e.kind) {
      case 'literal':
        return e.value;
      case 'property':
        return read(scope, e.path);
      case 'and':
        return truthy(evaluate(e.left, scope)) && truthy(evaluate(e.right, scope));
      case 'or':
        return truthy(evaluate(e.left, scope)) || truthy(evaluate(e.right, scope));
      case 'not':
        return !truthy(evaluate(e.operand, scope));
      case 'compare':
        return compareOp(
          e.op,
          evaluate(e.left, scope),
          evaluate(e.right, scope),
          ci || isCaseFn(e.left) || isCaseFn(e.right),
          guidOrder,
        );
      case 'in': {
        const left = evaluate(e.left, scope);
        return e.values.some((v) => compareOp('eq', left, evaluate(v, scope), ci, guidOrder));
      }
      case 'call':
        return callFunction(
          e.name,
          e.args.map((a) => evaluate(a, scope)),
          ci || e.args.some(isCaseFn),
        );
      case 'crm': {
        const params: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(e.params))
          params[k] = Array.isArray(v) ? v.map((x) => evaluate(x, scope)) : evaluate(v, scope);
        return crm[e.name.toLowerCase()]({
          record: scope.record,
          get: (path) => read(scope, path),
          params,
          now: now(),
          caseInsensitive: ci,
        });
      }
      case 'lambda': {
        if (dialect.lambdas === 'ignore') return true;
        const items = getCollection(scope.record, e.path);
        if (!e.predicate || !e.variable) return e.op === 'any' ? items.length > 0 : true;
        const test = (item: Record<string, unknown>): boolean => {
          const variables = new Map(scope.variables);
          variables.set(e.variable!, item);
          return truthy(evaluate(e.predicate!, { record: scope.record, variables }));
        };
        return e.op === 'any' ? items.some(test) : items.every(test);
      }
    }
  };
  return (record) => truthy(evaluate(expression, { record, variables: new Map() }));
}

function truthy(v: unknown): boolean {
  return v === true;
}

function callFunction(name: string, args: unknown[], ci: boolean): unknown {
  const str = (v: unknown): string | null => (v == null ? null : typeof v === 'string' ? v : JSON.stringify(v));
  const fold = (v: string | null): string | null => (v !== null && ci ? v.toLowerCase() : v);
  switch (name) {
    case 'contains':
    case 'startswith':
    case 'endswith': {
      const a = fold(str(args[0]));
      const b = fold(str(args[1]));
      if (a === null || b === null) return false;
      return name === 'contains' ? a.includes(b) : name === 'startswith' ? a.startsWith(b) : a.endsWith(b);
    }
    case 'tolower':
      return str(args[0])?.toLowerCase() ?? null;
    case 'toupper':
      return str(args[0])?.toUpperCase() ?? null;
    case 'trim':
      return str(args[0])?.trim() ?? null;
    case 'length':
      return str(args[0])?.length ?? null;
    case 'indexof': {
      const a = fold(str(args[0]));
      const b = fold(str(args[1]));
      return a === null || b === null ? null : a.indexOf(b);
    }
    case 'substring': {
      const a = str(args[0]);
      if (a === null) return null;
      const start = Number(args[1]);
      return args.length > 2 ? a.substring(start, start + Number(args[2])) : a.substring(start);
    }
    case 'concat':
      return args.map((a) => str(a) ?? '').join('');
    default:
      return null;
  }
}

/**
 * Compares two values with an OData comparison operator (the rules of `compileFilter`). Exported for `$orderby`.
 */
export function compareOp(
  op: ComparisonOperator,
  left: unknown,
  right: unknown,
  caseInsensitive: boolean,
  guidOrder: GuidOrder = 'text',
): boolean {
  if (left == null || right == null) {
    const bothNull = left == null && right == null;
    if (op === 'eq') return bothNull;
    if (op === 'ne') return !bothNull;
    return false;
  }
  const c = compareValues(left, right, caseInsensitive, guidOrder);
  if (c === undefined) return op === 'ne';
  switch (op) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
  }
}

/**
 * Orders two non-null values: numbers numerically (numeric strings against numbers too), ISO datetimes by instant,
 * GUID-looking strings case-insensitively, booleans false < true, other strings by code unit (folded when
 * `caseInsensitive`). Returns undefined when the values cannot be compared.
 */
export function compareValues(
  left: unknown,
  right: unknown,
  caseInsensitive: boolean,
  guidOrder: GuidOrder = 'text',
): number | undefined {
  if (typeof left === 'number' || typeof right === 'number') {
    const a = Number(left);
    const b = Number(right);
    if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
    return a === b ? 0 : a < b ? -1 : 1;
  }
  if (typeof left === 'boolean' || typeof right === 'boolean') {
    if (typeof left !== 'boolean' || typeof right !== 'boolean') return undefined;
    return left === right ? 0 : left ? 1 : -1;
  }
  if (typeof left === 'string' && typeof right === 'string') {
    if (left === right) return 0;
    // Cheap guards first: this runs inside sorts of 100,000+ rows.
    if (
      looksLikeDatetime(left) &&
      looksLikeDatetime(right) &&
      ISO_DATETIME_VALUE.test(left) &&
      ISO_DATETIME_VALUE.test(right)
    ) {
      // Same-shape UTC stamps (the emulators' own format) order as text; parse only mixed shapes.
      if (left.length === right.length && left.endsWith('Z') && right.endsWith('Z')) return left < right ? -1 : 1;
      const a = Date.parse(left);
      const b = Date.parse(right);
      if (!Number.isNaN(a) && !Number.isNaN(b)) return a === b ? 0 : a < b ? -1 : 1;
    }
    let a = left;
    let b = right;
    if (looksLikeGuid(a) && looksLikeGuid(b)) {
      a = guidOrder === 'sqlserver' ? sqlServerGuidKey(a) : a.toLowerCase();
      b = guidOrder === 'sqlserver' ? sqlServerGuidKey(b) : b.toLowerCase();
    } else if (caseInsensitive) {
      a = a.toLowerCase();
      b = b.toLowerCase();
    }
    return a === b ? 0 : a < b ? -1 : 1;
  }
  return undefined;
}

/**
 * A string whose text order is SQL Server's uniqueidentifier order: byte groups compared right to left — the last
 * group (6 bytes) and the fourth (2 bytes) as written, then the third, second and first group with their bytes
 * reversed (they are stored little-endian).
 */
export function sqlServerGuidKey(guid: string): string {
  const g = guid.toLowerCase();
  const reverseBytes = (hex: string): string => hex.match(/../g)!.reverse().join('');
  return (
    g.slice(24, 36) +
    g.slice(19, 23) +
    reverseBytes(g.slice(14, 18)) +
    reverseBytes(g.slice(9, 13)) +
    reverseBytes(g.slice(0, 8))
  );
}

function looksLikeGuid(s: string): boolean {
  return (
    s.length === 36 &&
    s.charCodeAt(8) === 45 &&
    s.charCodeAt(13) === 45 &&
    s.charCodeAt(18) === 45 &&
    s.charCodeAt(23) === 45
  );
}

function looksLikeDatetime(s: string): boolean {
  return s.length >= 16 && s.charCodeAt(10) === 84 /* T */ && s.charCodeAt(4) === 45; /* - */
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/** The Dataverse query functions most connectors use (api-facts B3): In, NotIn, Between, NotBetween, Null/NotNull. */
const BUILT_IN_CRM_FUNCTIONS: Record<string, CrmFilterFunction> = {
  in: ({ get, params, caseInsensitive }) => {
    const value = get(String(params['PropertyName']));
    return asList(params['PropertyValues']).some((v) => compareOp('eq', value, v, caseInsensitive));
  },
  notin: ({ get, params, caseInsensitive }) => {
    const value = get(String(params['PropertyName']));
    return !asList(params['PropertyValues']).some((v) => compareOp('eq', value, v, caseInsensitive));
  },
  between: ({ get, params, caseInsensitive }) => {
    const value = get(String(params['PropertyName']));
    const [lo, hi] = asList(params['PropertyValues']);
    return compareOp('ge', value, lo, caseInsensitive) && compareOp('le', value, hi, caseInsensitive);
  },
  notbetween: ({ get, params, caseInsensitive }) => {
    const value = get(String(params['PropertyName']));
    const [lo, hi] = asList(params['PropertyValues']);
    return !(compareOp('ge', value, lo, caseInsensitive) && compareOp('le', value, hi, caseInsensitive));
  },
  null: ({ get, params }) => get(String(params['PropertyName'])) == null,
  notnull: ({ get, params }) => get(String(params['PropertyName'])) != null,
};
