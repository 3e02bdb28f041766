/**
 * The secret scan (DESIGN §7.5): collects what the product wrote — log lines, every row of every table of a store,
 * workflow histories with their payloads, search attributes and memos, pages served over HTTP — as searchable text,
 * and looks for secret values in it, in every spelling a secret can take there (as is, JSON-escaped, URL-encoded,
 * base64).
 *
 * Terminology:
 * - secret: a value that must never be written anywhere (`{ label, value }`; only the label is ever printed);
 * - haystack: one unit of searchable text with the place it came from (`source`: "worker log line 12",
 *   "table couplings", "history of full-sync-…");
 * - leak: a secret found in a haystack.
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';

export interface Secret {
  label: string;
  value: string;
}

export interface Haystack {
  source: string;
  text: string;
}

export interface Leak {
  secret: string;
  source: string;
  /** The text around the find, with the secret itself masked, so a failing test never prints it. */
  excerpt: string;
}

/** The spellings of a secret worth looking for. */
function spellings(value: string): string[] {
  return [
    ...new Set([
      value,
      JSON.stringify(value).slice(1, -1),
      encodeURIComponent(value),
      Buffer.from(value, 'utf8').toString('base64').replace(/=+$/, ''),
    ]),
  ].filter((s) => s.length >= 4);
}

/** Every secret found in every haystack (empty when nothing leaked). */
export function findLeaks(haystacks: readonly Haystack[], secrets: readonly Secret[]): Leak[] {
  const leaks: Leak[] = [];
  for (const secret of secrets) {
    const forms = spellings(secret.value);
    for (const h of haystacks) {
      for (const form of forms) {
        const at = h.text.indexOf(form);
        if (at < 0) continue;
        const excerpt = h.text
          .slice(Math.max(0, at - 80), at + form.length + 80)
          .split(form)
          .join(`<${secret.label}>`);
        leaks.push({ secret: secret.label, source: h.source, excerpt });
        break;
      }
    }
  }
  return leaks;
}

/**
 * `value` as JSON text a person (and `findLeaks`) can search: bytes (payload data, binary columns) decoded as UTF-8,
 * 64-bit integers (Long) as numbers, dates as ISO strings, maps as objects.
 */
export function searchableText(value: unknown): string {
  const seen = new WeakSet<object>();
  const plain = (v: unknown): unknown => {
    if (v === null || v === undefined || typeof v !== 'object') return typeof v === 'bigint' ? String(v) : v;
    if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
    if (seen.has(v)) return '[circular]';
    seen.add(v);
    if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
    if (v instanceof Set || Array.isArray(v)) return [...(v as Iterable<unknown>)].map(plain);
    // Long (protobufjs int64): a number in the text.
    if ('low' in v && 'high' in v && 'unsigned' in v) return (v as { toString(): string }).toString();
    // Own fields only: protobuf messages keep their defaults and methods (toJSON) on the prototype.
    const out: Record<string, unknown> = {};
    for (const [key, x] of Object.entries(v)) if (typeof x !== 'function') out[key] = plain(x);
    return out;
  };
  return JSON.stringify(plain(value));
}

/** One haystack per line of a process's output (`source`: "<name> line N"). */
export function logHaystacks(name: string, output: string): Haystack[] {
  return output.split('\n').map((text, i) => ({ source: `${name} line ${i + 1}`, text }));
}

/** One haystack per row of every table of `database` (the store's own tables and the migration bookkeeping). */
export async function storeHaystacks(knex: Knex, database: string): Promise<Haystack[]> {
  const tables: Array<{ name: string }> = await knex('information_schema.TABLES')
    .where('TABLE_SCHEMA', database)
    .select('TABLE_NAME as name');
  const out: Haystack[] = [];
  for (const { name } of tables) {
    const rows = (await knex.withSchema(database).table(name).select('*')) as unknown[];
    rows.forEach((row, i) => out.push({ source: `table ${name} row ${i + 1}`, text: searchableText(row) }));
  }
  return out;
}

/**
 * For every workflow execution `query` lists (all runs, open and closed): its full history (every event with its
 * payloads: inputs, results, failures, heartbeats, memos, search attributes, user metadata) and its description (the
 * search attributes and memo as the server indexes them, pending activities and their last failures).
 */
export async function historyHaystacks(client: Client, query: string): Promise<Haystack[]> {
  const out: Haystack[] = [];
  for await (const execution of client.workflow.list({ query })) {
    const handle = client.workflow.getHandle(execution.workflowId, execution.runId);
    const name = `${execution.workflowId} (${execution.runId})`;
    out.push({ source: `history of ${name}`, text: searchableText(await handle.fetchHistory()) });
    const description = await handle.describe();
    out.push({
      source: `search attributes and memo of ${name}`,
      text: searchableText({
        listed: execution.raw,
        described: description.raw,
        searchAttributes: description.searchAttributes,
        typedSearchAttributes: description.typedSearchAttributes,
        memo: description.memo,
      }),
    });
  }
  return out;
}

/** The body of every page at `urls` (fetched with `init`, e.g. a cookie or a header), one haystack per page. */
export async function urlHaystacks(urls: readonly string[], init?: RequestInit): Promise<Haystack[]> {
  const out: Haystack[] = [];
  for (const url of urls) {
    const res = await fetch(url, init);
    const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
    out.push({ source: `page ${url} (HTTP ${res.status})`, text: `${headers}\n\n${await res.text()}` });
  }
  return out;
}
