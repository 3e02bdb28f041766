import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { migrations } from '../../store/migrations';
import { testResources } from '../support/env';
import { freePort, runBcsync } from '../support/cli';
import { startSyncStack, type SyncStack } from '../support/sync-stack';

describe('the bcsync CLI', function () {
  this.timeout(120_000);

  it('lists its commands in --help and exits 0', async () => {
    const r = await runBcsync(['--help']);
    assert.equal(r.code, 0);
    for (const cmd of ['start', 'worker', 'migrate', 'smoke', 'jobs'])
      assert.match(r.stdout, new RegExp(`^\\s+${cmd}\\b`, 'm'));
  });

  it('exits 2 with a reason on an unknown command or a bad option value', async () => {
    const unknown = await runBcsync(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const badLimit = await runBcsync(['jobs', '--limit', 'many']);
    assert.equal(badLimit.code, 2);
    assert.match(badLimit.stderr, /option '--limit <n>' argument 'many' is invalid\. expected a positive whole number/);
  });

  it('refuses manual record operations without exactly one side or with a bad id', async () => {
    const neither = await runBcsync(['sync-record', 'CUSTOMER']);
    assert.equal(neither.code, 2);
    assert.match(neither.stderr, /either --bc or --dv/);
    const bad = await runBcsync(['uncouple', 'CUSTOMER', '--bc', 'not-a-guid']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /'not-a-guid' is not a record id/);
    const oneWay = await runBcsync(['sync-record', 'CURRENCY', '--dv', '00000000-0000-4000-8000-000000000001']);
    assert.equal(oneWay.code, 2);
    assert.match(oneWay.stderr, /CURRENCY synchronizes to-dataverse/);
  });

  it('refuses to start a worker with a bad mapping override file, naming the mapping and the field', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bcsync-map-')), 'mappings.json');
    writeFileSync(
      file,
      JSON.stringify({ mappings: { CUSTOMER: { fieldMappings: [{ bcField: 'city', direction: 'sideways' }] } } }),
    );
    const r = await runBcsync(['worker'], { MAPPINGS_FILE: file });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^bcsync: bad configuration: MAPPINGS_FILE: .*mapping CUSTOMER, field 'fieldMappings\[0\]\.direction'/m,
    );
  });

  it('exits 2 naming MYSQL_URL when it is malformed', async () => {
    const r = await runBcsync(['jobs'], { MYSQL_URL: 'postgres://db/x' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^bcsync: bad configuration: MYSQL_URL: /m);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  });

  it('exits 1 naming MYSQL_URL when that server cannot be reached, without leaking the password', async () => {
    const port = await freePort();
    const r = await runBcsync(['migrate'], { MYSQL_URL: `mysql://root:hunter2@127.0.0.1:${port}/bcsync` });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^bcsync: MYSQL_URL: cannot connect to mysql:\/\/root:\*\*\*@127\.0\.0\.1/m);
    assert.doesNotMatch(r.stderr, /hunter2/);
  });

  it('exits 1 naming MYSQL_URL and the database when a read command is given one that does not exist, and creates none', async () => {
    const { mysqlServerUrl, database } = testResources();
    const misspelled = `${database}_misspelt`;
    const r = await runBcsync(['jobs', '--json'], { MYSQL_URL: `${mysqlServerUrl}/${misspelled}` });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^bcsync: MYSQL_URL: the database '${misspelled}' does not exist on mysql://.*; check the database name`,
      ),
    );
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    const admin = knexFactory({ client: 'mysql2', connection: `${mysqlServerUrl}/` });
    try {
      const [rows] = (await admin.raw('SHOW DATABASES LIKE ?', [misspelled])) as [unknown[]];
      assert.deepEqual(rows, [], 'the read command created no database');
    } finally {
      await admin.destroy();
    }
  });

  it('exits 1 telling to run bcsync migrate when a read command finds the schema behind, and migrates nothing', async () => {
    const { mysqlServerUrl, database } = testResources();
    const empty = `${database}_unmigrated`;
    const admin = knexFactory({ client: 'mysql2', connection: `${mysqlServerUrl}/` });
    try {
      await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4', [empty]);
      const r = await runBcsync(['errors'], { MYSQL_URL: `${mysqlServerUrl}/${empty}` });
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        /^bcsync: mysql:\/\/.* is not migrated \(\d+ migration\(s\) pending, from 2026\d+-create-couplings\); run: npx bcsync migrate/m,
      );
      const [tables] = (await admin.raw('SHOW TABLES FROM ??', [empty])) as [unknown[]];
      assert.deepEqual(tables, [], 'the read command created no table');
    } finally {
      await admin.raw('DROP DATABASE IF EXISTS ??', [empty]);
      await admin.destroy();
    }
  });

  it('exits 1 naming DATA_DIR when a read command finds no SQLite store, and creates none', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bcsync-cli-'));
    const port = await freePort();
    const r = await runBcsync(['jobs'], {
      DATA_DIR: dataDir,
      MYSQL_DEFAULT_URL: `mysql://root@127.0.0.1:${port}/bcsync`,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /^bcsync: DATA_DIR: there is no store at .*bcsync\.sqlite .*create it with: npm start, or npx bcsync migrate$/m,
    );
    assert.deepEqual(readdirSync(dataDir), [], 'no store file was created');
  });

  it('migrates the configured MySQL and reports what it applied, then that nothing is left', async () => {
    const url = `${testResources().mysqlServerUrl}/${testResources().database}_cli`;
    const first = await runBcsync(['migrate', '--json'], { MYSQL_URL: url });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(
      JSON.parse(first.stdout).applied,
      migrations.map(([name]) => name),
    );
    const second = await runBcsync(['migrate', '--json'], { MYSQL_URL: url });
    assert.deepEqual(JSON.parse(second.stdout).applied, []);
  });

  it('falls back to SQLite with a notice when no MySQL answers and MYSQL_URL is unset', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bcsync-cli-'));
    const port = await freePort();
    const r = await runBcsync(['migrate', '--status', '--json'], {
      DATA_DIR: dataDir,
      MYSQL_DEFAULT_URL: `mysql://root@127.0.0.1:${port}/bcsync`,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).store, /^sqlite:.*bcsync\.sqlite$/);
  });

  describe('against Temporal', function () {
    let stack: SyncStack;
    let env: Record<string, string>;

    before(async () => {
      stack = await startSyncStack({ seed: false });
      const { temporal } = testResources();
      const conn = stack.store.knex.client.config.connection as {
        host: string;
        port: number;
        user: string;
        database: string;
      };
      env = {
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_TASK_QUEUE: stack.taskQueue,
        MYSQL_URL: `mysql://${conn.user}@${conn.host}:${conn.port}/${conn.database}`,
      };
    });

    after(async () => {
      await stack.close();
    });

    it('starts a smoke run, waits for it and shows its job in the log', async () => {
      const r = await runBcsync(['smoke', '--wait', '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.outcome, 'succeeded');
      assert.match(out.url, /^http:\/\/localhost:8233\/namespaces\/default\/workflows\/smoke-/);
      const jobs = await runBcsync(['jobs', '--json', '--mapping', 'SMOKE'], env);
      const list = JSON.parse(jobs.stdout);
      assert.equal(list[0].id, out.jobId);
      assert.equal(list[0].status, 'succeeded');
      const text = await runBcsync(['jobs', '--mapping', 'SMOKE'], env);
      assert.match(text.stdout, /^id\s+mapping\s+direction\s+type\s+status/m);
    });

    it('exits 1 with a one-line reason when Temporal cannot be reached', async () => {
      const port = await freePort();
      const r = await runBcsync(['smoke'], { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^bcsync: cannot reach Temporal at 127\.0\.0\.1:\d+/m);
    });
  });
});
