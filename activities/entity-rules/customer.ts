/**
 * CUSTOMER's entity rules (bc-sync-semantics §4.10): after an account is inserted into Business Central as a customer,
 * the Dataverse contacts under that account that are already coupled (CONTACT) get their Business Central contact's
 * company fixed: `companyNumber` (writable in API v2.0 `contacts`) becomes the new customer's company contact.
 *
 * Contacts coupled while their account was not are rare (a coupling made by hand, or the account's customer uncoupled
 * and the account inserted again); contacts that are not coupled yet are CONTACT's job and are not touched here.
 */
import type { BcWriteOp } from '../../connectors/business-central';
import { chunk, guidLiteral } from '../../connectors/http/odata';
import { findByDvIds } from '../../store/couplings';
import { lower, plan } from '../page/work';
import type { EntityRules } from './types';

export const customerRules: EntityRules = {
  async afterWrite({ deps, work }, items) {
    if (work.direction !== 'to-bc') return;
    // account id → the customer just created for it (recovered creates too: the fix-up is idempotent).
    const customerOf = new Map<string, string>();
    for (const item of items) {
      if (plan(item.decision)?.operation !== 'create' || !item.written) continue;
      customerOf.set(lower(item.sourceId), lower(item.written.id));
    }
    if (!customerOf.size) return;

    // The Dataverse contacts under those accounts, and which of them are coupled.
    const contactsOf = new Map<string, string>(); // contact id → account id
    for (const part of chunk([...customerOf.keys()], 20)) {
      const filter = part.map((id) => `_parentcustomerid_value eq ${guidLiteral(id, 'dataverse')}`).join(' or ');
      for await (const page of deps.connectors.dv.listAll({
        entitySet: 'contacts',
        filter,
        select: ['contactid', '_parentcustomerid_value'],
      })) {
        for (const c of page) contactsOf.set(lower(c.contactid), lower(c._parentcustomerid_value));
      }
    }
    if (!contactsOf.size) return;
    const couplings = await findByDvIds(deps.knex, 'CONTACT', [...contactsOf.keys()]);
    const bcContactOf = new Map<string, string>(); // BC contact id → account id
    for (const [dvId, row] of couplings) if (row.bcId) bcContactOf.set(lower(row.bcId), contactsOf.get(dvId)!);
    if (!bcContactOf.size) return;

    // The new customers' company contacts (read directly: they were created moments ago).
    const companyOf = new Map<string, string>(); // customer id → company contact number
    const customers = await deps.connectors.bc.getByIds('customers', [...new Set(customerOf.values())], {
      select: ['id'],
      expand: 'contactsInformation',
    });
    for (const customer of customers) {
      const infos = (customer['contactsInformation'] as Array<Record<string, unknown>> | undefined) ?? [];
      const company = infos.find((i) => i['contactType'] === 'Company');
      if (company && typeof company['contactNumber'] === 'string')
        companyOf.set(lower(customer.id), company['contactNumber']);
    }
    const contacts = await deps.connectors.bc.getByIds('contacts', [...bcContactOf.keys()], {
      select: ['id', 'type', 'companyNumber'],
    });
    const updates: BcWriteOp[] = [];
    for (const contact of contacts) {
      const company = companyOf.get(customerOf.get(bcContactOf.get(lower(contact.id))!)!);
      if (!company || contact.type !== 'Person' || contact.companyNumber === company) continue;
      updates.push({
        kind: 'update',
        entitySet: 'contacts',
        id: contact.id,
        etag: contact['@odata.etag'] ?? '*',
        body: { companyNumber: company },
      });
    }
    if (!updates.length) return;
    const results = await deps.connectors.bc.writeBatch(updates);
    const failed = results.find((r) => !r.ok);
    // The customers are created; a failed fix-up fails the page so its retry (idempotent) fixes the contacts.
    if (failed && !failed.ok) throw failed.error;
  },
};
