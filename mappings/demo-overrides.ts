import { dependencyOrder } from './dependency-order';
import type { IntegrationTableMapping } from './mapping-model';
import { cannotRunReason } from './runnable';

/**
 * The overrides `npm start` applies when no MAPPINGS_FILE is given: the demo synchronizes CUSTOMER and CONTACT both
 * ways on every run (not only coupled records), so a customer added on either side shows up on the other. Every
 * lookup stays on: SALESPEOPLE and CURRENCY run before CUSTOMER (dependency order), as in production.
 */
export const demoMappingOverrides = {
  mappings: {
    CUSTOMER: { onlyCoupled: false },
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
