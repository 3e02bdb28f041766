/**
 * The destination writes of a page, in batches, with the two things that make them safe to repeat:
 * - transient answers (429, 5xx, resets — for the whole `$batch` or one operation in it) are retried within the page
 *   with growing waits until the page's budget runs out; only then is the record failed, marked transient (retried on
 *   the next run, never parked);
 * - an "already exists" answer to a create is resolved, never counted as an insert of a row nobody returned: our own
 *   earlier attempt (deterministic id or key found) is coupled; a different record holding the same alternate key is
 *   coupled when the mapping's match criteria accept it, else the record fails naming the holder;
 * - a "changed meanwhile" answer (409/412) to an update is resolved by reading the record: when it already holds what
 *   the update writes, it is done — our own earlier attempt went through and its answer was lost (the Business Central
 *   connector reads a lost batch's records back, but a batch the service applies only after that read is sent again
 *   with the old ETag); otherwise someone else changed it and the record fails as before (the next run decides it
 *   again, with conflict detection).
 */
import { ConcurrencyConflictError, type ConnectorError, DuplicateKeyError } from '../../connectors/http';
import { stringLiteral } from '../../connectors/http/odata';
import { abortableSleep } from '../../connectors/http/util';
import { describeRecord, type LookupResolver } from '../../engine';
import { hashRecord, projectWrite } from '../../engine/record-hash';
import { destinationSideOf, sourceSideOf } from '../../engine/run-types';
import { findByBcIds, findByDvIds } from '../../store/couplings';
import { type SyncDeps, type TransientRetryBudget, transientRetryBudgetOf } from '../deps';
import { findUncoupledCandidates } from '../matching/candidates';
import { type ApiRecord, sideApi, type SideWrite } from '../sides';
import { findByCreateKey } from './idempotent-creates';
import { applyMatches } from './match-before-create';
import { type Item, lower, type PageWork, plan, sideCaption } from './work';

function toSideWrite(item: Item): SideWrite {
  const p = plan(item.decision)!;
  return p.operation === 'create'
    ? { kind: 'create', id: p.destinationId, body: { ...p.payload } }
    : {
        kind: 'update',
        id: p.destinationId!,
        etag: (item.destination?.['@odata.etag'] as string | undefined) ?? null,
        body: { ...p.payload },
      };
}

/** Answers after which a repeated BC create cannot have duplicated anything: the request was not processed. */
const notProcessed = (e: ConnectorError): boolean => e.status === 429 || e.status === 503;

/**
 * Writes every item that has a planned write and is not written yet; sets `written`, `writeError` or `failure`.
 * `beforeRewrite` (the mapping's entity rules) sees the items decided again after an "already exists" answer before
 * their new plan is written.
 */
export async function writeDestination(
  deps: SyncDeps,
  work: PageWork,
  items: Item[],
  lookups: LookupResolver,
  signal?: AbortSignal,
  beforeRewrite?: (items: Item[]) => Promise<void>,
): Promise<void> {
  const budget: TransientRetryBudget = transientRetryBudgetOf(deps);
  const dstSide = destinationSideOf(work.direction);
  const dst = sideApi(deps.connectors, work.mapping, dstSide);
  const resolvedOnce = new Set<Item>();
  // Items an entity rule already failed are not written.
  let queue = items.filter((i) => plan(i.decision) && i.written === undefined && !i.failure);
  let delay = budget.initialDelayMs;
  for (let round = 1; queue.length; round++) {
    for (const item of queue) item.write = toSideWrite(item);
    const results = await dst.writeBatch(
      queue.map((i) => i.write!),
      signal,
    );
    const next: Item[] = [];
    const transient: Item[] = [];
    for (const [n, result] of results.entries()) {
      const item = queue[n];
      item.writeError = undefined;
      if (result.ok) {
        item.written = result.record;
        if (result.readBack) item.answerLost = true;
        continue;
      }
      const e = result.error;
      if (e instanceof DuplicateKeyError && item.write?.kind === 'create' && !resolvedOnce.has(item)) {
        resolvedOnce.add(item);
        if (await resolveAlreadyExists(deps, work, item, e, lookups)) next.push(item);
        continue;
      }
      if (e instanceof ConcurrencyConflictError && item.write?.kind === 'update') {
        const applied = await appliedAlready(deps, work, item.write, signal);
        if (applied) {
          item.written = applied;
          item.answerLost = true;
          continue;
        }
      }
      item.writeError = e;
      if (e.retryable) transient.push(item);
    }
    if (transient.length) {
      if (round >= budget.rounds) {
        for (const item of transient) item.transient = true;
      } else {
        await abortableSleep(delay, signal);
        delay = Math.min(delay * 2, budget.maxDelayMs);
        for (const item of transient) {
          if (dstSide === 'bc' && item.write?.kind === 'create') {
            // The create may have happened (an ambiguous 5xx or reset): look it up by its key before sending it again.
            const found = plan(item.decision)?.createKey ? await findByCreateKey(deps, work, item) : null;
            if (found) {
              item.written = found;
              item.recovered = true;
              item.writeError = undefined;
              continue;
            }
            if (!plan(item.decision)?.createKey && !notProcessed(item.writeError!)) {
              item.transient = true; // no key to look it up by: repeating could duplicate it; the next run decides
              continue;
            }
          }
          next.push(item);
        }
      }
    }
    const redecided = next.filter((i) => i.matchedId !== undefined && i.write?.kind === 'create');
    if (redecided.length) await beforeRewrite?.(redecided);
    // A record re-decided after "already exists" may need no write at all (its look-alike already holds its values,
    // or an entity rule keeps it as it is).
    queue = next.filter((i) => plan(i.decision) !== undefined && !i.failure);
  }
}

/**
 * The destination record when it already holds everything `write` (an update) writes: applying the update to it
 * would change none of the mapping's values and none of the written properties it returns. Null otherwise.
 */
async function appliedAlready(
  deps: SyncDeps,
  work: PageWork,
  write: SideWrite,
  signal?: AbortSignal,
): Promise<ApiRecord | null> {
  const side = destinationSideOf(work.direction);
  const current = write.id ? await sideApi(deps.connectors, work.mapping, side).get(write.id, signal) : null;
  if (!current) return null;
  const projected = projectWrite(work.mapping, side, current, write.body);
  if (hashRecord(work.mapping, side, projected) !== hashRecord(work.mapping, side, current)) return null;
  const same = (a: unknown, b: unknown) => (a ?? '') === (b ?? '') || (typeof a === 'number' && Number(b) === a);
  for (const [key, value] of Object.entries(write.body)) {
    if (key in current && !key.includes('@') && !same(current[key], value)) return null;
  }
  return current;
}

/**
 * A create answered "already exists". Returns true when the item was re-decided as an update of an existing record
 * (write it again); otherwise the item is settled: `written` (our own earlier create), or `failure` set.
 */
async function resolveAlreadyExists(
  deps: SyncDeps,
  work: PageWork,
  item: Item,
  e: ConnectorError,
  lookups: LookupResolver,
): Promise<boolean> {
  const m = work.mapping;
  const direction = work.direction;
  const dstSide = destinationSideOf(direction);
  const dst = sideApi(deps.connectors, m, dstSide);
  const who = describeRecord(m, sourceSideOf(direction), item.source);
  const write = item.write!;

  // Our own earlier attempt: the deterministic id (Dataverse) or key (Business Central) is there.
  const mine = write.id ? await dst.get(write.id) : await findByCreateKey(deps, work, item);
  if (mine) {
    item.written = mine;
    item.recovered = true;
    return false;
  }

  // Another record holds the key. Dataverse names the alternate key's columns; look the holder up by them.
  const key = dstSide === 'dataverse' ? alternateKeyOf(e, write.body) : null;
  const holder = key ? await dst.findOne(key.filter) : null;
  if (holder) {
    const holderId = lower(holder[dst.key]);
    const coupled =
      dstSide === 'bc'
        ? await findByBcIds(deps.knex, m.name, [holderId])
        : await findByDvIds(deps.knex, m.name, [holderId]);
    const row = coupled.get(holderId);
    const holderName = `${describeRecord(m, dstSide, holder)} (${holderId})`;
    if (row) {
      item.failure = `${who} cannot be created: ${holderName} already holds ${key!.label} and is coupled to another record in ${m.name} (${dstSide === 'bc' ? `Dataverse ${row.dvId}` : `Business Central ${row.bcId}`}); change ${key!.columns.join(', ')} or uncouple that record with 'bcsync uncouple ${m.name}'`;
      return false;
    }
    applyMatches(work, [item], [holder], lookups);
    if (item.matchedId) return true;
    const bcId = dstSide === 'bc' ? holderId : item.sourceId;
    const dvId = dstSide === 'bc' ? item.sourceId : holderId;
    item.failure = `${who} cannot be created: ${holderName} already holds ${key!.label}, and the match criteria of ${m.name} do not accept it as the same record; if it is, couple them with 'bcsync couple ${m.name} --bc ${bcId} --dv ${dvId}', otherwise change ${key!.columns.join(', ')}`;
    return false;
  }

  // No holder found by key (Business Central does not name the key): try the mapping's match criteria.
  const candidates = await findUncoupledCandidates(deps, m, direction, [item.source], lookups);
  applyMatches(work, [item], candidates, lookups);
  if (item.matchedId) return true;
  if (item.decision.kind === 'fail') return false; // ambiguous: the decision names every candidate
  item.failure = `${who} cannot be created: the ${sideCaption(m, dstSide)}s already hold a record with the same key (${e.message}); find it and couple it with 'bcsync couple ${m.name}', or change the key values`;
  return false;
}

/** The key columns of Dataverse "already exists" errors whose message names none. */
const KEYS_OF_ERROR_CODES: Readonly<Record<string, string[]>> = {
  // DuplicateIsoCurrencyCode: the currency's ISO code.
  '0x80048cf3': ['isocurrencycode'],
  // DuplicateProductPriceLevel: one price list item per price list, product and unit.
  '0x80043b08': ['_pricelevelid_value', '_productid_value', '_uomid_value'],
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The value a create body gives a key column: the column itself, or for a lookup's `_<name>_value` the id its
 * `<name>@odata.bind` names (as a GUID literal, unquoted in filters).
 */
function keyValueOf(body: Record<string, unknown>, column: string): { literal: string; label: string } | null {
  const lookup = /^_(.+)_value$/.exec(column);
  if (lookup) {
    const bind = body[`${lookup[1]}@odata.bind`];
    const id = typeof bind === 'string' ? /\(([^)]+)\)$/.exec(bind.trim())?.[1] : undefined;
    return id && GUID.test(id) ? { literal: id.toLowerCase(), label: `${lookup[1]} ${id.toLowerCase()}` } : null;
  }
  const value = body[column];
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return null;
  return {
    literal: typeof value === 'string' ? stringLiteral(value) : JSON.stringify(value),
    label: `${column} ${typeof value === 'string' ? `'${value}'` : JSON.stringify(value)}`,
  };
}

/**
 * The alternate key a Dataverse "already exists" message names ("A record that has the attribute values
 * isocurrencycode already exists …"), or its error code means, with the values the create carried (a lookup column
 * `_x_value` through the body's `x@odata.bind`): a filter to find the holder and a label for messages. Null when the
 * message names no columns or the body lacks one of their values.
 */
export function alternateKeyOf(
  error: Pick<ConnectorError, 'message' | 'code'>,
  body: Record<string, unknown>,
): { columns: string[]; filter: string; label: string } | null {
  const match = /attribute values (.+?) already exists/i.exec(error.message);
  // Errors that name no columns but mean one key (DuplicateIsoCurrencyCode: the currency's ISO code).
  const known = KEYS_OF_ERROR_CODES[error.code.toLowerCase()];
  if (!match && !known) return null;
  const columns = match ? match[1].split(',').map((c) => c.trim()) : known;
  const clauses: string[] = [];
  const labels: string[] = [];
  for (const column of columns) {
    const value = keyValueOf(body, column);
    if (!value) return null;
    clauses.push(`${column} eq ${value.literal}`);
    labels.push(value.label);
  }
  return { columns, filter: clauses.join(' and '), label: labels.join(', ') };
}

export type { ApiRecord };
