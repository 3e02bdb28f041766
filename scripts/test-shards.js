#!/usr/bin/env node
// Runs the mocha suite as parallel shards: MOCHA_SHARDS processes (default 2), each a plain mocha run of its share of
// test/**/*.test.ts with the root hooks of .mocharc.json, so each shard has its own Temporal dev server and its own
// MySQL database and shares nothing with the others but the MySQL server. Most test time is spent waiting (timers,
// retries, emulated latency, child processes starting), so two shards on two cores take about half the time of one.
//
// Files are dealt out by their measured times, longest first, each to the shard with the least time so far; a file
// without a time counts as 5 s. The times are test/file-times.json, [file, ms] pairs as the reporter writes them;
// refresh it with `MOCHA_FILE_TIMES=$PWD/test/file-times.json npm test` when files come and go. test/sync/replay.test.ts replays
// the runs its own process started, so every shard runs it, last.
//
// The first shard's output is streamed; the others' is printed when the first ends, each as one block, so the report
// reads like one mocha run's. Each shard ends with `shard #N: …`; the last line totals them all, as one mocha run's
// reporter would: `mocha: N passed, N failed, N skipped`.
// MOCHA_SHARDS=1 runs the whole suite in one process, as `mocha` alone does. Extra arguments go to every shard.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const replayFile = 'test/sync/replay.test.ts';
const defaultSeconds = 5;

function testFiles() {
  return fs
    .readdirSync(path.join(root, 'test'), { recursive: true })
    .map((f) => path.posix.join('test', f.split(path.sep).join('/')))
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
}

function measuredSeconds() {
  try {
    const pairs = JSON.parse(fs.readFileSync(path.join(root, 'test', 'file-times.json'), 'utf8'));
    return new Map(pairs.map(([file, ms]) => [file, ms / 1000]));
  } catch {
    return new Map();
  }
}

/** Deals the files out to `n` shards, longest first, each to the least loaded shard; each shard keeps path order. */
function deal(files, n) {
  const seconds = measuredSeconds();
  const shards = Array.from({ length: n }, () => ({ files: [], seconds: 0 }));
  const dealt = files
    .filter((f) => f !== replayFile)
    .map((f) => ({ f, s: seconds.get(f) ?? defaultSeconds }))
    .sort((a, b) => b.s - a.s || a.f.localeCompare(b.f));
  for (const { f, s } of dealt) {
    const least = shards.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    least.files.push(f);
    least.seconds += s;
  }
  for (const shard of shards) {
    shard.files.sort();
    if (files.includes(replayFile)) shard.files.push(replayFile);
  }
  return shards;
}

const n = Number(process.env.MOCHA_SHARDS ?? 2);
if (!Number.isInteger(n) || n < 1 || n > 8) {
  console.error(`MOCHA_SHARDS must be a whole number from 1 to 8, not "${process.env.MOCHA_SHARDS}"`);
  process.exit(2);
}
const mocha = require.resolve('mocha/bin/mocha.js');
const extra = process.argv.slice(2);
if (n === 1) {
  const r = spawnSync(process.execPath, [mocha, ...extra], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

// Every shard's root hooks make sure the pinned Temporal CLI is installed; do it once first, so that a fresh machine
// builds it once rather than once per shard at the same time.
const install = spawnSync(process.execPath, ['-r', './scripts/register.js', 'scripts/install-temporal-cli.ts'], {
  cwd: root,
  stdio: 'inherit',
});
if (install.status !== 0) process.exit(install.status ?? 1);

/**
 * Mocha adds files named on its command line to the config's `spec` rather than replacing them, so a shard runs with
 * --no-config and the config's other options as arguments.
 */
function optionsOfConfig() {
  const config = JSON.parse(fs.readFileSync(path.join(root, '.mocharc.json'), 'utf8'));
  const args = ['--no-config'];
  for (const [key, value] of Object.entries(config)) {
    if (key === 'spec') continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v === true) args.push(`--${key}`);
      else if (v !== false) args.push(`--${key}`, String(v));
    }
  }
  return args;
}

const shards = deal(testFiles(), n);
console.log(
  `mocha in ${n} shards: ${shards.map((s, i) => `#${i + 1} ${s.files.length} files (~${Math.round(s.seconds)} s)`).join(', ')}`,
);
const timesOut = process.env.MOCHA_FILE_TIMES;
const children = shards.map((shard, i) => {
  const env = { ...process.env };
  if (timesOut) env.MOCHA_FILE_TIMES = `${timesOut}.${i + 1}`;
  env.MOCHA_SHARD = `#${i + 1}`;
  const child = spawn(process.execPath, [mocha, ...optionsOfConfig(), ...extra, ...shard.files], { cwd: root, env });
  let out = '';
  const collect = (d) => {
    out += d;
    if (i === 0) process.stdout.write(d);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const done = new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  return { child, done, output: () => out };
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of children) c.child.kill(sig);
  });
}

(async () => {
  const codes = [];
  for (let i = 0; i < children.length; i++) {
    codes.push(await children[i].done);
    if (i > 0) process.stdout.write(`\n===== shard #${i + 1} of ${n} =====\n${children[i].output()}`);
  }
  const totals = [0, 0, 0];
  const unfinished = [];
  children.forEach((c, i) => {
    const m = /^shard #\d+: (\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(c.output());
    if (m) for (let k = 0; k < 3; k++) totals[k] += Number(m[k + 1]);
    else unfinished.push(`#${i + 1}`);
  });
  if (timesOut) {
    const all = [];
    for (let i = 0; i < n; i++) {
      try {
        all.push(...JSON.parse(fs.readFileSync(`${timesOut}.${i + 1}`, 'utf8')));
      } catch {
        // That shard did not get to the end.
      }
    }
    fs.writeFileSync(
      timesOut,
      `${JSON.stringify(
        all.sort((a, b) => b[1] - a[1]),
        null,
        1,
      )}\n`,
    );
  }
  if (unfinished.length) console.log(`\nshard ${unfinished.join(', ')} ended without a mocha summary (exit ${codes})`);
  const failed = codes.some((c) => c !== 0);
  console.log(`\n${n} shards together:`);
  console.log(`mocha: ${totals[0]} passed, ${totals[1]} failed, ${totals[2]} skipped`);
  process.exit(failed ? 1 : 0);
})();
