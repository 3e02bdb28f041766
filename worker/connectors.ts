/** Building the Business Central and Dataverse connectors from config (token providers chosen by authority). */
import type { Config } from '../config';
import { createBusinessCentralClient } from '../connectors/business-central';
import { createDataverseClient } from '../connectors/dataverse';
import { createTokenProvider, type RequestHook } from '../connectors/http';
import type { Connectors } from '../activities/sides';
import type { Logger } from './logger';

export interface ConnectorOptions {
  /** Counts every HTTP attempt (metrics, benchmarks). */
  onRequest?: RequestHook;
  /** Overrides for tests and benchmarks. */
  bcBatchSize?: number;
  dvBatchSize?: number;
}

export function createConnectors(config: Config, logger: Logger, o: ConnectorOptions = {}): Connectors {
  const bcCred = config.businessCentral.credentials;
  const dvCred = config.dataverse.credentials;
  const bc = createBusinessCentralClient({
    apiUrl: config.businessCentral.apiUrl,
    tenant: bcCred.tenant,
    environment: config.businessCentral.environment,
    companyId: config.businessCentral.companyId,
    companyName: config.businessCentral.companyName,
    tokenProvider: createTokenProvider({ ...bcCred, logger: logger.child({ component: 'bc-auth' }) }),
    batchSize: o.bcBatchSize,
    logger: logger.child({ component: 'business-central' }),
    onRequest: o.onRequest,
  });
  const dv = createDataverseClient({
    url: config.dataverse.url,
    tokenProvider: createTokenProvider({ ...dvCred, logger: logger.child({ component: 'dv-auth' }) }),
    batchSize: o.dvBatchSize,
    logger: logger.child({ component: 'dataverse' }),
    onRequest: o.onRequest,
  });
  return { bc, dv };
}
