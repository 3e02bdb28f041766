/**
 * The Dataverse client factory: composes the shared context (context.ts), reads, single-row writes, batch writes and
 * change tracking, bound actions and choice-column metadata into one `DataverseClient`.
 */
import { createDvActions } from './actions';
import { createDvBatch } from './batch';
import { createDvChangeTracking } from './change-tracking';
import { createDvContext } from './context';
import { createDvMetadata } from './metadata';
import { createDvReads } from './reads';
import { type DataverseClient, type DataverseClientOptions } from './types';
import { createDvWrites } from './writes';

export * from './types';

/** Creates a Dataverse Web API v9.2 client. All requests of the instance share one concurrency limiter. */
export function createDataverseClient(options: DataverseClientOptions): DataverseClient {
  const ctx = createDvContext(options);
  return {
    get concurrencyLimit() {
      return ctx.core.limiter.limit;
    },
    ...createDvReads(ctx),
    ...createDvWrites(ctx),
    ...createDvBatch(ctx),
    ...createDvChangeTracking(ctx),
    ...createDvActions(ctx),
    ...createDvMetadata(ctx),
  };
}
