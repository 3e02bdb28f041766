#!/usr/bin/env node
// Entry point of the `bcsync` CLI: runs the TypeScript sources through ts-node (swc, transpile only).
require('../scripts/register.js');
require('../client/main.ts');
