/** Writes docs/configuration.md from the config schema (`npm run docs:config`). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderConfigurationReference } from '../config/reference';

const file = path.join(__dirname, '..', 'docs', 'configuration.md');

const after = renderConfigurationReference();
writeFileSync(file, after);

console.log(`wrote ${file} (prettier formats it next)`);
