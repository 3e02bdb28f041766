/** Writes the generated section of docs/mappings.md from the default mappings (`npm run docs:mappings`). */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultMappings, renderMappingsReference, replaceGeneratedSection } from '../mappings';

const file = path.join(__dirname, '..', 'docs', 'mappings.md');
const before = readFileSync(file, 'utf8');
const after = replaceGeneratedSection(before, renderMappingsReference(defaultMappings()));
writeFileSync(file, after);

console.log(before === after ? `${file} is up to date` : `wrote ${file}`);
