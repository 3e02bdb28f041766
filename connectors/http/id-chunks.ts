/**
 * Reading records by id in chunks: `$filter=<key> eq <id> or <key> eq <id> …`. Both APIs accept `or` on one field;
 * a chunk keeps the URL well under the 8 KB request-line limit of common proxies (a GUID clause is ~45 characters).
 */
import { type ConnectorService } from './errors';
import { chunk, guidLiteral } from './odata';

export interface IdChunkOptions {
  /** The key field compared with each id, e.g. `id` or `accountid`. */
  keyField: string;
  /** Ids per filter (Business Central: 40, Dataverse: 50). */
  chunkSize: number;
  /** Names the service in the ValidationError of an id that is not a GUID. */
  service: ConnectorService;
}

/**
 * The `$filter` expressions that together select `ids`, each with at most `chunkSize` ids; duplicates (compared
 * case-insensitively) are sent once. Throws ValidationError `InvalidGuid` when an id is not a GUID.
 */
export function idFilters(ids: readonly string[], options: IdChunkOptions): string[] {
  const unique = [...new Set(ids.map((id) => guidLiteral(id, options.service)))];
  return chunk(unique, options.chunkSize).map((part) => part.map((id) => `${options.keyField} eq ${id}`).join(' or '));
}

/**
 * The records with the given ids, reading the chunks in parallel through `read(filter)` (which pages through one
 * filter's answer). Ids that do not exist are simply absent; the order is the order the pages arrived in. Throws
 * what `idFilters` or `read` throws.
 */
export async function readByIds<T>(
  ids: readonly string[],
  options: IdChunkOptions,
  read: (filter: string) => AsyncIterable<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  await Promise.all(
    idFilters(ids, options).map(async (filter) => {
      for await (const page of read(filter)) out.push(...page);
    }),
  );
  return out;
}
