/**
 * The bare pipe: the floor under the product's cost. It reads the same Business Central customer pages the product
 * reads (the project's BC connector, `readChangedPage` on `customerCards` with the mapping's filter, pages of
 * `pageSize`) and writes the same Dataverse `$batch` creates (the project's Dataverse connector, `writeBatch` of
 * `createWithId` operations, batches of the connector's batch size) — and nothing else: no coupling, no hashing, no
 * store, no Temporal. Pipelined: the next page is read while the current one is written.
 */
import type { BusinessCentralClient, ChangeCursor } from '../connectors/business-central';
import type { DataverseClient } from '../connectors/dataverse';
import { accountFor, CUSTOMER_FILTER, CUSTOMER_SELECT, CUSTOMER_SET } from './customer-to-account';

export interface PipeOptions {
  bc: BusinessCentralClient;
  dv: DataverseClient;
  /** Records per BC page. (Default: 200) */
  pageSize?: number;
  /** Read the next page while writing the current one. (Default: true) */
  pipelined?: boolean;
}

/** What a pipe or loader moved. */
export interface LoadResult {
  /** Accounts created. */
  records: number;
  /** Records whose write failed. */
  failed: number;
  /** BC pages read. */
  pages: number;
}

/** Copies every BC customer inside the mapping's filter to a new Dataverse account. */
export async function runBarePipe(o: PipeOptions): Promise<LoadResult> {
  const pageSize = o.pageSize ?? 200;
  const pipelined = o.pipelined ?? true;
  const read = (after: ChangeCursor | null) =>
    o.bc.readChangedPage({
      entitySet: CUSTOMER_SET,
      after,
      pageSize,
      filter: CUSTOMER_FILTER,
      select: CUSTOMER_SELECT,
    });
  const result: LoadResult = { records: 0, failed: 0, pages: 0 };
  let page = await read(null);
  for (;;) {
    result.pages++;
    const next = page.next && pipelined ? read(page.next) : undefined;
    // Whatever happens to the writes, the read ahead must not be left rejecting unobserved.
    next?.catch(() => undefined);
    const ops = page.records.map((c) => ({
      kind: 'createWithId' as const,
      set: 'accounts' as const,
      ...accountFor(c),
    }));
    const written = ops.length ? await o.dv.writeBatch(ops) : [];
    for (const w of written) {
      if (w.ok) result.records++;
      else result.failed++;
    }
    if (!page.next) return result;
    page = next ? await next : await read(page.next);
  }
}
