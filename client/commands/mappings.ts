/**
 * `bcsync mappings [--json]`: the effective mappings — the ones the worker runs — (direction, entity sets,
 * dependencies, default schedule, completeness; with --json also the policies and field mappings) with where they come
 * from (MAPPINGS_FILE, the demo's file in DATA_DIR, or the defaults) and the state of each one's schedule when
 * Temporal answers; when it does not, the mappings are still printed and the schedules are reported as unknown.
 */
import { cannotRunReason } from '../../mappings';
import type { CommandContext } from '../context';
import { describeMappingsSource } from '../../worker/load-mappings';
import { effectiveMappingsWithSource } from '../mapping-selection';
import { printJson, printTable } from '../output';
import { describeSchedule, type MappingScheduleView, scheduleIdOf } from '../schedules';

interface ScheduleState {
  scheduleId: string;
  exists: boolean;
  paused: boolean | null;
  every: string | null;
  nextRunAt: string | null;
}

export async function mappingsCommand(ctx: CommandContext, opts: { json?: boolean }): Promise<void> {
  const { mappings, source } = effectiveMappingsWithSource(ctx);
  let views: Array<MappingScheduleView | undefined> | undefined;
  let unknownReason: string | undefined;
  try {
    const client = await ctx.temporal();
    views = await Promise.all(mappings.map((m) => describeSchedule(client, scheduleIdOf(m.name))));
  } catch (err) {
    unknownReason = (err as Error).message;
  }
  const rows = mappings.map((m, i) => {
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
    };
  });
  if (opts.json) {
    printJson({
      source,
      mappings: rows,
      schedulesKnown: views !== undefined,
      ...(unknownReason ? { reason: unknownReason } : {}),
    });
    return;
  }
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
    })),
    ['mapping', 'direction', 'bc ⇄ dataverse', 'depends on', 'every', 'runs', 'schedule'],
  );
  const notRunnable = rows.filter((r) => r.cannotRun);
  if (notRunnable.length) console.log(`\n${notRunnable.map((r) => `not run: ${r.cannotRun}`).join('\n')}`);
  if (unknownReason) console.log(`\nschedules unknown: ${unknownReason}`);
}
