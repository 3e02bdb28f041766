/**
 * The user's override file: changes to the default mappings (direction, filters, policies, schedule, field
 * mappings). The caller reads and JSON-parses the file; this module validates and applies it. Format (all keys
 * optional; see docs/mappings.md):
 *
 * ```json
 * { "mappings": { "CUSTOMER": {
 *     "direction": "to-dataverse", "bcFilter": "…", "dvFilter": "…", "onlyCoupled": false,
 *     "updateConflictPolicy": "bc-wins", "deletionConflictPolicy": "restore", "schedule": "15m",
 *     "dependencies": ["SALESPEOPLE", "CURRENCY"], "matchOn": [{ "bcField": "displayName", "dvField": "name" }],
 *     "bcTemplate": { … }, "dvTemplate": { … },
 *     "fieldMappings": [ { "dvField": "accountnumber", "enabled": true } ],
 *     "addFieldMappings": [ { "bcField": "…", "dvField": "…", "direction": "to-dataverse" } ] } } }
 * ```
 */
import { z } from 'zod';
import { checkCrossReferences } from './cross-references';
import {
  type FieldMapping,
  type IntegrationTableMapping,
  MappingValidationError,
  deletionConflictPolicies,
  describeIssue,
  directionSchema,
  fieldMappingSchema,
  formatIssuePath,
  parseMapping,
  scalarSchema,
  updateConflictPolicies,
} from './mapping-model';
import { durationPattern, intervalProblem, parseDuration } from './duration';
import { transformNames } from './transform-names';

const fieldOverrideSchema = z.strictObject({
  /** Selects the field mapping by position in the mapping's list … */
  index: z.number().int().min(0).optional(),
  /** … or by its BC field and/or Dataverse field (must match exactly one field mapping). */
  bcField: z.string().min(1).optional(),
  dvField: z.string().min(1).optional(),
  enabled: z.boolean().optional(),
  direction: directionSchema.optional(),
  constant: scalarSchema.optional(),
  clearValueOnFailedSync: z.boolean().optional(),
});

const mappingOverrideSchema = z.strictObject({
  direction: directionSchema.optional(),
  bcFilter: z.string().optional(),
  dvFilter: z.string().optional(),
  onlyCoupled: z.boolean().optional(),
  createsIn: z
    .array(z.enum(['bc', 'dataverse']))
    .min(1)
    .optional(),
  updateConflictPolicy: z.enum(updateConflictPolicies).optional(),
  deletionConflictPolicy: z.enum(deletionConflictPolicies).optional(),
  schedule: z
    .string()
    .min(2)
    .regex(durationPattern, "expected a duration such as '30m' or '1h'")
    .superRefine((text, ctx) => {
      // The same bounds as `bcsync schedule start --every`: a schedule outside them would never run.
      if (!durationPattern.test(text)) return;
      let ms = 0;
      try {
        ms = parseDuration(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return;
      }
      const problem = intervalProblem(text, ms);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  dependencies: z.array(z.string()).optional(),
  matchOn: z.array(z.strictObject({ bcField: z.string().min(1), dvField: z.string().min(1) })).optional(),
  matchCriteria: z
    .array(
      z.strictObject({
        fields: z
          .array(
            z.strictObject({
              bcField: z.string().min(1),
              dvField: z.string().min(1),
              transform: z.enum(transformNames).optional(),
            }),
          )
          .min(1),
        caseSensitive: z.boolean().optional(),
      }),
    )
    .optional(),
  matchBeforeCreate: z.boolean().optional(),
  bcTemplate: z.record(z.string(), scalarSchema).optional(),
  dvTemplate: z.record(z.string(), scalarSchema).optional(),
  fieldMappings: z.array(fieldOverrideSchema).optional(),
  addFieldMappings: z.array(z.unknown()).optional(),
});

const overrideFileSchema = z.strictObject({
  $schema: z.string().optional(),
  mappings: z.record(z.string(), mappingOverrideSchema),
});

export type FieldMappingOverride = z.infer<typeof fieldOverrideSchema>;
export type MappingOverride = z.infer<typeof mappingOverrideSchema>;
export type MappingOverrideFile = z.infer<typeof overrideFileSchema>;

/**
 * Returns new mappings with the override file applied (the inputs are not modified). `overrideJson` is the parsed
 * JSON of the file, or `undefined`/`null` for "no overrides". Throws `MappingValidationError` whose message names
 * the mapping and the field (`mapping CUSTOMER, field 'fieldMappings[3].direction': …`) when the file is malformed,
 * names an unknown mapping or field mapping, or produces an invalid mapping; `DependencyCycleError` when changed
 * dependencies form a cycle.
 */
export function applyMappingOverrides(
  defaults: readonly IntegrationTableMapping[],
  overrideJson: unknown,
): IntegrationTableMapping[] {
  const result = defaults.map((m) => structuredClone(m));
  if (overrideJson === undefined || overrideJson === null) return result;

  const parsed = overrideFileSchema.safeParse(overrideJson);
  if (!parsed.success) {
    const issue = describeIssue(parsed.error.issues[0]);
    const [first, name, ...rest] = issue.path;
    if (first === 'mappings' && typeof name === 'string' && rest.length > 0) {
      throw new MappingValidationError(name, formatIssuePath(rest), issue.message);
    }
    throw new MappingValidationError('(override file)', formatIssuePath(issue.path), issue.message);
  }

  const byName = new Map(result.map((m, i) => [m.name, i] as const));
  for (const [name, override] of Object.entries(parsed.data.mappings)) {
    const index = byName.get(name);
    if (index === undefined) {
      throw new MappingValidationError(name, '(mapping)', `unknown mapping; known: ${[...byName.keys()].join(', ')}`);
    }
    result[index] = applyOne(result[index], override);
  }
  checkCrossReferences(result);
  return result;
}

function applyOne(mapping: IntegrationTableMapping, o: MappingOverride): IntegrationTableMapping {
  const m = structuredClone(mapping);
  if (o.direction !== undefined) m.direction = o.direction;
  if (o.bcFilter !== undefined) m.bc.filter = o.bcFilter;
  if (o.dvFilter !== undefined) m.dataverse.filter = o.dvFilter;
  if (o.onlyCoupled !== undefined) m.onlyCoupled = o.onlyCoupled;
  if (o.createsIn !== undefined) m.createsIn = o.createsIn;
  if (o.updateConflictPolicy !== undefined) m.updateConflictPolicy = o.updateConflictPolicy;
  if (o.deletionConflictPolicy !== undefined) m.deletionConflictPolicy = o.deletionConflictPolicy;
  if (o.schedule !== undefined) m.schedule = o.schedule;
  if (o.dependencies !== undefined) m.dependencies = o.dependencies;
  if (o.matchOn !== undefined) m.matchOn = o.matchOn;
  if (o.matchCriteria !== undefined) {
    m.matchCriteria = o.matchCriteria.map((c) => ({ fields: c.fields, caseSensitive: c.caseSensitive ?? false }));
  }
  if (o.matchBeforeCreate !== undefined) m.matchBeforeCreate = o.matchBeforeCreate;
  if (o.bcTemplate !== undefined) m.bc.template = o.bcTemplate;
  if (o.dvTemplate !== undefined) m.dataverse.template = o.dvTemplate;

  (o.fieldMappings ?? []).forEach((fo, i) => {
    const path = `fieldMappings[${i}]`;
    const target = selectField(m, fo, path);
    const f: FieldMapping = m.fieldMappings[target];
    if (fo.enabled !== undefined) f.enabled = fo.enabled;
    if (fo.direction !== undefined) f.direction = fo.direction;
    if (fo.clearValueOnFailedSync !== undefined) f.clearValueOnFailedSync = fo.clearValueOnFailedSync;
    if (fo.constant !== undefined) {
      if (f.constant === undefined) {
        throw new MappingValidationError(
          m.name,
          `${path}.constant`,
          'only a constant field mapping can get a new constant',
        );
      }
      f.constant = fo.constant;
    }
    // Re-validate the changed field mapping alone so the error names the override entry, not the merged list.
    const check = fieldMappingSchema.safeParse(f);
    if (!check.success) {
      const issue = describeIssue(check.error.issues[0]);
      throw new MappingValidationError(m.name, joinPath(path, issue.path), issue.message);
    }
  });

  (o.addFieldMappings ?? []).forEach((raw, i) => {
    const check = fieldMappingSchema.safeParse(raw);
    if (!check.success) {
      const issue = describeIssue(check.error.issues[0]);
      throw new MappingValidationError(m.name, joinPath(`addFieldMappings[${i}]`, issue.path), issue.message);
    }
    m.fieldMappings.push(check.data);
  });

  return parseMapping(m, m.name);
}

function selectField(m: IntegrationTableMapping, fo: FieldMappingOverride, path: string): number {
  if (fo.index !== undefined) {
    if (fo.index >= m.fieldMappings.length) {
      throw new MappingValidationError(
        m.name,
        `${path}.index`,
        `there are only ${m.fieldMappings.length} field mappings`,
      );
    }
    return fo.index;
  }
  if (fo.bcField === undefined && fo.dvField === undefined) {
    throw new MappingValidationError(m.name, path, 'select the field mapping with index, bcField and/or dvField');
  }
  const matches = m.fieldMappings
    .map((f, i) => ({ f, i }))
    .filter(
      ({ f }) =>
        (fo.bcField === undefined || f.bcField === fo.bcField) &&
        (fo.dvField === undefined || f.dvField === fo.dvField),
    );
  const wanted = [fo.bcField && `bcField '${fo.bcField}'`, fo.dvField && `dvField '${fo.dvField}'`]
    .filter(Boolean)
    .join(' and ');
  if (matches.length === 0) {
    throw new MappingValidationError(m.name, path, `no field mapping has ${wanted}`);
  }
  if (matches.length > 1) {
    throw new MappingValidationError(
      m.name,
      path,
      `${matches.length} field mappings have ${wanted} (indexes ${matches.map((x) => x.i).join(', ')}); add the other field or use index`,
    );
  }
  return matches[0].i;
}

function joinPath(prefix: string, rest: readonly PropertyKey[]): string {
  return rest.length === 0 ? prefix : `${prefix}${typeof rest[0] === 'number' ? '' : '.'}${formatIssuePath(rest)}`;
}
