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
});
