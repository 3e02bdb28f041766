/**
 * What the parts of a Dataverse client (reads, writes, batch, change tracking) share: one limiter, an HttpCore per
 * precondition (it decides how a 412 is classified), the OData reader, the Web API root and sizes, and the URLs of
 * entity sets and rows.
 */
import { type ConnectorCore, createConnectorCore } from '../http/connector-core';
import { ValidationError } from '../http/errors';
import { type HttpCore } from '../http/http-core';
import { guidLiteral } from '../http/odata';
import { createODataReader, type ODataReader } from '../http/odata-pages';
import { clamp } from '../http/util';
import { type DvPrecondition, dvClassifier } from './classify-error';
import { type DvEntitySet, primaryKeyOf } from './entity-sets';
import { type DataverseClientOptions } from './types';

export const SERVICE = 'dataverse' as const;

export interface DvContext {
  core: ConnectorCore;
  /** The HttpCore whose classifier knows the request carried `precondition`. (Default: 'none') */
  http(precondition?: DvPrecondition): HttpCore;
  reader: ODataReader;
  /** `{url}/api/data/v9.2`. */
  base: string;
  /** The path of `base` (batch parts address rows by path). */
  basePath: string;
  /** Operations per `$batch`, 1–1000. */
  batchSize: number;
  /** Largest `odata.maxpagesize` asked for, 1–5000. */
  maxPageSize: number;
  /** `{base}/{set}`; throws ValidationError when `set` is not an entity set name. */
  setUrl(set: DvEntitySet): string;
  /** `{base}/{set}({id})`; throws ValidationError when `id` is not a GUID. */
  rowUrl(set: DvEntitySet, id: string): string;
  /** The `$select` of a write's representation: the primary key, `modifiedon` and `select`. */
  writeSelect(set: DvEntitySet, select?: readonly string[]): string;
}

/** Builds the shared parts of a client from its options; see DataverseClientOptions for the defaults. */
export function createDvContext(options: DataverseClientOptions): DvContext {
  const base = `${options.url.replace(/\/+$/, '')}/api/data/v9.2`;
  const core = createConnectorCore(options, {
    service: SERVICE,
    maxConcurrency: options.maxConcurrency ?? 16,
    defaultHeaders: { Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' },
  });
  const cores = new Map<DvPrecondition, HttpCore>();
  const http = (precondition: DvPrecondition = 'none'): HttpCore => {
    let httpCore = cores.get(precondition);
    if (!httpCore) {
      httpCore = core.httpCore(dvClassifier(precondition));
      cores.set(precondition, httpCore);
    }
    return httpCore;
  };
  const setUrl = (set: DvEntitySet): string => `${base}/${checkSet(set)}`;
  return {
    core,
    http,
    reader: createODataReader({ http: http(), service: SERVICE, linkBase: base }),
    base,
    basePath: new URL(base).pathname,
    batchSize: clamp(options.batchSize ?? 100, 1, 1000),
    maxPageSize: clamp(options.maxPageSize ?? 5000, 1, 5000),
    setUrl,
    rowUrl: (set, id) => `${setUrl(set)}(${guidLiteral(id, SERVICE)})`,
    writeSelect: (set, select) => [...new Set([primaryKeyOf(set), 'modifiedon', ...(select ?? [])])].join(','),
  };
}

/** `set` when it is shaped like an entity set name (it goes into URLs unescaped); throws ValidationError otherwise. */
export function checkSet(set: DvEntitySet): DvEntitySet {
  if (!/^[a-z_]+$/.test(set)) {
    throw new ValidationError({
      service: SERVICE,
      status: 0,
      code: 'InvalidEntitySet',
      message: `'${set}' is not an entity set`,
      retryable: false,
    });
  }
  return set;
}
