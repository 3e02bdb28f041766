/**
 * GET requests of OData collections and server-driven paging, shared by both connectors.
 *
 * Why it looks like this:
 * - `@odata.nextLink` (and Dataverse's `@odata.deltaLink`) are opaque: they are followed verbatim, never rebuilt with
 *   `$skip`.
 * - A link is followed only when it points at the configured host (`sameOriginLink`): the bearer token must never be
 *   sent anywhere else.
 * - `Prefer: odata.maxpagesize` is sent on every page request, not only the first: Dataverse wants the same value on
 *   each page, and Business Central honours it wherever it is sent.
 */
import { type ConnectorService } from './errors';
import { type HttpCore } from './http-core';
import { parseJsonBody, valueOf } from './json-body';
import { sameOriginLink, sig } from './util';

/** Where a reader sends its requests and which links it will follow. */
export interface ODataReaderOptions {
  /** The HttpCore read requests go through (the client's shared limiter and retry policy). */
  http: HttpCore;
  service: ConnectorService;
  /** Any URL of the service: server links must have its origin. */
  linkBase: string;
}

export interface ODataGetOptions {
  /** The `Prefer` header, e.g. `odata.track-changes,odata.maxpagesize=5000`. (Default: none sent) */
  prefer?: string;
  signal?: AbortSignal;
}

/** GET requests of one service; see `createODataReader`. */
export interface ODataReader {
  /** The service the reader talks to (it names it in errors). */
  readonly service: ConnectorService;
  /**
   * One GET (idempotent, retried by the HTTP layer) answered with a JSON object. Throws the classified ConnectorError
   * of a failed request, or TransientServerError `InvalidJson` for a body that is not JSON.
   */
  getJson(url: string, description: string, options?: ODataGetOptions): Promise<Record<string, unknown>>;
  /**
   * Every page body of a collection, from `firstUrl` through its `@odata.nextLink`s. Throws ValidationError
   * `ForeignLink` for a link to another host, and whatever `getJson` throws.
   */
  bodies(firstUrl: string, description: string, options?: ODataGetOptions): AsyncIterable<Record<string, unknown>>;
  /** The records of every page (`value`), one array per server page, asking for `pageSize` records a page. */
  pages<T>(firstUrl: string, description: string, pageSize: number, signal?: AbortSignal): AsyncIterable<T[]>;
  /** A server link (nextLink, deltaLink) checked to point at the service's host; throws ValidationError otherwise. */
  checkLink(link: string): string;
}

/** The `@odata.nextLink` of a page body, checked against `linkBase`'s origin, or undefined on the last page. */
export function nextLinkOf(
  body: Record<string, unknown>,
  linkBase: string,
  service: ConnectorService,
): string | undefined {
  const link = body['@odata.nextLink'];
  return typeof link === 'string' ? sameOriginLink(link, linkBase, service) : undefined;
}

/** Creates the GET side of a connector client over `options.http`. */
export function createODataReader(options: ODataReaderOptions): ODataReader {
  const { http, service, linkBase } = options;

  const getJson = async (url: string, description: string, opts: ODataGetOptions = {}) => {
    const res = await http.request({
      method: 'GET',
      url,
      ...(opts.prefer !== undefined ? { headers: { Prefer: opts.prefer } } : {}),
      idempotent: true,
      description,
      ...sig(opts.signal),
    });
    return parseJsonBody(res, service, description);
  };

  async function* bodies(firstUrl: string, description: string, opts: ODataGetOptions = {}) {
    let url: string | undefined = firstUrl;
    while (url) {
      const body = await getJson(url, description, opts);
      yield body;
      url = nextLinkOf(body, linkBase, service);
    }
  }

  async function* pages<T>(firstUrl: string, description: string, pageSize: number, signal?: AbortSignal) {
    for await (const body of bodies(firstUrl, description, { prefer: `odata.maxpagesize=${pageSize}`, ...sig(signal) }))
      yield valueOf<T>(body, service, description);
  }

  return { service, getJson, bodies, pages, checkLink: (link) => sameOriginLink(link, linkBase, service) };
}
