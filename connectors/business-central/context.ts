/**
 * What the parts of a Business Central client (reads, writes, batch, metadata) share: one HttpCore on one limiter,
 * the OData reader, the API roots and sizes, and — once metadata.ts has added it — the company the client works in.
 */
import { type ConnectorCore, createConnectorCore } from '../http/connector-core';
import { type HttpCore } from '../http/http-core';
import { createODataReader, type ODataReader } from '../http/odata-pages';
import { clamp } from '../http/util';
import { classifyBcResponse } from './classify-error';
import { BC_CUSTOM_API_SETS, type BcEntitySet } from './entity-sets';
import { type BusinessCentralClientOptions } from './types';

export const SERVICE = 'business-central' as const;

/** The connection of a client instance, before its company is known. */
export interface BcConnection {
  core: ConnectorCore;
  http: HttpCore;
  reader: ODataReader;
  /** The environment name (for messages). */
  environment: string;
  /** `…/{tenant}/{environment}/api/v2.0`: the standard API. */
  standardRoot: string;
  /** Operations per `$batch`, 1–100. */
  batchSize: number;
  /** Largest `odata.maxpagesize` asked for, 1–20000. */
  maxPageSize: number;
  /** The API root of an entity set: the custom API pages' root for the bcsync pages, else the standard root. */
  rootOf(set: BcEntitySet): string;
}

/** The company a client instance works in (see metadata.ts). */
export interface CompanyScope {
  /** The company GUID, resolved once (a failed resolution is tried again on the next call). */
  companyId(signal?: AbortSignal): Promise<string>;
  /** `{root}/companies({id})/{set}`. */
  collectionUrl(set: BcEntitySet, signal?: AbortSignal): Promise<string>;
}

export type BcContext = BcConnection & CompanyScope;

/** Builds the connection from the client options; see BusinessCentralClientOptions for the defaults. */
export function createBcConnection(options: BusinessCentralClientOptions): BcConnection {
  const environment = options.environment ?? 'production';
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const envRoot = `${apiUrl}/${encodeURIComponent(options.tenant)}/${encodeURIComponent(environment)}/api`;
  const standardRoot = `${envRoot}/v2.0`;
  const customRoot = `${envRoot}/${(options.customApiPath ?? 'bcsync/sync/v1.0').replace(/^\/+|\/+$/g, '')}`;
  const core = createConnectorCore(options, {
    service: SERVICE,
    maxConcurrency: options.maxConcurrency ?? 5,
    defaultHeaders: { Accept: 'application/json' },
  });
  const http = core.httpCore(classifyBcResponse);
  return {
    core,
    http,
    reader: createODataReader({ http, service: SERVICE, linkBase: apiUrl }),
    environment,
    standardRoot,
    batchSize: clamp(options.batchSize ?? 100, 1, 100),
    maxPageSize: clamp(options.maxPageSize ?? 5000, 1, 20_000),
    rootOf: (set) => (BC_CUSTOM_API_SETS.has(set) ? customRoot : standardRoot),
  };
}
