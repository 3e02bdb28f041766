/**
 * CONTACT's entity rules (bc-sync-semantics §4.10): the primary-contact fix-ups after inserts, in both directions.
 * - After a contact is inserted in Dataverse, its parent account gets it as `primarycontactid` when it has none.
 * - After a contact is inserted in Business Central, its company's customer gets it as Primary Contact No.
 *   (`primaryContactNumber` of the `customerCards` page) when it has none.
 * Each fix-up prefers the primary contact the coupled record on the other side already has: otherwise one CONTACT run
 * could give a customer and its account two different primary contacts (one contact inserted on each side), which
 * CUSTOMER reports as a conflict. It then gives the coupled record the same primary contact where it lacks it and
 * records the pair on its CUSTOMER coupling as synchronized (./primary-contact-pairs.ts): these are the sync's own
 * writes, which must not meet a user's later change of the customer as a conflict. What it leaves (a record changed
 * meanwhile, a contact name a user typed) CUSTOMER's next run carries or reports, its primary-contact field mapping
 * resolving through the CONTACT couplings this page writes.
 */
import type { BcWriteOp } from '../../connectors/business-central';
import type { DvEntitySet } from '../../connectors/dataverse';
import { chunk, stringLiteral } from '../../connectors/http/odata';
import { projectWrite } from '../../engine';
import { findByBcIds, findByDvIds } from '../../store/couplings';
import type { ApiRecord } from '../sides';
import { lower, plan } from '../page/work';
import {
  beforeUnrecordedWrite,
  customerMappingOf,
  etagOf,
  mirrorToAccounts,
  mirrorToCustomers,
  type PrimaryContactPair,
  mayHoldUnrecordedWrite,
  recordSynchronizedPairs,
  sameName,
} from './primary-contact-pairs';
import type { EntityRules, RuleContext } from './types';
import type { Item } from '../page/work';

/** Source id → the id of the record this page wrote for it (the coupling the page is about to commit). */
function writtenPartners(items: readonly Item[], idOf: (item: Item) => unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    const id = item.written && plan(item.decision) ? idOf(item) : undefined;
    if (typeof id === 'string' && id) out.set(lower(item.sourceId), lower(id));
  }
  return out;
}

/** The account GUID a contact payload binds its parent to (`/accounts(<guid>)`), if any. */
export function parentAccountOf(payload: Record<string, unknown>): string | null {
  const bind = payload['parentcustomerid_account@odata.bind'];
  const m = typeof bind === 'string' ? /accounts\(([0-9a-f-]{36})\)/i.exec(bind) : null;
  return m ? m[1].toLowerCase() : null;
}

/**
 * The first contact of each parent among the created items, in page order: `parentOf` names the parent (account GUID
 * or company contact number) and `contactOf` the contact's key (GUID or number) from the item. Recovered creates count
 * too: an earlier attempt may have died before its fix-up (which is idempotent).
 */
export function firstCreatedContactOf(
  items: readonly Item[],
  parentOf: (item: Item) => string | null,
  contactOf: (item: Item) => string | null,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    if (plan(item.decision)?.operation !== 'create' || !item.written) continue;
    const parent = parentOf(item);
    const contact = contactOf(item);
    if (parent && contact && !out.has(parent)) out.set(parent, contact);
  }
  return out;
}

/** The test hook of a fix-up's step (PageFaults.inFixup). */
function faultHook({ deps, work }: RuleContext): (step: 'written' | 'mirrored') => Promise<void> {
  const { mapping, direction, jobId, pageNo } = work;
  return async (step) => {
    await deps.faults?.inFixup?.({ mapping: mapping.name, direction, jobId, pageNo, step });
  };
}

/** The record of each id (lower-case) in `records`, keyed by `key`. */
function byId(records: readonly ApiRecord[], key: string): Map<string, ApiRecord> {
  return new Map(records.map((r) => [lower(r[key]), r]));
}

/**
 * Dataverse: the parent account of a contact just created gets a primary contact if it has none — the one its coupled
 * customer has (through the CONTACT couplings), else the first contact created under it. The contact name
 * (`address1_primarycontactname`) follows, as Business Central's Contact follows its Primary Contact No.: that
 * customer's Contact name (what CUSTOMER carries), else the contact's full name. A coupled customer without a primary
 * contact then gets the same one, and the CUSTOMER coupling records both as synchronized (./primary-contact-pairs.ts):
 * CUSTOMER's next run finds both sides equal and unchanged, no conflict, no echo.
 */
async function fixAccountPrimaryContacts(ctx: RuleContext, items: Item[]): Promise<void> {
  const { deps } = ctx;
  const fault = faultHook(ctx);
  const accounts = 'accounts' as DvEntitySet;
  const contacts = 'contacts' as DvEntitySet;
  const firstContactOf = firstCreatedContactOf(
    items,
    (item) => parentAccountOf(plan(item.decision)!.payload),
    (item) => lower(item.written!.contactid ?? plan(item.decision)!.destinationId ?? ''),
  );
  if (!firstContactOf.size) return;
  const m = customerMappingOf(deps);
  // In full, as CUSTOMER reads them: their hashes compare with the ones on the CUSTOMER couplings.
  const accountOf = byId(await deps.connectors.dv.getByIds(accounts, [...firstContactOf.keys()]), 'accountid');
  const customerCouplings = await findByDvIds(deps.knex, 'CUSTOMER', [...accountOf.keys()]);
  // The accounts without a primary contact, and those an earlier attempt of this page may have given one without
  // recording the pair (the primary contact is all that changed since the stored hash).
  const open = [...accountOf]
    .filter(([id, a]) => {
      if (a._primarycontactid_value == null) return true;
      const coupling = customerCouplings.get(id);
      return m !== undefined && coupling !== undefined && mayHoldUnrecordedWrite(m, 'dataverse', a, coupling);
    })
    .map(([id]) => id);
  if (!open.length) return;
  // The primary contact of each account's coupled customer, as a Dataverse contact id (null: it has none).
  const customerIds = open.map((id) => customerCouplings.get(id)?.bcId).filter((id): id is string => !!id);
  const customerOf = byId(
    customerIds.length ? await deps.connectors.bc.getByIds('customerCards', customerIds) : [],
    'id',
  );
  const primaryNumberOf = new Map<string, string>(); // customer id → primary contact number
  for (const [id, c] of customerOf) {
    if (typeof c.primaryContactNumber === 'string' && c.primaryContactNumber)
      primaryNumberOf.set(id, c.primaryContactNumber);
  }
  const bcContactIdOf = new Map<string, string>(); // contact number → BC contact id
  for (const part of chunk([...new Set(primaryNumberOf.values())], 20)) {
    const filter = part.map((n) => `number eq ${stringLiteral(n)}`).join(' or ');
    for await (const page of deps.connectors.bc.listAll({
      entitySet: 'contactCards',
      filter,
      select: ['id', 'number'],
    })) {
      for (const c of page) bcContactIdOf.set(String(c.number), lower(c.id));
    }
  }
  const contactCouplings = await findByBcIds(deps.knex, 'CONTACT', [...bcContactIdOf.values()]);
  // This page's contacts are coupled only when the page commits, after this rule.
  const written = writtenPartners(items, (item) => item.written!.contactid ?? plan(item.decision)!.destinationId);
  // The Business Central number of each contact this page created (its source), by its Dataverse id.
  const numberOfCreated = new Map<string, string>();
  for (const item of items) {
    const dvId = written.get(lower(item.sourceId));
    if (dvId && typeof item.source.number === 'string') numberOfCreated.set(dvId, item.source.number);
  }
  // By account id; `name`: the Contact name of a customer that already has the contact (what CUSTOMER carries).
  const chosen = new Map<string, { dvId: string; number: string | undefined; name?: unknown }>();
  for (const accountId of open) {
    const customerId = lower(customerCouplings.get(accountId)?.bcId ?? '');
    const number = primaryNumberOf.get(customerId);
    if (number === undefined) {
      const dvId = firstContactOf.get(accountId)!;
      chosen.set(accountId, { dvId, number: numberOfCreated.get(dvId) });
    } else {
      // The customer's primary contact wins; not coupled (yet): leave the account for CUSTOMER to fill in.
      const bcId = bcContactIdOf.get(number) ?? '';
      const dvId = contactCouplings.get(bcId)?.dvId ?? written.get(bcId);
      if (dvId) chosen.set(accountId, { dvId: lower(dvId), number, name: customerOf.get(customerId)?.contactName });
    }
  }
  // An account that has its chosen contact already: the earlier attempt's write, to be mirrored and recorded from
  // where that attempt stopped (its customer too, if the attempt had mirrored it). Anything else is left to CUSTOMER.
  if (!chosen.size) return;
  const nameOf = new Map<string, string>();
  for (const c of await deps.connectors.dv.getByIds(contacts, [...new Set([...chosen.values()].map((x) => x.dvId))], {
    select: ['contactid', 'fullname'],
  })) {
    nameOf.set(lower(c.contactid), typeof c.fullname === 'string' ? c.fullname : '');
  }
  // The contact name the fix-up gives an account with its primary contact.
  const nameFor = ({ dvId, name }: { dvId: string; name?: unknown }) =>
    typeof name === 'string' ? name : (nameOf.get(dvId) ?? null);
  const resumed: PrimaryContactPair[] = [];
  for (const [accountId, chose] of chosen) {
    const { dvId, number } = chose;
    const account = accountOf.get(accountId)!;
    if (account._primarycontactid_value == null) continue;
    chosen.delete(accountId);
    const coupling = customerCouplings.get(accountId);
    const customer = coupling ? customerOf.get(lower(coupling.bcId)) : undefined;
    if (!m || !coupling || !customer || !number) continue;
    const contact = { number, dvId };
    const accountBefore = beforeUnrecordedWrite(m, 'dataverse', account, coupling, contact);
    // A contact name other than the one the fix-up wrote was typed since: CUSTOMER carries it or reports it.
    if (!accountBefore || !sameName(account.address1_primarycontactname, nameFor(chose))) continue;
    const customerBefore = beforeUnrecordedWrite(m, 'bc', customer, coupling, contact);
    resumed.push({
      coupling,
      contactNumber: number,
      dvContactId: dvId,
      customer: customerBefore ?? customer,
      ...(customerBefore ? { customerAfter: customer } : {}),
      account: accountBefore,
      accountAfter: account,
    });
  }
  if (!chosen.size && !resumed.length) return;
  const updates = [...chosen].map(([accountId, chose]) => ({
    kind: 'update' as const,
    set: accounts,
    id: accountId,
    body: {
      'primarycontactid@odata.bind': `/contacts(${chose.dvId})`,
      address1_primarycontactname: nameFor(chose),
    },
    // The ETag just read: an account changed meanwhile answers 412 and the page's retry looks again.
    etag: etagOf(accountOf.get(accountId)!),
  }));
  const results = updates.length ? await deps.connectors.dv.writeBatch(updates) : [];
  if (m) {
    const pairs: PrimaryContactPair[] = [...resumed];
    for (const [i, r] of results.entries()) {
      const { id: accountId, body } = updates[i];
      const coupling = customerCouplings.get(accountId);
      const customer = coupling ? customerOf.get(lower(coupling.bcId)) : undefined;
      const { dvId, number } = chosen.get(accountId)!;
      if (!r.ok || !coupling || !customer || !number) continue;
      const account = accountOf.get(accountId)!;
      pairs.push({
        coupling,
        contactNumber: number,
        dvContactId: dvId,
        customer,
        account,
        accountAfter: projectWrite(m, 'dataverse', account, body),
      });
    }
    await fault('written');
    await mirrorToCustomers(deps, m, pairs);
    await fault('mirrored');
    await recordSynchronizedPairs(deps, m, pairs);
  }
  const failed = results.find((r) => !r.ok);
  // The contacts are created; a failed fix-up fails the page so its retry (idempotent) sets the primary contact.
  if (failed && !failed.ok) throw failed.error;
}

/**
 * Business Central: the customer of a contact's company gets a Primary Contact No. if it has none — the contact its
 * coupled account has as primary contact (through the CONTACT couplings), else the first contact created under it.
 * (Business Central itself sets the customer's Contact name from it.) The coupled account then gets the same primary
 * contact and contact name when it lacks them, and the CUSTOMER coupling records both as synchronized
 * (./primary-contact-pairs.ts).
 */
async function fixCustomerPrimaryContacts(ctx: RuleContext, items: Item[]): Promise<void> {
  const { deps } = ctx;
  const fault = faultHook(ctx);
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const firstContactOf = firstCreatedContactOf(
    items,
    (item) => str(item.written!.companyNumber),
    (item) => str(item.written!.number),
  );
  if (!firstContactOf.size) return;
  const companies = [...firstContactOf.keys()];
  const relation = await deps.cache.companyContacts({ numbers: companies });
  const firstOfCustomer = new Map<string, string>(); // customer id → first contact number
  for (const company of companies) {
    const customerId = relation.byNumber.get(company);
    if (customerId) firstOfCustomer.set(lower(customerId), firstContactOf.get(company)!);
  }
  if (!firstOfCustomer.size) return;
  const m = customerMappingOf(deps);
  // In full, as CUSTOMER reads them: their hashes compare with the ones on the CUSTOMER couplings.
  const customers = await deps.connectors.bc.getByIds('customerCards', [...firstOfCustomer.keys()]);
  const accountCouplings = await findByBcIds(
    deps.knex,
    'CUSTOMER',
    customers.map((c) => lower(c.id)),
  );
  // The customers without a primary contact, and those an earlier attempt of this page may have given one without
  // recording the pair (the primary contact is all that changed since the stored hash).
  const open = customers.filter((c) => {
    if (!c.primaryContactNumber) return true;
    const coupling = accountCouplings.get(lower(c.id));
    return m !== undefined && coupling !== undefined && mayHoldUnrecordedWrite(m, 'bc', c, coupling);
  });
  if (!open.length) return;
  // The primary contact of each customer's coupled account, as a BC contact number.
  const accountIds = open.map((c) => accountCouplings.get(lower(c.id))?.dvId).filter((id): id is string => !!id);
  const accountOf = byId(
    accountIds.length ? await deps.connectors.dv.getByIds('accounts', accountIds) : [],
    'accountid',
  );
  const primaryOf = new Map<string, string>(); // account id → DV contact id
  for (const [id, a] of accountOf) {
    if (a._primarycontactid_value != null) primaryOf.set(id, lower(a._primarycontactid_value));
  }
  const contactCouplings = await findByDvIds(deps.knex, 'CONTACT', [...new Set(primaryOf.values())]);
  // This page's contacts are coupled only when the page commits, after this rule.
  const written = writtenPartners(items, (item) => item.written!.id);
  const bcIdOf = (dvId: string): string | undefined => contactCouplings.get(dvId)?.bcId ?? written.get(dvId);
  const bcContactIds = [...new Set(primaryOf.values())].map(bcIdOf).filter((id): id is string => !!id);
  const numberOf = new Map<string, string>(); // BC contact id → number
  if (bcContactIds.length) {
    for (const c of await deps.connectors.bc.getByIds('contactCards', bcContactIds, { select: ['id', 'number'] })) {
      numberOf.set(lower(c.id), String(c.number));
    }
  }
  // The Dataverse id of each contact this page created in Business Central (its source), by its number.
  const dvIdOfCreated = new Map<string, string>();
  for (const item of items) {
    const number = item.written && plan(item.decision) ? str(item.written.number) : null;
    if (number) dvIdOfCreated.set(number, lower(item.sourceId));
  }
  const updates: BcWriteOp[] = [];
  const targets: Array<{ customer: ApiRecord; number: string; dvContactId: string | undefined }> = [];
  // A customer that has its chosen contact already: the earlier attempt's write, to be mirrored and recorded from
  // where that attempt stopped (its account too, if the attempt had mirrored it). Anything else is left to CUSTOMER.
  const resumed: PrimaryContactPair[] = [];
  for (const c of open) {
    const accountId = accountCouplings.get(lower(c.id))?.dvId;
    const primary = accountId ? primaryOf.get(lower(accountId)) : undefined;
    let number: string | undefined;
    if (primary === undefined) number = firstOfCustomer.get(lower(c.id));
    else {
      // The account's primary contact wins; not coupled (yet): leave the customer for CUSTOMER to fill in.
      const bcId = bcIdOf(primary);
      number = bcId ? numberOf.get(lower(bcId)) : undefined;
    }
    if (!number) continue;
    const dvContactId = primary ?? dvIdOfCreated.get(number);
    if (c.primaryContactNumber) {
      const coupling = accountCouplings.get(lower(c.id));
      const account = coupling ? accountOf.get(lower(coupling.dvId)) : undefined;
      if (!m || !coupling || !account || !dvContactId) continue;
      const contact = { number, dvId: dvContactId };
      const customerBefore = beforeUnrecordedWrite(m, 'bc', c, coupling, contact);
      if (!customerBefore) continue;
      const accountBefore = beforeUnrecordedWrite(m, 'dataverse', account, coupling, contact);
      resumed.push({
        coupling,
        contactNumber: number,
        dvContactId,
        customer: customerBefore,
        customerAfter: c,
        account: accountBefore ?? account,
        ...(accountBefore ? { accountAfter: account } : {}),
      });
      continue;
    }
    updates.push({
      kind: 'update',
      entitySet: 'customerCards',
      id: c.id,
      // The ETag just read: a customer changed meanwhile answers 412 and the page's retry looks again.
      etag: etagOf(c),
      body: { primaryContactNumber: number },
    });
    targets.push({ customer: c, number, dvContactId });
  }
  if (!updates.length && !resumed.length) return;
  const results = updates.length ? await deps.connectors.bc.writeBatch(updates) : [];
  if (m) {
    const pairs: PrimaryContactPair[] = [...resumed];
    for (const [i, r] of results.entries()) {
      const { customer, number, dvContactId } = targets[i];
      const coupling = accountCouplings.get(lower(customer.id));
      const account = coupling ? accountOf.get(lower(coupling.dvId)) : undefined;
      if (!r.ok || !r.record || !coupling || !account || !dvContactId) continue;
      pairs.push({
        coupling,
        contactNumber: number,
        dvContactId,
        customer,
        account,
        customerAfter: r.record,
      });
    }
    await fault('written');
    await mirrorToAccounts(deps, m, pairs);
    await fault('mirrored');
    await recordSynchronizedPairs(deps, m, pairs);
  }
  const failed = results.find((r) => !r.ok);
  // The contacts are created; a failed fix-up fails the page so its retry (idempotent) sets the primary contact.
  if (failed && !failed.ok) throw failed.error;
}

export const contactRules: EntityRules = {
  writesCouplingsOf: ['CUSTOMER'],
  async afterWrite(ctx, items) {
    if (ctx.work.direction === 'to-dataverse') await fixAccountPrimaryContacts(ctx, items);
    else await fixCustomerPrimaryContacts(ctx, items);
  },
};
