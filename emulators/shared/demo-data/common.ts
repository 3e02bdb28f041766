/** Names and value helpers both generators share (customer names and salespeople must agree across the sides). */
import { FIRST_NAMES, LAST_NAMES, NAMED_CUSTOMERS, NAME_NOUNS, NAME_PREFIXES, NAME_SUFFIXES } from './words';

/** The name of demo customer `i` (0-based); unique for every `i`. Shared by both sides for the name overlap. */
export function demoCustomerName(i: number): string {
  if (i < NAMED_CUSTOMERS.length) return NAMED_CUSTOMERS[i];
  const j = i - NAMED_CUSTOMERS.length;
  const combos = NAME_PREFIXES.length * NAME_NOUNS.length * NAME_SUFFIXES.length;
  const prefix = NAME_PREFIXES[j % NAME_PREFIXES.length];
  const noun = NAME_NOUNS[Math.floor(j / NAME_PREFIXES.length) % NAME_NOUNS.length];
  const suffix = NAME_SUFFIXES[Math.floor(j / (NAME_PREFIXES.length * NAME_NOUNS.length)) % NAME_SUFFIXES.length];
  const round = Math.floor(j / combos);
  return round === 0 ? `${prefix} ${noun} ${suffix}` : `${prefix} ${noun} ${round + 1} ${suffix}`;
}

/** A URL- and e-mail-safe lower-case form of a name, at most 40 characters. */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
}

/** Rounds to cents. */
export function money(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The `YYYY-MM-DD` date of an epoch-milliseconds time (UTC). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A demo person's name. */
export interface Person {
  first: string;
  last: string;
}

/** The name of demo person `i` (first names cycle fastest). */
export function person(i: number): Person {
  return {
    first: FIRST_NAMES[i % FIRST_NAMES.length],
    last: LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length],
  };
}

/** The salespeople of the demo (unique codes and e-mails), shared so DV system users can match them by e-mail. */
export function demoSalespeople(count: number): { code: string; first: string; last: string; email: string }[] {
  const used = new Set<string>();
  const out: { code: string; first: string; last: string; email: string }[] = [];
  for (let i = 0; i < count; i++) {
    const p = person(i * 7 + 3);
    let code = `${p.first[0]}${p.last[0]}`.toUpperCase();
    if (used.has(code)) code = `${code}${i + 1}`;
    used.add(code);
    const email = `${p.first}.${p.last}${i >= 900 ? i : ''}@cronus.example.com`.toLowerCase();
    out.push({ code, ...p, email });
  }
  return out;
}
