/**
 * The planning activity of the `fullSync` workflow: which of the selected mappings can run, and in which layers
 * (by active dependencies, mappings/dependency-order.ts). It reads the worker's mappings, the ones that will run.
 */
import { activeDependencies, cannotRunReason, fullSyncLayers, type IntegrationTableMapping } from '../mappings';
import type { FullSyncPlan } from '../engine/full-sync-types';
import { configurationFailure } from './sync-activities';

/** Why a mapping cannot be part of a full synchronization, or null when it can. */
export function notRunnableReason(m: IntegrationTableMapping | undefined, name: string): string | null {
  if (!m) return `not run: '${name}' is not a mapping of this worker`;
  const reason = cannotRunReason(m);
  if (reason) return `not run: ${reason}`;
  // BC's full synchronization covers table mappings; the statistics job runs on its own schedule (§8.15).
  if (m.kind === 'statistics') {
    return `not run: ${m.name} is the statistics job, not a table mapping; it runs on its schedule or with 'bcsync run "${m.name}"'`;
  }
  return null;
}

export function createFullSyncActivities(deps: { mappings: readonly IntegrationTableMapping[] }) {
  return {
    /**
     * Splits `mappings` into the runnable ones, planned in dependency layers, and the rest with the reason they do
     * not run. Throws a non-retryable failure when the dependencies among the runnable mappings form a cycle.
     */
    async planFullSync(input: { mappings: string[] }): Promise<FullSyncPlan> {
      const notRun: FullSyncPlan['notRun'] = [];
      const runnable: string[] = [];
      for (const name of new Set(input.mappings)) {
        const reason = notRunnableReason(
          deps.mappings.find((m) => m.name === name),
          name,
        );
        if (reason) notRun.push({ mapping: name, reason });
        else runnable.push(name);
      }
      let planned: ReturnType<typeof fullSyncLayers>;
      try {
        planned = fullSyncLayers(deps.mappings, runnable);
      } catch (err) {
        throw configurationFailure(`cannot order the full synchronization: ${(err as Error).message}`);
      }
      const dependsOn: Record<string, string[]> = {};
      for (const name of runnable) {
        dependsOn[name] = activeDependencies(deps.mappings.find((m) => m.name === name)!).filter((d) =>
          runnable.includes(d),
        );
      }
      return { layers: planned.layers, dependsOn, notRun, warnings: planned.outside.map((o) => o.message) };
    },
  };
}
