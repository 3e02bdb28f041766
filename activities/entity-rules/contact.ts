/**
 * CONTACT's entity rules (bc-sync-semantics §4.10): the primary-contact fix-ups after inserts, in both directions.
 * - After a contact is inserted in Dataverse, its parent account gets it as `primarycontactid` when it has none.
 * - After a contact is inserted in Business Central, its company's customer gets it as Primary Contact No.
 *   (`primaryContactNumber` of the `customerCards` page) when it has none.
 * The customer / account so changed carries the primary contact to the other side on CUSTOMER's next run (its
 * primary-contact field mapping resolves through the CONTACT coupling written by this page).
 */
import type { BcWriteOp } from '../../connectors/business-central';
import type { DvEntitySet } from '../../connectors/dataverse';
import { plan } from '../page/work';
import type { EntityRules, RuleContext } from './types';
import type { Item } from '../page/work';

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

/** Dataverse: the parent account of a contact just created gets it as primary contact if it has none. */
async function fixAccountPrimaryContacts({ deps }: RuleContext, items: Item[]): Promise<void> {
  const accounts = 'accounts' as DvEntitySet;
  const firstContactOf = firstCreatedContactOf(
    items,
    (item) => parentAccountOf(plan(item.decision)!.payload),
    (item) =>
      ((item.written!.contactid as string | undefined) ?? plan(item.decision)!.destinationId ?? '').toLowerCase(),
  );
  if (!firstContactOf.size) return;
  const parents = await deps.connectors.dv.getByIds(accounts, [...firstContactOf.keys()], {
    select: ['accountid', '_primarycontactid_value'],
  });
  const updates = parents
    .filter((a) => a._primarycontactid_value == null)
    .map((a) => {
      const accountId = String(a.accountid).toLowerCase();
      return {
        kind: 'update' as const,
        set: accounts,
        id: accountId,
        body: { 'primarycontactid@odata.bind': `/contacts(${firstContactOf.get(accountId)})` },
        etag: '*',
      };
    });
  if (!updates.length) return;
  const results = await deps.connectors.dv.writeBatch(updates);
  const failed = results.find((r) => !r.ok);
  // The contacts are created; a failed fix-up fails the page so its retry (idempotent) sets the primary contact.
  if (failed && !failed.ok) throw failed.error;
}

/** Business Central: the customer of a contact's company gets the contact just created as primary contact if empty. */
async function fixCustomerPrimaryContacts({ deps }: RuleContext, items: Item[]): Promise<void> {
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const firstContactOf = firstCreatedContactOf(
    items,
    (item) => str(item.written!.companyNumber),
    (item) => str(item.written!.number),
  );
  if (!firstContactOf.size) return;
  const companies = [...firstContactOf.keys()];
  const relation = await deps.cache.companyContacts({ numbers: companies });
  const customerOf = new Map<string, string>(); // customer id → contact number
  for (const company of companies) {
    const customerId = relation.byNumber.get(company);
    if (customerId) customerOf.set(customerId.toLowerCase(), firstContactOf.get(company)!);
  }
  if (!customerOf.size) return;
  const customers = await deps.connectors.bc.getByIds('customerCards', [...customerOf.keys()], {
    select: ['id', 'primaryContactNumber'],
  });
  const updates: BcWriteOp[] = customers
    .filter((c) => !c.primaryContactNumber)
    .map((c) => ({
      kind: 'update',
      entitySet: 'customerCards',
      id: c.id,
      // The ETag just read: a customer changed meanwhile answers 412 and the page's retry looks again.
      etag: (c['@odata.etag'] as string | undefined) ?? '*',
      body: { primaryContactNumber: customerOf.get(c.id.toLowerCase()) },
    }));
  if (!updates.length) return;
  const results = await deps.connectors.bc.writeBatch(updates);
  const failed = results.find((r) => !r.ok);
  // The contacts are created; a failed fix-up fails the page so its retry (idempotent) sets the primary contact.
  if (failed && !failed.ok) throw failed.error;
}

export const contactRules: EntityRules = {
  async afterWrite(ctx, items) {
    if (ctx.work.direction === 'to-dataverse') await fixAccountPrimaryContacts(ctx, items);
    else await fixCustomerPrimaryContacts(ctx, items);
  },
};
