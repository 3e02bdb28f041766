/**
 * The logger's two formats (LOG_FORMAT): readable lines for a person at a terminal, JSON lines for collectors — both
 * redacting secrets. Each case runs in a child process, since the logger writes synchronously to stderr.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');

async function logged(format: string): Promise<string> {
  const script = `
    const { createLogger } = require('./worker/logger');
    createLogger('info', 'bcsync', ${JSON.stringify(format)}).warn({ mapping: 'CUSTOMER', clientSecret: 's3cr3t' }, 'page retried');
  `;
  const { stderr } = await run(process.execPath, ['-r', './scripts/register.js', '-e', script], { cwd: root });
  return stderr;
}

/** The JSON lines `script` (with `createLogger`, `secretValues`, `loadConfig` in scope) writes to stderr. */
async function lines(script: string): Promise<Array<Record<string, unknown>>> {
  const prelude = `
    const { createLogger, secretValues } = require('./worker/logger');
    const { loadConfig } = require('./config');
  `;
  const { stderr } = await run(process.execPath, ['-r', './scripts/register.js', '-e', prelude + script], {
    cwd: root,
  });
  return stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('the logger (LOG_FORMAT)', function () {
  this.timeout(30_000);

  it('writes one JSON object per line with json, secrets redacted', async () => {
    const line = JSON.parse((await logged('json')).trim()) as Record<string, unknown>;
    assert.equal(line.msg, 'page retried');
    assert.equal(line.mapping, 'CUSTOMER');
    assert.equal(line.clientSecret, '[redacted]');
  });

  it('writes readable lines with pretty (and with auto when stderr is not a terminal, JSON)', async () => {
    const text = await logged('pretty');
    assert.throws(() => JSON.parse(text.trim()) as unknown, 'not JSON');
    assert.match(text, /WARN.*page retried/);
    assert.match(text, /mapping: "CUSTOMER"/);
    assert.doesNotMatch(text, /s3cr3t/);
    // Under the test runner stderr is a pipe, not a terminal: auto writes JSON for whatever collects it.
    assert.equal((JSON.parse((await logged('auto')).trim()) as { msg: string }).msg, 'page retried');
  });

  it('censors secret-bearing fields at any depth and in any case, and keeps a connection string without its password', async () => {
    const [line] = await lines(`
      createLogger('debug', { format: 'json' }).debug({
        request: { headers: { Authorization: 'Bearer tok-1', 'Set-Cookie': 'sid=tok-2', accept: 'json' } },
        err: Object.assign(new Error('refused'), { response: { body: { access_token: 'tok-3', refresh_token: 'tok-4' } } }),
        deep: { a: { b: { c: { d: { operatorToken: 'tok-5', CONSOLE_OPERATOR_TOKEN: 'tok-6', apiKey: 'tok-7' } } } } },
        env: { BC_CLIENT_SECRET: 'tok-8', DATAVERSE_CLIENT_SECRET: 'tok-9', TEMPORAL_API_KEY: 'tok-10' },
        store: { mysqlUrl: 'mysql://sync:pw-11@db.example:3306/bcsync', MYSQL_URL: 'mysql://sync:pw-12@db/x' },
        knex: { connection: { user: 'sync', password: 'pw-13' } },
        list: [{ client_secret: 'tok-14' }],
      }, 'request failed');
    `);
    const text = JSON.stringify(line);
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14]) assert.doesNotMatch(text, new RegExp(`tok-${n}\\b`));
    for (const n of [11, 12, 13]) assert.doesNotMatch(text, new RegExp(`pw-${n}\\b`));
    const l = line as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(l.request.headers.Authorization, '[redacted]');
    assert.equal(l.request.headers.accept, 'json', 'other fields stay');
    assert.equal(l.err.message, 'refused', 'an error keeps its message');
    assert.match(l.err.stack, /Error: refused/, 'and its stack');
    assert.equal(l.store.mysqlUrl, 'mysql://sync:***@db.example:3306/bcsync');
    assert.equal(l.knex.connection.user, 'sync');
  });

  it('replaces the configured secret values wherever they appear, messages included', async () => {
    const [line] = await lines(`
      const config = loadConfig({
        BC_CLIENT_SECRET: 'bc-"quoted"-secret', DATAVERSE_CLIENT_SECRET: 'dv+secret/value',
        MYSQL_URL: 'mysql://sync:p%40ss-word@db:3306/bcsync',
      });
      createLogger('info', { format: 'json', secrets: secretValues(config) }).warn(
        { detail: 'body was client_secret=dv%2Bsecret%2Fvalue', url: 'https://x/?s=bc-"quoted"-secret' },
        'cannot connect with p@ss-word using bc-"quoted"-secret',
      );
    `);
    const text = JSON.stringify(line);
    for (const s of ['quoted', 'dv+secret', 'dv%2Bsecret', 'p@ss-word']) assert.ok(!text.includes(s), `${s} is gone`);
    assert.equal(line.msg, 'cannot connect with [redacted] using [redacted]');
  });

  it('finds the secrets of a configuration, including fields added later whose names say token or secret', async () => {
    const [line] = await lines(`
      const config = { ...loadConfig({ MYSQL_URL: 'mysql://u:pw-mysql@db/x', BC_CLIENT_SECRET: 'bc-secret' }),
        console: { port: 8080, operatorToken: 'op-token-value' } };
      createLogger('info', { format: 'json' }).info({ secrets: secretValues(config).sort() }, 'secrets');
    `);
    assert.deepEqual(line.secrets, ['bc-secret', 'bcsync-demo-secret', 'op-token-value', 'pw-mysql'].sort());
  });
});
