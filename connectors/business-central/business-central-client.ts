/**
 * The Business Central client factory: composes the connection (context.ts), the company (metadata.ts), reads,
 * single-record writes and batch writes into one `BusinessCentralClient`.
 */
import { createBcBatch } from './batch';
import { createBcConnection } from './context';
import { createCompanyScope } from './metadata';
import { createBcReads } from './reads';
import { type BusinessCentralClient, type BusinessCentralClientOptions } from './types';
import { createBcWrites } from './writes';

export * from './types';

/**
 * Creates a Business Central API v2.0 client (standard API and the bcsync custom API pages) for one company. All
 * requests of the instance share one adaptive concurrency limiter and retry policy.
 */
export function createBusinessCentralClient(options: BusinessCentralClientOptions): BusinessCentralClient {
  const connection = createBcConnection(options);
  const ctx = { ...connection, ...createCompanyScope(connection, options) };
  return {
    companyId: (signal) => ctx.companyId(signal),
    get concurrencyLimit() {
      return ctx.core.limiter.limit;
    },
    ...createBcReads(ctx),
    ...createBcWrites(ctx),
    ...createBcBatch(ctx),
  };
}
