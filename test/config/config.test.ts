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
