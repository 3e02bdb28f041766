import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultMappings } from '../../../mappings/default-mappings';
import { DependencyCycleError } from '../../../mappings/dependency-order';
import { applyMappingOverrides } from '../../../mappings/mapping-overrides';

describe('mapping override file', () => {
  const defaults = defaultMappings();
  const get = (mappings: ReturnType<typeof defaultMappings>, name: string) => mappings.find((m) => m.name === name)!;

  it('returns the defaults unchanged when there is no override file', () => {
    assert.deepEqual(applyMappingOverrides(defaults, undefined), defaults);
    assert.deepEqual(applyMappingOverrides(defaults, null), defaults);
  });

  it('changes direction, filters, policies, schedule and coupling scope of one mapping', () => {
    const result = applyMappingOverrides(defaults, {
      mappings: {
        CUSTOMER: {
          direction: 'to-dataverse',
          bcFilter: "blocked eq ' ' and country eq 'NO'",
          dvFilter: 'statecode eq 0',
          onlyCoupled: false,
          updateConflictPolicy: 'bc-wins',
          deletionConflictPolicy: 'restore',
          schedule: '15m',
        },
      },
    });
    const c = get(result, 'CUSTOMER');
    assert.equal(c.direction, 'to-dataverse');
    assert.equal(c.bc.filter, "blocked eq ' ' and country eq 'NO'");
    assert.equal(c.dataverse.filter, 'statecode eq 0');
    assert.equal(c.onlyCoupled, false);
    assert.equal(c.updateConflictPolicy, 'bc-wins');
    assert.equal(c.deletionConflictPolicy, 'restore');
    assert.equal(c.schedule, '15m');
    assert.equal(get(result, 'CONTACT').schedule, '30m', 'other mappings keep their defaults');
    assert.equal(get(defaults, 'CUSTOMER').direction, 'bidirectional', 'the input is not modified');
  });

  it('enables, disables and redirects field mappings selected by field name or index, and sets constants', () => {
    const result = applyMappingOverrides(defaults, {
      mappings: {
        CUSTOMER: {
          fieldMappings: [
            { dvField: 'accountnumber', enabled: true },
            { bcField: 'creditLimit', enabled: false },
            { bcField: 'city', direction: 'to-dataverse' },
          ],
        },
        'SALESPRC-PRODPRICE': { fieldMappings: [{ dvField: 'pricingmethodcode', constant: 2 }] },
        CONTACT: {
          addFieldMappings: [
            { bcField: 'jobTitle', dvField: 'jobtitle', direction: 'bidirectional', dvMaxLength: 100 },
          ],
        },
      },
    });
    const c = get(result, 'CUSTOMER');
    assert.equal(c.fieldMappings.find((f) => f.dvField === 'accountnumber')!.enabled, true);
    assert.equal(c.fieldMappings.find((f) => f.bcField === 'creditLimit')!.enabled, false);
    assert.equal(c.fieldMappings.find((f) => f.bcField === 'city')!.direction, 'to-dataverse');
    assert.equal(
      get(result, 'SALESPRC-PRODPRICE').fieldMappings.find((f) => f.dvField === 'pricingmethodcode')!.constant,
      2,
    );
    const added = get(result, 'CONTACT').fieldMappings.at(-1)!;
    assert.equal(added.bcField, 'jobTitle');
    assert.equal(added.enabled, true, 'defaults applied to an added field mapping');
  });

  it('names the mapping and field of an invalid value', () => {
    assert.throws(
      () =>
        applyMappingOverrides(defaults, {
          mappings: {
            CUSTOMER: {
              fieldMappings: [{ index: 0 }, { index: 1 }, { index: 2 }, { dvField: 'name', direction: 'sideways' }],
            },
          },
        }),
      {
        name: 'MappingValidationError',
        message: `mapping CUSTOMER, field 'fieldMappings[3].direction': Invalid option: expected one of "bidirectional"|"to-dataverse"|"to-bc"`,
      },
    );
    assert.throws(
      () => applyMappingOverrides(defaults, { mappings: { CONTACT: { updateConflictPolicy: 'newest-wins' } } }),
      /^MappingValidationError: mapping CONTACT, field 'updateConflictPolicy': Invalid option: expected one of "fail"\|"bc-wins"\|"dataverse-wins"$/,
    );
    assert.throws(
      () => applyMappingOverrides(defaults, { mappings: { CONTACT: { schedule: 'hourly' } } }),
      /mapping CONTACT, field 'schedule': expected a duration such as '30m' or '1h'/,
    );
    assert.throws(
      () => applyMappingOverrides(defaults, { mappings: { CONTACT: { colour: 'blue' } } }),
      /^MappingValidationError: mapping CONTACT, field 'colour': unknown property \(check the spelling\)$/,
    );
  });

  it('names an unknown mapping, an unknown field mapping and an ambiguous selection', () => {
    assert.throws(
      () => applyMappingOverrides(defaults, { mappings: { VENDOR: { schedule: '1h' } } }),
      /^MappingValidationError: mapping VENDOR, field '\(mapping\)': unknown mapping; known: SALESPEOPLE, /,
    );
    assert.throws(
      () =>
        applyMappingOverrides(defaults, {
          mappings: { CUSTOMER: { fieldMappings: [{ dvField: 'telephone3', enabled: true }] } },
        }),
      /mapping CUSTOMER, field 'fieldMappings\[0\]': no field mapping has dvField 'telephone3'/,
    );
    assert.throws(
      () =>
        applyMappingOverrides(defaults, {
          mappings: { 'ITEM-PRODUCT': { fieldMappings: [{ bcField: 'unitCost', enabled: false }] } },
        }),
      /mapping ITEM-PRODUCT, field 'fieldMappings\[0\]': 2 field mappings have bcField 'unitCost' \(indexes 3, 4\)/,
    );
  });

  it('rejects overrides that make a mapping inconsistent', () => {
    assert.throws(
      () => applyMappingOverrides(defaults, { mappings: { 'UNIT OF MEASURE': { direction: 'to-bc' } } }),
      /mapping UNIT OF MEASURE, field 'direction': no enabled field mapping transfers values in direction 'to-bc'/,
    );
    assert.throws(
      () =>
        applyMappingOverrides(defaults, {
          mappings: { CUSTOMER: { fieldMappings: [{ bcField: 'city', constant: 'Oslo' }] } },
        }),
      /mapping CUSTOMER, field 'fieldMappings\[0\]\.constant': only a constant field mapping can get a new constant/,
    );
    assert.throws(
      () =>
        applyMappingOverrides(defaults, {
          mappings: { CUSTOMER: { fieldMappings: [{ bcField: 'salespersonCode', clearValueOnFailedSync: true }] } },
        }),
      /mapping CUSTOMER, field 'fieldMappings\[0\]\.clearValueOnFailedSync': notNull and clearValueOnFailedSync exclude each other/,
    );
    assert.throws(
      () => applyMappingOverrides(defaults, { mappings: { CUSTOMER: { dependencies: ['SALESPEOPLE'] } } }),
      /mapping CUSTOMER, field 'fieldMappings\[8\]\.lookup\.mapping': looks up through CURRENCY/,
    );
    assert.throws(
      () => applyMappingOverrides(defaults, { mappings: { SALESPEOPLE: { dependencies: ['CONTACT'] } } }),
      (e: unknown) =>
        e instanceof DependencyCycleError && /SALESPEOPLE → CONTACT → CUSTOMER → SALESPEOPLE/.test(e.message),
    );
  });

  it('rejects a file without the mappings object', () => {
    assert.throws(
      () => applyMappingOverrides(defaults, { CUSTOMER: {} }),
      /^MappingValidationError: mapping \(override file\)/,
    );
  });
});

describe('override file example in docs/mappings.md', () => {
  it('applies cleanly to the defaults', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/mappings.md'), 'utf8');
    const example = /```json\n([\s\S]*?)```/.exec(doc);
    assert.ok(example, 'docs/mappings.md has a json example');
    const result = applyMappingOverrides(defaultMappings(), JSON.parse(example[1]));
    const customer = result.find((m) => m.name === 'CUSTOMER')!;
    assert.equal(customer.schedule, '15m');
    assert.equal(customer.fieldMappings.find((f) => f.bcField === 'salespersonCode')!.enabled, false);
  });
});
