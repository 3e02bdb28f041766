/**
 * `bcsync console` on its own, as an operator starts it: it serves the pages from the configured store and Temporal,
 * prints its URL and mode, acts with the operator token from the environment, and stops on Ctrl-C (exit 0).
 */
import assert from 'node:assert/strict';
import { openOperatorEnv, type OperatorEnv } from '../cli/operator-env';
import { freePort, spawnBcsync } from '../support/cli';
import { OPERATOR_TOKEN } from '../support/console';
import { eventually } from '../support/env';

describe('bcsync console', function () {
  this.timeout(60_000);
  let op: OperatorEnv;
  before(async () => {
    op = await openOperatorEnv();
  });
  after(async () => op.close());

  it('serves the console on CONSOLE_PORT until Ctrl-C, read-only without a token', async () => {
    const port = await freePort();
    const started = spawnBcsync(['console'], { ...op.env, CONSOLE_PORT: String(port) });
    const exited = started.exited;
    try {
      await eventually(() => started.output().includes('Press Ctrl-C to stop.'), 'bcsync console to listen', 30_000);
      assert.match(
        started.output(),
        new RegExp(
          `Console: http://127\\.0\\.0\\.1:${port}/ \\(read-only: set CONSOLE_OPERATOR_TOKEN to enable actions\\)`,
        ),
      );
      for (const url of ['/', '/jobs', '/skipped', '/couplings?mapping=CUSTOMER']) {
        const res = await fetch(`http://127.0.0.1:${port}${url}`);
        assert.equal(res.status, 200, `${url}: ${(await res.text()).slice(0, 300)}`);
      }
      const refused = await fetch(`http://127.0.0.1:${port}/actions/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${OPERATOR_TOKEN}` },
        body: 'mapping=CUSTOMER',
      });
      assert.equal(refused.status, 403);
    } finally {
      started.child.kill('SIGINT');
    }
    assert.equal(await exited, 0, started.output());
  });

  it('acts for a bearer of CONSOLE_OPERATOR_TOKEN, and never prints the token', async () => {
    const port = await freePort();
    const started = spawnBcsync(['console'], {
      ...op.env,
      CONSOLE_PORT: String(port),
      CONSOLE_OPERATOR_TOKEN: OPERATOR_TOKEN,
      LOG_LEVEL: 'info',
    });
    const exited = started.exited;
    try {
      await eventually(() => started.output().includes('Press Ctrl-C to stop.'), 'bcsync console to listen', 30_000);
      assert.match(started.output(), /\(log in with the operator token to act\)/);
      const res = await fetch(`http://127.0.0.1:${port}/actions/retry`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${OPERATOR_TOKEN}` },
        body: 'job=424242',
      });
      assert.equal(res.status, 409, 'authorized; the job does not exist');
      assert.match(await res.text(), /job 424242 not found/);
      const wrongLogin = await fetch(`http://127.0.0.1:${port}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${OPERATOR_TOKEN}-wrong`,
      });
      assert.equal(wrongLogin.status, 401);
    } finally {
      started.child.kill('SIGINT');
    }
    assert.equal(await exited, 0, started.output());
    assert.match(started.output(), /console login refused/, 'the refusal is logged');
    assert.ok(!started.output().includes(OPERATOR_TOKEN), 'the token is in no output or log line');
  });
});
