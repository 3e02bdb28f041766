// Record addressing: `set(<guid>)`, `set(altkey='v')`, `set(k1='a',k2=<guid>)`, and the same forms inside
// `@odata.bind` values. Only the primary key and the alternate keys declared in schema.ts are valid.
import { badRequest, invalidKey } from './errors';
import { type TableDef } from './schema';
import { type DataverseStore } from './store';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(text: string): boolean {
  return GUID.test(text);
}

/** A parsed key predicate: the bare primary key, or named parts. */
export type KeyPredicate = { kind: 'id'; id: string } | { kind: 'named'; parts: Record<string, unknown> };

/** A key resolved against a table: the primary key, or one alternate key with its values. */
export type ResolvedKey =
  { kind: 'id'; id: string } | { kind: 'alternate'; keyIndex: number; values: Record<string, unknown> };

/** Parses one key literal: `'text'` (with `''` escaping), a GUID, a number, true/false or null. */
function parseLiteral(text: string): unknown {
  const t = text.trim();
  if (t.startsWith("'")) {
    if (!t.endsWith("'") || t.length < 2) throw badRequest(`Syntax error: bad string literal ${t}`);
    return t.slice(1, -1).replace(/''/g, "'");
  }
  if (isGuid(t)) return t.toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw badRequest(`Syntax error: '${t}' is not a valid key value.`);
}

/** Splits `a='x,y',b=2` at top-level commas, respecting quotes. */
export function splitTopLevel(text: string, separator: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    else if (!quoted && depth === 0 && ch === separator) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** Parses the text between the parentheses of a key segment. */
export function parseKeyPredicate(text: string): KeyPredicate {
  const trimmed = text.trim();
  if (isGuid(trimmed)) return { kind: 'id', id: trimmed.toLowerCase() };
  const parts: Record<string, unknown> = {};
  for (const piece of splitTopLevel(trimmed, ',')) {
    const eq = piece.indexOf('=');
    if (eq <= 0) throw badRequest(`Bad Request - Error in query syntax: key '${trimmed}'.`);
    parts[piece.slice(0, eq).trim()] = parseLiteral(piece.slice(eq + 1));
  }
  return { kind: 'named', parts };
}

/** Checks a parsed predicate against the table's primary and alternate keys. */
export function resolveKey(table: TableDef, predicate: KeyPredicate): ResolvedKey {
  if (predicate.kind === 'id') return predicate;
  const names = Object.keys(predicate.parts);
  if (names.length === 1 && names[0] === table.primaryKey) {
    const id = predicate.parts[table.primaryKey];
    if (table.rejectNamedPrimaryKey || typeof id !== 'string' || !isGuid(id)) throw invalidKey(table.logicalName);
    return { kind: 'id', id };
  }
  const wanted = [...names].sort().join(',');
  const keyIndex = table.alternateKeys.findIndex((cols) => [...cols].sort().join(',') === wanted);
  if (keyIndex < 0) throw invalidKey(table.logicalName);
  return { kind: 'alternate', keyIndex, values: predicate.parts };
}

/** The id of the row a resolved key points to, if it exists. */
export function findRowId(store: DataverseStore, table: TableDef, key: ResolvedKey): string | undefined {
  if (key.kind === 'id') return store.get(table.entitySet, key.id) === undefined ? undefined : key.id;
  return store.findByAlternateKey(table.entitySet, key.keyIndex, key.values);
}

/** Human text of a key for error messages. */
export function describeKey(key: ResolvedKey): string {
  if (key.kind === 'id') return key.id;
  return Object.entries(key.values)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? `'${v}'` : String(v)}`)
    .join(',');
}

/**
 * Splits `accounts(…)` into the set name and the raw key text; `accounts` alone gives no key. Also accepts a
 * leading slash and an absolute URL ending in `/api/data/v9.2/accounts(…)`.
 */
export function splitEntityReference(ref: string): { entitySet: string; keyText?: string; rest: string } | undefined {
  let path = ref;
  const marker = /\/api\/data\/v\d+\.\d+\//i.exec(path);
  if (marker !== null) path = path.slice(marker.index + marker[0].length);
  path = path.replace(/^\/+/, '');
  const open = path.indexOf('(');
  const slash = path.indexOf('/');
  if (open < 0 || (slash >= 0 && slash < open)) {
    const entitySet = slash < 0 ? path : path.slice(0, slash);
    return { entitySet, rest: slash < 0 ? '' : path.slice(slash + 1) };
  }
  // Find the matching close parenthesis, respecting quotes.
  let quoted = false;
  for (let i = open + 1; i < path.length; i++) {
    const ch = path[i];
    if (ch === "'") quoted = !quoted;
    else if (ch === ')' && !quoted) {
      const rest = path.slice(i + 1).replace(/^\//, '');
      return { entitySet: path.slice(0, open), keyText: path.slice(open + 1, i), rest };
    }
  }
  return undefined;
}
