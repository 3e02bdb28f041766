/**
 * The fixed registry of value transforms a field mapping may name. The implementations live in
 * `engine/value-transforms.ts`; only the names live here so that mapping data and override files can be validated
 * without importing the engine.
 *
 * - `trim`: trims surrounding whitespace (both directions).
 * - `upper-case`: upper-cases text (both directions).
 * - `blocked-to-statecode`: BC customer `blocked` ("All" ⇒ inactive) ⇔ Dataverse `statecode` (0 Active, 1 Inactive).
 *   Towards BC an active row leaves `blocked` as it is (a customer blocked for "Ship" is not unblocked).
 * - `boolean-to-statecode`: BC item/resource `blocked` (boolean) ⇔ Dataverse product `statecode` (0 Active, 1 Retired;
 *   Draft and Under Revision leave `blocked` as it is).
 * - `negative-to-zero`: negative numbers become 0 (inventory, capacity).
 * - `first-name` / `last-name`: the given names / the last word of a BC `displayName` (towards Dataverse).
 * - `person-full-name`: towards BC, joins the Dataverse row's `firstname`, `middlename`, `lastname`.
 * - `unit-group-name`: towards Dataverse, BC unit code `PCS` ⇒ unit group name `NAV PCS` (BC's own convention).
 * - `code-if-blank`: towards Dataverse, a blank value becomes the record's `code` (a currency without a symbol shows
 *   its ISO code, as BC does).
 * - `rounding-precision-to-decimals`: towards Dataverse, a BC rounding precision becomes decimal places (0.01 ⇒ 2,
 *   1 ⇒ 0; missing ⇒ 2).
 */
export const transformNames = [
  'trim',
  'upper-case',
  'blocked-to-statecode',
  'boolean-to-statecode',
  'negative-to-zero',
  'first-name',
  'last-name',
  'person-full-name',
  'unit-group-name',
  'code-if-blank',
  'rounding-precision-to-decimals',
] as const;

export type TransformName = (typeof transformNames)[number];
