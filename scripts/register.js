// Lets Node run the TypeScript sources directly: each `.ts` module is transpiled with swc (types are checked by `npm
// run typecheck`, not at run time), with the options ts-node derived from tsconfig.json in swc mode (ES2022, CommonJS
// with esModuleInterop, class fields defined), and inline source maps so stack traces name the `.ts` lines.
//
// Not ts-node itself: it loads the TypeScript compiler to read tsconfig.json even when swc transpiles, and every
// process transpiles every module again. The tests start a few hundred `bcsync` processes from the sources
// (BCSYNC_FROM_SOURCE=1), each loading about 250 modules, so both costs added minutes to `npm test`. The output is
// cached in the system's temporary directory under a digest of the source, its path, the options and swc's version:
// an edited file is transpiled again, an unchanged one is read back.
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const options = {
  swcrc: false,
  sourceMaps: 'inline',
  module: { type: 'commonjs', noInterop: false, strictMode: true, ignoreDynamic: false },
  jsc: {
    parser: { syntax: 'typescript', tsx: false, dynamicImport: true, importAssertions: true },
    target: 'es2022',
    transform: { legacyDecorator: true, useDefineForClassFields: true },
    keepClassNames: true,
    experimental: { keepImportAttributes: true, emitAssertForImportAttributes: true },
  },
};
const cacheDir = path.join(os.tmpdir(), 'bcsync-swc-cache');
const salt = `${require('@swc/core/package.json').version}\0${JSON.stringify(options)}`;
let swc; // loaded on the first cache miss only

function transpiled(filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = createHash('sha256').update(salt).update('\0').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // Not cached yet.
  }
  swc ??= require('@swc/core');
  const { code } = swc.transformSync(source, { ...options, filename });
  try {
    // Written under a name of its own, then renamed: a process reading the cache never sees half a file.
    fs.mkdirSync(cacheDir, { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  } catch {
    // A cache that cannot be written only costs time.
  }
  return code;
}

process.setSourceMapsEnabled(true);
require.extensions['.ts'] = function loadTypeScript(module, filename) {
  module._compile(transpiled(filename), filename);
};
