/**
 * The naive loader: what a hand-made script does. It reads the same BC customer pages as the bare pipe and creates
 * each account with its own request, one after another (the project's Dataverse connector `createWithId`, which
 * waits out a 429's Retry-After like any well-behaved client).
 */
import type { BusinessCentralClient, ChangeCursor, ChangedPage } from '../connectors/business-central';
import type { DataverseClient } from '../connectors/dataverse';
import type { LoadResult } from './bare-pipe';
import { accountFor, CUSTOMER_FILTER, CUSTOMER_SELECT, CUSTOMER_SET } from './customer-to-account';

/** Copies every BC customer inside the mapping's filter to a new Dataverse account, one request per record. */
export async function runNaiveLoader(o: {
  bc: BusinessCentralClient;
  dv: DataverseClient;
  pageSize?: number;
}): Promise<LoadResult> {
  const result: LoadResult = { records: 0, failed: 0, pages: 0 };
  let after: ChangeCursor | null = null;
  for (;;) {
    const page: ChangedPage<Record<string, unknown>> = await o.bc.readChangedPage({
      entitySet: CUSTOMER_SET,
      after,
      pageSize: o.pageSize ?? 200,
      filter: CUSTOMER_FILTER,
      select: CUSTOMER_SELECT,
    });
    result.pages++;
    for (const customer of page.records) {
      const { id, body } = accountFor(customer);
      try {
        await o.dv.createWithId('accounts', id, body);
        result.records++;
      } catch {
        result.failed++;
      }
    }
    if (!page.next) return result;
    after = page.next;
  }
}
