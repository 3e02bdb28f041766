import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config';
import { applyMappingOverrides, defaultMappings, demoMappingOverrides } from '../../mappings';
import {
  demoMappingsFile,
  loadEffectiveMappings,
  MappingsFileError,
  writeDemoMappingsFile,
} from '../../worker/load-mappings';

const freshDataDir = () => mkdtempSync(path.join(tmpdir(), 'bcsync-mappings-'));
const customerOf = (mappings: ReturnType<typeof defaultMappings>) => mappings.find((m) => m.name === 'CUSTOMER')!;

describe('the effective mappings (one composition path for the worker and the CLI)', function () {
  it('are the plain defaults when MAPPINGS_FILE is unset and DATA_DIR holds no demo file', () => {
    const dataDir = freshDataDir();
    const { mappings, source } = loadEffectiveMappings(loadConfig({ DATA_DIR: dataDir }));
    assert.deepEqual(source, { kind: 'defaults', file: null });
    assert.deepEqual(mappings, defaultMappings());
  });

  it("are the defaults with the demo's overrides once npm start wrote them to DATA_DIR", () => {
    const dataDir = freshDataDir();
    const config = loadConfig({ DATA_DIR: dataDir });
    assert.deepEqual(writeDemoMappingsFile(config.dataDir), { file: demoMappingsFile(config.dataDir), written: true });
    assert.deepEqual(JSON.parse(readFileSync(demoMappingsFile(config.dataDir), 'utf8')), demoMappingOverrides);

    const { mappings, source } = loadEffectiveMappings(config);
    assert.deepEqual(source, { kind: 'demo', file: path.join(config.dataDir, 'demo-mappings.json') });
    assert.deepEqual(mappings, applyMappingOverrides(defaultMappings(), demoMappingOverrides));
    assert.equal(customerOf(mappings).onlyCoupled, false);
    assert.equal(customerOf(mappings).fieldMappings.find((f) => f.bcField === 'salespersonCode')?.enabled, true);
    assert.equal(customerOf(mappings).fieldMappings.find((f) => f.bcField === 'currencyCode')?.enabled, true);
  });

  it("keeps a demo file that exists (a user's edits survive a restart)", () => {
    const dataDir = freshDataDir();
    writeFileSync(demoMappingsFile(dataDir), JSON.stringify({ mappings: { CUSTOMER: { schedule: '5m' } } }));
    assert.equal(writeDemoMappingsFile(dataDir).written, false);
    const { mappings } = loadEffectiveMappings(loadConfig({ DATA_DIR: dataDir }));
    assert.equal(customerOf(mappings).schedule, '5m');
    assert.equal(customerOf(mappings).onlyCoupled, true);
  });

  it('prefer MAPPINGS_FILE over the demo file', () => {
    const dataDir = freshDataDir();
    writeDemoMappingsFile(dataDir);
    const file = path.join(dataDir, 'mine.json');
    writeFileSync(file, JSON.stringify({ mappings: { CONTACT: { direction: 'to-dataverse' } } }));
    const { mappings, source } = loadEffectiveMappings(loadConfig({ DATA_DIR: dataDir, MAPPINGS_FILE: file }));
    assert.deepEqual(source, { kind: 'MAPPINGS_FILE', file });
    assert.equal(customerOf(mappings).onlyCoupled, true, "the demo's overrides are not applied");
    assert.equal(mappings.find((m) => m.name === 'CONTACT')?.direction, 'to-dataverse');
  });

  it('name the setting, the file, the mapping and the field when an override file is bad', () => {
    const dataDir = freshDataDir();
    writeFileSync(demoMappingsFile(dataDir), '{ "mappings": ');
    assert.throws(
      () => loadEffectiveMappings(loadConfig({ DATA_DIR: dataDir })),
      (err: unknown) =>
        err instanceof MappingsFileError &&
        err.message.startsWith("DATA_DIR (the demo's demo-mappings.json; delete it and npm start writes it again): ") &&
        err.message.includes('is not valid JSON'),
    );
    const file = path.join(dataDir, 'mine.json');
    writeFileSync(file, JSON.stringify({ mappings: { CUSTOMER: { onlyCoupled: 'no' } } }));
    assert.throws(
      () => loadEffectiveMappings(loadConfig({ DATA_DIR: dataDir, MAPPINGS_FILE: file })),
      (err: unknown) =>
        err instanceof MappingsFileError &&
        err.message.startsWith(`MAPPINGS_FILE: ${file}: `) &&
        /mapping CUSTOMER, field 'onlyCoupled'/.test(err.message),
    );
  });
});
