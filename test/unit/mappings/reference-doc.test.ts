import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { defaultMappings, renderMappingsReference, replaceGeneratedSection } from '../../../mappings';

describe('docs/mappings.md', function () {
  this.timeout(20_000);

  it('shows every default mapping as the definitions say (run `npm run docs:mappings` when this fails)', async () => {
    const file = path.join(__dirname, '..', '..', '..', 'docs', 'mappings.md');
    const doc = readFileSync(file, 'utf8');
    const expected = await prettier.format(replaceGeneratedSection(doc, renderMappingsReference(defaultMappings())), {
      ...(await prettier.resolveConfig(file)),
      filepath: file,
    });
    assert.equal(doc, expected, 'docs/mappings.md is stale: run `npm run docs:mappings`');
    for (const m of defaultMappings()) assert.ok(doc.includes(`### ${m.name} — `), `${m.name} is documented`);
  });
});
