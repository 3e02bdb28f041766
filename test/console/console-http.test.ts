/**
 * The sync console without a browser (fastify inject against a real MySQL store and the run's Temporal dev server):
 * security headers, read-only refusal, who may act, escaping, and pages that stay fast at 100,000 jobs and errors.
 */
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildConsole } from '../../client/console/server';
import type { Store } from '../../store/database';
import { migrateLatest } from '../../store/migrate';
import { listErrors } from '../../store/sync-errors';
import { startMappingSchedules } from '../../client/commands/schedule';
import { openOperatorEnv, type OperatorEnv, terminateAll } from '../cli/operator-env';
import { OPERATOR_TOKEN, consoleContext } from '../support/console';
import { eventually, uniqueName } from '../support/env';
import { openFreshStore } from '../support/stores';

const ACTIONS: Array<[string, Record<string, string>]> = [
  ['/actions/run', { mapping: 'CUSTOMER' }],
  ['/actions/retry', { job: '1' }],
  ['/actions/sync-record', { mapping: 'CUSTOMER', side: 'bc', id: '00000000-0000-0000-0000-000000000001' }],
  ['/actions/schedule', { mapping: 'CUSTOMER', state: 'pause' }],
  [
    '/actions/couple',
    { mapping: 'CUSTOMER', bc: '00000000-0000-0000-0000-000000000001', dv: '00000000-0000-0000-0000-000000000002' },
  ],
  ['/actions/uncouple', { mapping: 'CUSTOMER', side: 'bc', id: '00000000-0000-0000-0000-000000000001' }],
  ['/actions/restore', { mapping: 'CUSTOMER', all: 'on' }],
];

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('sync console over HTTP', function () {
  this.timeout(120_000);
  let store: Store;
  const apps: FastifyInstance[] = [];

  before(async () => {
    store = await openFreshStore('mysql');
    await migrateLatest(store);
  });
  after(async () => {
    for (const app of apps) await app.close();
    await store.close();
  });

  async function consoleApp(token?: string): Promise<FastifyInstance> {
    const { ctx, logger } = consoleContext({ store, taskQueue: uniqueName('console'), token });
    const app = await buildConsole({ ctx, logger, operatorToken: token });
    apps.push(app);
    return app;
  }

  async function addJob(fields: Record<string, unknown> = {}): Promise<number> {
    const [id] = await store.knex('sync_jobs').insert({
      idempotency_key: uniqueName('job'),
      mapping: 'CUSTOMER',
      direction: 'to-dataverse',
      type: 'sync',
      mode: 'incremental',
      workflow_id: 'sync-customer-2026-11-24T03:30:00Z',
      run_id: '0190b3d2-0000-7000-8000-000000000001',
      started_at: new Date('2026-11-24T03:30:00.000Z'),
      finished_at: new Date('2026-11-24T03:30:04.250Z'),
      status: 'completed_with_errors',
      failed: 1,
      ...fields,
    });
    return Number(id);
  }

  it('sends the security headers on every page and never lets one be cached', async () => {
    const app = await consoleApp();
    for (const url of ['/', '/jobs', '/skipped', '/couplings', '/no-such-page']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, url === '/no-such-page' ? 404 : 200, `${url}: ${res.body.slice(0, 300)}`);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/, url);
      assert.match(csp, /script-src 'none'/, `${url}: no script runs on a console page`);
      assert.match(csp, /frame-ancestors 'self'/, url);
      assert.match(csp, /form-action 'self'/, url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN', url);
      assert.equal(res.headers['referrer-policy'], 'same-origin', url);
      assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', url);
      assert.match(String(res.headers['strict-transport-security']), /max-age=\d+/, url);
      assert.equal(res.headers['cache-control'], 'no-store', url);
      assert.equal(res.headers['x-powered-by'], undefined, url);
      assert.match(String(res.headers['content-type']), /^text\/html/, url);
    }
  });

  it('refuses every action when started without an operator token, and offers none', async () => {
    const app = await consoleApp();
    const jobsBefore = await store.knex('sync_jobs').count({ n: '*' });
    for (const [url, fields] of ACTIONS) {
      const res = await app.inject({ method: 'POST', url, headers: FORM, payload: form(fields) });
      assert.equal(res.statusCode, 403, `${url}: ${res.body.slice(0, 200)}`);
      assert.match(res.body, /The console is read-only: actions need an operator token/, url);
      // Even with something that looks like a token: there is none to match.
      const bearer = await app.inject({
        method: 'POST',
        url,
        headers: { ...FORM, authorization: `Bearer ${OPERATOR_TOKEN}` },
        payload: form(fields),
      });
      assert.equal(bearer.statusCode, 403, url);
    }
    assert.deepEqual(await store.knex('sync_jobs').count({ n: '*' }), jobsBefore, 'nothing was started');
    const jobId = await addJob();
    const page = await app.inject({ url: `/jobs/${jobId}` });
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /action="\/actions\//, 'a read-only page has no action forms');
    assert.match(page.body, /Read-only \(no operator token configured\)/);
    assert.equal((await app.inject({ url: '/login' })).statusCode, 404);
    assert.equal(
      (await app.inject({ method: 'POST', url: '/login', headers: FORM, payload: form({ token: 'x' }) })).statusCode,
      403,
    );
  });

  it('with a token, acts only for a logged-in operator or a bearer of the token, and never shows the token', async () => {
    const app = await consoleApp(OPERATOR_TOKEN);
    const bodies: string[] = [];
    const missing = { job: '999999999' };

    const anonymous = await app.inject({
      method: 'POST',
      url: '/actions/retry',
      headers: FORM,
      payload: form(missing),
    });
    assert.equal(anonymous.statusCode, 401);
    assert.match(anonymous.body, /log in first/);

    const wrong = await app.inject({ method: 'POST', url: '/login', headers: FORM, payload: form({ token: 'guess' }) });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.headers['set-cookie'], undefined);
    assert.match(wrong.body, /That is not the operator token/);
    bodies.push(wrong.body);

    const login = await app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: form({ token: OPERATOR_TOKEN, next: '//evil.example/' }),
    });
    assert.equal(login.statusCode, 303);
    assert.equal(login.headers.location, '/', 'no redirect off the console');
    const setCookie = String(login.headers['set-cookie']);
    assert.match(
      setCookie,
      /^bcsync_console_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );
    assert.ok(!setCookie.includes(OPERATOR_TOKEN), 'the cookie holds a session id, not the token');
    const cookie = setCookie.split(';')[0];

    // Authorized: the retry itself is refused for a job that does not exist (409), not for who asks.
    const acted = await app.inject({
      method: 'POST',
      url: '/actions/retry',
      headers: { ...FORM, cookie },
      payload: form(missing),
    });
    assert.equal(acted.statusCode, 409, acted.body.slice(0, 300));
    assert.match(acted.body, /job 999999999 not found/);
    bodies.push(acted.body);

    const crossSite = await app.inject({
      method: 'POST',
      url: '/actions/retry',
      headers: { ...FORM, cookie, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      payload: form(missing),
    });
    assert.equal(crossSite.statusCode, 401, 'a form posted from another site does not act');
    const hiddenOrigin = await app.inject({
      method: 'POST',
      url: '/actions/retry',
      headers: { ...FORM, cookie, origin: 'null' },
      payload: form(missing),
    });
    assert.equal(hiddenOrigin.statusCode, 401, 'a hidden origin needs Sec-Fetch-Site: same-origin to vouch for it');

    const bearer = await app.inject({
      method: 'POST',
      url: '/actions/retry',
      headers: { ...FORM, authorization: `Bearer ${OPERATOR_TOKEN}` },
      payload: form(missing),
    });
    assert.equal(bearer.statusCode, 409);
    const badBearer = await app.inject({
      method: 'POST',
      url: '/actions/retry',
      headers: { ...FORM, authorization: `Bearer ${OPERATOR_TOKEN}x` },
      payload: form(missing),
    });
    assert.equal(badBearer.statusCode, 401);

    const jobId = await addJob();
    await store.knex('sync_errors').insert({
      job_id: jobId,
      mapping: 'CUSTOMER',
      direction: 'to-dataverse',
      source_id: '00000000-0000-0000-0000-00000000000a',
      message: "Customer 'Adatum' could not be created in Dataverse (account): too long — shorten the value",
      created_at: new Date(),
    });
    for (const url of ['/', '/jobs', `/jobs/${jobId}`, '/skipped', '/couplings', '/login']) {
      const res = await app.inject({ url, headers: { cookie } });
      assert.equal(res.statusCode, 200, url);
      bodies.push(res.body);
    }
    assert.match(bodies.at(-4)!, /Retry the failed records of job/, 'an operator sees the retry button');
    const loggedOut = await app.inject({ method: 'POST', url: '/logout', headers: { cookie } });
    assert.match(String(loggedOut.headers['set-cookie']), /Max-Age=0/);
    const afterLogout = await app.inject({
      method: 'POST',
      url: '/actions/retry',
      headers: { ...FORM, cookie },
      payload: form(missing),
    });
    assert.equal(afterLogout.statusCode, 401, 'the session ended');
    for (const body of bodies) assert.ok(!body.includes(OPERATOR_TOKEN), 'no page renders the operator token');
  });

  it("pauses and resumes a mapping's schedule for an operator, keeping the interval an operator chose, and runs it now", async () => {
    // A namespace of its own: schedule ids (bcsync-customer) are fixed by the product.
    const op: OperatorEnv = await openOperatorEnv();
    try {
      const { ctx, logger } = consoleContext({
        store,
        taskQueue: op.taskQueue,
        token: OPERATOR_TOKEN,
        namespace: op.namespace,
      });
      const app = await buildConsole({ ctx, logger, operatorToken: OPERATOR_TOKEN });
      apps.push(app);
      await startMappingSchedules(ctx, ['CUSTOMER'], { every: '45m' });
      const bearer = { ...FORM, authorization: `Bearer ${OPERATOR_TOKEN}` };
      const handle = op.client.schedule.getHandle('bcsync-customer');

      const mappings = await app.inject({ url: '/', headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
      assert.match(mappings.body, /<span class="status ok">active<\/span> every 45m/);
      const paused = await app.inject({
        method: 'POST',
        url: '/actions/schedule',
        headers: bearer,
        payload: form({ mapping: 'customer', state: 'pause' }),
      });
      assert.equal(paused.statusCode, 200, paused.body.slice(0, 300));
      let d = await handle.describe();
      assert.deepEqual([d.state.paused, d.state.note], [true, 'paused in the console']);
      assert.match((await app.inject({ url: '/' })).body, /<span class="status warn">paused<\/span> every 45m/);

      const resumed = await app.inject({
        method: 'POST',
        url: '/actions/schedule',
        headers: bearer,
        payload: form({ mapping: 'CUSTOMER', state: 'resume' }),
      });
      assert.equal(resumed.statusCode, 200, resumed.body.slice(0, 300));
      assert.match(resumed.body, /Resumed the schedule of CUSTOMER: every 45m/);
      d = await handle.describe();
      assert.equal(d.state.paused, false);
      assert.equal(
        d.spec.intervals?.[0].every,
        45 * 60_000,
        "resume keeps the operator's interval, not the mapping's 30m",
      );

      const none = await app.inject({
        method: 'POST',
        url: '/actions/schedule',
        headers: bearer,
        payload: form({ mapping: 'CONTACT', state: 'pause' }),
      });
      assert.equal(none.statusCode, 409);
      assert.match(none.body, /no schedule for CONTACT/);
      await handle.delete();

      // Run now starts the mapping's run as `bcsync run` does (no worker polls this queue: it stays running), and a
      // second press is refused while it runs.
      const run = await app.inject({
        method: 'POST',
        url: '/actions/run',
        headers: bearer,
        payload: form({ mapping: 'CUSTOMER' }),
      });
      assert.equal(run.statusCode, 200, run.body.slice(0, 300));
      const workflowId = /Started (run-customer-[0-9TZ-]+)\./.exec(run.body)?.[1];
      assert.ok(workflowId, run.body);
      const described = await op.client.workflow.getHandle(workflowId).describe();
      assert.equal(described.type, 'syncMapping');
      assert.equal(described.taskQueue, op.taskQueue);
      assert.match(
        run.body,
        new RegExp(`href="http://localhost:\\d+/namespaces/${op.namespace}/workflows/${workflowId}/`),
      );
      await eventually(async () => {
        const again = await app.inject({
          method: 'POST',
          url: '/actions/run',
          headers: bearer,
          payload: form({ mapping: 'CUSTOMER' }),
        });
        return again.statusCode === 409 && /CUSTOMER is already being synchronized by run-customer-/.test(again.body);
      }, 'a second Run now to be refused while the first runs');
    } finally {
      await terminateAll(op.client);
      await op.close();
    }
  });

  it('escapes what the store holds (messages, ids, mapping names) through the template engine', async () => {
    const app = await consoleApp();
    const evil = `<script>alert("x")</script> & 'quotes'`;
    const jobId = await addJob({ message: evil, mapping: 'CUSTOMER<b>' });
    await store.knex('sync_errors').insert({
      job_id: jobId,
      mapping: 'CUSTOMER',
      direction: 'to-dataverse',
      source_id: '"><img src=x onerror=alert(1)>',
      message: `Customer '<i>Adatum</i>' could not be created in Dataverse (account): ${evil} — shorten the <value>`,
      created_at: new Date(),
    });
    const res = await app.inject({ url: `/jobs/${jobId}` });
    assert.equal(res.statusCode, 200);
    assert.ok(!res.body.includes('<script>alert'), 'no markup from the store reaches the page');
    assert.ok(!res.body.includes('<img src=x'), 'nor from an id');
    assert.ok(!res.body.includes('<i>Adatum'), 'nor from a record name');
    assert.match(res.body, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &#39;quotes&#39;/);
    assert.match(res.body, /Customer &#39;&lt;i&gt;Adatum&lt;\/i&gt;&#39;/, 'the record name is shown, escaped');
    assert.match(res.body, /Shorten the &lt;value&gt;/, 'and what to do');
    const list = await app.inject({ url: '/jobs?mapping=' + encodeURIComponent('CUSTOMER<b>') });
    assert.ok(!list.body.includes('CUSTOMER<b>'));
    assert.match(list.body, /CUSTOMER&lt;b&gt;/);
  });

  it('pages 100,000 jobs and 100,000 errors of one job through indexes, at the same cost at any depth', async function () {
    this.timeout(300_000);
    const mappings = ['CUSTOMER', 'CONTACT', 'CURRENCY', 'SALESPEOPLE', 'ITEM-PRODUCT'];
    const statuses = ['succeeded', 'succeeded', 'succeeded', 'completed_with_errors', 'failed'];
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const N = 100_000;
    const rows = [];
    for (let i = 0; i < N; i++) {
      rows.push({
        idempotency_key: `bulk-${i}`,
        mapping: mappings[i % mappings.length],
        direction: i % 2 ? 'to-bc' : 'to-dataverse',
        type: 'sync',
        mode: 'incremental',
        started_at: new Date(t0 + i * 60_000),
        finished_at: new Date(t0 + i * 60_000 + 3000),
        status: statuses[i % statuses.length],
        failed: statuses[i % statuses.length] === 'succeeded' ? 0 : 1,
      });
    }
    for (let i = 0; i < rows.length; i += 5000) await store.knex('sync_jobs').insert(rows.slice(i, i + 5000));
    const bigJob = await addJob({ failed: N });
    const errors = [];
    for (let i = 0; i < N; i++) {
      errors.push({
        job_id: bigJob,
        mapping: 'CUSTOMER',
        direction: 'to-dataverse',
        source_id: `src-${i}`,
        message: `Customer 'C${i}' could not be created in Dataverse (account): too long — shorten the value`,
        created_at: new Date(t0 + i * 1000),
      });
    }
    for (let i = 0; i < errors.length; i += 5000) await store.knex('sync_errors').insert(errors.slice(i, i + 5000));
    await store.knex.raw('ANALYZE TABLE sync_jobs, sync_errors');

    // Every job-list query shape uses an index for both the filter and the order: no filesort, no full scan.
    const explain = async (builder: () => ReturnType<typeof store.knex>) => {
      const { sql, bindings } = builder().toSQL();
      const [plan] = (await store.knex.raw(`EXPLAIN ${sql}`, bindings as never[])) as [Array<Record<string, unknown>>];
      return plan;
    };
    const jobShapes: Record<string, () => ReturnType<typeof store.knex>> = {
      newest: () =>
        store
          .knex('sync_jobs')
          .orderBy([
            { column: 'started_at', order: 'desc' },
            { column: 'id', order: 'desc' },
          ])
          .limit(51),
      mapping: () =>
        store
          .knex('sync_jobs')
          .where({ mapping: 'CONTACT' })
          .orderBy([
            { column: 'started_at', order: 'desc' },
            { column: 'id', order: 'desc' },
          ])
          .limit(51),
      status: () =>
        store
          .knex('sync_jobs')
          .where({ status: 'failed' })
          .orderBy([
            { column: 'started_at', order: 'desc' },
            { column: 'id', order: 'desc' },
          ])
          .limit(51),
      mappingStatus: () =>
        store
          .knex('sync_jobs')
          .where({ mapping: 'CURRENCY', status: 'failed' })
          .orderBy([
            { column: 'started_at', order: 'desc' },
            { column: 'id', order: 'desc' },
          ])
          .limit(51),
      errorsOfJob: () =>
        store
          .knex('sync_errors')
          .where({ job_id: bigJob })
          .orderBy([
            { column: 'created_at', order: 'desc' },
            { column: 'id', order: 'desc' },
          ])
          .limit(51),
    };
    for (const [shape, builder] of Object.entries(jobShapes)) {
      const plan = await explain(builder);
      assert.equal(plan.length, 1, shape);
      assert.ok(plan[0].key, `${shape} uses an index: ${JSON.stringify(plan[0])}`);
      assert.doesNotMatch(
        String((plan[0].Extra as string | null) ?? ''),
        /filesort/i,
        `${shape} needs no sort: ${JSON.stringify(plan[0])}`,
      );
    }

    const app = await consoleApp();
    const timed = async (url: string) => {
      const started = process.hrtime.bigint();
      const res = await app.inject({ url });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
      return { res, ms };
    };
    const first = await timed('/jobs');
    assert.equal((first.res.body.match(/<tr>\s*<td><a href="\/jobs\/\d+">/g) ?? []).length, 50);
    // Walk 20 pages deep by the page's own "Older" link; the last page costs what the first did.
    let res = first.res;
    let lastMs = 0;
    for (let i = 0; i < 20; i++) {
      const next = /href="(\/jobs\?[^"]*after=[^"]+)" rel="next"/.exec(res.body)?.[1];
      assert.ok(next, `page ${i + 1} links the next one`);
      ({ res, ms: lastMs } = await timed(next.replace(/&amp;/g, '&')));
    }
    const filtered = await timed('/jobs?mapping=CURRENCY&status=failed&since=2026-01-10T00:00');
    const errorsFirst = await timed(`/jobs/${bigJob}`);
    assert.match(errorsFirst.res.body, /more than 10000 \(at least 10000 not resolved by a later job\)/);
    const errorsNext = /href="(\/jobs\/\d+\?after=[^"]+)" rel="next"/.exec(errorsFirst.res.body)?.[1];
    assert.ok(errorsNext);
    const errorsDeep = await timed(errorsNext);
    const deepErrors = await listErrors(store.knex, {
      jobId: bigJob,
      after: { createdAt: new Date(t0 + 500 * 1000), id: 1 },
      limit: 3,
    });
    assert.deepEqual(
      deepErrors.map((e) => e.sourceId),
      ['src-499', 'src-498', 'src-497'],
      'keyset pages continue where the last ended',
    );
    console.log(
      `      console pages at ${N} jobs/errors: /jobs ${first.ms.toFixed(0)} ms, 21st page ${lastMs.toFixed(0)} ms, ` +
        `filtered ${filtered.ms.toFixed(0)} ms, job errors ${errorsFirst.ms.toFixed(0)} ms, next errors ${errorsDeep.ms.toFixed(0)} ms`,
    );
    for (const ms of [first.ms, lastMs, filtered.ms, errorsFirst.ms, errorsDeep.ms]) assert.ok(ms < 1500, `${ms} ms`);
  });
});
