/**
 * Invariant 5 (DESIGN §7.5): secrets stay secret. A full synchronization of every mapping runs on the real stack — a
 * `bcsync worker` process with debug logs, both emulators each with a client secret of its own, a MySQL store reached
 * as a user with a password, an operator token for the console — and afterwards none of the secrets, nor any access
 * token the emulators issued, is found in a log line, a row of any table, a workflow history (payloads included), a
 * search attribute or memo, or a page the product serves.
 *
 * The scanner is proven able to see each kind of place: a value planted in each is found.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { startBusinessCentralEmulator } from '../../emulators/business-central';
import { startDataverseEmulator } from '../../emulators/dataverse';
import { defaultMappings, demoMappingOverrides } from '../../mappings';
import type { Store } from '../../store/database';
import { migrateLatest } from '../../store/migrate';
import { BcSyncMapping } from '../../workflows/definitions';
import { freePort, runBcsync, spawnBcsync } from '../support/cli';
import { eventually, testResources, uniqueName } from '../support/env';
import {
  findLeaks,
  type Haystack,
  historyHaystacks,
  logHaystacks,
  type Secret,
  storeHaystacks,
  urlHaystacks,
} from '../support/secret-scan';
import { openFreshStore } from '../support/stores';
import { runFullSync, runSync } from '../support/sync-runs';

const TENANT = 'cronus';
const ORG_URL = 'https://bcsync.crm.dynamics.com';
const secretLike = (prefix: string) => `${prefix}-${randomBytes(12).toString('base64url')}`;

/**
 * Pages of the product to scan besides logs, tables and histories: every page a running process of this test serves
 * (the sync console's pages, read with the operator token, go here). `env` is the worker's environment, ports included.
 */
async function extraUrls(env: Record<string, string>, admin: Knex, database: string): Promise<string[]> {
  const base = `http://127.0.0.1:${env.CONSOLE_PORT}`;
  const jobs: unknown[] = await admin
    .withSchema(database)
    .from('sync_jobs')
    .orderBy('failed', 'desc')
    .limit(2)
    .pluck('id');
  const [customer]: unknown[] = await admin
    .withSchema(database)
    .from('couplings')
    .where({ mapping: 'CUSTOMER' })
    .limit(1)
    .pluck('bc_id');
  return [
    '/',
    '/jobs',
    ...jobs.map((id) => `/jobs/${String(id)}`),
    '/skipped',
    '/couplings?mapping=CUSTOMER',
    `/records?mapping=CUSTOMER&bc=${String(customer)}`,
    '/login',
  ].map((p) => `${base}${p}`);
}

describe('secrets never leak (DESIGN §7.5)', function () {
  this.timeout(300_000);

  const bcSecret = secretLike('bc-client-secret');
  const dvSecret = secretLike('dv-client-secret');
  const mysqlPassword = secretLike('mysql-pw');
  const operatorToken = secretLike('operator-token');
  const mysqlUser = `bcsync_scan_${process.pid}_${Date.now().toString(36)}`.slice(0, 32);

  let bc: Awaited<ReturnType<typeof startBusinessCentralEmulator>>;
  let dv: Awaited<ReturnType<typeof startDataverseEmulator>>;
  let store: Store;
  let admin: Knex;
  let database: string;
  let env: Record<string, string>;
  let taskQueue: string;
  let workerOutput = '';
  const cliOutputs: Array<{ name: string; output: string }> = [];

  before(async () => {
    const seed = { matchingSystemUsers: 6 };
    bc = await startBusinessCentralEmulator({
      port: 0,
      seed,
      tenant: TENANT,
      clientId: 'bcsync-scan',
      clientSecret: bcSecret,
    });
    dv = await startDataverseEmulator({
      port: 0,
      seed,
      tenant: TENANT,
      clientId: 'bcsync-scan',
      clientSecret: dvSecret,
      orgUrl: ORG_URL,
    });
    store = await openFreshStore('mysql');
    await migrateLatest(store);
    const conn = store.knex.client.config.connection as { host: string; port: number; database: string };
    database = conn.database;
    // The worker reaches MySQL as a user with a password, so the password is in MYSQL_URL like in production.
    admin = knexFactory({
      client: 'mysql2',
      connection: `${testResources().mysqlServerUrl}/`,
      pool: { min: 0, max: 1 },
    });
    await admin.raw(`CREATE USER ?@'%' IDENTIFIED BY ?`, [mysqlUser, mysqlPassword]);
    await admin.raw(`GRANT ALL PRIVILEGES ON ??.* TO ?@'%'`, [database, mysqlUser]);

    const dir = mkdtempSync(path.join(tmpdir(), 'bcsync-secret-scan-'));
    const mappingsFile = path.join(dir, 'mappings.json');
    writeFileSync(mappingsFile, JSON.stringify(demoMappingOverrides));
    // One secret from a file, as production deployments mount them.
    const dvSecretFile = path.join(dir, 'dataverse-client-secret');
    writeFileSync(dvSecretFile, `${dvSecret}\n`, { mode: 0o600 });
    taskQueue = uniqueName('secret-scan');
    env = {
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      TEMPORAL_ADDRESS: testResources().temporal.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      MYSQL_URL: `mysql://${mysqlUser}:${encodeURIComponent(mysqlPassword)}@${conn.host}:${conn.port}/${database}`,
      BC_API_URL: `${bc.url}/v2.0`,
      BC_AUTHORITY_HOST: bc.url,
      BC_TENANT_ID: TENANT,
      BC_COMPANY_ID: bc.companyId,
      BC_CLIENT_ID: 'bcsync-scan',
      BC_CLIENT_SECRET: bcSecret,
      DATAVERSE_URL: dv.url,
      DATAVERSE_AUTHORITY_HOST: dv.url,
      DATAVERSE_TENANT_ID: TENANT,
      DATAVERSE_CLIENT_ID: 'bcsync-scan',
      DATAVERSE_CLIENT_SECRET_FILE: dvSecretFile,
      EMULATOR_DV_ORG_URL: ORG_URL,
      MAPPINGS_FILE: mappingsFile,
      METRICS_PORT: String(await freePort()),
      CONSOLE_OPERATOR_TOKEN: operatorToken,
      CONSOLE_PORT: String(await freePort()),
      DATA_DIR: dir,
    };
  });

  after(async () => {
    await store?.close();
    if (admin) {
      await admin.raw(`DROP USER IF EXISTS ?@'%'`, [mysqlUser]);
      await admin.destroy();
    }
    await bc?.close();
    await dv?.close();
  });

  it('finds no client secret, access token, database password or operator token anywhere after a full synchronization', async () => {
    const names = defaultMappings().map((m) => m.name);
    const worker = spawnBcsync(['worker'], env);
    const exited = new Promise<void>((resolve) => worker.child.once('close', () => resolve()));
    let consolePages: Haystack[] = [];
    try {
      await eventually(() => /worker started/.test(worker.output()), 'the worker to start', 60_000);
      const result = await runFullSync(taskQueue, names);
      assert.equal(result.mappings.length, names.length, JSON.stringify(result));
      assert.ok(
        result.mappings.some((m) => m.state === 'done'),
        `the full synchronization did real work: ${JSON.stringify(result.mappings.map((m) => [m.mapping, m.state]))}`,
      );
      // And an incremental run after it, as the schedules run them.
      await runSync(taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' });
      // Operator commands log with the same configuration.
      for (const args of [
        ['jobs', '--json'],
        ['errors', '--json'],
        ['couplings', 'CUSTOMER', '--json'],
        ['mappings'],
      ]) {
        const r = await runBcsync(args, env);
        assert.equal(r.code, 0, `bcsync ${args.join(' ')}: ${r.stderr}`);
        cliOutputs.push({ name: `bcsync ${args.join(' ')}`, output: `${r.stdout}\n${r.stderr}` });
      }
      // The console the worker serves, read with the operator token while the worker runs.
      consolePages = await urlHaystacks(await extraUrls(env, admin, database), {
        headers: { authorization: `Bearer ${operatorToken}` },
      });
      for (const page of consolePages) assert.match(page.source, /\(HTTP 200\)$/, page.source);
      assert.ok(
        consolePages.some((p) => p.text.includes('CUSTOMER')),
        'the console pages show the synchronization',
      );
    } finally {
      worker.child.kill('SIGTERM');
      await exited;
      workerOutput = worker.output();
    }

    const tokens = async (url: string) =>
      ((await (await fetch(`${url}/__emulator/tokens`)).json()) as { issued: string[] }).issued;
    const bcTokens = await tokens(bc.url);
    const dvTokens = await tokens(dv.url);
    assert.ok(bcTokens.length > 0 && dvTokens.length > 0, 'the worker authenticated with both services');
    const secrets: Secret[] = [
      { label: 'Business Central client secret', value: bcSecret },
      { label: 'Dataverse client secret', value: dvSecret },
      { label: 'MySQL password', value: mysqlPassword },
      { label: 'console operator token', value: operatorToken },
      ...bcTokens.map((value, i) => ({ label: `Business Central access token ${i + 1}`, value })),
      ...dvTokens.map((value, i) => ({ label: `Dataverse access token ${i + 1}`, value })),
    ];

    const logLines = logHaystacks('worker log', workerOutput);
    assert.ok(logLines.length > 50, `the worker logged (${logLines.length} lines)`);
    assert.ok(
      logLines.some((l) => l.text.includes('"level":20')),
      'debug lines are among them (LOG_LEVEL=debug took effect)',
    );
    const rows = await storeHaystacks(admin, database);
    assert.ok(
      rows.some((r) => r.source.startsWith('table couplings ')),
      'the store holds couplings',
    );
    assert.ok(
      rows.some((r) => r.source.startsWith('table sync_jobs ')),
      'and jobs',
    );
    const histories = await eventually(async () => {
      const found = await historyHaystacks(testResources().temporal.client, `TaskQueue = "${taskQueue}"`);
      return found.filter((h) => h.source.startsWith('history of full-sync-')).length > 0 && found;
    }, 'the runs to be listed');
    // The full synchronization, a child run per mapping, and the incremental run.
    const runs = histories.filter((h) => h.source.startsWith('history of ')).length;
    assert.ok(runs > names.length, `every run is scanned (${runs} histories)`);
    const haystacks: Haystack[] = [
      ...logLines,
      ...cliOutputs.flatMap((c) => logHaystacks(c.name, c.output)),
      ...rows,
      ...histories,
      ...consolePages,
    ];
    const leaks = findLeaks(haystacks, secrets);
    assert.deepEqual(
      leaks,
      [],
      `secrets found:\n${leaks.map((l) => `${l.secret} in ${l.source}: ${l.excerpt}`).join('\n')}`,
    );
  });

  it('sees a value planted in a log line, a table, a workflow history, a search attribute and a page', async () => {
    const planted = secretLike('planted');
    const secrets = [{ label: 'planted value', value: planted }];

    // A log line: the CLI names a mapping it does not know on stderr.
    const cli = await runBcsync(['run', planted], env);
    assert.equal(cli.code, 2);
    assert.deepEqual(
      findLeaks(logHaystacks('bcsync run', `${cli.stdout}\n${cli.stderr}`), secrets).map((l) => l.secret),
      ['planted value'],
    );

    // A table the scan did not know of, in a binary column.
    await admin.schema.withSchema(database).createTable('secret_scan_canary', (t) => t.binary('value', 255));
    await admin
      .withSchema(database)
      .table('secret_scan_canary')
      .insert({ value: Buffer.from(planted) });
    assert.deepEqual(
      findLeaks(await storeHaystacks(admin, database), secrets).map((l) => l.source),
      ['table secret_scan_canary row 1'],
    );

    // A workflow input (a payload in the history) and a search attribute; no worker polls this queue.
    const { client } = testResources().temporal;
    const queue = uniqueName('secret-scan-canary');
    const handle = await client.workflow.start('syncMapping', {
      taskQueue: queue,
      workflowId: uniqueName('secret-scan-canary'),
      args: [{ mapping: planted, mode: 'incremental' }],
      typedSearchAttributes: [{ key: BcSyncMapping, value: planted }],
    });
    try {
      const found = await eventually(async () => {
        const leaks = findLeaks(await historyHaystacks(client, `TaskQueue = "${queue}"`), secrets);
        return leaks.length === 2 && leaks;
      }, 'the canary run to be listed');
      // Found twice: in the history (the start event's input) and in the search attributes as the server indexes them.
      assert.deepEqual(found.map((l) => l.source.split(' ')[0]).sort(), ['history', 'search']);
    } finally {
      await handle.terminate('secret scan canary');
    }

    // A page: the emulators' token list holds every token they issued.
    const bcTokens = ((await (await fetch(`${bc.url}/__emulator/tokens`)).json()) as { issued: string[] }).issued;
    assert.ok(bcTokens.length > 0);
    const pageLeaks = findLeaks(await urlHaystacks([`${bc.url}/__emulator/tokens`]), [
      { label: 'a token', value: bcTokens[0] },
    ]);
    assert.deepEqual(
      pageLeaks.map((l) => l.source),
      [`page ${bc.url}/__emulator/tokens (HTTP 200)`],
    );
  });
});
