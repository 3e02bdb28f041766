#!/usr/bin/env node
// `npm run build` (and `npm install`'s prepare step): compiles the TypeScript sources to dist/ with tsc
// (tsconfig.build.json, which also type-checks them) and bundles the compiled workflows ahead of time into
// dist/workflow-bundle.js with the same @temporalio/worker the worker runs, so `bcsync`, the worker and `npm start` run
// plain JavaScript: no ts-node, swc or webpack at run time.
//
// Plain JavaScript on purpose: it runs before anything is compiled and without ts-node. dist/ is removed first, so a
// module deleted from the sources cannot linger in it, and the bundle is written last, to a temporary name renamed into
// place, so a build that fails half-way leaves no bundle for the worker to pick up.
//
// The bundle is written with dist/build-info.json: a digest of every input of the build (the sources tsc compiles,
// the tsconfigs, this script, the lockfile). `node scripts/build.js --if-stale` rebuilds only when that digest no
// longer matches the checkout — the test of the compiled runtime (test/cli/compiled.test.ts) uses it, so it never
// runs a dist/ older than the sources; `--check` only says whether dist/ is current (exit 0) or not (exit 1).
'use strict';
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const buildInfoPath = path.join(dist, 'build-info.json');
const bundlePath = path.join(dist, 'workflow-bundle.js');

/** Every file whose content decides what the build produces, as paths relative to the checkout, sorted. */
function buildInputs() {
  const config = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
  const files = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'scripts/build.js'];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.(ts|json|eta)$/.test(entry.name)) files.push(rel);
    }
  };
  for (const dir of config.include) walk(dir);
  return files.sort();
}

/** A digest of the build's inputs: the same digest means the same dist/. */
function sourcesDigest() {
  const hash = createHash('sha256');
  for (const file of buildInputs()) {
    hash
      .update(file)
      .update('\0')
      .update(fs.readFileSync(path.join(root, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

/** True when dist/ was built, completely, from the checkout's current inputs. */
function isCurrent(digest) {
  try {
    const info = JSON.parse(fs.readFileSync(buildInfoPath, 'utf8'));
    return info.digest === digest && fs.existsSync(bundlePath);
  } catch {
    return false;
  }
}

function main() {
  const started = Date.now();
  const digest = sourcesDigest();
  if (process.argv.includes('--check')) {
    const current = isCurrent(digest);
    console.log(current ? 'build: dist/ is current' : 'build: dist/ is missing or older than the sources');
    process.exit(current ? 0 : 1);
  }
  if (process.argv.includes('--if-stale') && isCurrent(digest)) {
    console.log('build: dist/ is current, nothing to do');
    return Promise.resolve();
  }
  fs.rmSync(dist, { recursive: true, force: true });

  const tsc = require.resolve('typescript/bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (compiled.status !== 0) {
    console.error('build: tsc failed (see above); dist/ is incomplete and has no workflow bundle');
    process.exit(compiled.status ?? 1);
  }

  // Files the compiled code reads at run time next to itself: the console's templates.
  for (const file of buildInputs().filter((f) => f.endsWith('.eta'))) {
    fs.mkdirSync(path.dirname(path.join(dist, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(dist, file));
  }

  // Required only now: @temporalio/worker loads webpack lazily, but its entry module is sizeable.
  const { bundleWorkflowCode } = require('@temporalio/worker');
  const workflowsPath = path.join(dist, 'workflows', 'index.js');
  const quiet = {
    trace() {},
    debug() {},
    info() {},
    log() {},
    warn: (message, meta) => console.warn(`build: ${message}`, meta ?? ''),
    error: (message, meta) => console.error(`build: ${message}`, meta ?? ''),
  };
  return bundleWorkflowCode({ workflowsPath, logger: quiet }).then(({ code }) => {
    fs.writeFileSync(`${bundlePath}.tmp`, code);
    fs.renameSync(`${bundlePath}.tmp`, bundlePath);
    fs.writeFileSync(buildInfoPath, `${JSON.stringify({ digest, builtAt: new Date().toISOString() }, null, 2)}\n`);
    const kb = Math.round(Buffer.byteLength(code) / 1024);
    console.log(`build: dist/ compiled and dist/workflow-bundle.js (${kb} kB) bundled in ${Date.now() - started} ms`);
  });
}

main().catch((err) => {
  console.error('build: bundling the workflows failed:', err);
  process.exit(1);
});
