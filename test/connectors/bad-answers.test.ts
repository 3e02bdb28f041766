/**
 * Bad answers from the APIs (issue 12, docs/reliability.md "Bad input"): both connectors, talking over real HTTP to a
 * small local server that answers what a broken proxy or a misbehaving service would, turn each answer into a typed
 * error that names the service, the request and what came back, retryable where asking again can help, and never take
 * such an answer for success.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createBusinessCentralClient, type BusinessCentralClient } from '../../connectors/business-central';
import { createDataverseClient, type DataverseClient } from '../../connectors/dataverse';
import { TransientServerError, ValidationError } from '../../connectors/http/errors';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const ACCOUNT_ID = '00000000-0000-4000-8000-0000000000a1';
const CUSTOMER_ID = '00000000-0000-4000-8000-0000000000b1';
const COMPANY_ID = '00000000-0000-4000-8000-0000000000c1';
const PROXY_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const tokenProvider = { getToken: async () => 'token', invalidate: () => undefined };
const retry = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 };

describe('bad answers from the APIs become clear connector errors', function () {
  this.timeout(30_000);
  let server: Server;
  let base: string;
  let handler: Handler;
  let requests: Array<{ method: string; url: string }>;

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        requests.push({ method: req.method ?? '', url: req.url ?? '' });
        handler(req, res, body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (requests = []));

  const answer =
    (status: number, contentType: string | null, text: string): Handler =>
    (_req, res) => {
      res.writeHead(status, contentType ? { 'Content-Type': contentType } : {});
      res.end(text);
    };
  const dv = (): DataverseClient => createDataverseClient({ url: base, tokenProvider, retry });
  const bc = (): BusinessCentralClient =>
    createBusinessCentralClient({
      apiUrl: `${base}/v2.0`,
      tenant: 'cronus',
      companyId: COMPANY_ID,
      tokenProvider,
      retry,
    });

  /** Asserts `promise` rejects with `Class`, then returns the error for further checks. */
  async function failure<E extends Error>(promise: Promise<unknown>, Class: new (...args: never[]) => E): Promise<E> {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof Class, `expected ${Class.name}, got ${String(error)}`);
      return error;
    }
    assert.fail(`expected ${Class.name}, but the call succeeded`);
  }

  it("retries a proxy's HTML 502 page, then reports it as transient with the page's text", async () => {
    handler = answer(502, 'text/html', PROXY_502);
    const error = await failure(dv().findOne('accounts', "name eq 'x'"), TransientServerError);
    assert.equal(requests.length, 2, 'asked again once (maxAttempts 2)');
    assert.equal(error.retryable, true);
    assert.equal(
      error.message,
      "Dataverse rejected GET accounts: HTTP 502 (502); the answer was text/html, not JSON: '<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> <hr><center>nginx</center> </body> </html>'",
    );
  });

  it("recovers when the proxy's 502 page was a passing hiccup", async () => {
    let calls = 0;
    handler = (req, res, body) =>
      (calls++ === 0 ? answer(502, 'text/html', PROXY_502) : answer(200, 'application/json', '{"value":[]}'))(
        req,
        res,
        body,
      );
    assert.equal(await dv().findOne('accounts', "name eq 'x'"), null);
    assert.equal(requests.length, 2);
  });

  it('reports a truncated JSON body as InvalidJson with its end, never as an empty answer', async () => {
    handler = answer(200, 'application/json; odata.metadata=minimal', `{"value":[{"accountid":"${ACCOUNT_ID}","na`);
    const error = await failure(dv().findOne('accounts', "name eq 'x'"), TransientServerError);
    assert.equal(error.code, 'InvalidJson');
    assert.equal(error.retryable, true);
    assert.equal(
      error.message,
      `Dataverse answered GET accounts with 200, but the answer was application/json; odata.metadata=minimal, not JSON: '{"value":[{"accountid":"${ACCOUNT_ID}","na'`,
    );
  });

  it('reports a body cut off by a dropped connection as a retryable NetworkError', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
      res.write('{"value":[');
      setTimeout(() => res.destroy(), 20);
    };
    const error = await failure(dv().findOne('accounts', "name eq 'x'"), TransientServerError);
    assert.equal(error.code, 'NetworkError');
    assert.equal(error.retryable, true);
    assert.equal(requests.length, 2, 'a GET is asked again');
    assert.match(error.message, /^GET accounts failed without a response \(.+\)$/);
  });

  it('refuses a 200 HTML sign-in page from a proxy (wrong content type) as InvalidJson naming the content type', async () => {
    handler = answer(200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><title>Sign in to your account</title>');
    const error = await failure(bc().get('customers', CUSTOMER_ID), TransientServerError);
    assert.equal(error.code, 'InvalidJson');
    assert.equal(error.service, 'business-central');
    assert.equal(
      error.message,
      `Business Central answered GET customers(${CUSTOMER_ID}) with 200, but the answer was text/html; charset=utf-8, not JSON: '<!DOCTYPE html><html><title>Sign in to your account</title>'`,
    );
  });

  it('refuses a 200 whose body is an OData error instead of reading it as the record', async () => {
    handler = answer(
      200,
      'application/json',
      '{"error":{"code":"Internal_ServerError","message":"Something went wrong.  CorrelationId: 1b2c."}}',
    );
    const error = await failure(bc().get('customers', CUSTOMER_ID), TransientServerError);
    assert.equal(error.code, 'ErrorInSuccess');
    assert.equal(error.retryable, true);
    assert.equal(
      error.message,
      `Business Central answered GET customers(${CUSTOMER_ID}) with 200 (success) but an error body: Internal_ServerError 'Something went wrong. CorrelationId: 1b2c.'`,
    );
  });

  it('refuses a collection answer without value instead of reading "no such record" (which would create a duplicate)', async () => {
    handler = answer(200, 'application/json', '{"@odata.context":"x"}');
    const error = await failure(bc().findOne('customers', "number eq '10000'"), TransientServerError);
    assert.equal(error.code, 'UnexpectedBody');
    assert.equal(
      error.message,
      `Business Central answered GET customers with JSON that has no 'value' array: '{"@odata.context":"x"}'`,
    );
  });

  it('refuses JSON that is not an object (null, an array)', async () => {
    for (const text of ['null', '[1,2]']) {
      handler = answer(200, 'application/json', text);
      const error = await failure(dv().get('accounts', ACCOUNT_ID), TransientServerError);
      assert.equal(error.code, 'UnexpectedBody');
      assert.equal(
        error.message,
        `Dataverse answered GET accounts(${ACCOUNT_ID}) with 200 and JSON that is not an object: '${text}'`,
      );
    }
  });

  it("reports an error code the connector does not know with the API's code and message, not retryable", async () => {
    handler = answer(
      400,
      'application/json',
      '{"error":{"code":"0x8009ffff","message":"A brand-new rule refused it."}}',
    );
    const error = await failure(dv().get('accounts', ACCOUNT_ID), ValidationError);
    assert.equal(error.code, '0x8009ffff');
    assert.equal(error.retryable, false);
    assert.equal(
      error.message,
      `Dataverse rejected GET accounts(${ACCOUNT_ID}): A brand-new rule refused it. (400 0x8009ffff)`,
    );
  });

  it('reports a status the connector does not know: 418 is refused, 520 (a CDN origin error) is transient', async () => {
    handler = answer(418, 'text/plain', "I'm a teapot");
    const teapot = await failure(bc().get('customers', CUSTOMER_ID), ValidationError);
    assert.equal(
      teapot.message,
      `Business Central rejected GET customers(${CUSTOMER_ID}): unexpected response (418 HTTP_418); the answer was text/plain, not JSON: 'I'm a teapot'`,
    );
    assert.equal(teapot.retryable, false);
    handler = answer(520, 'text/html', '<h1>Web server is returning an unknown error</h1>');
    const origin = await failure(bc().get('customers', CUSTOMER_ID), TransientServerError);
    assert.equal(origin.retryable, true);
    assert.match(origin.message, /unexpected response \(520 HTTP_520\); the answer was text\/html, not JSON: '<h1>/);
  });

  it('reports a Dataverse $batch answered with JSON instead of multipart as UnexpectedContentType', async () => {
    handler = answer(200, 'application/json', '{"value":[]}');
    const error = await failure(
      dv().writeBatch([{ kind: 'update', set: 'accounts', id: ACCOUNT_ID, body: { name: 'x' }, etag: 'W/"1"' }]),
      TransientServerError,
    );
    assert.equal(error.code, 'UnexpectedContentType');
    assert.equal(error.retryable, true);
    assert.equal(
      error.message,
      `Dataverse answered POST $batch (1 operations) with 200, but the answer was application/json, not multipart/mixed: '{"value":[]}'`,
    );
  });

  it('re-sends Dataverse $batch operations missing from the answer and reports them unexecuted when they stay missing', async () => {
    handler = answer(200, 'multipart/mixed; boundary=batchresponse_1', '--batchresponse_1--\r\n');
    const results = await dv().writeBatch([
      { kind: 'update', set: 'accounts', id: ACCOUNT_ID, body: { name: 'x' }, etag: 'W/"1"' },
    ]);
    assert.equal(requests.length, 2, 'sent again once (maxAttempts 2)');
    const [result] = results;
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'NotExecuted');
    assert.equal(result.error.retryable, true);
    assert.match(
      result.error.message,
      new RegExp(
        `^Dataverse did not execute PATCH accounts\\(${ACCOUNT_ID}\\) in the \\$batch \\(the batch stopped early\\); the operation stayed unexecuted \\(NotExecuted\\) after 2 attempts over \\d+ s; the record will be retried on the next run$`,
      ),
    );
  });

  it('reports Business Central $batch operations missing from the answer: an update is re-sent, a create is unknown', async () => {
    handler = answer(200, 'application/json', '{"responses":[]}');
    const results = await bc().writeBatch([
      { kind: 'update', entitySet: 'customers', id: CUSTOMER_ID, etag: 'W/"1"', body: { displayName: 'x' } },
      { kind: 'create', entitySet: 'customers', body: { displayName: 'y' }, key: '10000' },
    ]);
    assert.equal(requests.length, 2, 'the update was sent again once');
    const [update, create] = results;
    assert.ok(!update.ok && !create.ok);
    assert.equal(update.error.code, 'MissingBatchResponse');
    assert.match(
      update.error.message,
      new RegExp(
        `^Business Central returned no result for PATCH customers\\(${CUSTOMER_ID}\\) in a \\$batch; the operation stayed unexecuted \\(MissingBatchResponse\\) after 2 attempts`,
      ),
    );
    assert.equal(create.error.code, 'OutcomeUnknown');
    assert.equal(
      create.error.message,
      'POST customers (10000) got no definite answer (MissingBatchResponse): the outcome is unknown, the record may have been created; look it up by its key before creating it again',
    );
  });
});
