/**
 * `bcsync mappings [--json]`: the effective mappings — the ones the worker runs — (direction, entity sets,
 * dependencies, default schedule, completeness; with --json also the policies and field mappings) with where they come
 * from (MAPPINGS_FILE, the demo's file in DATA_DIR, or the defaults), the state of each one's schedule when
 * Temporal answers and the outcome of its last job when the store has one; when either does not answer, the mappings
 * are still printed and that column is reported as unknown.
 */
import { cannotRunReason } from '../../mappings';
import type { CommandContext } from '../context';
import { describeMappingsSource } from '../../worker/load-mappings';
import { effectiveMappingsWithSource } from '../mapping-selection';
import { printJson, printTable } from '../output';
import { lastJobPerMapping, type SyncJob } from '../../store/sync-jobs';
import { describeSchedule, type MappingScheduleView, scheduleIdOf } from '../schedules';

interface ScheduleState {
  scheduleId: string;
  exists: boolean;
  paused: boolean | null;
  every: string | null;
  nextRunAt: string | null;
}

/**
 * The effective mappings with where they come from, each one's schedule state (null when Temporal does not answer:
 * `reason` says why) and last job (null when the store does not answer: `storeReason`). Used by `bcsync mappings`
 * and the console's mappings page.
 */
export async function mappingsOverview(ctx: CommandContext) {
  const { mappings, source } = effectiveMappingsWithSource(ctx);
  let views: Array<MappingScheduleView | undefined> | undefined;
  let unknownReason: string | undefined;
  try {
    const client = await ctx.temporal();
    views = await Promise.all(mappings.map((m) => describeSchedule(client, scheduleIdOf(m.name))));
  } catch (err) {
    unknownReason = (err as Error).message;
  }
  let lastJobs: Map<string, SyncJob> | undefined;
  let storeUnknownReason: string | undefined;
  try {
    lastJobs = await lastJobPerMapping((await ctx.store()).knex);
  } catch (err) {
    storeUnknownReason = (err as Error).message;
  }
  const rows = mappings.map((m, i) => {
    const job = lastJobs?.get(m.name);
    const v = views?.[i];
    const schedule: ScheduleState | null = views
      ? {
          scheduleId: scheduleIdOf(m.name),
          exists: v !== undefined,
          paused: v ? v.paused : null,
          every: v ? v.every : null,
          nextRunAt: v && !v.paused ? (v.nextActionTimes[0] ?? null) : null,
        }
      : null;
    return {
      name: m.name,
      kind: m.kind,
      direction: m.direction,
      bc: { api: m.bc.api, entitySet: m.bc.entitySet },
      dataverse: { entitySet: m.dataverse.entitySet },
      dependencies: m.dependencies,
      defaultSchedule: m.schedule,
      complete: m.complete,
      cannotRun: cannotRunReason(m),
      onlyCoupled: m.onlyCoupled,
      createsIn: m.createsIn,
      matchBeforeCreate: m.matchBeforeCreate,
      updateConflictPolicy: m.updateConflictPolicy,
      deletionConflictPolicy: m.deletionConflictPolicy,
      fieldMappings: m.fieldMappings.map((f) => ({
        bcField: f.bcField ?? null,
        dvField: f.dvField ?? null,
        direction: f.direction,
        enabled: f.enabled,
      })),
      schedule,
      lastJob: job
        ? {
            id: job.id,
            type: job.type,
            direction: job.direction,
            status: job.status,
            startedAt: job.startedAt.toISOString(),
            finishedAt: job.finishedAt?.toISOString() ?? null,
            inserted: job.inserted,
            modified: job.modified,
            failed: job.failed,
          }
        : null,
    };
  });
  return {
    source,
    mappings: rows,
    schedulesKnown: views !== undefined,
    ...(unknownReason ? { reason: unknownReason } : {}),
    lastJobsKnown: lastJobs !== undefined,
    ...(storeUnknownReason ? { storeReason: storeUnknownReason } : {}),
  };
}

export type MappingsOverview = Awaited<ReturnType<typeof mappingsOverview>>;

export async function mappingsCommand(ctx: CommandContext, opts: { json?: boolean }): Promise<void> {
  const overview = await mappingsOverview(ctx);
  if (opts.json) return printJson(overview);
  const { source, mappings: rows } = overview;
  const unknownReason = overview.reason;
  const storeUnknownReason = overview.storeReason;
  const lastJobs = overview.lastJobsKnown;
  console.log(`mappings: ${describeMappingsSource(source)}\n`);
  const arrow = { bidirectional: '⇄', 'to-dataverse': '→', 'to-bc': '←' } as const;
  printTable(
    rows.map((r) => ({
      mapping: r.name,
      direction: r.direction,
      'bc ⇄ dataverse': `${r.bc.entitySet} ${arrow[r.direction]} ${r.dataverse.entitySet}`,
      'depends on': r.dependencies.join(', '),
      every: r.defaultSchedule,
      runs: r.cannotRun ? 'no (see below)' : 'yes',
      schedule: !r.schedule
        ? 'unknown'
        : !r.schedule.exists
          ? 'none'
          : r.schedule.paused
            ? `paused (${r.schedule.every ?? '?'})`
            : `every ${r.schedule.every ?? '?'}, next ${r.schedule.nextRunAt ?? '-'}`,
      'last job': !lastJobs
        ? 'unknown'
        : !r.lastJob
          ? 'never run'
          : `${r.lastJob.status} ${r.lastJob.startedAt}${r.lastJob.failed ? ` (${r.lastJob.failed} failed)` : ''}`,
    })),
    ['mapping', 'direction', 'bc ⇄ dataverse', 'depends on', 'every', 'runs', 'schedule', 'last job'],
  );
  const notRunnable = rows.filter((r) => r.cannotRun);
  if (notRunnable.length) console.log(`\n${notRunnable.map((r) => `not run: ${r.cannotRun}`).join('\n')}`);
  if (unknownReason) console.log(`\nschedules unknown: ${unknownReason}`);
  if (storeUnknownReason) console.log(`\nlast jobs unknown: ${storeUnknownReason}`);
}
