import type { IntegrationTableMappingInput } from '../mapping-model';

/**
 * UNIT OF MEASURE: BC units of measure → Dataverse unit groups (reference/bc-sync-semantics.md §8.7, without
 * unit-group mode): one unit group `NAV <code>` per unit, whose base unit (quantity 1) is named after the code.
 * Dataverse creates the base unit itself from `baseuomname` when the group is created (and renames it when
 * `baseuomname` changes); the entity rules (activities/entity-rules/unit-of-measure.ts) add it only to a group that has
 * none (one created without `baseuomname`). Existing groups are matched by name (`NAV <code>`) before any create.
 * Products and price lines find their unit group through these couplings and its base unit as their default unit.
 * Unit-group mode (UNIT GROUP / ITEM UOM / RESOURCE UOM: several units per group) is not modelled.
 */
export const unitOfMeasureMapping: IntegrationTableMappingInput = {
  name: 'UNIT OF MEASURE',
  description: 'Business Central units of measure → Dataverse unit groups (NAV <code>)',
  complete: true,
  bc: { entitySet: 'unitsOfMeasure', caption: 'Unit of measure', titleField: 'displayName', numberField: 'code' },
  dataverse: { entitySet: 'uomschedules', key: 'uomscheduleid', caption: 'unit group', titleField: 'name' },
  direction: 'to-dataverse',
  onlyCoupled: false,
  // Match-based coupling (bc-sync-semantics §7.4): the group named `NAV <code>` is the unit's.
  matchCriteria: [{ fields: [{ bcField: 'code', dvField: 'name', transform: 'unit-group-name' }] }],
  fieldMappings: [
    {
      bcField: 'code',
      dvField: 'baseuomname',
      direction: 'to-dataverse',
      type: 'code',
      dvType: 'text',
      dvMaxLength: 100,
      dvRequired: true,
    },
    {
      bcField: 'code',
      dvField: 'name',
      direction: 'to-dataverse',
      type: 'code',
      dvType: 'text',
      transform: 'unit-group-name',
      dvMaxLength: 200,
      dvRequired: true,
    },
  ],
};
