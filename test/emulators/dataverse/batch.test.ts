import assert from 'node:assert/strict';
import { startHarness, type Harness } from './helpers';

interface Part {
  method: string;
  url: string;
  body?: unknown;
  contentId?: string;
  headers?: Record<string, string>;
}

/** Builds a multipart/mixed batch body; an array element that is an array becomes a change set. */
function batchBody(boundary: string, items: (Part | Part[])[]): string {
  const part = (p: Part): string => {
    const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
    if (p.contentId !== undefined) lines.push(`Content-ID: ${p.contentId}`);
    lines.push('', `${p.method} ${p.url} HTTP/1.1`);
    if (p.body !== undefined) lines.push('Content-Type: application/json; type=entry');
    for (const [k, v] of Object.entries(p.headers ?? {})) lines.push(`${k}: ${v}`);
    lines.push('', p.body === undefined ? '' : JSON.stringify(p.body));
    return lines.join('\r\n');
  };
  const chunks = items.map((item, i) => {
    if (!Array.isArray(item)) return `--${boundary}\r\n${part(item)}\r\n`;
    const cs = `changeset_${i}`;
    const inner = item.map((p) => `--${cs}\r\n${part(p)}\r\n`).join('') + `--${cs}--`;
    return `--${boundary}\r\nContent-Type: multipart/mixed; boundary=${cs}\r\n\r\n${inner}\r\n`;
  });
  return chunks.join('') + `--${boundary}--\r\n`;
}

describe('Dataverse emulator: $batch', () => {
  let h: Harness;
  const sendBatch = (items: (Part | Part[])[], prefer?: string) =>
    h.api('POST', '$batch', {
      headers: { 'Content-Type': 'multipart/mixed; boundary="batch_abc"', ...(prefer ? { Prefer: prefer } : {}) },
      body: batchBody('batch_abc', items),
    });
  const names = async (): Promise<string[]> =>
    ((await h.api('GET', 'accounts?$select=name&$orderby=name')).json.value as { name: string }[]).map((v) => v.name);

  beforeEach(async () => {
    h ??= await startHarness();
    await h.control('POST', '/__emulator/reset');
  });
  after(async () => h.close());

  it('runs requests in order and answers each in a batchresponse_ part, creates with 204 and OData-EntityId', async () => {
    const r = await sendBatch([
      { method: 'POST', url: '/api/data/v9.2/accounts', body: { name: 'B1' } },
      { method: 'POST', url: `${h.emulator.apiBase}/accounts`, body: { name: 'B2' } },
      { method: 'GET', url: 'accounts?$select=name' },
    ]);
    assert.equal(r.status, 200);
    const boundary = /boundary=(batchresponse_[0-9a-f-]+)/.exec(r.headers.get('content-type') ?? '')?.[1];
    assert.ok(boundary, r.headers.get('content-type') ?? '');
    assert.equal(r.text.split(`--${boundary}\r\n`).length - 1, 3);
    assert.ok(r.text.trimEnd().endsWith(`--${boundary}--`));
    assert.equal((r.text.match(/HTTP\/1\.1 204 No Content/g) ?? []).length, 2);
    assert.match(r.text, /OData-EntityId: http:\/\/127\.0\.0\.1:\d+\/api\/data\/v9\.2\/accounts\(/);
    assert.match(r.text, /HTTP\/1\.1 200 OK[\s\S]*"name":"B1"/);
    assert.match(r.text, /HTTP\/1\.1 200 OK[\s\S]*"name":"B2"/);
  });

  it('stops at the first failure with an outer 400 by default', async () => {
    const r = await sendBatch([
      { method: 'POST', url: 'accounts', body: { name: 'S1' } },
      { method: 'POST', url: 'accounts', body: { nosuch: 1 } },
      { method: 'POST', url: 'accounts', body: { name: 'S3' } },
    ]);
    assert.equal(r.status, 400);
    assert.match(r.text, /HTTP\/1\.1 400 Bad Request/);
    assert.deepEqual(await names(), ['S1']);
  });

  it('continues after failures with Prefer: odata.continue-on-error (outer 200, a status per part)', async () => {
    const r = await sendBatch(
      [
        { method: 'POST', url: 'accounts', body: { name: 'C1' } },
        { method: 'POST', url: 'accounts', body: { nosuch: 1 } },
        { method: 'POST', url: 'accounts', body: { name: 'C3' } },
      ],
      'odata.continue-on-error',
    );
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('preference-applied'), 'odata.continue-on-error');
    assert.deepEqual(
      [...r.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]),
      ['204', '400', '204'],
    );
    assert.deepEqual(await names(), ['C1', 'C3']);
  });

  it('fails single operations inside a batch by fault rule, and the whole batch by a $batch rule', async () => {
    const parts = ['F1', 'F2', 'F3'].map((name) => ({ method: 'POST', url: 'accounts', body: { name } }));
    await h.control('POST', '/__emulator/faults', {
      rules: [{ entitySet: 'accounts', method: 'POST', status: 429, retryAfterSeconds: 2, count: 1 }],
    });
    const one = await sendBatch(parts, 'odata.continue-on-error');
    assert.equal(one.status, 200);
    assert.deepEqual(
      [...one.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]),
      ['429', '204', '204'],
    );
    assert.match(one.text, /HTTP\/1\.1 429[^]*?Retry-After: 2/);
    assert.deepEqual(await names(), ['F2', 'F3']);

    await h.control('POST', '/__emulator/faults', { rules: [{ entitySet: '$batch', status: 503, count: 1 }] });
    const whole = await sendBatch(parts, 'odata.continue-on-error');
    assert.equal(whole.status, 503);
    assert.doesNotMatch(whole.text, /HTTP\/1\.1/);
    assert.deepEqual(await names(), ['F2', 'F3'], 'nothing of the faulted batch ran');
    const stats = (await h.control('GET', '/__emulator/stats')).json;
    assert.equal(stats.batchOperations.byStatus['429'], 1);
    assert.equal(stats.byEntitySet['$batch'], 2);
  });

  it('rolls back a whole change set when one of its requests fails', async () => {
    const r = await sendBatch([
      [
        { method: 'POST', url: 'accounts', body: { name: 'T1' }, contentId: '1' },
        { method: 'PATCH', url: '$1', body: { telephone1: '1' } },
        { method: 'POST', url: 'accounts', body: { name: 'x'.repeat(200) } },
      ],
    ]);
    assert.equal(r.status, 400);
    assert.match(r.text, /0x80044331/);
    assert.deepEqual(await names(), []);
  });

  it('answers a successful change set inside changesetresponse_ with Content-IDs and resolves $n in URLs and binds', async () => {
    const r = await sendBatch([
      [
        { method: 'POST', url: 'contacts', body: { lastname: 'Primary' }, contentId: '1' },
        {
          method: 'POST',
          url: 'accounts',
          body: { name: 'Parent', 'primarycontactid@odata.bind': '$1' },
          contentId: '2',
        },
        { method: 'PATCH', url: '$2', body: { telephone1: '999' } },
        { method: 'PUT', url: '$1/firstname', body: { value: 'Pat' } },
      ],
    ]);
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /Content-Type: multipart\/mixed; boundary=changesetresponse_/);
    assert.match(r.text, /Content-ID: 1\r\n/);
    assert.match(r.text, /Content-ID: 2\r\n/);
    const account = (await h.api('GET', 'accounts?$select=name,telephone1,_primarycontactid_value')).json.value[0];
    assert.equal(account.telephone1, '999');
    const contact = (await h.api('GET', 'contacts?$select=fullname')).json.value[0];
    assert.equal(account._primarycontactid_value, contact.contactid);
    assert.equal(contact.fullname, 'Pat Primary');
  });

  it('answers 400 for a reference to an undeclared Content-ID', async () => {
    const inUrl = await sendBatch([[{ method: 'PATCH', url: '$7', body: { name: 'x' } }]]);
    assert.equal(inUrl.status, 400);
    assert.match(inUrl.text, /HTTP\/1\.1 400/);
    const inBind = await sendBatch([
      [{ method: 'POST', url: 'accounts', body: { name: 'x', 'primarycontactid@odata.bind': '$9' } }],
    ]);
    assert.equal(inBind.status, 400);
    assert.deepEqual(await names(), []);
  });

  it('refuses a GET inside a change set and more than 1,000 requests with 400', async () => {
    const get = await sendBatch([[{ method: 'GET', url: 'accounts' }]]);
    assert.equal(get.status, 400);
    assert.match(get.json.error.message, /GET/);
    const many = Array.from({ length: 1001 }, (_, i): Part => ({
      method: 'POST',
      url: 'accounts',
      body: { name: `M${i}` },
    }));
    const tooMany = await sendBatch(many);
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.json.error.message, /1000/);
    assert.deepEqual(await names(), []);
    const exactly = await sendBatch(many.slice(0, 1000));
    assert.equal(exactly.status, 200);
    assert.equal((await h.api('GET', 'accounts/$count')).text, '1000');
  });

  it('accepts LF line endings, a quoted boundary and a Content-ID among the inner headers', async () => {
    const body = [
      '--batch_lf',
      'Content-Type: multipart/mixed; boundary="changeset_lf"',
      '',
      '--changeset_lf',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'POST /api/data/v9.2/contacts HTTP/1.1',
      'Content-ID: a',
      'Content-Type: application/json',
      '',
      '{"lastname":"Lf"}',
      '--changeset_lf',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'POST /api/data/v9.2/accounts HTTP/1.1',
      'Content-Type: application/json',
      '',
      '{"name":"Lf Co","primarycontactid@odata.bind":"$a"}',
      '--changeset_lf--',
      '--batch_lf--',
      '',
    ].join('\n');
    const r = await h.api('POST', '$batch', {
      headers: { 'Content-Type': 'multipart/mixed; boundary="batch_lf"' },
      body,
    });
    assert.equal(r.status, 200, r.text);
    const account = (await h.api('GET', 'accounts?$select=_primarycontactid_value')).json.value[0];
    assert.ok(account._primarycontactid_value);
  });

  it('answers 400 for a body without the closing boundary or without a boundary parameter', async () => {
    const unterminated = await h.api('POST', '$batch', {
      headers: { 'Content-Type': 'multipart/mixed; boundary=b' },
      body: '--b\r\nContent-Type: application/http\r\n\r\nGET accounts HTTP/1.1\r\n\r\n',
    });
    assert.equal(unterminated.status, 400);
    const noBoundary = await h.api('POST', '$batch', { headers: { 'Content-Type': 'multipart/mixed' }, body: '--b--' });
    assert.equal(noBoundary.status, 400);
  });

  it('counts the batch once and its operations under batchOperations in stats', async () => {
    await h.control('POST', '/__emulator/stats/reset');
    await sendBatch([
      { method: 'POST', url: 'accounts', body: { name: 'S1' } },
      { method: 'GET', url: 'accounts' },
    ]);
    const stats = (await h.control('GET', '/__emulator/stats')).json;
    assert.equal(stats.total, 1);
    assert.equal(stats.byEntitySet.$batch, 1);
    assert.equal(stats.batchOperations.total, 2);
    assert.equal(stats.batchOperations.byEntitySet.accounts, 2);
    assert.equal(stats.batchOperations.byStatus['204'], 1);
  });
});
