// ESLint rule `local/no-type-import-cycle`: reports a project import cycle that needs an `import type` to close.
//
// Why it exists: eslint-plugin-import-x's `no-cycle` (4.18.1) skips type-only imports unconditionally — the
// importing declaration is ignored when it is `import type` or all its specifiers are inline `type`, and during the
// walk every declaration that `isOnlyImportingTypes` is dropped; no option turns that off. Type imports are erased at
// run time, but a type-only edge still ties two modules into one layer (page-processor needs sync-activities' types,
// sync-activities needs page-processor's code), which is what DESIGN §3 forbids. Cycles made of value imports only are
// left to `import-x/no-cycle`, so each cycle is reported once.
//
// Scope: static `import`/`export … from` of relative specifiers between .ts files (extension-less, `./dir` → index.ts);
// packages cannot import the project back, so they are not followed.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Resolves a relative specifier from `fromFile` to a .ts file the way Node + ts-node do, or undefined. */
function resolveRelative(fromFile, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [`${base}.ts`, path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts'), base];
  return candidates.find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile());
}

/** Whether an import/export declaration brings in types only (erased at run time). */
function isTypeOnly(node) {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (!clause) return false; // `import './x'` runs the module
    if (clause.isTypeOnly) return true;
    const named = clause.namedBindings;
    return (
      !clause.name &&
      named != null &&
      ts.isNamedImports(named) &&
      named.elements.length > 0 &&
      named.elements.every((e) => e.isTypeOnly)
    );
  }
  const clause = node.exportClause;
  if (node.isTypeOnly) return true;
  return (
    clause != null &&
    ts.isNamedExports(clause) &&
    clause.elements.length > 0 &&
    clause.elements.every((e) => e.isTypeOnly)
  );
}

// Keyed by path; an entry is reused only while the file's mtime and size are unchanged (tests rewrite probe files).
const edgeCache = new Map();

/** The project files `file` imports, each with whether that edge is type-only (a value import wins over a type one). */
function edgesOf(file) {
  const stat = statSync(file);
  const stamp = `${stat.mtimeMs}:${stat.size}`;
  const cached = edgeCache.get(file);
  if (cached?.stamp === stamp) return cached.edges;
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const edges = new Map();
  for (const statement of source.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))) continue;
    const spec = statement.moduleSpecifier;
    if (!spec || !ts.isStringLiteral(spec)) continue;
    const target = resolveRelative(file, spec.text);
    if (!target) continue;
    edges.set(target, (edges.get(target) ?? true) && isTypeOnly(statement));
  }
  edgeCache.set(file, { stamp, edges });
  return edges;
}

/** Breadth-first route from `start` back to `goal` (as file paths), or undefined; `valuesOnly` skips type edges. */
function routeBack(start, goal, valuesOnly) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const [next, typeOnly] of edgesOf(file)) {
      if (valuesOnly && typeOnly) continue;
      if (next === goal) {
        const route = [file];
        for (let f = previous.get(file); f !== undefined; f = previous.get(f)) route.unshift(f);
        return route;
      }
      if (previous.has(next)) continue;
      previous.set(next, file);
      queue.push(next);
    }
  }
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export const noTypeImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles that are closed by a type-only import (import-x/no-cycle skips them).' },
    schema: [],
    messages: {
      cycle:
        'Dependency cycle through a type-only import: {{route}}. Move the shared type to a module both can import (e.g. a *-types.ts file).',
    },
  },
  create(context) {
    const filename = context.physicalFilename;
    if (!filename.endsWith('.ts')) return {};
    const cwd = context.cwd;
    const check = (node) => {
      if (!node.source || typeof node.source.value !== 'string') return;
      const target = resolveRelative(filename, node.source.value);
      if (!target || target === filename) return;
      const typeEdge = node.importKind === 'type' || node.exportKind === 'type' || isTypeOnlyEstree(node);
      const route = routeBack(target, filename, false);
      if (!route) return;
      // A cycle made of value imports only is import-x/no-cycle's to report.
      if (!typeEdge && routeBack(target, filename, true)) return;
      const names = [filename, ...route, filename].map((f) => path.relative(cwd, f));
      context.report({ node, messageId: 'cycle', data: { route: names.join(' → ') } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};

/** ESTree twin of isTypeOnly for the file being linted: `import { type A, type B }` is type-only too. */
function isTypeOnlyEstree(node) {
  const specifiers = node.specifiers ?? [];
  if (node.type === 'ImportDeclaration') {
    return specifiers.length > 0 && specifiers.every((s) => s.type === 'ImportSpecifier' && s.importKind === 'type');
  }
  return specifiers.length > 0 && specifiers.every((s) => s.exportKind === 'type');
}

export default { rules: { 'no-type-import-cycle': noTypeImportCycle } };
