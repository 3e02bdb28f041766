import type { IntegrationTableMappingInput } from '../mapping-model';

/**
 * SALESPEOPLE: Dataverse system users → BC salespeople (reference/bc-sync-semantics.md §8.2). Complete.
 * New salespeople get a deterministic code (`SP` + hash of the user id) instead of BC's "SP NO. 00001" series, so
 * that a retried create can be looked up first.
 */
export const salespeopleMapping: IntegrationTableMappingInput = {
  name: 'SALESPEOPLE',
  description: 'Dataverse users (licensed, enabled, not integration users) → Business Central salespeople',
  complete: true,
  bc: {
    entitySet: 'salespeoplePurchasers',
    caption: 'Salesperson',
    titleField: 'displayName',
    numberField: 'code',
    createKey: { field: 'code', prefix: 'SP', hashLength: 10 },
  },
  dataverse: {
    entitySet: 'systemusers',
    key: 'systemuserid',
    caption: 'user',
    titleField: 'fullname',
    filter: 'isdisabled eq false and islicensed eq true and isintegrationuser eq false',
  },
  direction: 'to-bc',
  // Match-based coupling (bc-sync-semantics §7.4): how an uncoupled record is recognised on the other side.
  matchCriteria: [{ fields: [{ bcField: 'email', dvField: 'internalemailaddress' }] }],
  fieldMappings: [
    { bcField: 'email', dvField: 'internalemailaddress', direction: 'to-bc', bcMaxLength: 80 },
    { bcField: 'displayName', dvField: 'fullname', direction: 'to-bc', bcMaxLength: 50, bcRequired: true },
    { bcField: 'phoneNo', dvField: 'mobilephone', direction: 'to-bc', bcMaxLength: 30 },
    {
      bcField: 'jobTitle',
      dvField: 'jobtitle',
      direction: 'bidirectional',
      enabled: false,
      bcMaxLength: 30,
      note: 'extra mapping, disabled as in BC',
    },
    {
      bcField: 'email2',
      dvField: 'personalemailaddress',
      direction: 'bidirectional',
      enabled: false,
      bcMaxLength: 80,
      note: 'extra mapping, disabled as in BC',
    },
  ],
};
