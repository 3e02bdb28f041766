/**
 * The overrides `npm start` applies when no MAPPINGS_FILE is given: the demo synchronizes CUSTOMER and CONTACT both
 * ways, couples customers that exist on both sides (the default match criteria: number, then name), and creates what is missing on the other side. The owner (SALESPEOPLE) and currency (CURRENCY) lookups are
 * switched off, because the demo does not run those mappings; a production setup runs them first and keeps the
 * lookups on (docs/mappings.md).
 */
export const demoMappingOverrides = {
  mappings: {
    CUSTOMER: {
      onlyCoupled: false,
      fieldMappings: [
        { bcField: 'salespersonCode', enabled: false },
        { bcField: 'currencyCode', enabled: false },
      ],
    },
    CONTACT: { onlyCoupled: false },
  },
} as const;

/** The mappings the demo schedules. */
export const demoScheduledMappings = ['CUSTOMER', 'CONTACT'] as const;
