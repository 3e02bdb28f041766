import type { IntegrationTableMappingInput } from '../mapping-model';

/**
 * UNIT OF MEASURE: BC units of measure → Dataverse unit groups (reference/bc-sync-semantics.md §8.7).
 * INCOMPLETE: each unit group needs exactly one base unit (`uoms`, quantity 1), which BC creates in code; the
 * activity layer must create it after the group. Unit-group mode (UNIT GROUP / ITEM UOM / RESOURCE UOM) is not modelled.
 */
export const unitOfMeasureMapping: IntegrationTableMappingInput = {
  name: 'UNIT OF MEASURE',
  description: 'Business Central units of measure → Dataverse unit groups (NAV <code>)',
  complete: false,
  bc: { entitySet: 'unitsOfMeasure', caption: 'Unit of measure', titleField: 'displayName', numberField: 'code' },
  dataverse: { entitySet: 'uomschedules', key: 'uomscheduleid', caption: 'unit group', titleField: 'name' },
  direction: 'to-dataverse',
  onlyCoupled: false,
  // Match-based coupling (bc-sync-semantics §7.4): how an uncoupled record is recognised on the other side.
  matchCriteria: [{ fields: [{ bcField: 'code', dvField: 'name' }] }],
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
