/**
 * The overrides `npm start` applies when no MAPPINGS_FILE is given: the demo synchronizes CUSTOMER and CONTACT both
 * ways, couples customers that exist on both sides (the default match criteria: number, then name), and creates what
 * is missing on the other side. The owner lookup is on: SALESPEOPLE runs first and couples the Dataverse users the
 * accounts are owned by. The currency lookup is switched off until CURRENCY can run (it is still `complete: false`,
 * so a full synchronization does not run it); a production setup runs CURRENCY first and keeps the lookup on
 * (docs/mappings.md).
 */
export const demoMappingOverrides = {
  mappings: {
    CUSTOMER: {
      onlyCoupled: false,
      fieldMappings: [{ bcField: 'currencyCode', enabled: false }],
    },
    CONTACT: { onlyCoupled: false },
  },
} as const;

/** The mappings the demo synchronizes fully on its first start and then schedules, in dependency order. */
export const demoScheduledMappings = ['SALESPEOPLE', 'CUSTOMER', 'CONTACT'] as const;
