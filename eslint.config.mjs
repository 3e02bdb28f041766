// Lint rules that enforce the module boundaries of DESIGN §3 (see STYLE.md, "Boundaries are enforced by tools").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import { builtinModules } from 'node:module';
import localRules from './scripts/lint/no-type-import-cycle.mjs';

// Everything that performs I/O or breaks workflow determinism.
const ioModules = [
  ...builtinModules.filter((m) => !m.startsWith('_')),
  ...builtinModules.filter((m) => !m.startsWith('_')).map((m) => `node:${m}`),
  'knex',
  'mysql2',
  'mysql2/*',
  'better-sqlite3',
  'fastify',
  'pino',
  '@azure/msal-node',
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/testing',
];

const noProcessEnv = {
  'no-restricted-properties': [
    'error',
    { object: 'process', property: 'env', message: 'Only config/ reads process.env; take the value from Config.' },
  ],
};

const projectLayerImports = (dirs) =>
  dirs.flatMap((d) => [`../${d}`, `../${d}/*`, `../../${d}`, `../../${d}/*`, `../../../${d}/*`]);

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.data/**',
      'dist/**',
      'coverage/**',
      'scripts/register.js',
      'bin/**',
      'scripts/build.js',
      'scripts/test-shards.js',
      'test/support/reporter.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.mjs', 'scripts/lint/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX, local: localRules },
    settings: {
      // The plugin's default resolver chokes on some packages' export maps (@azure/msal-node); Node's own resolution
      // is what runs, so it is what the cycle check should use.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'] })],
      // Why import-x/no-cycle never fired: the resolver found './page-processor' → page-processor.ts, but the plugin
      // only parses a resolved module for its imports when its extension is in `import-x/extensions`, which defaults
      // to .js/.mjs/.cjs. Every .ts module was therefore a dead end with no imports, so no cycle could close.
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Knex query builders are thenables, so `.where((q) => q.whereNull(…))` callbacks look like promise returns.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // Cycles of value imports. import-x/no-cycle skips `import type` with no option to count it, so
      // local/no-type-import-cycle reports the cycles a type-only import closes (see scripts/lint/).
      'import-x/no-cycle': ['error', { maxDepth: 10 }],
      'local/no-type-import-cycle': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
      ...noProcessEnv,
    },
  },
  {
    files: ['eslint.config.mjs', 'scripts/lint/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // config/ is the only reader of process.env.
    files: ['config/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Entry points and tooling may print.
    files: ['client/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts', 'emulators/**/main.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
  {
    // Workflows run in Temporal's deterministic sandbox: no I/O, no environment, activities as types only.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({
            name,
            message: 'workflows/ must stay deterministic: do I/O in an activity.',
          })),
          patterns: [
            {
              group: projectLayerImports(['activities']),
              allowTypeImports: true,
              message: 'workflows/ may import activities as types only (import type).',
            },
            {
              group: projectLayerImports(['connectors', 'store', 'emulators', 'worker', 'client', 'config']),
              message: 'workflows/ must stay deterministic: do I/O in an activity.',
            },
          ],
        },
      ],
    },
  },
  {
    // engine/ and mappings/ are pure rules and data: no I/O of any kind.
    files: ['engine/**/*.ts', 'mappings/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({ name, message: 'engine/ and mappings/ are pure: no I/O.' })),
          patterns: [
            {
              group: projectLayerImports([
                'activities',
                'connectors',
                'store',
                'emulators',
                'worker',
                'client',
                'config',
              ]),
              message: 'engine/ and mappings/ are pure: no I/O.',
            },
          ],
        },
      ],
    },
  },
  {
    // The emulators share nothing with the connectors but the public protocol (DESIGN §3).
    files: ['emulators/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: projectLayerImports(['connectors']), message: 'emulators/ never import connectors/.' }] },
      ],
    },
  },
  {
    files: ['connectors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: projectLayerImports(['emulators']), message: 'connectors/ never import emulators/.' }] },
      ],
    },
  },
);
