import type { IntegrationTableMapping } from '../mappings/mapping-model';
import { sha1 } from './sha1';
import { toHex, utf8Encode } from './utf8';

/**
 * The UUID namespace of bc-sales-sync (a random v4 UUID fixed once, never to be changed: changing it would make
 * every retried create after an upgrade produce a second Dataverse row).
 */
export const BC_SALES_SYNC_NAMESPACE = '9bfe959f-bb81-4f26-8af7-ce749a0d2629';

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * RFC 4122 name-based UUID, version 5 (SHA-1): the same (namespace, name) always gives the same UUID.
 * Throws an `Error` when `namespace` is not a UUID.
 */
export function uuidV5(namespace: string, name: string): string {
  if (!guidPattern.test(namespace)) throw new Error(`'${namespace}' is not a UUID`);
  const ns = namespace.replace(/-/g, '');
  const nameBytes = utf8Encode(name);
  const input = new Uint8Array(16 + nameBytes.length);
  for (let i = 0; i < 16; i++) input[i] = parseInt(ns.slice(i * 2, i * 2 + 2), 16);
  input.set(nameBytes, 16);
  const hash = sha1(input).slice(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = toHex(hash);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The Dataverse primary key for the row created from BC record `bcId` by `mappingName`: UUID v5 of
 * `<MAPPING NAME>:<bc id, lower case>` in `BC_SALES_SYNC_NAMESPACE`. Creating with `PATCH <set>(<guid>)` and
 * `If-None-Match: *` makes a retried create a no-op (412) instead of a duplicate. Throws when `bcId` is not a GUID.
 */
export function dataverseIdFor(mappingName: string, bcId: string): string {
  if (!guidPattern.test(bcId)) throw new Error(`'${bcId}' is not a Business Central id (GUID)`);
  return uuidV5(BC_SALES_SYNC_NAMESPACE, `${mappingName}:${bcId.toLowerCase()}`);
}

// Crockford base32: no I, L, O, U, so the keys read unambiguously in BC's UI.
const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The deterministic BC key for the record created from Dataverse row `dvId` by `mapping` (see
 * `mapping.bc.createKey`): `{ field, value }` with value = prefix + the first `hashLength` Crockford-base32
 * characters of SHA-1(`<MAPPING NAME>:<dv id, lower case>`), e.g. `DV4K7Q2M9XBA` — at most 8 + 16 characters, so it
 * fits BC's Code[20] numbers and codes. The activity layer writes an intent row, then looks the key up
 * (`$filter=<field> eq '<value>'`) before any retry of the create. Returns `null` when the mapping has no
 * `createKey` (BC assigns the number; creates cannot be looked up before a retry). Throws when `dvId` is not a GUID.
 */
export function bcCreateKeyFor(
  mapping: IntegrationTableMapping,
  dvId: string,
): { field: string; value: string } | null {
  const spec = mapping.bc.createKey;
  if (!spec) return null;
  if (!guidPattern.test(dvId)) throw new Error(`'${dvId}' is not a Dataverse id (GUID)`);
  const digest = sha1(`${mapping.name}:${dvId.toLowerCase()}`);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < spec.hashLength) {
      out += crockford[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length >= spec.hashLength) break;
  }
  return { field: spec.field, value: `${spec.prefix}${out}` };
}

/** True when `value` looks like a GUID (any case). */
export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && guidPattern.test(value);
}
