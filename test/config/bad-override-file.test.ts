/**
 * A bad mapping override file (issue 12, docs/reliability.md "Bad input"): every kind is refused before anything runs,
 * with one message that names the setting, the file and — for a valid JSON file — the mapping and the field. The
 * worker and every `bcsync` command load the mappings through this one function (worker/load-mappings.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config';
import { loadEffectiveMappings, MappingsFileError } from '../../worker/load-mappings';

describe('a bad mapping override file is refused with the setting, the file, the mapping and the field', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bcsync-overrides-'));
  const KNOWN =
    'SALESPEOPLE, CURRENCY, UNIT OF MEASURE, CUSTOMER, ITEM-PRODUCT, RESOURCE-PRODUCT, CONTACT, CUSTPRCGRP-PRICE, CUSTOMER STATISTICS, SALESPRC-PRODPRICE, POSTEDSALESINV-INV';

  /** The message loading the effective mappings with `text` as MAPPINGS_FILE fails with, `<file>` for its path. */
  function refusal(name: string, text: string | object): string {
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, typeof text === 'string' ? text : JSON.stringify(text));
    try {
      loadEffectiveMappings(loadConfig({ DATA_DIR: dir, MAPPINGS_FILE: file }));
    } catch (error) {
      assert.ok(error instanceof MappingsFileError, String(error));
      return error.message.replace(file, '<file>');
    }
    return assert.fail(`${name}: the file was accepted`);
  }

  it('refuses a file that is not JSON, saying where the mistake is', () => {
    assert.match(
      refusal('trailing-comma', '{\n  "mappings": {\n    "CUSTOMER": { "schedule": "1h", }\n  }\n}\n'),
      /^MAPPINGS_FILE: <file> is not valid JSON: .*\(line 3 column 37\)$/,
    );
  });

  it('refuses a file cut off mid-way', () => {
    assert.match(
      refusal('truncated', '{ "mappings": '),
      /^MAPPINGS_FILE: <file> is not valid JSON: Unexpected end of JSON input/,
    );
  });

  it('refuses a file that cannot be read, saying why', () => {
    const missing = path.join(dir, 'no-such-file.json');
    assert.throws(() => loadEffectiveMappings(loadConfig({ DATA_DIR: dir, MAPPINGS_FILE: missing })), {
      name: 'MappingsFileError',
      message: `MAPPINGS_FILE: cannot read ${missing}: ENOENT (no such file)`,
    });
  });

  it('refuses JSON that is not the object of mappings (null, an array, mappings as an array)', () => {
    assert.equal(
      refusal('null', 'null'),
      'MAPPINGS_FILE: <file> holds null; expected an object such as { "mappings": { … } }',
    );
    assert.equal(
      refusal('array', '[1,2]'),
      "MAPPINGS_FILE: <file>: mapping (override file), field '(mapping)': Invalid input: expected object, received array",
    );
    assert.equal(
      refusal('mappings-array', { mappings: [] }),
      "MAPPINGS_FILE: <file>: mapping (override file), field 'mappings': Invalid input: expected record, received array",
    );
  });

  it('refuses an unknown mapping, listing the known ones', () => {
    assert.equal(
      refusal('unknown-mapping', { mappings: { VENDOR: { schedule: '1h' } } }),
      `MAPPINGS_FILE: <file>: mapping VENDOR, field '(mapping)': unknown mapping; known: ${KNOWN}`,
    );
  });

  it('refuses an unknown field mapping, an index out of range and a misspelt property', () => {
    assert.equal(
      refusal('unknown-field', {
        mappings: { CUSTOMER: { fieldMappings: [{ dvField: 'telephone3', enabled: false }] } },
      }),
      "MAPPINGS_FILE: <file>: mapping CUSTOMER, field 'fieldMappings[0]': no field mapping has dvField 'telephone3'",
    );
    assert.equal(
      refusal('bad-index', { mappings: { CUSTOMER: { fieldMappings: [{ index: 999, enabled: false }] } } }),
      "MAPPINGS_FILE: <file>: mapping CUSTOMER, field 'fieldMappings[0].index': there are only 22 field mappings",
    );
    assert.equal(
      refusal('misspelt', { mappings: { CUSTOMER: { colour: 'blue' } } }),
      "MAPPINGS_FILE: <file>: mapping CUSTOMER, field 'colour': unknown property (check the spelling)",
    );
  });

  it('refuses values of the wrong type: a boolean, a number, a string, a list', () => {
    assert.equal(
      refusal('bool', { mappings: { CUSTOMER: { onlyCoupled: 'no' } } }),
      "MAPPINGS_FILE: <file>: mapping CUSTOMER, field 'onlyCoupled': Invalid input: expected boolean, received string",
    );
    assert.equal(
      refusal('number', {
        mappings: {
          CONTACT: {
            addFieldMappings: [
              { bcField: 'jobTitle', dvField: 'jobtitle', direction: 'bidirectional', dvMaxLength: '100' },
            ],
          },
        },
      }),
      "MAPPINGS_FILE: <file>: mapping CONTACT, field 'addFieldMappings[0].dvMaxLength': Invalid input: expected number, received string",
    );
    assert.equal(
      refusal('string', { mappings: { CUSTOMER: { bcFilter: 42 } } }),
      "MAPPINGS_FILE: <file>: mapping CUSTOMER, field 'bcFilter': Invalid input: expected string, received number",
    );
    assert.equal(
      refusal('list', { mappings: { CUSTOMER: { dependencies: 'CURRENCY' } } }),
      "MAPPINGS_FILE: <file>: mapping CUSTOMER, field 'dependencies': Invalid input: expected array, received string",
    );
  });

  it('refuses a cycle in the dependencies, naming it, and a mapping that depends on itself or on an unknown one', () => {
    assert.equal(
      refusal('cycle', { mappings: { SALESPEOPLE: { dependencies: ['CONTACT'] } } }),
      'MAPPINGS_FILE: <file>: mapping dependencies form a cycle: SALESPEOPLE → CONTACT → CUSTOMER → SALESPEOPLE',
    );
    assert.equal(
      refusal('self', { mappings: { CURRENCY: { dependencies: ['CURRENCY'] } } }),
      "MAPPINGS_FILE: <file>: mapping CURRENCY, field 'dependencies': a mapping cannot depend on itself",
    );
    assert.equal(
      refusal('unknown-dependency', { mappings: { CURRENCY: { dependencies: ['NOPE'] } } }),
      `MAPPINGS_FILE: <file>: mapping CURRENCY, field 'dependencies[0]': unknown mapping 'NOPE'; known: ${KNOWN}`,
    );
  });
});
