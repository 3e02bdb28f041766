/**
 * CONTACT's entity rules (bc-sync-semantics §4.10): after a contact is inserted in Dataverse, its parent account gets
 * it as primary contact when the account has none (Business Central does the same).
 */
import type { DvEntitySet } from '../../connectors/dataverse';
import { plan } from '../page/work';
import type { EntityRules } from './types';

/** The account GUID a contact payload binds its parent to (`/accounts(<guid>)`), if any. */
export function parentAccountOf(payload: Record<string, unknown>): string | null {
  const bind = payload['parentcustomerid_account@odata.bind'];
  const m = typeof bind === 'string' ? /accounts\(([0-9a-f-]{36})\)/i.exec(bind) : null;
  return m ? m[1].toLowerCase() : null;
}

export const contactRules: EntityRules = {
  async afterWrite({ deps, work }, items) {
    if (work.direction !== 'to-dataverse') return;
    const accounts = 'accounts' as DvEntitySet;
    // The first contact created under each account this page, in page order.
    const firstContactOf = new Map<string, string>();
    for (const item of items) {
      const p = plan(item.decision);
      // Recovered creates too: an earlier attempt may have died before this fix-up (it is idempotent).
      if (p?.operation !== 'create' || !item.written) continue;
      const account = parentAccountOf(p.payload);
      const contactId = ((item.written.contactid as string | undefined) ?? p.destinationId ?? '').toLowerCase();
      if (account && contactId && !firstContactOf.has(account)) firstContactOf.set(account, contactId);
    }
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
  },
};
