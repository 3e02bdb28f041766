/**
 * The integration table mapping model: zod schemas (the single source of truth) and the TypeScript types derived
 * from them. See docs/mappings.md for the meaning of every property and reference/bc-sync-semantics.md §1–§2 for the
 * Business Central behaviour it mirrors.
 *
 * Glossary (the run's nouns — side, direction, mode, counts — are defined in engine/run-types.ts):
 * - mapping direction: a pass direction (`to-dataverse`, `to-bc`) or `bidirectional`, for a mapping or a field.
 * - lookup: a field whose value names another record, resolved through the couplings of another mapping (or through
 *   option mappings for Dataverse choice columns).
 */
import { z } from 'zod';
import { durationPattern } from './duration';
import { transformNames } from './transform-names';
import { type PassDirection, passDirections } from '../engine/run-types';

export const mappingDirections = ['bidirectional', ...passDirections] as const;
export const updateConflictPolicies = ['fail', 'bc-wins', 'dataverse-wins'] as const;
export const deletionConflictPolicies = ['fail', 'restore', 'uncouple'] as const;
export const valueTypes = ['text', 'code', 'number', 'boolean', 'date', 'datetime', 'guid', 'option'] as const;
/** How a BC lookup field identifies the referenced record (what the caller must resolve to and from). */
export const bcLookupKeys = ['id', 'code', 'number', 'company-contact-number'] as const;

export const directionSchema = z.enum(mappingDirections);
export const passDirectionSchema = z.enum(passDirections);
export const valueTypeSchema = z.enum(valueTypes);
export const scalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const identifier = z.string().min(1).max(200);

export const couplingLookupSchema = z.strictObject({
  kind: z.literal('coupling'),
  /** The mapping whose couplings resolve the reference (e.g. CURRENCY). */
  mapping: identifier,
  /** What the BC field holds: the referenced record's `id` (SystemId), `code`, `number`, or — for contacts — the
   *  number of the company contact whose customer is meant. */
  bcKey: z.enum(bcLookupKeys),
  /** Entity set of the referenced Dataverse table, used in `@odata.bind` values (e.g. `transactioncurrencies`). */
  dvEntitySet: identifier,
  /** Single-valued navigation property to bind when writing (Default: the field's `dvField`). Polymorphic lookups
   *  need the suffixed name, e.g. `parentcustomerid_account`. */
  dvNavigation: identifier.optional(),
  /** What the referenced records are called, for messages: BC side (e.g. `customer`) and DV side (e.g. `account`). */
  bcCaption: z.string().min(1),
  dvCaption: z.string().min(1),
  /** Blank BC value (LCY) ⇔ the Dataverse base currency; the caller resolves both ends. (Default: false) */
  blankIsBaseCurrency: z.boolean().default(false),
  /** When the referenced record does not exist at all (e.g. a person contact whose company is not a customer), the
   *  whole record is ignored (not counted), like BC's post-filter. (Default: false) */
  ignoreRecordWithoutTarget: z.boolean().default(false),
  /**
   * A referenced BC record that is not coupled yet is synchronized on demand through the lookup's mapping — created
   * and coupled in Dataverse, logged as a `records` job of that mapping — and then looked up again, as BC does for a
   * posted invoice's customer (bc-sync-semantics §4.9, §8.11). Only from BC, and only for a mapping that synchronizes
   * BC → Dataverse; a record that still cannot be coupled fails the referencing record with the reason. (Default:
   * false)
   */
  syncOnDemand: z.boolean().default(false),
});

export const optionLookupSchema = z.strictObject({
  kind: z.literal('option'),
  /** The option mapping (BC code table ↔ DV choice column) that translates values, e.g. `PAYMENT TERMS`. */
  optionSet: identifier,
  bcCaption: z.string().min(1),
  dvCaption: z.string().min(1),
});

/**
 * A Dataverse lookup that the mapping's entity rule resolves (activities/entity-rules/), for a reference no coupling
 * names: SALESPRC-PRODPRICE's unit is the unit of the product's unit group named like the price's unit of measure code.
 * The field counts in the record's hash on both sides (Business Central: its value; Dataverse: `_<dvField>_value`), so
 * a change of it alone is a change; the field transfer leaves it out, and the rule writes `<dvField>@odata.bind`.
 * Towards Dataverse only.
 */
export const entityRuleLookupSchema = z.strictObject({
  kind: z.literal('entity-rule'),
  /** Entity set of the referenced Dataverse table, used in `@odata.bind` values (e.g. `uoms`). */
  dvEntitySet: identifier,
  bcCaption: z.string().min(1),
  dvCaption: z.string().min(1),
});

export const lookupSchema = z.discriminatedUnion('kind', [
  couplingLookupSchema,
  optionLookupSchema,
  entityRuleLookupSchema,
]);

export const fieldMappingSchema = z
  .strictObject({
    /** BC API property (v2.0 camelCase name); dotted paths read from expanded navigations. Absent for a constant
     *  written to Dataverse. */
    bcField: identifier.optional(),
    /** Dataverse logical name. For a coupling lookup this is the lookup's logical name (read as `_<name>_value`).
     *  Absent for a constant written to BC. */
    dvField: identifier.optional(),
    direction: directionSchema,
    /** Disabled field mappings are ignored everywhere (transfer, hashing, conflicts). (Default: true) */
    enabled: z.boolean().default(true),
    /** Constant written to the one side that has a field; the mapping then has exactly one of bcField/dvField. */
    constant: scalarSchema.optional(),
    /** Value type used to normalise and compare values on the BC side, and on the DV side unless `dvType` is given.
     *  (Default: text) */
    type: valueTypeSchema.default('text'),
    dvType: valueTypeSchema.optional(),
    lookup: lookupSchema.optional(),
    transform: z.enum(transformNames).optional(),
    /** For lookups: write an empty value instead of failing the record when the target is not coupled.
     *  (Default: false) */
    clearValueOnFailedSync: z.boolean().default(false),
    /** Never write an empty value to the destination (the field is left unchanged instead). (Default: false) */
    notNull: z.boolean().default(false),
    /** Human name of the field for messages (Default: the destination field name). */
    caption: z.string().min(1).optional(),
    bcMaxLength: z.number().int().positive().optional(),
    dvMaxLength: z.number().int().positive().optional(),
    /** The destination must receive a non-empty value when a record is created on that side. (Default: false) */
    bcRequired: z.boolean().default(false),
    dvRequired: z.boolean().default(false),
    /** Free text for docs and `bcsync mappings` (why a field is disabled, what is left out). */
    note: z.string().optional(),
  })
  .superRefine((f, ctx) => {
    const issue = (message: string, path: string) => ctx.addIssue({ code: 'custom', message, path: [path] });
    if (f.constant !== undefined) {
      if ((f.bcField === undefined) === (f.dvField === undefined)) {
        issue('a constant field mapping names exactly one of bcField or dvField', 'constant');
      } else if (f.dvField !== undefined && f.direction !== 'to-dataverse') {
        issue("a constant written to Dataverse must have direction 'to-dataverse'", 'direction');
      } else if (f.bcField !== undefined && f.direction !== 'to-bc') {
        issue("a constant written to Business Central must have direction 'to-bc'", 'direction');
      }
      if (f.lookup !== undefined) issue('a constant cannot also be a lookup', 'lookup');
    } else if (f.bcField === undefined || f.dvField === undefined) {
      issue(
        'a field mapping needs both bcField and dvField (or one of them and a constant)',
        f.bcField ? 'dvField' : 'bcField',
      );
    }
    if (f.notNull && f.clearValueOnFailedSync) {
      issue('notNull and clearValueOnFailedSync exclude each other', 'clearValueOnFailedSync');
    }
    if (f.lookup?.kind === 'entity-rule' && f.direction !== 'to-dataverse') {
      issue("a lookup resolved by an entity rule is written to Dataverse only: direction 'to-dataverse'", 'direction');
    }
    if (f.clearValueOnFailedSync && f.lookup === undefined) {
      issue('clearValueOnFailedSync applies to lookup fields only', 'clearValueOnFailedSync');
    }
  });

const bcTemplateSchema = z.record(z.string(), scalarSchema);

export const bcSideSchema = z.strictObject({
  /** `v2.0` = `/api/v2.0/companies(..)/<set>`; `custom` = the product's custom API pages `/api/bcsync/sync/v1.0/…`. */
  api: z.enum(['v2.0', 'custom']).default('v2.0'),
  entitySet: identifier,
  key: identifier.default('id'),
  modifiedField: identifier.default('lastModifiedDateTime'),
  /** What one record is called in messages, e.g. `customer`. */
  caption: z.string().min(1),
  /** Property shown as the record's name in messages, e.g. `displayName`. */
  titleField: identifier,
  /** Property shown as the record's number in messages, e.g. `number`. */
  numberField: identifier.optional(),
  /** OData `$filter` applied when selecting BC candidates (empty = all). */
  filter: z.string().default(''),
  /** Default values for records created in BC (mapped values win over template values). */
  template: bcTemplateSchema.default({}),
  /** Deterministic key for BC creates (see engine/deterministic-ids.ts): the property that receives
   *  `<prefix><hash of mapping name + DV id>`, so a retry can look the record up before creating it again.
   *  Absent = BC assigns the key (number series) and creates cannot be looked up before a retry. */
  createKey: z
    .strictObject({
      field: identifier,
      prefix: z.string().regex(/^[A-Z0-9-]{0,8}$/),
      hashLength: z.number().int().min(8).max(16).default(10),
    })
    .optional(),
});

export const dvSideSchema = z.strictObject({
  entitySet: identifier,
  key: identifier,
  modifiedField: identifier.default('modifiedon'),
  caption: z.string().min(1),
  titleField: identifier,
  filter: z.string().default(''),
  /** Default values for rows created in Dataverse; keys may be `nav@odata.bind`. Mapped values win. */
  template: bcTemplateSchema.default({}),
});

/**
 * One field pair of a match criterion. `transform` (optional) is applied to the BC field's value, with its rule
 * towards Dataverse, before the values are compared — for a Dataverse value that BC's is derived from (the unit group
 * name `NAV <code>`). Towards Business Central, candidates cannot be queried by a transformed pair: put an untransformed
 * pair first in such a criterion, or the criterion finds no candidates. (Default: none)
 */
export const matchPairSchema = z.strictObject({
  bcField: identifier,
  dvField: identifier,
  transform: z.enum(transformNames).optional(),
});

export const mappingNameSchema = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9 -]{0,19}$/, 'a mapping name is 1–20 characters: upper-case letters, digits, space, -');

export const integrationTableMappingSchema = z
  .strictObject({
    name: mappingNameSchema,
    /** `table`: an ordinary table mapping. `statistics`: a one-way job that computes values (Customer Statistics). */
    kind: z.enum(['table', 'statistics']).default('table'),
    description: z.string().default(''),
    /** False while the field list is knowingly partial (see `note`s and docs/mappings.md). */
    complete: z.boolean().default(true),
    /** With `complete: false`: why the mapping cannot run yet, shown wherever it is refused. */
    incompleteReason: z.string().optional(),
    bc: bcSideSchema,
    dataverse: dvSideSchema,
    direction: directionSchema,
    /** Synchronize only coupled records: uncoupled source records are ignored, not created. (Default: true) */
    onlyCoupled: z.boolean().default(true),
    /**
     * The sides on which an uncoupled source record may create a record (when the mapping creates at all: not
     * `onlyCoupled`, or a full synchronization's "create the rest"). A bidirectional mapping that carries some fields
     * back but must not create on that side names only the other one: the product mappings carry a Dataverse
     * product's name and retirement back to Business Central, but never create an item or resource from a product,
     * which would lack everything Business Central needs to post it. (Default: both sides)
     */
    createsIn: z
      .array(z.enum(['bc', 'dataverse']))
      .min(1)
      .default(['bc', 'dataverse']),
    updateConflictPolicy: z.enum(updateConflictPolicies).default('fail'),
    deletionConflictPolicy: z.enum(deletionConflictPolicies).default('fail'),
    dependencies: z.array(mappingNameSchema).default([]),
    /**
     * Match before create: an uncoupled source record whose destination has exactly one uncoupled record with equal
     * values in these fields (compared case-insensitively after trimming) is coupled to it instead of creating a
     * second one (BC's match-based coupling, done automatically). Empty = always create. (Default: [])
     */
    matchOn: z.array(z.strictObject({ bcField: identifier, dvField: identifier })).default([]),
    /**
     * Match-based coupling (bc-sync-semantics §7.4): criteria tried in priority order. A criterion holds when every
     * field pair has equal, non-empty values (trimmed; case-insensitive unless `caseSensitive`). A pair whose fields
     * are a coupling lookup of this mapping (CONTACT's company ↔ parent account) compares through the couplings of
     * the mapping it points to. A pair with a `transform` compares the BC value after that transform (its rule towards
     * Dataverse): UNIT OF MEASURE's code `PCS` with the unit group name `NAV PCS`. Used by `bcsync match`, the full synchronization and, with `matchBeforeCreate`,
     * before every create. `matchOn`, when set, replaces these with one case-insensitive criterion. (Default: [])
     */
    matchCriteria: z
      .array(
        z.strictObject({
          fields: z.array(matchPairSchema).min(1),
          caseSensitive: z.boolean().default(false),
        }),
      )
      .default([]),
    /**
     * Before creating a record on the other side, look for exactly one uncoupled record that the match criteria
     * accept and couple it instead: no duplicate of a record that already exists. (Default: true)
     */
    matchBeforeCreate: z.boolean().default(true),
    /** Default schedule interval. (Default: 30m) */
    schedule: z.string().regex(durationPattern, "expected a duration such as '30m' or '1h'").min(2).default('30m'),
    fieldMappings: z.array(fieldMappingSchema),
  })
  .superRefine((m, ctx) => {
    const enabled = m.fieldMappings.filter((f) => f.enabled);
    if (
      m.direction !== 'bidirectional' &&
      enabled.length > 0 &&
      !enabled.some((f) => f.direction === m.direction || f.direction === 'bidirectional')
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['direction'],
        message: `no enabled field mapping transfers values in direction '${m.direction}'`,
      });
    }
    if (m.dependencies.includes(m.name)) {
      ctx.addIssue({ code: 'custom', path: ['dependencies'], message: 'a mapping cannot depend on itself' });
    }
  });

export type MappingDirection = (typeof mappingDirections)[number];
export type UpdateConflictPolicy = (typeof updateConflictPolicies)[number];
export type DeletionConflictPolicy = (typeof deletionConflictPolicies)[number];
export type ValueType = (typeof valueTypes)[number];
export type BcLookupKey = (typeof bcLookupKeys)[number];
export type Scalar = z.infer<typeof scalarSchema>;
export type CouplingLookup = z.infer<typeof couplingLookupSchema>;
export type OptionLookup = z.infer<typeof optionLookupSchema>;
export type Lookup = z.infer<typeof lookupSchema>;
/** A validated field mapping (defaults applied). */
export type FieldMapping = z.infer<typeof fieldMappingSchema>;
/** A validated integration table mapping (defaults applied). */
export type IntegrationTableMapping = z.infer<typeof integrationTableMappingSchema>;
/** The authoring shape of a mapping (defaults optional), used by mappings/defaults/*. */
export type IntegrationTableMappingInput = z.input<typeof integrationTableMappingSchema>;
export type FieldMappingInput = z.input<typeof fieldMappingSchema>;

/** Formats a zod issue path the way override errors quote it: `fieldMappings[3].direction`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(mapping)' : out;
}

/**
 * Where a zod issue points and what it says, with an unknown property named in the path (zod reports it on the
 * enclosing object) so that messages point at the misspelt key.
 */
export function describeIssue(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code === 'unrecognized_keys') {
    return { path: [...issue.path, issue.keys[0] ?? '?'], message: 'unknown property (check the spelling)' };
  }
  return { path: [...issue.path], message: issue.message };
}

/** Thrown when a mapping definition or an override is invalid; the message names the mapping and the field. */
export class MappingValidationError extends Error {
  constructor(
    readonly mappingName: string,
    readonly fieldPath: string,
    readonly reason: string,
  ) {
    super(`mapping ${mappingName}, field '${fieldPath}': ${reason}`);
    this.name = 'MappingValidationError';
  }
}

/**
 * Validates a mapping definition and applies the defaults. Throws `MappingValidationError` naming the mapping and
 * the first offending field.
 */
export function parseMapping(input: unknown, nameForErrors?: string): IntegrationTableMapping {
  const result = integrationTableMappingSchema.safeParse(input);
  if (!result.success) {
    const first = describeIssue(result.error.issues[0]);
    const name =
      nameForErrors ??
      (typeof input === 'object' && input !== null && typeof (input as { name?: unknown }).name === 'string'
        ? (input as { name: string }).name
        : '(unnamed)');
    throw new MappingValidationError(name, formatIssuePath(first.path), first.message);
  }
  return result.data;
}

/** Whether a field (or mapping) with direction `d` transfers values in the pass direction `pass`. */
export function appliesTo(d: MappingDirection, pass: PassDirection): boolean {
  return d === 'bidirectional' || d === pass;
}
