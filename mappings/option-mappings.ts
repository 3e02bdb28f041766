/**
 * The option mappings (bc-sync-semantics §3.3, §4.12, §8.6): a Business Central code table ↔ the values of a
 * Dataverse choice column. They are not table mappings (a choice value has no row, no id and no modified-on), so they
 * have their own small definition and their own job (activities/options/, `bcsync options sync`), run before CUSTOMER
 * by the full synchronization and on demand by CUSTOMER's lookups (docs/mappings.md, "Option mappings").
 *
 * Direction: Business Central → Dataverse only, as BC's "reset option mapping configuration" sets all three: every BC
 * code is paired with the choice value whose label is the code (or, failing that, the code's description), and a code
 * with no such value gets a new one (label = the code). A choice value no BC code pairs with is left alone (see
 * docs/mappings.md for why).
 */

/** The BC code tables the option mappings read (API v2.0, and the custom page for shipping agents). */
export type OptionCodeEntitySet = 'paymentTerms' | 'shipmentMethods' | 'shippingAgents';

export interface OptionMappingDefinition {
  /** The option set's name in `option_mappings` and in a field mapping's `lookup.optionSet`, e.g. `PAYMENT TERMS`. */
  readonly name: string;
  readonly description: string;
  readonly bc: {
    readonly entitySet: OptionCodeEntitySet;
    /** The code property (BC's primary key, Code 10). */
    readonly codeField: string;
    /** The description property, the second chance to recognise an existing choice value. */
    readonly descriptionField: string;
    /** What one code is called in messages, e.g. `payment terms`. */
    readonly caption: string;
  };
  readonly dataverse: {
    /** Table logical name, e.g. `account`. */
    readonly table: string;
    /** Choice column logical name, e.g. `paymenttermscode`. */
    readonly column: string;
    readonly caption: string;
  };
  /**
   * Choice columns of other tables that get every value this mapping creates, with the same value and label (BC
   * mirrors into the sales order, quote and invoice option sets; the product synchronizes invoices only, so it
   * mirrors into those).
   */
  readonly mirrors: ReadonlyArray<{ readonly table: string; readonly column: string }>;
}

export const paymentTermsOptionMapping: OptionMappingDefinition = {
  name: 'PAYMENT TERMS',
  description: 'Business Central payment terms → the account Payment Terms choice',
  bc: { entitySet: 'paymentTerms', codeField: 'code', descriptionField: 'displayName', caption: 'payment terms' },
  dataverse: { table: 'account', column: 'paymenttermscode', caption: 'payment terms option' },
  mirrors: [{ table: 'invoice', column: 'paymenttermscode' }],
};

export const shipmentMethodOptionMapping: OptionMappingDefinition = {
  name: 'SHIPMENT METHOD',
  description: 'Business Central shipment methods → the account Freight Terms choice',
  bc: { entitySet: 'shipmentMethods', codeField: 'code', descriptionField: 'displayName', caption: 'shipment method' },
  dataverse: { table: 'account', column: 'address1_freighttermscode', caption: 'freight terms option' },
  // BC mirrors into salesorder/quote `freighttermscode`; invoices have no freight terms column.
  mirrors: [],
};

export const shippingAgentOptionMapping: OptionMappingDefinition = {
  name: 'SHIPPING AGENT',
  description: 'Business Central shipping agents → the account Shipping Method choice',
  bc: { entitySet: 'shippingAgents', codeField: 'code', descriptionField: 'name', caption: 'shipping agent' },
  dataverse: { table: 'account', column: 'address1_shippingmethodcode', caption: 'shipping method option' },
  mirrors: [{ table: 'invoice', column: 'shippingmethodcode' }],
};

/** The shipped option mappings, in the order they run. */
export const defaultOptionMappings: readonly OptionMappingDefinition[] = [
  paymentTermsOptionMapping,
  shipmentMethodOptionMapping,
  shippingAgentOptionMapping,
];

/**
 * The option mapping named `name` (case-insensitive, e.g. `payment terms`), or undefined when there is none.
 */
export function findOptionMapping(name: string): OptionMappingDefinition | undefined {
  const wanted = name.trim().toUpperCase();
  return defaultOptionMappings.find((m) => m.name === wanted);
}
