import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { configSchema } from '../../../config';
import { configVariables, renderConfigurationReference } from '../../../config/reference';

describe('docs/configuration.md', function () {
  this.timeout(20_000);

  it('shows every variable of the config schema as the schema says (run `npm run docs:config` when this fails)', async () => {
    const file = path.join(__dirname, '..', '..', '..', 'docs', 'configuration.md');
    const doc = readFileSync(file, 'utf8');
    const expected = await prettier.format(renderConfigurationReference(), {
      ...(await prettier.resolveConfig(file)),
      filepath: file,
    });
    assert.equal(doc, expected, 'docs/configuration.md is stale: run `npm run docs:config`');
    for (const name of Object.keys(configSchema.shape)) assert.match(doc, new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
  });

  it('gives every variable a description, and its type and default as the schema parses them', () => {
    const variables = configVariables();
    assert.deepEqual(
      variables.filter((v) => v.description.trim() === '').map((v) => v.name),
      [],
      'add .describe() to these variables in config/index.ts',
    );
    const byName = Object.fromEntries(variables.map((v) => [v.name, v]));
    assert.deepEqual(byName.LOG_LEVEL.type, 'one of: trace, debug, info, warn, error, fatal, silent');
    assert.equal(byName.LOG_LEVEL.default, 'info');
    assert.equal(byName.TEMPORAL_DEV_PORT.type, 'port (0–65535)');
    assert.equal(byName.TEMPORAL_DEV_PORT.default, '7233');
    assert.equal(byName.EMULATORS.default, 'true');
    assert.match(byName.EMULATORS.type, /^boolean/);
    assert.equal(byName.SYNC_PAGE_SIZE.type, 'integer (1–5000)');
    assert.equal(byName.TEMPORAL_ADDRESS.default, undefined);
    assert.match(byName.SYNC_PAGE_SIZE.description, /Records per sync page/);
  });

  it('marks the secrets: client secrets, API key, database URLs, and any token or password added later', () => {
    const secrets = configVariables()
      .filter((v) => v.secret)
      .map((v) => v.name);
    for (const name of [
      'BC_CLIENT_SECRET',
      'DATAVERSE_CLIENT_SECRET',
      'TEMPORAL_API_KEY',
      'MYSQL_URL',
      'MYSQL_DEFAULT_URL',
    ])
      assert.ok(secrets.includes(name), `${name} is a secret`);
    // The files holding secrets are paths, not secrets.
    for (const name of ['BC_CLIENT_SECRET_FILE', 'TEMPORAL_API_KEY_FILE', 'TEMPORAL_TLS_KEY_PATH'])
      assert.ok(!secrets.includes(name), `${name} is not a secret`);
    // Every variable whose name says secret, token, API key or password is one.
    for (const name of Object.keys(configSchema.shape).filter((n) => /SECRET|TOKEN|API_KEY|PASSWORD/.test(n)))
      if (!/_(FILE|PATH)$/.test(name)) assert.ok(secrets.includes(name), `${name} is a secret`);
  });
});
