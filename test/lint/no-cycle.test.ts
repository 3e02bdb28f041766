import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';

const root = path.join(__dirname, '..', '..');
const cycleRules = ['import-x/no-cycle', 'local/no-type-import-cycle'];
let probe = 0;

/**
 * Writes `files` (relative path → source) into a fresh probe directory under engine/ (a directory ESLint and the
 * TypeScript project cover), lints them all, removes the directory and returns the cycle-rule messages per file.
 */
async function lintModules(files: Record<string, string>): Promise<Record<string, Linter.LintMessage[]>> {
  probe += 1;
  const dir = path.join(root, 'engine', `lint-probe-cycle-${process.pid}-${probe}`);
  try {
    for (const [name, code] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), code);
    }
    const eslint = new ESLint({ cwd: root });
    const results = await eslint.lintFiles(Object.keys(files).map((name) => path.join(dir, name)));
    const byFile: Record<string, Linter.LintMessage[]> = {};
    for (const result of results) {
      const fatal = result.messages.find((m) => m.fatal);
      if (fatal) throw new Error(`lint could not parse ${result.filePath}: ${fatal.message}`);
      byFile[path.relative(dir, result.filePath)] = result.messages.filter((m) => cycleRules.includes(m.ruleId ?? ''));
    }
    return byFile;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rulesOf = (messages: Linter.LintMessage[]) => messages.map((m) => m.ruleId);

describe('lint import cycles', function () {
  this.timeout(120_000);

  it('reports two modules that import each other by value (extension-less .ts imports)', async () => {
    const messages = await lintModules({
      'a.ts': "import { b } from './b';\nexport const a = (): number => b() + 1;\n",
      'b.ts': "import { a } from './a';\nexport const b = (): number => (a.length > 0 ? 1 : 0);\n",
    });
    assert.deepEqual(rulesOf(messages['a.ts']), ['import-x/no-cycle']);
    assert.deepEqual(rulesOf(messages['b.ts']), ['import-x/no-cycle']);
  });

  it('reports a cycle that runs through an index.ts barrel', async () => {
    const messages = await lintModules({
      'a.ts': "import { c } from './sub';\nexport const a = (): number => c + 1;\n",
      'sub/index.ts': "export { c } from './c';\n",
      'sub/c.ts': "import { a } from '../a';\nexport const c = a.length;\n",
    });
    assert.deepEqual(rulesOf(messages['a.ts']), ['import-x/no-cycle']);
  });

  it('reports a cycle closed by an `import type` (page-processor ↔ sync-activities shape)', async () => {
    const messages = await lintModules({
      'processor.ts':
        "import type { Deps } from './activities';\nexport const process = (deps: Deps): number => deps.n;\n",
      'activities.ts':
        "import { process } from './processor';\nexport interface Deps { n: number }\nexport const run = (): number => process({ n: 1 });\n",
    });
    assert.deepEqual(rulesOf(messages['processor.ts']), ['local/no-type-import-cycle']);
    assert.deepEqual(rulesOf(messages['activities.ts']), ['local/no-type-import-cycle']);
    assert.match(messages['processor.ts'][0].message, /processor\.ts → .*activities\.ts → .*processor\.ts/);
  });

  it('leaves a one-way pair clean, value and type imports alike', async () => {
    const messages = await lintModules({
      'a.ts': "import { b, type B } from './b';\nexport const a = (x: B): number => b() + x;\n",
      'b.ts': 'export type B = number;\nexport const b = (): number => 1;\n',
    });
    assert.deepEqual(messages, { 'a.ts': [], 'b.ts': [] });
  });
});
