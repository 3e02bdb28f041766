/**
 * `createActivities(deps)`: every side effect of a run happens here (DESIGN §3). Dependencies are built once by the
 * composition root (worker/) and passed in; activities return only ids, cursors and counts. Each group lives in its own
 * module (sync passes, full-sync planning, matching, the smoke run); this only composes them for the worker.
 */
import { createFullSyncActivities } from './full-sync-plan';
import { createMatchActivities } from './matching/match-activities';
import { createSmokeActivities } from './smoke';
import { createStatisticsActivities } from './statistics/customer-statistics';
import { configurationFailure, createSyncActivities, type SyncDeps } from './sync-activities';

export type ActivityDeps = SyncDeps;

export function createActivities(deps: ActivityDeps) {
  const mappingOf = (name: string) => {
    const m = deps.mappings.find((x) => x.name === name);
    if (!m) {
      throw configurationFailure(
        `mapping '${name}' does not exist; the mappings are ${deps.mappings.map((x) => x.name).join(', ')}`,
      );
    }
    return m;
  };
  return {
    ...createSyncActivities(deps),
    ...createFullSyncActivities(deps),
    ...createMatchActivities(deps, mappingOf),
    ...createSmokeActivities(deps),
    ...createStatisticsActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
