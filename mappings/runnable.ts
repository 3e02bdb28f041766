/**
 * Whether a mapping can run (issue: `complete` is not a label). A mapping that cannot run is not offered, scheduled
 * or run: the CLI refuses it by name, `--all` leaves it out with a notice, the full synchronization reports it as not
 * run, and a run that reaches the worker anyway (an old schedule) fails at once with the same reason.
 */
import type { IntegrationTableMapping } from './mapping-model';

/** Why `m` cannot run yet, or null when it can. */
export function cannotRunReason(m: IntegrationTableMapping): string | null {
  if (!m.complete) {
    return `${m.name} cannot run yet: ${m.incompleteReason ?? 'its field list is incomplete'} (docs/mappings.md)`;
  }
  return null;
}

/**
 * The workflow type that runs `m`: `syncMapping` for a table mapping, `customerStatistics` for the statistics job
 * (its own job kind, bc-sync-semantics §8.15). Schedules and `bcsync run` start this type.
 */
export function workflowTypeOf(m: Pick<IntegrationTableMapping, 'kind'>): 'syncMapping' | 'customerStatistics' {
  return m.kind === 'statistics' ? 'customerStatistics' : 'syncMapping';
}
