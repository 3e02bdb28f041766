import type { ValueType } from '../mappings/mapping-model';

/** A value after normalisation: what hashes and comparisons see. `null` is "empty" on both sides. */
export type NormalizedValue = string | number | boolean | null;

const emptyGuid = '00000000-0000-0000-0000-000000000000';
/** Decimal places kept for numbers: more than either API stores (DV money ≤ 4, BC decimals ≤ 5), fewer than the
 *  binary-float noise `0.1 + 0.2` produces. */
const numberDecimals = 8;

/**
 * Normalises one field value so that formatting differences between the APIs do not register as changes:
 * - empty: `null`, `undefined`, `''` (after trimming), the empty GUID and BC's empty date `0001-01-01` are all `null`;
 * - text: Unicode NFC, surrounding whitespace trimmed (trim-insensitive; case-sensitive);
 * - code: like text, then upper-cased (BC stores Code fields upper-case; comparing case-insensitively stops ping-pong);
 * - number/option: a finite number rounded to 8 decimals (`"1000.0000"`, `1000` and `1e3` are equal; `-0` is 0);
 * - boolean: `true`/`false` (also from `"true"`, `"false"`, 1, 0);
 * - date: `YYYY-MM-DD` (a Dataverse date-only value with a midnight time part is the same date);
 * - datetime: UTC ISO truncated to whole seconds (Dataverse keeps seconds, BC milliseconds);
 * - guid: lower-case.
 * A value that cannot be read as its type (e.g. `"abc"` as a number) is kept as trimmed text, so it still hashes
 * deterministically and validation can report it.
 */
export function normalizeValue(value: unknown, type: ValueType): NormalizedValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'text':
      return normText(value);
    case 'code': {
      const t = normText(value);
      return t === null ? null : t.toUpperCase();
    }
    case 'number':
    case 'option':
      return normNumber(value);
    case 'boolean':
      return normBoolean(value);
    case 'date':
      return normDate(value);
    case 'datetime':
      return normDateTime(value);
    case 'guid': {
      const t = normText(value);
      if (t === null) return null;
      const lower = t.toLowerCase().replace(/^\{|\}$/g, '');
      return lower === emptyGuid ? null : lower;
    }
  }
}

function normText(value: unknown): string | null {
  const s = (typeof value === 'string' ? value : stringify(value)).normalize('NFC').trim();
  return s === '' ? null : s;
}

/** Text form of any JSON-ish value: strings as they are, objects as JSON, `null`/`undefined` as ''. */
export function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

function normNumber(value: unknown): number | string | null {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'boolean') n = value ? 1 : 0;
  else {
    const t = normText(value);
    if (t === null) return null;
    n = Number(t);
    if (!Number.isFinite(n)) return t;
  }
  if (!Number.isFinite(n)) return String(n);
  const factor = 10 ** numberDecimals;
  const rounded = Math.round(n * factor) / factor;
  return Object.is(rounded, -0) ? 0 : rounded;
}

function normBoolean(value: unknown): boolean | string | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  const t = normText(value);
  if (t === null) return null;
  const lower = t.toLowerCase();
  if (lower === 'true' || lower === '1' || lower === 'yes') return true;
  if (lower === 'false' || lower === '0' || lower === 'no') return false;
  return t;
}

function normDate(value: unknown): string | null {
  const t = normText(value);
  if (t === null) return null;
  const m = /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(t);
  if (!m) return t;
  return m[1] === '0001-01-01' ? null : m[1];
}

function normDateTime(value: unknown): string | null {
  const t = normText(value);
  if (t === null) return null;
  if (t.startsWith('0001-01-01')) return null;
  // A datetime without an offset is UTC in both APIs.
  const withZone = /[zZ]|[+-]\d{2}:?\d{2}$/.test(t) || !t.includes('T') ? t : `${t}Z`;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms)) return t;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members dropped. Two structurally equal values
 * always give the same text, whatever their key order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
