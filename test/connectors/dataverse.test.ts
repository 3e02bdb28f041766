import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { startDataverseEmulator } from '../../emulators/dataverse';
import {
  type ChangeCursor,
  type ChangedPage,
  createDataverseClient,
  type DataverseClient,
  type DvRecord,
} from '../../connectors/dataverse';
import {
  AuthenticationError,
  ChangeTrackingExpiredError,
  ConcurrencyConflictError,
  ConnectorError,
  DuplicateKeyError,
  NotFoundError,
  ValidationError,
} from '../../connectors/http/errors';
import { ClientCredentialsTokenProvider } from '../../connectors/http/client-credentials-token-provider';
import { createTokenProvider } from '../../connectors/http/create-token-provider';
import type { TokenProvider } from '../../connectors/http/token-provider';
import { captureLogger, control, setFaults, stats, thrown, type TimedEvent } from './support/emulator-control';

const TENANT = 'cronus';
const CLIENT_ID = 'bcsync-demo';
const CLIENT_SECRET = 'bcsync-demo-secret';
const SCOPE = 'https://bcsync.crm.dynamics.com/.default';

describe('Dataverse connector against the Dataverse emulator', function () {
  this.timeout(120_000);
  let emulator: Awaited<ReturnType<typeof startDataverseEmulator>>;
  let offsetMs = 0;
  let tokens: TokenProvider;
  let dv: DataverseClient;
  const logger = captureLogger();
  const events: TimedEvent[] = [];

  const newClient = (overrides: Partial<Parameters<typeof createDataverseClient>[0]> = {}): DataverseClient =>
    createDataverseClient({
      url: emulator.url,
      tokenProvider: tokens,
      retry: { baseDelayMs: 20, maxDelayMs: 300, maxAttempts: 12 },
      logger,
      onRequest: (e) => {
        const end = Date.now();
        events.push({ status: e.status, method: e.method, url: e.url, start: end - e.durationMs, end });
      },
      ...overrides,
    });

  before(async () => {
    emulator = await startDataverseEmulator({
      seed: false,
      pageSize: 50,
      clock: () => new Date(Date.now() + offsetMs),
    });
    tokens = createTokenProvider({
      authorityHost: emulator.url,
      tenant: TENANT,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scope: SCOPE,
      logger,
    });
    dv = newClient();
  });

  after(async () => {
    await emulator?.close();
  });

  beforeEach(async () => {
    offsetMs = 0;
    await setFaults(emulator.url, []);
  });

  async function createAccounts(count: number, prefix: string): Promise<DvRecord[]> {
    const ops = Array.from({ length: count }, (_, i) => ({
      kind: 'createWithId' as const,
      set: 'accounts' as const,
      id: randomUUID(),
      body: { name: `${prefix} ${String(i).padStart(4, '0')}` },
    }));
    const results = await dv.writeBatch(ops, { select: ['name'] });
    return results.map((r, i) => {
      assert.ok(r.ok, `create ${i} failed: ${r.ok ? '' : r.error.message}`);
      return r.record!;
    });
  }

  async function listAccounts(): Promise<DvRecord[]> {
    const all: DvRecord[] = [];
    for await (const page of dv.listAll({ entitySet: 'accounts', select: ['name', 'modifiedon'] })) all.push(...page);
    return all;
  }

  it('creates a row with a client-chosen id, and a second create of the same id is DuplicateKeyError', async () => {
    const id = randomUUID();
    const created = await dv.createWithId('accounts', id, { name: 'Fabrikam' }, { select: ['name'] });
    assert.equal(created.accountid, id);
    assert.equal(created.name, 'Fabrikam');
    assert.ok(created['@odata.etag']);
    const again = await thrown(() => dv.createWithId('accounts', id, { name: 'Fabrikam again' }));
    assert.ok(again instanceof DuplicateKeyError, String(again));
    assert.equal(again.status, 412);
    assert.equal((await dv.get('accounts', id, { select: ['name'] }))?.name, 'Fabrikam');
  });

  it('reads the values of a choice column through the attribute metadata with their labels', async () => {
    const options = await dv.readChoiceOptions('account', 'paymenttermscode');
    assert.deepEqual(
      options.find((o) => o.value === 1),
      { value: 1, label: 'Net 30' },
    );
    assert.ok(options.length >= 4, JSON.stringify(options));
    const missing = await thrown(() => dv.readChoiceOptions('account', 'no_such_column'));
    assert.ok(missing instanceof NotFoundError, String(missing));
    const notChoice = await thrown(() => dv.readChoiceOptions('account', 'name'));
    assert.ok(notChoice instanceof NotFoundError, String(notChoice));
    const bad = await thrown(() => dv.readChoiceOptions('account', "x')/y"));
    assert.ok(bad instanceof ValidationError, String(bad));
  });

  it('inserts a choice value that then reads back and can be written, and a repeated value is DuplicateKeyError', async () => {
    const label = `Terms ${randomUUID().slice(0, 6)}`;
    const value = await dv.insertOptionValue('account', 'paymenttermscode', label);
    assert.ok(value >= 100_000_000, String(value));
    assert.deepEqual(
      (await dv.readChoiceOptions('account', 'paymenttermscode')).filter((o) => o.label === label),
      [{ value, label }],
    );
    const id = randomUUID();
    await dv.createWithId('accounts', id, { name: 'Choice user', paymenttermscode: value });
    assert.equal((await dv.get('accounts', id, { select: ['paymenttermscode'] }))?.paymenttermscode, value);

    const chosen = value + 17;
    assert.equal(await dv.insertOptionValue('account', 'paymenttermscode', 'Chosen', { value: chosen }), chosen);
    const again = await thrown(() => dv.insertOptionValue('account', 'paymenttermscode', 'Chosen', { value: chosen }));
    assert.ok(again instanceof DuplicateKeyError, String(again));
    assert.equal(
      (await dv.readChoiceOptions('account', 'paymenttermscode')).filter((o) => o.value === chosen).length,
      1,
    );
  });

  it('updates with the ETag, reports a stale ETag as ConcurrencyConflictError and a missing row as NotFoundError', async () => {
    const id = randomUUID();
    const created = await dv.createWithId('accounts', id, { name: 'Contoso' });
    const updated = await dv.update('accounts', id, { telephone1: '555-0100' }, created['@odata.etag'], {
      select: ['telephone1'],
    });
    assert.equal(updated.telephone1, '555-0100');
    const stale = await thrown(() => dv.update('accounts', id, { telephone1: '555-0199' }, created['@odata.etag']));
    assert.ok(stale instanceof ConcurrencyConflictError, String(stale));
    assert.equal(stale.status, 412);
    const missing = await thrown(() => dv.update('accounts', randomUUID(), { name: 'x' }));
    assert.ok(missing instanceof NotFoundError, String(missing));
    const staleDelete = await thrown(() => dv.delete('accounts', id, created['@odata.etag']));
    assert.ok(staleDelete instanceof ConcurrencyConflictError, String(staleDelete));
    await dv.delete('accounts', id, updated['@odata.etag']);
    assert.equal(await dv.get('accounts', id), null);
    const gone = await thrown(() => dv.delete('accounts', id));
    assert.ok(gone instanceof NotFoundError, String(gone));
  });

  it('finds one row by filter and reads rows by id in chunks', async () => {
    const rows = await createAccounts(120, 'Chunked');
    const found = await dv.findOne('accounts', `name eq 'Chunked 0007'`, { select: ['name'] });
    assert.equal(found?.accountid, rows[7].accountid);
    assert.equal(await dv.findOne('accounts', `name eq 'nobody here'`), null);
    const byIds = await dv.getByIds('accounts', [...rows.map((r) => String(r.accountid)), randomUUID()], {
      select: ['name'],
    });
    assert.equal(byIds.length, 120);
  });

  it('writes a batch with continue-on-error: valid rows are written, the invalid one is reported with the reason', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const results = await dv.writeBatch([
      { kind: 'createWithId', set: 'accounts', id: ids[0], body: { name: 'Batch ok 1' } },
      {
        kind: 'createWithId',
        set: 'accounts',
        id: ids[1],
        body: { name: 'Batch bad', 'transactioncurrencyid@odata.bind': `/transactioncurrencies(${randomUUID()})` },
      },
      { kind: 'createWithId', set: 'accounts', id: ids[2], body: { name: 'Batch ok 2' } },
    ]);
    assert.ok(results[0].ok && results[2].ok, inspect(results));
    const bad = results[1];
    assert.ok(!bad.ok);
    assert.ok(bad.error instanceof ValidationError, inspect(bad.error));
    assert.equal(bad.error.scope, 'record');
    assert.equal(bad.error.recordKey, ids[1]);
    assert.match(bad.error.message, /transactioncurrency With Id = .* Does Not Exist/);
    assert.equal(await dv.get('accounts', ids[1]), null);
    assert.ok(await dv.get('accounts', ids[2]));
  });

  it('reports updates, deletes and duplicate creates per operation inside one batch', async () => {
    const [a, b] = await createAccounts(2, 'Mixed');
    const results = await dv.writeBatch([
      {
        kind: 'update',
        set: 'accounts',
        id: String(a.accountid),
        body: { name: 'Mixed renamed' },
        etag: String(a['@odata.etag']),
      },
      { kind: 'delete', set: 'accounts', id: String(b.accountid) },
      { kind: 'createWithId', set: 'accounts', id: String(a.accountid), body: { name: 'dup' } },
      {
        kind: 'update',
        set: 'accounts',
        id: String(a.accountid),
        body: { name: 'stale' },
        etag: String(a['@odata.etag']),
      },
    ]);
    assert.ok(results[0].ok && results[0].etag);
    assert.ok(results[1].ok);
    assert.ok(!results[2].ok && results[2].error instanceof DuplicateKeyError, inspect(results[2]));
    assert.ok(!results[3].ok && results[3].error instanceof ConcurrencyConflictError, inspect(results[3]));
  });

  it('pages changed rows across 3+ pages while rows change between pages, missing and repeating none', async () => {
    await control(emulator.url, 'reset');
    // The emulator keeps modifiedon strictly increasing (real Dataverse stores whole seconds, so rows tie there); ties
    // and GUID order are covered by changed-page-reader.test.ts.
    await createAccounts(120, 'Paged');
    const seen: string[] = [];
    let after: ChangeCursor | null = null;
    let pages = 0;
    for (;;) {
      const page = await dv.readChangedPage({ entitySet: 'accounts', after, pageSize: 25, select: ['name'] });
      pages++;
      for (const r of page.records) seen.push(`${String(r.accountid)}@${String(r.modifiedon)}`);
      if (!page.next) break;
      after = page.next;
      if (pages <= 3) {
        const all = await listAccounts();
        const readIds = new Set(seen.map((s) => s.split('@')[0]));
        const done = all.find((r) => readIds.has(String(r.accountid)))!;
        const todo = all.find((r) => !readIds.has(String(r.accountid)))!;
        await dv.update('accounts', String(done.accountid), { telephone1: `changed-${pages}` });
        await dv.update('accounts', String(todo.accountid), { telephone1: `changed-${pages}` });
        await createAccounts(1, `Added ${pages}`);
      }
    }
    assert.ok(pages >= 4, `pages: ${pages}`);
    assert.equal(new Set(seen).size, seen.length, 'a row version was returned twice');
    for (const r of await listAccounts())
      assert.ok(seen.includes(`${String(r.accountid)}@${String(r.modifiedon)}`), `missed ${String(r.name)}`);
  });

  it('reads every row through the id keyset path used for large timestamp ties', async () => {
    const keyset = newClient({ cursorIdLimit: 1 });
    const expected = new Set((await listAccounts()).map((r) => String(r.accountid)));
    const seen: string[] = [];
    let after: ChangeCursor | null = null;
    for (;;) {
      const page: ChangedPage<DvRecord> = await keyset.readChangedPage({ entitySet: 'accounts', after, pageSize: 7 });
      seen.push(...page.records.map((r) => String(r.accountid)));
      if (!page.next) break;
      assert.equal(page.next.ids.length, 1);
      after = page.next;
    }
    assert.equal(seen.length, expected.size);
    assert.deepEqual(new Set(seen), expected);
  });

  it('tracks changes and deletions through delta links, and reports an expired token as ChangeTrackingExpiredError', async () => {
    await control(emulator.url, 'reset');
    const rows = await createAccounts(30, 'Tracked');
    const first = await dv.trackChanges('accounts', { select: ['name'] });
    assert.equal(first.changed.length, 30);
    assert.deepEqual(first.deleted, []);
    await dv.update('accounts', String(rows[0].accountid), { name: 'Tracked renamed' });
    await dv.delete('accounts', String(rows[1].accountid));
    const second = await dv.trackChanges('accounts', { select: ['name'], deltaLink: first.deltaLink });
    assert.deepEqual(
      second.changed.map((r) => r.accountid),
      [rows[0].accountid],
    );
    assert.deepEqual(second.deleted, [rows[1].accountid]);
    offsetMs = 40 * 24 * 3600 * 1000;
    const expired = await thrown(() => dv.trackChanges('accounts', { select: ['name'], deltaLink: second.deltaLink }));
    assert.ok(expired instanceof ChangeTrackingExpiredError, String(expired));
    assert.match(expired.message, /full sync/);
  });

  it('completes reads and writes through a 30 % storm of 429s and honours Retry-After', async () => {
    await control(emulator.url, 'reset');
    await createAccounts(120, 'Storm');
    await setFaults(emulator.url, [{ status: 429, rate: 0.3, retryAfterSeconds: 1 }]);
    events.length = 0;
    const before = (await stats(emulator.url)).byStatus['429'] ?? 0;
    let listed = 0;
    for await (const page of dv.listAll({ entitySet: 'accounts', pageSize: 40 })) listed += page.length;
    assert.equal(listed, 120);
    const created = await createAccounts(40, 'Storm write');
    assert.equal(created.length, 40);
    const changed = await dv.readChangedPage({ entitySet: 'accounts', after: null, pageSize: 200 });
    assert.equal(changed.records.length, 160);
    assert.ok(((await stats(emulator.url)).byStatus['429'] ?? 0) - before > 0, 'the storm never hit');
    for (const hit of events.filter((e) => e.status === 429)) {
      const early = events.filter((e) => e.start > hit.end && e.start < hit.end + 950);
      assert.deepEqual(early, [], `requests started ${early.map((e) => e.start - hit.end).join(',')} ms after a 429`);
    }
  });

  it('recovers transparently when every token expires mid-run', async () => {
    await createAccounts(5, 'Expiry');
    const before = (await stats(emulator.url)).byStatus['401'] ?? 0;
    await control(emulator.url, 'tokens/expire');
    const page = await dv.readChangedPage({ entitySet: 'accounts', after: null, pageSize: 3 });
    assert.equal(page.records.length, 3);
    await createAccounts(2, 'After expiry');
    assert.equal(((await stats(emulator.url)).byStatus['401'] ?? 0) - before, 1);
  });

  it('fetches one token for concurrent callers and refreshes it in the background before it expires', async () => {
    let now = Date.now();
    const provider = new ClientCredentialsTokenProvider({
      tokenUrl: emulator.tokenUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scope: SCOPE,
      now: () => now,
    });
    const tokenRequests = async (): Promise<number> => (await stats(emulator.url)).tokenRequests ?? 0;
    const before = await tokenRequests();
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => provider.getToken()));
    assert.equal(new Set(concurrent).size, 1);
    assert.equal((await tokenRequests()) - before, 1);
    now += 56 * 60 * 1000; // inside the 5-minute refresh window of a 3599 s token
    assert.equal(await provider.getToken(), concurrent[0], 'the cached token is served while refreshing');
    const deadline = Date.now() + 5000;
    while ((await tokenRequests()) - before < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await tokenRequests()) - before, 2);
    assert.notEqual(await provider.getToken(), concurrent[0]);
  });

  it('keeps the client secret and tokens out of errors and logs', async () => {
    const wrongSecret = 'wrong-dv-secret-456';
    const bad = newClient({
      tokenProvider: createTokenProvider({
        authorityHost: emulator.url,
        tenant: TENANT,
        clientId: CLIENT_ID,
        clientSecret: wrongSecret,
        scope: SCOPE,
        logger,
      }),
    });
    const authError = await thrown(() => bad.get('accounts', randomUUID()));
    assert.ok(authError instanceof AuthenticationError, String(authError));
    const token = await tokens.getToken();
    const apiError = await thrown(() => dv.update('accounts', randomUUID(), { name: 'x' }));
    assert.ok(apiError instanceof ConnectorError);
    for (const error of [authError, apiError]) {
      const rendered = [inspect(error, { depth: 10 }), JSON.stringify(error), (error as Error).stack ?? ''].join('\n');
      assert.ok(!rendered.includes(wrongSecret) && !rendered.includes(CLIENT_SECRET), 'secret leaked into an error');
      assert.ok(!rendered.includes(token), 'token leaked into an error');
      assert.doesNotMatch(rendered, /Bearer /);
    }
    const logs = logger.lines.join('\n');
    assert.ok(logger.lines.length > 0);
    assert.ok(!logs.includes(CLIENT_SECRET) && !logs.includes(wrongSecret) && !logs.includes(token));
    assert.doesNotMatch(logs, /Bearer |authorization/i);
  });
});
