#!/usr/bin/env node
// Entry point of the `bcsync` CLI (and of `npm start`): runs the compiled JavaScript in dist/, which `npm install`
// builds (its prepare step) and `npm run build` rebuilds, with the workflow bundle built ahead of time. Nothing here
// loads ts-node, swc or webpack.
//
// BCSYNC_FROM_SOURCE=1 runs the TypeScript sources through ts-node instead. The tests set it on every bcsync they
// spawn (test/support/cli.ts), so a dist/ older than the sources never decides a test; it is not for production.
'use strict';
const path = require('node:path');

if (process.env.BCSYNC_FROM_SOURCE === '1') {
  require('../scripts/register.js');
  require('../client/main.ts');
} else {
  const main = path.join(__dirname, '..', 'dist', 'client', 'main.js');
  try {
    require.resolve(main);
  } catch {
    console.error(
      `bcsync: the compiled code (${path.relative(process.cwd(), main) || main}) is missing: run \`npm run build\` ` +
        '(npm install runs it), or set BCSYNC_FROM_SOURCE=1 to run the TypeScript sources with the development tools.',
    );
    process.exit(1);
  }
  require(main);
}
