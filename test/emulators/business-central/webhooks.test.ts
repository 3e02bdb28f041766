import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { errorCode, startHarness, type BcHarness, type Json } from './helpers';

/** A local webhook receiver: answers the validation handshake and records notification bodies. */
interface Receiver {
  url: string;
  notifications: Json[];
  /** Statuses to answer the next notification POSTs with (then 200). */
  nextStatuses: number[];
  /** Answer the handshake with a wrong token. */
  badHandshake: boolean;
  handshakes: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver = { notifications: [] as Json[], nextStatuses: [] as number[], badHandshake: false, handshakes: 0 };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://receiver');
    const token = url.searchParams.get('validationToken');
    if (request.method === 'GET' && token) {
      receiver.handshakes++;
      response.writeHead(200, { 'content-type': 'text/plain' }).end(receiver.badHandshake ? 'wrong' : token);
      return;
    }
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      const status = receiver.nextStatuses.shift() ?? 200;
      receiver.notifications.push({ status, body: JSON.parse(text) });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('BC emulator: webhooks', () => {
  let h: BcHarness;
  let receiver: Receiver;
  beforeEach(async () => {
    h = await startHarness({
      seed: { customers: 4, postedInvoices: 0, draftInvoices: 1 },
      webhooks: { debounceMs: 150, collectionThreshold: 3, retryDelayMs: 50 },
    });
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  const subscribe = (set: string, clientState = 'secret') =>
    h.json(`${h.bc.apiBase}/subscriptions`, {
      method: 'POST',
      body: { notificationUrl: receiver.url, resource: `/api/v2.0/companies(${h.bc.companyId})/${set}`, clientState },
    });

  it('creates a subscription after the validation handshake, expiring in 3 days', async () => {
    const { status, body } = await subscribe('customers');
    assert.equal(status, 201);
    assert.equal(receiver.handshakes, 1);
    assert.match(body.subscriptionId, /^[0-9a-f]{32}$/);
    // Exactly 3 days after the subscription was made (by the emulator's clock, not the test's).
    assert.equal(Date.parse(body.expirationDateTime) - Date.parse(body.lastModifiedDateTime), 3 * 86_400_000);
    const list = await h.json(`${h.bc.apiBase}/subscriptions`);
    assert.deepEqual(
      list.body.value.map((s: Json) => s.subscriptionId),
      [body.subscriptionId],
    );
  });

  it('refuses a subscription when the handshake fails or the set does not support webhooks', async () => {
    receiver.badHandshake = true;
    const failed = await subscribe('customers');
    assert.equal(failed.status, 400);
    errorCode(failed.body);
    receiver.badHandshake = false;
    assert.equal((await subscribe('contacts')).status, 400);
  });

  it('debounces changes and sends them grouped in one value[] per notification URL', async () => {
    const customers = (await subscribe('customers')).body;
    const items = (await subscribe('items')).body;
    const created = (await h.json(h.companyUrl('customers'), { method: 'POST', body: { displayName: 'Hooked' } })).body;
    await h.json(h.companyUrl(`customers(${created.id})`), {
      method: 'PATCH',
      body: { city: 'Oslo' },
      headers: { 'if-match': '*' },
    });
    const item = (await h.json(h.companyUrl('items?$top=1'))).body.value[0];
    await h.call(h.companyUrl(`items(${item.id})`), { method: 'DELETE' });
    await waitFor(() => receiver.notifications.length >= 1, 'a notification');
    // One POST carries the changes of both subscriptions, and the create + update of one record is one entry.
    const value = receiver.notifications[0].body.value as Json[];
    const bySub = (id: string) => value.filter((v) => v.subscriptionId === id);
    assert.deepEqual(
      bySub(customers.subscriptionId).map((v) => [v.changeType, v.resource]),
      [['created', `api/v2.0/companies(${h.bc.companyId})/customers(${created.id})`]],
    );
    assert.deepEqual(
      bySub(items.subscriptionId).map((v) => v.changeType),
      ['deleted'],
    );
    assert.equal(bySub(customers.subscriptionId)[0].clientState, 'secret');
  });

  it('notifies the invoice header when a line changes', async () => {
    const sub = (await subscribe('salesInvoices')).body;
    const draft = (await h.json(h.companyUrl("salesInvoices?$filter=status eq 'Draft'"))).body.value[0];
    await h.json(h.companyUrl(`salesInvoices(${draft.id})/salesInvoiceLines`), {
      method: 'POST',
      body: { lineObjectNumber: '1000', quantity: 2 },
    });
    await waitFor(() => receiver.notifications.length >= 1, 'a notification');
    const value = receiver.notifications[0].body.value as Json[];
    assert.deepEqual(
      value.map((v) => [v.subscriptionId, v.resource, v.changeType]),
      [[sub.subscriptionId, `api/v2.0/companies(${h.bc.companyId})/salesInvoices(${draft.id})`, 'updated']],
    );
  });

  it('sends one collection notification above the threshold', async () => {
    await subscribe('customers');
    for (let i = 0; i < 5; i++)
      await h.json(h.companyUrl('customers'), { method: 'POST', body: { displayName: `Bulk ${i}` } });
    await waitFor(() => receiver.notifications.length >= 1, 'a notification');
    const value = receiver.notifications[0].body.value as Json[];
    assert.equal(value.length, 1);
    assert.equal(value[0].changeType, 'collection');
    assert.match(value[0].resource, /customers\?\$filter=lastModifiedDateTime%20gt%20\d{4}-/);
  });

  it('retries after 503 and deletes the subscription after a 404', async () => {
    await subscribe('customers');
    receiver.nextStatuses = [503];
    await h.json(h.companyUrl('customers'), { method: 'POST', body: { displayName: 'Retry Me' } });
    await waitFor(() => receiver.notifications.length >= 2, 'a retried notification');
    assert.deepEqual(
      receiver.notifications.map((n) => n.status),
      [503, 200],
    );
    receiver.nextStatuses = [404];
    await h.json(h.companyUrl('customers'), { method: 'POST', body: { displayName: 'Gone' } });
    await waitFor(() => receiver.notifications.length >= 3, 'the third notification');
    const deadline = Date.now() + 5000;
    let remaining: Json[] = [{}];
    while (remaining.length > 0 && Date.now() < deadline)
      remaining = (await h.json(`${h.bc.apiBase}/subscriptions`)).body.value as Json[];
    assert.deepEqual(remaining, [], 'a 404 from the subscriber deletes the subscription');
  });

  it('renews with PATCH (If-Match and a fresh handshake) and deletes with DELETE', async () => {
    const sub = (await subscribe('customers')).body;
    const url = `${h.bc.apiBase}/subscriptions('${sub.subscriptionId}')`;
    assert.equal((await h.json(url, { method: 'PATCH', body: {} })).status, 400);
    const renewed = await h.json(url, { method: 'PATCH', body: {}, headers: { 'if-match': sub['@odata.etag'] } });
    assert.equal(renewed.status, 200);
    assert.equal(receiver.handshakes, 2);
    assert.ok(renewed.body.expirationDateTime >= sub.expirationDateTime);
    const stale = await h.json(url, { method: 'PATCH', body: {}, headers: { 'if-match': sub['@odata.etag'] } });
    assert.equal(stale.status, 409);
    assert.equal((await h.call(url, { method: 'DELETE' })).status, 204);
    assert.equal((await h.json(url)).status, 404);
  });

  it('does not notify changes of a rolled-back snapshot batch', async () => {
    await subscribe('customers');
    await h.json(`${h.bc.apiBase}/$batch`, {
      method: 'POST',
      headers: { Isolation: 'snapshot' },
      body: {
        requests: [
          { id: '1', method: 'POST', url: `companies(${h.bc.companyId})/customers`, body: { displayName: 'Ghost' } },
          { id: '2', method: 'POST', url: `companies(${h.bc.companyId})/customers`, body: { city: 'no name' } },
        ],
      },
    });
    await h.json(h.companyUrl('customers'), { method: 'POST', body: { displayName: 'Real' } });
    await waitFor(() => receiver.notifications.length >= 1, 'a notification');
    const value = receiver.notifications[0].body.value as Json[];
    assert.equal(value.length, 1, 'only the committed create is notified');
  });
});
