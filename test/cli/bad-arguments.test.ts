/**
 * Bad CLI arguments and configuration values (issue 12, docs/reliability.md "Bad input"): each is refused with exit 2
 * and one line naming the option or variable and what is wrong, before anything is contacted. Temporal is pointed at a
 * port where nothing listens, so an argument that slipped through would fail later with "cannot reach Temporal"
 * (exit 1) instead: the tests need no Temporal server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, runBcsync, type CliResult } from '../support/cli';

describe('bcsync refuses bad arguments and configuration values with exit 2 and one line saying why', function () {
  this.timeout(120_000);
  let env: Record<string, string>;

  before(async () => {
    env = {
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'bcsync-badargs-')),
    };
  });

  function assertRefused(r: CliResult, line: string): void {
    assert.equal(r.code, 2, `exit 2 expected: ${r.stderr}`);
    assert.equal(r.stderr.trim(), line);
  }

  it('refuses a schedule interval longer than 366 days (--every 99999999999h), which would never run', async () => {
    assertRefused(
      await runBcsync(['schedule', 'start', 'CUSTOMER', '--every', '99999999999h'], env),
      "bcsync: --every: '99999999999h' is longer than the maximum interval of 366d",
    );
  });

  it('refuses a schedule interval shorter than 10 seconds and one that is not a duration', async () => {
    assertRefused(
      await runBcsync(['schedule', 'start', 'CUSTOMER', '--every', '5s'], env),
      "bcsync: --every: '5s' is shorter than the minimum interval of 10s",
    );
    assertRefused(
      await runBcsync(['schedule', 'start', 'CUSTOMER', '--every', 'hourly'], env),
      "bcsync: --every: 'hourly' is not a duration; use e.g. '30m', '1h' or '1h30m'",
    );
  });

  it('refuses a configuration value of the wrong kind, naming the variable: a port that is not a number', async () => {
    assertRefused(
      await runBcsync(['jobs'], { ...env, TEMPORAL_UI_PORT: 'eighty' }),
      'bcsync: bad configuration: TEMPORAL_UI_PORT: expected a port number from 0 to 65535',
    );
  });

  it('refuses an interval beyond the bounds in DEMO_SCHEDULE_EVERY and in an override file', async () => {
    assertRefused(
      await runBcsync(['jobs'], { ...env, DEMO_SCHEDULE_EVERY: '99999999999h' }),
      "bcsync: bad configuration: DEMO_SCHEDULE_EVERY: '99999999999h' is longer than the maximum interval of 366d",
    );
    const file = path.join(env.DATA_DIR, 'mappings.json');
    writeFileSync(file, JSON.stringify({ mappings: { CUSTOMER: { schedule: '99999999999h' } } }));
    assertRefused(
      await runBcsync(['mappings'], { ...env, MAPPINGS_FILE: file }),
      `bcsync: bad configuration: MAPPINGS_FILE: ${file}: mapping CUSTOMER, field 'schedule': '99999999999h' is longer than the maximum interval of 366d`,
    );
  });

  it('refuses a MYSQL_URL without a database name or with one MySQL cannot hold, before connecting', async () => {
    const noName = await runBcsync(['jobs'], { ...env, MYSQL_URL: 'mysql://root@127.0.0.1:3306/' });
    assert.equal(noName.code, 1);
    assert.equal(
      noName.stderr.trim(),
      'bcsync: MYSQL_URL: no database name in mysql://root@127.0.0.1:3306/ (expected …/dbname)',
    );
    const badName = await runBcsync(['jobs'], { ...env, MYSQL_URL: 'mysql://root@127.0.0.1:3306/bcsync%20prod' });
    assert.equal(badName.code, 1);
    assert.equal(
      badName.stderr.trim(),
      "bcsync: MYSQL_URL: database name 'bcsync prod' has characters outside [A-Za-z0-9_$-]",
    );
  });
});
