/**
 * The compiled runtime: `bcsync` and its worker run the JavaScript in dist/ with the workflow bundle built ahead of
 * time, without ts-node, swc or the bundler's compiler in the process. Every other test runs the sources
 * (BCSYNC_FROM_SOURCE=1, test/support/cli.ts); this one builds dist/ first whenever it is older than the sources
 * (`scripts/build.js --if-stale`), so a stale dist/ can neither pass nor fail it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { childProcessEnv } from '../../config';
import { eventually } from '../support/env';
import { freePort, runBcsync, spawnBcsync } from '../support/cli';
import { pass, startSync } from '../support/sync-runs';
import { all, mappingsWith, startSyncStack } from '../support/sync-stack';
import { workerEnv } from '../support/worker-env';

const root = path.join(__dirname, '..', '..');
const compiled = { BCSYNC_FROM_SOURCE: '0' };

/** Runs `node args…` in the checkout to completion. */
function node(args: string[], env: NodeJS.ProcessEnv = childProcessEnv()) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/**
 * A preload module that prints, when the process exits, the development tools it loaded: ts-node, swc, the
 * TypeScript compiler and webpack's compiler (webpack's index is a set of lazy getters that @temporalio/worker
 * requires; `lib/webpack.js` and `lib/Compiler.js` are what bundling at start-up loads).
 */
function probeFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'bcsync-probe-')), 'probe.js');
  writeFileSync(
    file,
    `process.on('exit', () => {
  const dev = Object.keys(require.cache).filter((k) =>
    /node_modules\\/(ts-node|@swc|swc-loader|typescript)\\/|node_modules\\/webpack\\/lib\\/(webpack|Compiler)\\.js$/.test(k));
  const own = Object.keys(require.cache).filter((k) => k.startsWith(${JSON.stringify(root + path.sep)}) && !k.includes('node_modules'));
  process.stderr.write('PROBE ' + JSON.stringify({ dev, ts: own.filter((k) => k.endsWith('.ts')), dist: own.filter((k) => k.includes('/dist/')).length }) + '\\n');
});
`,
  );
  return file;
}

function probed(output: string): { dev: string[]; ts: string[]; dist: number } {
  const line = output.split('\n').find((l) => l.startsWith('PROBE '));
  assert.ok(line, `the probe reported\n${output}`);
  return JSON.parse(line.slice('PROBE '.length));
}

describe('the compiled runtime', function () {
  this.timeout(300_000);

  before(async function () {
    const build = await node(['scripts/build.js', '--if-stale']);
    assert.equal(build.code, 0, build.output);
  });

  it('runs bcsync --help from dist/ without ts-node, swc or TypeScript in the process', async () => {
    const r = await runBcsync(['--help'], { ...compiled, NODE_OPTIONS: `--require ${probeFile()}` });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\s+worker\b/m);
    const loaded = probed(r.stderr);
    assert.deepEqual(loaded.dev, [], 'no development tool is loaded');
    assert.deepEqual(loaded.ts, [], 'no TypeScript source is loaded');
    assert.ok(loaded.dist > 50, `the compiled modules are what runs (${loaded.dist} from dist/)`);
  });

  it('runs a worker from dist/ on the prebuilt workflow bundle: a CUSTOMER sync through it succeeds', async () => {
    const overrides = { mappings: { CUSTOMER: { onlyCoupled: false } } };
    const stack = await startSyncStack({
      seed: { customers: 4, contactsPerCustomer: 0, overlapFraction: 0, dataverseOnlyAccounts: 2 },
      prerequisites: ['SALESPEOPLE', 'CURRENCY'],
      mappings: mappingsWith(overrides),
    });
    let worker: ReturnType<typeof spawnBcsync> | undefined;
    try {
      // Only the compiled worker polls the task queue from here on.
      stack.worker.shutdown();
      const env = await workerEnv(stack, overrides, {
        ...compiled,
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
        NODE_OPTIONS: `--require ${probeFile()}`,
      });
      worker = spawnBcsync(['worker'], env);
      const w = worker;
      const exited = new Promise<number | null>((resolve) => w.child.once('close', (code) => resolve(code)));
      await eventually(() => w.output().includes('"worker started"'), 'the compiled worker to start').catch(
        (err: Error) => {
          throw new Error(`${err.message}\n${w.output()}`);
        },
      );
      assert.match(w.output(), /"workflows":"prebuilt bundle"/);
      const result = await (await startSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'incremental' })).result();
      assert.equal(result.outcome, 'succeeded', JSON.stringify(result));
      assert.equal(pass(result, 'to-dataverse').counts.inserted, 4);
      assert.equal(pass(result, 'to-bc').counts.inserted, 2);
      assert.equal((await all(stack, 'dv', 'accounts')).length, 6);

      w.child.kill('SIGTERM');
      assert.equal(await exited, 0, w.output());
      const loaded = probed(w.output());
      assert.deepEqual(loaded.dev, [], 'no ts-node, swc, TypeScript or webpack compiler in the worker');
      assert.deepEqual(loaded.ts, []);
    } finally {
      if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
      await stack.close();
    }
  });

  it('refuses to start a compiled worker without its workflow bundle, before connecting to anything', async () => {
    // A copy of the build without the bundle; NODE_PATH lets it find the checkout's node_modules.
    const copy = mkdtempSync(path.join(tmpdir(), 'bcsync-dist-'));
    try {
      cpSync(path.join(root, 'dist'), path.join(copy, 'dist'), { recursive: true });
      cpSync(path.join(root, 'bin'), path.join(copy, 'bin'), { recursive: true });
      rmSync(path.join(copy, 'dist', 'workflow-bundle.js'));
      // Nothing listens on these: a worker that went on would fail on them instead, with another message.
      const [temporal, mysql] = await Promise.all([freePort(), freePort()]);
      const started = Date.now();
      const r = await node([path.join(copy, 'bin', 'bcsync.js'), 'worker'], {
        ...childProcessEnv(),
        ...compiled,
        NODE_PATH: path.join(root, 'node_modules'),
        DATA_DIR: copy,
        TEMPORAL_ADDRESS: `127.0.0.1:${temporal}`,
        MYSQL_URL: `mysql://root@127.0.0.1:${mysql}/bcsync`,
      });
      assert.equal(r.code, 1, r.output);
      assert.match(
        r.output,
        /^bcsync: The prebuilt workflow bundle .*dist\/workflow-bundle\.js is missing: run `npm run build`/m,
      );
      assert.doesNotMatch(r.output, /MYSQL_URL|Temporal at/);
      assert.ok(Date.now() - started < 30_000);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
