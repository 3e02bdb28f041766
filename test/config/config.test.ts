import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../config';

function rejects(env: Record<string, string>, variable: string) {
  assert.throws(
    () => loadConfig(env),
    (err: unknown) => err instanceof ConfigError && err.variable === variable && err.message.startsWith(`${variable}:`),
  );
}

describe('config', function () {
  it('runs on defaults that point at the embedded stack and the emulators', () => {
    const c = loadConfig({});
    assert.equal(c.temporal.address, undefined);
    assert.equal(c.temporal.devServer.uiPort, 8233);
    assert.equal(c.mysqlUrl, undefined);
    assert.equal(c.businessCentral.apiUrl, 'http://127.0.0.1:7048/v2.0');
    assert.equal(c.dataverse.credentials.scope, 'https://bcsync.crm.dynamics.com/.default');
    assert.equal(c.emulators.enabled, true);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.businessCentral.credentials));
  });

  it('serves a read-only console on 127.0.0.1:8090 by default; the operator token is a secret of 16+ characters, inline or in a file', () => {
    const c = loadConfig({});
    assert.deepEqual({ ...c.console }, { enabled: true, port: 8090, host: '127.0.0.1', operatorToken: undefined });
    assert.equal(loadConfig({ CONSOLE_ENABLED: 'false' }).console.enabled, false);
    assert.equal(
      loadConfig({ CONSOLE_OPERATOR_TOKEN: ' 0123456789abcdef ' }).console.operatorToken,
      '0123456789abcdef',
    );
    rejects({ CONSOLE_OPERATOR_TOKEN: 'short' }, 'CONSOLE_OPERATOR_TOKEN');
    rejects({ CONSOLE_PORT: '70000' }, 'CONSOLE_PORT');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bcsync-token-')), 'token');
    writeFileSync(file, 'from-a-file-0123456789\n');
    assert.equal(loadConfig({ CONSOLE_OPERATOR_TOKEN_FILE: file }).console.operatorToken, 'from-a-file-0123456789');
    rejects(
      { CONSOLE_OPERATOR_TOKEN_FILE: file, CONSOLE_OPERATOR_TOKEN: '0123456789abcdef' },
      'CONSOLE_OPERATOR_TOKEN',
    );
  });

  it('serves the sync metrics on 127.0.0.1:9465 unless told a port, any port (0) or off, and names a bad value', () => {
    assert.deepEqual(loadConfig({}).syncMetrics, { port: 9465, host: '127.0.0.1' });
    assert.equal(loadConfig({ SYNC_METRICS_PORT: '0' }).syncMetrics.port, 0);
    assert.equal(loadConfig({ SYNC_METRICS_PORT: 'OFF' }).syncMetrics.port, null);
    assert.equal(loadConfig({ SYNC_METRICS_HOST: '0.0.0.0' }).syncMetrics.host, '0.0.0.0');
    rejects({ SYNC_METRICS_PORT: '70000' }, 'SYNC_METRICS_PORT');
    rejects({ SYNC_METRICS_PORT: 'sometimes' }, 'SYNC_METRICS_PORT');
  });

  it('takes the console URL for the run details as an http(s) URL without a trailing slash', () => {
    assert.equal(loadConfig({}).consoleUrl, 'http://127.0.0.1:8090', "the console's own address");
    assert.equal(loadConfig({ CONSOLE_ENABLED: 'false' }).consoleUrl, undefined);
    assert.equal(
      loadConfig({ CONSOLE_URL: 'https://sync.example.com/console/' }).consoleUrl,
      'https://sync.example.com/console',
    );
    rejects({ CONSOLE_URL: 'console.example.com' }, 'CONSOLE_URL');
  });

  it('names MYSQL_URL when it is not a MySQL URL', () => {
    rejects({ MYSQL_URL: 'postgres://localhost/x' }, 'MYSQL_URL');
    rejects({ MYSQL_URL: 'not a url' }, 'MYSQL_URL');
  });

  it('parses booleans explicitly and names the variable otherwise', () => {
    assert.equal(loadConfig({ EMULATORS: 'false' }).emulators.enabled, false);
    assert.equal(loadConfig({ EMULATORS: 'YES' }).emulators.enabled, true);
    rejects({ EMULATORS: 'maybe' }, 'EMULATORS');
  });

  it('rejects bad ports, URLs, durations and log levels by name', () => {
    rejects({ TEMPORAL_UI_PORT: '70000' }, 'TEMPORAL_UI_PORT');
    rejects({ BC_API_URL: 'ftp://x' }, 'BC_API_URL');
    rejects({ DEMO_SCHEDULE_EVERY: 'often' }, 'DEMO_SCHEDULE_EVERY');
    rejects({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL');
    rejects({ LOG_FORMAT: 'fancy' }, 'LOG_FORMAT');
  });

  it('says what a bad boolean, URL, port, interval or missing secret should be', () => {
    const message = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        return (err as Error).message;
      }
      return assert.fail(`accepted ${JSON.stringify(env)}`);
    };
    assert.equal(message({ EMULATORS: 'maybe' }), 'EMULATORS: expected true or false');
    assert.equal(message({ BC_API_URL: 'ftp://x' }), 'BC_API_URL: expected an http(s) URL');
    assert.equal(message({ METRICS_PORT: '70000' }), 'METRICS_PORT: expected a port number from 0 to 65535');
    assert.equal(message({ SCHEDULE_EVERY: '5s' }), "SCHEDULE_EVERY: '5s' is shorter than the minimum interval of 10s");
    assert.equal(
      message({ BC_AUTHORITY_HOST: 'https://login.microsoftonline.com' }),
      'BC_CLIENT_SECRET: is required (or set BC_CLIENT_SECRET_FILE)',
    );
  });

  it('requires a client secret for a real Entra authority and reads it from a file', () => {
    rejects({ BC_AUTHORITY_HOST: 'https://login.microsoftonline.com' }, 'BC_CLIENT_SECRET');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bcsync-cfg-')), 'secret');
    writeFileSync(file, 's3cret\n');
    const c = loadConfig({ BC_AUTHORITY_HOST: 'https://login.microsoftonline.com', BC_CLIENT_SECRET_FILE: file });
    assert.equal(c.businessCentral.credentials.clientSecret, 's3cret');
    rejects({ BC_CLIENT_SECRET: 'a', BC_CLIENT_SECRET_FILE: file }, 'BC_CLIENT_SECRET');
    rejects({ BC_CLIENT_SECRET_FILE: '/nonexistent/secret' }, 'BC_CLIENT_SECRET_FILE');
  });

  it('requires an address for Temporal Cloud credentials and both halves of an mTLS pair', () => {
    rejects({ TEMPORAL_API_KEY: 'k' }, 'TEMPORAL_ADDRESS');
    rejects({ TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS_CERT_PATH: '/c' }, 'TEMPORAL_TLS_KEY_PATH');
    const c = loadConfig({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k' });
    assert.notEqual(c.temporal.tls, false, 'an API key turns TLS on');
  });

  it('lists every variable of the schema in .env.example', async () => {
    const { readFileSync } = await import('node:fs');
    const example = readFileSync(path.join(__dirname, '..', '..', '.env.example'), 'utf8');
    const source = readFileSync(path.join(__dirname, '..', '..', 'config', 'index.ts'), 'utf8');
    const schemaBlock = source.slice(
      source.indexOf('const schema = z.object({'),
      source.indexOf('});', source.indexOf('const schema')),
    );
    const names = [...schemaBlock.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
    assert.ok(names.length > 20);
    for (const name of names) assert.match(example, new RegExp(`^#? ?${name}=`, 'm'), `${name} is documented`);
  });
});
