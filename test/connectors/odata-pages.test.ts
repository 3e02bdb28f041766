/**
 * Server-driven paging and JSON answers of the shared OData reader, against a small real HTTP server: nextLinks are
 * followed verbatim with the same Prefer on every page, a link to another host is refused before anything is sent to
 * it, and a body that is not JSON fails with the service's name.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createConnectorCore } from '../../connectors/http/connector-core';
import { TransientServerError, ValidationError } from '../../connectors/http/errors';
import { createODataReader, type ODataReader } from '../../connectors/http/odata-pages';
import { dvClassifier } from '../../connectors/dataverse/classify-error';

interface Seen {
  path: string;
  prefer: string | undefined;
}

/** Answers each path with `routes[path]` (an object is sent as JSON, a string as is) and records the requests. */
async function startServer(
  routes: (base: string) => Record<string, unknown>,
): Promise<{ base: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  let answers: Record<string, unknown> = {};
  const server = createServer((req: IncomingMessage, res) => {
    const path = req.url ?? '';
    seen.push({ path, prefer: req.headers.prefer as string | undefined });
    const answer = answers[path];
    if (answer === undefined) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":{"code":"NotFound","message":"no"}}');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(typeof answer === 'string' ? answer : JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  answers = routes(base);
  return { base, seen, server };
}

function reader(base: string): ODataReader {
  const core = createConnectorCore(
    { tokenProvider: { getToken: async () => 'token', invalidate: () => undefined }, retry: { maxAttempts: 1 } },
    { service: 'dataverse', maxConcurrency: 2, defaultHeaders: { Accept: 'application/json' } },
  );
  return createODataReader({ http: core.httpCore(dvClassifier('none')), service: 'dataverse', linkBase: base });
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('createODataReader', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('follows every nextLink verbatim and asks for the same page size on each page', async () => {
    const started = await startServer((base) => ({
      '/rows?$top=9': { value: [{ n: 1 }, { n: 2 }], '@odata.nextLink': `${base}/rows?$skiptoken=abc%3D` },
      '/rows?$skiptoken=abc%3D': { value: [{ n: 3 }], '@odata.nextLink': '/rows?last=1' },
      '/rows?last=1': { value: [] },
    }));
    server = started.server;
    const pages = await collect(
      reader(started.base).pages<{ n: number }>(`${started.base}/rows?$top=9`, 'GET rows', 2),
    );
    assert.deepEqual(pages, [[{ n: 1 }, { n: 2 }], [{ n: 3 }], []]);
    assert.deepEqual(started.seen, [
      { path: '/rows?$top=9', prefer: 'odata.maxpagesize=2' },
      { path: '/rows?$skiptoken=abc%3D', prefer: 'odata.maxpagesize=2' },
      { path: '/rows?last=1', prefer: 'odata.maxpagesize=2' },
    ]);
  });

  it('refuses a nextLink to another host after yielding the page that carried it', async () => {
    const started = await startServer(() => ({
      '/rows': { value: [{ n: 1 }], '@odata.nextLink': 'http://attacker.example/rows?page=2' },
    }));
    server = started.server;
    const yielded: unknown[][] = [];
    await assert.rejects(
      (async () => {
        for await (const page of reader(started.base).pages(`${started.base}/rows`, 'GET rows', 10)) yielded.push(page);
      })(),
      (error: unknown) =>
        error instanceof ValidationError && error.code === 'ForeignLink' && /attacker\.example/.test(error.message),
    );
    assert.deepEqual(yielded, [[{ n: 1 }]]);
    assert.equal(started.seen.length, 1);
  });

  it('reports a body that is not JSON as a retryable InvalidJson naming the service and the request', async () => {
    const started = await startServer(() => ({ '/broken': '<html>proxy error</html>' }));
    server = started.server;
    await assert.rejects(reader(started.base).getJson(`${started.base}/broken`, 'GET accounts'), (error: unknown) => {
      assert.ok(error instanceof TransientServerError);
      assert.equal(error.code, 'InvalidJson');
      assert.equal(error.retryable, true);
      assert.equal(
        error.message,
        "Dataverse answered GET accounts with 200, but the answer was application/json, not JSON: '<html>proxy error</html>'",
      );
      return true;
    });
  });

  it('sends Prefer only when asked to and returns the whole body of a single GET', async () => {
    const started = await startServer(() => ({ '/one': { value: [{ n: 1 }], '@odata.deltaLink': 'x' } }));
    server = started.server;
    const r = reader(started.base);
    assert.deepEqual(await r.getJson(`${started.base}/one`, 'GET one'), { value: [{ n: 1 }], '@odata.deltaLink': 'x' });
    await r.getJson(`${started.base}/one`, 'GET one', { prefer: 'odata.track-changes' });
    assert.deepEqual(
      started.seen.map((s) => s.prefer),
      [undefined, 'odata.track-changes'],
    );
  });
});
