import { dependencyOrder } from './dependency-order';
import type { IntegrationTableMapping } from './mapping-model';
import { cannotRunReason } from './runnable';

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

/**
 * The mappings the demo synchronizes first and then schedules: every mapping that can run (`cannotRunReason`), in
 * dependency order, so each job of the user's list that is built has something to do.
 */
export function demoScheduledMappings(mappings: readonly IntegrationTableMapping[]): string[] {
  return dependencyOrder(mappings)
    .filter((m) => cannotRunReason(m) === null)
    .map((m) => m.name);
}
