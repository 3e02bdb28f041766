/**
 * The CUSTOMER side of CONTACT's primary-contact fix-ups (./contact.ts, bc-sync-semantics §4.10). A fix-up that gives
 * an account (or a customer) a primary contact writes a CUSTOMER record outside CUSTOMER's own passes. Left at that,
 * CUSTOMER's next run sees the written side "changed" (its hash no longer matches the coupling's) and meets any real
 * change on the other side as a conflict (DESIGN §5). So the fix-up also gives the coupled record on the other side the
 * same primary contact, which is what CUSTOMER's next run would carry, and then records the pair on its CUSTOMER
 * coupling as synchronized: the sync's own writes never echo back, and a user's change stays a change.
 *
 * Terminology:
 * - pair: a CUSTOMER coupling, its customer (`customerCards`) and account as read just before the fix-up — in full, as
 *   CUSTOMER reads them, so their hashes compare with the stored ones — and the primary contact the fix-up gives it.
 * - settled side: a record that hashes to the hash stored on its coupling (no user change is pending on it).
 *
 * Rules that keep "no lost update":
 * - A mirror fills the primary contact only where it is empty (as the fix-up itself does), and overwrites the contact
 *   name only on a settled side or where the name is empty: a name a user typed and the sync has not carried yet is
 *   left for CUSTOMER to carry or report.
 * - A side's stored hash moves only from the hash it had before the fix-up, only when that was the stored one (a
 *   pending user change keeps counting as a change), and only once both sides agree on the primary contact and its
 *   name. The coupling row is changed by compare-and-set, so a CUSTOMER pass that recorded a newer state meanwhile
 *   wins.
 * - Every write carries the ETag just read. A mirror whose record changed meanwhile (409/412) reads it again and writes
 *   again under the same rules, keeping the user's change pending; a fix-up write refused that way fails the page,
 *   whose retry looks again.
 * A page retried after a crash (or after a failure between the fix-up's write and the recording of its pairs) runs the
 * fix-up again: a record that holds the contact the fix-up gives it, and without the primary contact hashes to its
 * stored hash, was written by the earlier attempt and not changed since (`beforeUnrecordedWrite`); the pair is
 * mirrored and recorded from there, as if that attempt had gone on.
 */
import type { BcWriteOp } from '../../connectors/business-central';
import type { DvWriteOp } from '../../connectors/dataverse';
import { ConcurrencyConflictError, ConnectorError } from '../../connectors/http';
import { hashRecord, normalizeValue, projectWrite } from '../../engine';
import { type PassDirection, type Side } from '../../engine/run-types';
import { appliesTo, type IntegrationTableMapping } from '../../mappings';
import { type Coupling, type HashReplacement, replaceSideHashes } from '../../store/couplings';
import type { SyncDeps } from '../deps';
import { lower } from '../page/work';
import type { ApiRecord } from '../sides';

export interface PrimaryContactPair {
  readonly coupling: Coupling;
  /** The primary contact the fix-up gives the pair: its Business Central number and Dataverse id (lower-case). */
  readonly contactNumber: string;
  readonly dvContactId: string;
  /**
   * As read just before the fix-up, in full; a mirror that finds the record changed meanwhile replaces it with what
   * it read again (so a user's change there stays pending).
   */
  customer: ApiRecord;
  account: ApiRecord;
  /** The customer after the fix-up wrote it, as the PATCH returned it. */
  customerAfter?: ApiRecord;
  /** The account after the fix-up wrote it: the read record with the write applied (`projectWrite`; ETag-guarded). */
  accountAfter?: ApiRecord;
}

/** The CUSTOMER mapping the worker runs, if any (the pairs are hashed with it). */
export function customerMappingOf(deps: SyncDeps): IntegrationTableMapping | undefined {
  return deps.mappings.find((m) => m.name === 'CUSTOMER');
}

/** Whether CUSTOMER carries the primary contact in `pass` (mapping and field mapping): only then is it mirrored. */
function carriesPrimaryContact(m: IntegrationTableMapping, pass: PassDirection): boolean {
  const field = m.fieldMappings.find((f) => f.enabled && f.bcField === 'primaryContactNumber');
  return appliesTo(m.direction, pass) && field !== undefined && appliesTo(field.direction, pass);
}

/** The ETag a record was read with (`*` when the API gave none). */
export function etagOf(record: ApiRecord): string {
  const etag = record['@odata.etag'];
  return typeof etag === 'string' && etag ? etag : '*';
}

const storedHash = (c: Coupling, side: Side): string | null => (side === 'bc' ? c.bcHash : c.dvHash);

/** Whether `record` (as read before the fix-up) hashes to the hash stored for its side: no user change is pending. */
function settled(m: IntegrationTableMapping, side: Side, record: ApiRecord, c: Coupling): boolean {
  const stored = storedHash(c, side);
  return stored !== null && hashRecord(m, side, record) === stored;
}

/** Whether two contact names are the same (as normalized text). */
export const sameName = (a: unknown, b: unknown): boolean => normalizeValue(a, 'text') === normalizeValue(b, 'text');

/** Whether a contact name is empty (nothing a user typed would be overwritten). */
const noName = (v: unknown): boolean => normalizeValue(v, 'text') === null;

/** The record without its primary contact and contact name (what the fix-ups and mirrors set). */
function withoutPrimaryContact(side: Side, r: ApiRecord): ApiRecord {
  return side === 'bc'
    ? { ...r, primaryContactNumber: '', contactName: '' }
    : { ...r, _primarycontactid_value: null, address1_primarycontactname: null };
}

/**
 * Whether two reads of a record of `side` hash alike apart from the primary contact and its name (what the fix-ups and
 * mirrors set): anything else that differs is someone else's change.
 */
function sameBesidesPrimaryContact(m: IntegrationTableMapping, side: Side, a: ApiRecord, b: ApiRecord): boolean {
  return hashRecord(m, side, withoutPrimaryContact(side, a)) === hashRecord(m, side, withoutPrimaryContact(side, b));
}

/**
 * Whether `record` of `side` may hold an earlier attempt's fix-up or mirror that did not get to record its pair: it
 * does not hash to its stored hash, and does without its primary contact and contact name (the only change since).
 */
export function mayHoldUnrecordedWrite(
  m: IntegrationTableMapping,
  side: Side,
  record: ApiRecord,
  c: Coupling,
): boolean {
  const stored = storedHash(c, side);
  return (
    stored !== null &&
    hashRecord(m, side, record) !== stored &&
    hashRecord(m, side, withoutPrimaryContact(side, record)) === stored
  );
}

/**
 * The record of `side` as it was before an earlier attempt's fix-up or mirror gave it the primary contact `contact`,
 * when that attempt did not get to record the pair: the record holds that contact and `mayHoldUnrecordedWrite`.
 * Undefined when it is anything else (settled, never given that contact, or changed since by someone: those are
 * CUSTOMER's to carry or report).
 */
export function beforeUnrecordedWrite(
  m: IntegrationTableMapping,
  side: Side,
  record: ApiRecord,
  c: Coupling,
  contact: { number: string; dvId: string },
): ApiRecord | undefined {
  const holds =
    side === 'bc'
      ? record.primaryContactNumber === contact.number
      : lower(record._primarycontactid_value) === contact.dvId;
  return holds && mayHoldUnrecordedWrite(m, side, record, c) ? withoutPrimaryContact(side, record) : undefined;
}

/**
 * How many rounds a mirror writes: a record changed between its read and the write (409/412), or a write that failed
 * transiently (its outcome unknown), is read again and written again if it still needs it.
 */
const MIRROR_ROUNDS = 4;

/** A mirror's write that is looked at again: refused as changed meanwhile, or failed transiently. */
function lookAgain(r: { ok: true } | { ok: false; error: ConnectorError }): boolean {
  return !r.ok && (r.error instanceof ConcurrencyConflictError || r.error.retryable);
}

/**
 * The mirror's batch write: a batch that failed transiently as a whole (a 500 for the request) is each write failed so,
 * to be looked at again like one failed alone.
 */
async function mirrorWrite<R>(
  write: () => Promise<R[]>,
  count: number,
): Promise<Array<R | { ok: false; error: ConnectorError }>> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof ConnectorError) || !error.retryable) throw error;
    return Array.from({ length: count }, () => ({ ok: false as const, error }));
  }
}

/** A pause before a round that follows a transient failure, growing with the round. */
const pause = (round: number) => new Promise((resolve) => setTimeout(resolve, 500 * round));

/**
 * Whether the customer of `p`, as `customer` holds it, gets the pair's primary contact: it has none, and its Contact
 * name is empty or the customer is settled (no name a user typed is overwritten).
 */
function customerWantsMirror(m: IntegrationTableMapping, p: PrimaryContactPair, customer: ApiRecord): boolean {
  return !customer.primaryContactNumber && (noName(customer.contactName) || settled(m, 'bc', customer, p.coupling));
}

/**
 * After the fix-up wrote the accounts (`accountAfter` set): the pairs whose customer has no primary contact get it too
 * (`primaryContactNumber`; Business Central sets the customer's Contact name from it) — when the customer is settled
 * or has no Contact name. Sets `customerAfter` on the pairs written; leaves the others (a failed write included) to
 * CUSTOMER's next run. A pair whose `customerAfter` is set already (an earlier attempt mirrored it) is not written.
 *
 * A customer a user changed between the read and the write (409) is read again and, if it still wants the primary
 * contact, written again with its new ETag: left alone, the account's fix-up would count as a Dataverse change in
 * CUSTOMER's next run and meet the user's change as a conflict. The pair's `customer` becomes the read with the
 * user's change, so that change stays pending (its stored hash does not move).
 */
export async function mirrorToCustomers(
  deps: SyncDeps,
  m: IntegrationTableMapping,
  pairs: PrimaryContactPair[],
): Promise<void> {
  if (!carriesPrimaryContact(m, 'to-bc')) return;
  let todo = pairs.filter((p) => p.accountAfter && !p.customerAfter && customerWantsMirror(m, p, p.customer));
  for (let round = 1; todo.length && round <= MIRROR_ROUNDS; round++) {
    const ops: BcWriteOp[] = todo.map((p) => ({
      kind: 'update',
      entitySet: 'customerCards',
      id: String(p.customer.id),
      etag: etagOf(p.customer),
      body: { primaryContactNumber: p.contactNumber },
    }));
    const results = await mirrorWrite(() => deps.connectors.bc.writeBatch(ops), ops.length);
    for (const [i, r] of results.entries()) {
      if (!r.ok || !r.record) continue;
      const p = todo[i];
      p.customerAfter = r.record;
      // Read back after a lost answer: a user's change made since is in it, and stays pending.
      if (r.readBack && !sameBesidesPrimaryContact(m, 'bc', p.customer, r.record)) p.customer = r.record;
    }
    const refused = todo.filter((_, i) => lookAgain(results[i]));
    if (!refused.length) return;
    if (results.some((r) => !r.ok && !(r.error instanceof ConcurrencyConflictError))) await pause(round);
    const now = new Map(
      (
        await deps.connectors.bc.getByIds(
          'customerCards',
          refused.map((p) => String(p.customer.id)),
        )
      ).map((c) => [lower(c.id), c]),
    );
    todo = [];
    for (const p of refused) {
      const current = now.get(lower(p.customer.id));
      if (!current) continue;
      if (current.primaryContactNumber === p.contactNumber) {
        // Our own write sent again: its answer was lost, and the service applied the batch only after the connector
        // read the customer back, so the connector sent it again with the old ETag. Anything else that differs from
        // the read is a user's change made since: it stays pending (the read becomes the one with it), or the stored
        // hash would take it in without carrying it.
        p.customerAfter = current;
        if (!sameBesidesPrimaryContact(m, 'bc', p.customer, current)) p.customer = current;
      } else if (customerWantsMirror(m, p, current)) {
        p.customer = current;
        todo.push(p);
      }
    }
  }
}

/**
 * What the mirror writes on the account of `p`, as `account` holds it: the primary contact when it has none, and the
 * customer's Contact name when it differs — when the account is settled or its contact name is empty or already that
 * one. Undefined: nothing to write, or nothing that may be written.
 */
function accountMirrorBody(
  m: IntegrationTableMapping,
  p: PrimaryContactPair,
  account: ApiRecord,
): Record<string, unknown> | undefined {
  if (!p.customerAfter) return undefined;
  const current = account._primarycontactid_value;
  const name = p.customerAfter.contactName ?? null;
  const held = account.address1_primarycontactname;
  if (!noName(held) && !sameName(held, name) && !settled(m, 'dataverse', account, p.coupling)) return undefined;
  if (current == null) {
    return { 'primarycontactid@odata.bind': `/contacts(${p.dvContactId})`, address1_primarycontactname: name };
  }
  if (lower(current) === p.dvContactId && !sameName(held, name)) return { address1_primarycontactname: name };
  return undefined;
}

/**
 * After the fix-up wrote the customers (`customerAfter` set): the accounts get the same primary contact when they have
 * none, and the customer's Contact name as `address1_primarycontactname` when it differs (as CUSTOMER would carry
 * them) — when the account is settled or its contact name is empty or already that one. Sets `accountAfter` on the
 * pairs written; leaves the others to CUSTOMER's next run. An account changed between the read and the write (412) is
 * read again and written again, as `mirrorToCustomers` does with a customer. A pair whose `accountAfter` is set
 * already (an earlier attempt mirrored it) is not written.
 */
export async function mirrorToAccounts(
  deps: SyncDeps,
  m: IntegrationTableMapping,
  pairs: PrimaryContactPair[],
): Promise<void> {
  if (!carriesPrimaryContact(m, 'to-dataverse')) return;
  const wanted = (list: PrimaryContactPair[]) =>
    list.flatMap((pair) => {
      const body = accountMirrorBody(m, pair, pair.account);
      return body ? [{ pair, body }] : [];
    });
  let todo = wanted(pairs.filter((p) => !p.accountAfter));
  for (let round = 1; todo.length && round <= MIRROR_ROUNDS; round++) {
    const ops: DvWriteOp[] = todo.map(({ pair, body }) => ({
      kind: 'update',
      set: 'accounts',
      id: pair.coupling.dvId,
      body,
      etag: etagOf(pair.account),
    }));
    const results = await mirrorWrite(() => deps.connectors.dv.writeBatch(ops), ops.length);
    for (const [i, r] of results.entries()) {
      if (r.ok) todo[i].pair.accountAfter = projectWrite(m, 'dataverse', todo[i].pair.account, todo[i].body);
    }
    const refused = todo.filter((_, i) => lookAgain(results[i])).map((t) => t.pair);
    if (!refused.length) return;
    if (results.some((r) => !r.ok && !(r.error instanceof ConcurrencyConflictError))) await pause(round);
    const now = new Map(
      (
        await deps.connectors.dv.getByIds(
          'accounts',
          refused.map((p) => p.coupling.dvId),
        )
      ).map((a) => [lower(a.accountid), a]),
    );
    const again: PrimaryContactPair[] = [];
    for (const p of refused) {
      const current = now.get(lower(p.coupling.dvId));
      if (!current) continue;
      const after = p.accountAfter ?? projectWrite(m, 'dataverse', p.account, accountMirrorBody(m, p, p.account) ?? {});
      if (
        lower(current._primarycontactid_value) === p.dvContactId &&
        sameName(current.address1_primarycontactname, after.address1_primarycontactname)
      ) {
        // Applied although its answer said otherwise (a transient failure after the write): it is written. A user's
        // change made since stays pending.
        p.accountAfter = current;
        if (!sameBesidesPrimaryContact(m, 'dataverse', p.account, current)) p.account = current;
        continue;
      }
      p.account = current;
      again.push(p);
    }
    todo = wanted(again);
  }
}

/**
 * Records on the CUSTOMER coupling of every pair that now agrees (the customer's primary contact is the account's, and
 * so is its name) the new hash of each side the fix-up wrote — when that side was settled before it. A side with a
 * pending user change keeps its stored hash, so CUSTOMER's next run still carries that change.
 */
export async function recordSynchronizedPairs(
  deps: SyncDeps,
  m: IntegrationTableMapping,
  pairs: readonly PrimaryContactPair[],
): Promise<void> {
  const changes: HashReplacement[] = [];
  for (const p of pairs) {
    const customer = p.customerAfter ?? p.customer;
    const account = p.accountAfter ?? p.account;
    const agree =
      customer.primaryContactNumber === p.contactNumber &&
      lower(account._primarycontactid_value) === p.dvContactId &&
      sameName(customer.contactName, account.address1_primarycontactname);
    if (!agree) continue;
    const sides: Array<[Side, ApiRecord, ApiRecord | undefined]> = [
      ['bc', p.customer, p.customerAfter],
      ['dataverse', p.account, p.accountAfter],
    ];
    for (const [side, before, after] of sides) {
      if (after && settled(m, side, before, p.coupling)) {
        changes.push({ id: p.coupling.id, side, from: storedHash(p.coupling, side)!, to: hashRecord(m, side, after) });
      }
    }
  }
  if (changes.length) await replaceSideHashes(deps.knex, changes, deps.now());
}
