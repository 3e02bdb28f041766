/**
 * Mocha root hooks: one Temporal dev server (the pinned CLI, installed into the cache if missing) and one fresh MySQL
 * database per test run. The database is dropped when every test passed and kept (its name printed) when one failed.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Context } from 'mocha';
import knexFactory from 'knex';
import { childProcessEnv, loadConfig } from '../../config';
import { ensureTemporalCli } from '../../scripts/temporal/cli';
import { searchAttributeKeys } from '../../workflows/definitions';
import { setTestResources, testResources } from '../support/env';

let failures = 0;

// Once per process: keep the SDK's own logging to warnings so test output stays readable.
Runtime.install({ logger: new DefaultLogger('WARN') });

function serverUrlOf(url: string): string {
  const u = new URL(url);
  u.pathname = '';
  return u.toString().replace(/\/$/, '');
}

export const mochaHooks = {
  async beforeAll(this: Context) {
    this.timeout(10 * 60_000); // the first build of the Temporal CLI takes about 3 minutes
    const config = loadConfig();
    const temporalCli = await ensureTemporalCli({
      cliPath: config.temporal.devServer.cliPath,
      cacheDir: config.temporal.devServer.cliCacheDir,
      log: (line) => console.log(`[temporal-cli] ${line}`),
      env: childProcessEnv(),
    });
    const mysqlServerUrl = serverUrlOf(config.mysqlUrl ?? config.mysqlDefaultUrl);
    const database = `bcsync_test_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
    const admin = knexFactory({ client: 'mysql2', connection: `${mysqlServerUrl}/` });
    try {
      await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4', [database]);
    } finally {
      await admin.destroy();
    }
    const temporal = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCli },
        searchAttributes: [...searchAttributeKeys],
        // A low threshold makes long test runs continue as new, so that path is exercised (and replayed) too.
        extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=80'],
      },
    });
    setTestResources({ temporal, temporalCli, mysqlServerUrl, mysqlUrl: `${mysqlServerUrl}/${database}`, database });
  },

  afterEach(this: Context) {
    if (this.currentTest?.state === 'failed') failures += 1;
  },

  async afterAll(this: Context) {
    this.timeout(60_000);
    const r = testResources();
    await r.temporal.teardown();
    if (failures === 0) {
      const admin = knexFactory({ client: 'mysql2', connection: `${r.mysqlServerUrl}/` });
      try {
        // Also the per-test databases created under this run's prefix.
        const rows = (await admin.raw('SHOW DATABASES LIKE ?', [`${r.database}%`]))[0] as Array<Record<string, string>>;
        for (const row of rows) await admin.raw('DROP DATABASE IF EXISTS ??', [Object.values(row)[0]]);
      } finally {
        await admin.destroy();
      }
    } else {
      console.log(
        `\n${failures} test(s) failed: kept the MySQL database ${r.database} (and ${r.database}_*) for inspection`,
      );
    }
    setTestResources(undefined);
  },
};
