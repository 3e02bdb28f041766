import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.join(__dirname, '..', '..');
let probe = 0;

/**
 * Lints `code` as if it were `file` (e.g. 'workflows/bad.ts'): type-aware linting only sees files on disk, so the code
 * is written to a probe file beside it for the duration of the call. Returns the boundary-rule messages.
 */
async function lint(file: string, code: string) {
  probe += 1;
  const dir = path.join(root, path.dirname(file));
  const created = dir !== root && !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, `lint-probe-${process.pid}-${probe}.ts`);
  writeFileSync(target, code);
  try {
    const eslint = new ESLint({ cwd: root });
    const [result] = await eslint.lintFiles([target]);
    const fatal = result.messages.find((m) => m.fatal);
    if (fatal) throw new Error(`lint could not parse the probe: ${fatal.message}`);
    return result.messages.filter(
      (m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-properties',
    );
  } finally {
    rmSync(created ? dir : target, { recursive: true, force: true });
  }
}

describe('lint boundaries', function () {
  this.timeout(120_000);

  it('fails a deliberate `import fs` in workflows/ (determinism)', async () => {
    const messages = await lint('workflows/bad.ts', "import fs from 'fs';\nexport const x = fs;\n");
    assert.equal(messages.length, 1);
    assert.match(messages[0].message, /deterministic/);
  });

  it('fails node: built-ins, knex and the Temporal client in workflows/', async () => {
    for (const mod of ['node:http', 'knex', '@temporalio/client', '../store/couplings']) {
      const messages = await lint('workflows/bad.ts', `import * as m from '${mod}';\nexport const x = m;\n`);
      assert.equal(messages.length, 1, `${mod} must be rejected`);
    }
  });

  it('fails process.env outside config/', async () => {
    assert.equal((await lint('workflows/bad.ts', 'export const x = process.env.HOME;\n')).length, 1);
    assert.equal((await lint('activities/bad.ts', 'export const x = process.env.HOME;\n')).length, 1);
    assert.equal((await lint('config/ok.ts', 'export const x = process.env.HOME;\n')).length, 0);
  });

  it('allows activities as types only in workflows/', async () => {
    const typeOnly = "import type { Activities } from '../activities';\nexport type A = Activities;\n";
    assert.equal((await lint('workflows/ok.ts', typeOnly)).length, 0);
    const value = "import { createActivities } from '../activities';\nexport const a = createActivities;\n";
    assert.equal((await lint('workflows/bad.ts', value)).length, 1);
  });

  it('keeps engine/ free of I/O', async () => {
    assert.equal(
      (await lint('engine/bad.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n")).length,
      1,
    );
    assert.equal((await lint('engine/bad.ts', "import knex from 'knex';\nexport const k = knex;\n")).length, 1);
  });

  it('keeps the emulators and the connectors apart', async () => {
    assert.equal(
      (await lint('emulators/lint-probe/bad.ts', "import * as c from '../../connectors/x';\nexport const y = c;\n"))
        .length,
      1,
    );
    assert.equal(
      (await lint('connectors/lint-probe/bad.ts', "import * as e from '../../emulators/x';\nexport const y = e;\n"))
        .length,
      1,
    );
  });
});
