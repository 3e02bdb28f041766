/**
 * `bcsync schedule start|stop|list|trigger|backfill`: one Temporal Schedule per mapping (ids and policies in
 * client/schedules.ts).
 */
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { cannotRunReason, dependencyOrder, type IntegrationTableMapping, workflowTypeOf } from '../../mappings';
import type { CommandContext } from '../context';
import { CliError, UsageError } from '../errors';
import { effectiveMappings, resolveMapping, selectMappings } from '../mapping-selection';
import { printJson, printTable } from '../output';
import {
  addRecentOutcomes,
  deleteSchedule,
  describeSchedule,
  formatInterval,
  listProductScheduleIds,
  type MappingScheduleView,
  parseInterval,
  pauseSchedule,
  scheduleIdOf,
  upsertMappingSchedule,
} from '../schedules';

function intervalOf(m: IntegrationTableMapping, every: string | undefined): number {
  try {
    return parseInterval(every ?? m.schedule);
  } catch (err) {
    throw new UsageError(
      every ? `--every: ${(err as Error).message}` : `${m.name}: schedule ${(err as Error).message}`,
    );
  }
}

export interface ScheduleStartResult {
  mapping: string;
  scheduleId: string;
  result: 'created' | 'updated';
  every: string;
  wasPaused: boolean;
  paused: boolean;
  nextActionTimes: string[];
}

/**
 * Creates or updates and resumes the schedules of the mappings named (or `all`), every `every` (Default: each
 * mapping's own interval), staggered in dependency order. A mapping that cannot run is refused (`UsageError`) when
 * named, and left out with its reason in `refused` with `all`; a bad interval is a `UsageError` before any schedule is
 * touched. Used by `bcsync schedule start` and the console's "Resume".
 */
export async function startMappingSchedules(
  ctx: CommandContext,
  names: string[],
  opts: { all?: boolean; every?: string },
): Promise<{ refused: string[]; results: ScheduleStartResult[] }> {
  const chosen = selectMappings(effectiveMappings(ctx), names, opts.all);
  // A mapping that cannot run is never scheduled: named, it is refused; with --all it is left out, saying why.
  const refused = chosen.map((m) => [m, cannotRunReason(m)] as const).filter(([, reason]) => reason !== null);
  if (refused.length && !opts.all) throw new UsageError(refused[0][1]!);
  const selected = chosen.filter((m) => cannotRunReason(m) === null);
  // Validate every interval before touching any schedule. Several schedules are staggered in dependency order (each
  // a fraction of its interval after the one before, as npm start does), so a run rarely finds a mapping it depends
  // on under way and skips itself, and the jobs do not all start at once.
  const selectedNames = new Set(selected.map((m) => m.name));
  const order = dependencyOrder(effectiveMappings(ctx)).filter((m) => selectedNames.has(m.name));
  const plans = order.map((m, i) => {
    const everyMs = intervalOf(m, opts.every);
    return { mapping: m, everyMs, offsetMs: Math.floor((everyMs * i) / order.length) };
  });
  const client = await ctx.temporal();
  const note = `started with bcsync schedule start at ${new Date().toISOString()}`;
  const results: ScheduleStartResult[] = [];
  for (const { mapping, everyMs, offsetMs } of plans) {
    const r = await upsertMappingSchedule(client, {
      mapping: mapping.name,
      everyMs,
      offsetMs,
      taskQueue: ctx.config.temporal.taskQueue,
      note,
      workflowType: workflowTypeOf(mapping),
    });
    const view = await describeSchedule(client, r.scheduleId);
    results.push({
      mapping: mapping.name,
      scheduleId: r.scheduleId,
      result: r.created ? 'created' : 'updated',
      every: formatInterval(everyMs),
      wasPaused: r.wasPaused,
      paused: view?.paused ?? false,
      nextActionTimes: view?.nextActionTimes ?? [],
    });
  }
  return { refused: refused.map(([, reason]) => reason!), results };
}

export async function scheduleStartCommand(
  ctx: CommandContext,
  names: string[],
  opts: { all?: boolean; every?: string; json?: boolean },
): Promise<void> {
  const { refused, results } = await startMappingSchedules(ctx, names, opts);
  if (opts.json) return printJson(results);
  for (const reason of refused) console.log(`not scheduled: ${reason}`);
  for (const r of results) {
    console.log(
      `${r.scheduleId}: ${r.result}${r.wasPaused ? ' and resumed' : ''}, every ${r.every}, next run ${r.nextActionTimes[0] ?? '-'}`,
    );
  }
}

export type ScheduleStopResult =
  | { mapping: string; scheduleId: string; result: 'deleted' | 'none'; runningWorkflowIds: string[] }
  | { mapping: string; scheduleId: string; result: 'paused' | 'none'; note: string | null };

/**
 * Pauses (or with `delete`, deletes) the schedules of the mappings named (or `all`); runs already started keep
 * running. `missing` names the mappings that have no schedule. Throws `UsageError` for an unknown mapping. Used by
 * `bcsync schedule stop` and the console's "Pause".
 */
export async function stopMappingSchedules(
  ctx: CommandContext,
  names: string[],
  opts: { all?: boolean; delete?: boolean; note?: string },
): Promise<{ results: ScheduleStopResult[]; missing: string[] }> {
  const selected = selectMappings(effectiveMappings(ctx), names, opts.all);
  const client = await ctx.temporal();
  const note = opts.note?.trim() || `paused with bcsync schedule stop at ${new Date().toISOString()}`;
  const results: ScheduleStopResult[] = [];
  const missing: string[] = [];
  for (const m of selected) {
    const scheduleId = scheduleIdOf(m.name);
    if (opts.delete) {
      const running = await deleteSchedule(client, scheduleId);
      if (!running) missing.push(m.name);
      results.push({
        mapping: m.name,
        scheduleId,
        result: running ? 'deleted' : 'none',
        runningWorkflowIds: running ?? [],
      });
    } else {
      const paused = await pauseSchedule(client, scheduleId, note);
      if (!paused) missing.push(m.name);
      results.push({ mapping: m.name, scheduleId, result: paused ? 'paused' : 'none', note: paused ? note : null });
    }
  }
  return { results, missing };
}

export async function scheduleStopCommand(
  ctx: CommandContext,
  names: string[],
  opts: { all?: boolean; delete?: boolean; note?: string; json?: boolean },
): Promise<void> {
  const { results, missing } = await stopMappingSchedules(ctx, names, opts);
  if (opts.json) printJson(results);
  else {
    for (const r of results) {
      if (r.result === 'deleted' && 'runningWorkflowIds' in r) {
        console.log(
          `${r.scheduleId}: deleted; runs it already started are not stopped` +
            (r.runningWorkflowIds.length ? ` (still running: ${r.runningWorkflowIds.join(', ')})` : ''),
        );
      } else if (r.result === 'paused' && 'note' in r) console.log(`${r.scheduleId}: paused (${r.note})`);
      else console.log(`${r.scheduleId}: no schedule`);
    }
  }
  if (missing.length && !opts.all) {
    throw new CliError(`no schedule for ${missing.join(', ')} (create it with bcsync schedule start)`);
  }
}

export async function scheduleListCommand(ctx: CommandContext, opts: { json?: boolean }): Promise<void> {
  const mappings = effectiveMappings(ctx);
  const client = await ctx.temporal();
  // Describe is consistent right after a change (the schedule list is not); the list only adds schedules of
  // mappings that are no longer configured.
  const ids = mappings.map((m) => scheduleIdOf(m.name));
  for (const id of await listProductScheduleIds(client)) if (!ids.includes(id)) ids.push(id);
  const views = (await Promise.all(ids.map((id) => describeSchedule(client, id)))).filter(
    (v): v is MappingScheduleView => v !== undefined,
  );
  await Promise.all(views.map((v) => addRecentOutcomes(client, v)));
  if (opts.json) return printJson(views);
  printTable(
    views.map((v) => {
      const last = v.recentActions[0];
      return {
        schedule: v.scheduleId,
        mapping: v.mapping ?? '',
        state: v.paused ? 'paused' : 'active',
        every: v.every ?? '(calendar)',
        next: v.paused ? '' : (v.nextActionTimes[0] ?? ''),
        'last run': last ? `${last.takenAt} ${(last.outcome ?? last.status ?? '').toLowerCase()}` : '',
        running: v.runningWorkflowIds.join(', '),
        note: v.note ?? '',
      };
    }),
    ['schedule', 'mapping', 'state', 'every', 'next', 'last run', 'running', 'note'],
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function scheduleTriggerCommand(
  ctx: CommandContext,
  name: string,
  opts: { json?: boolean },
): Promise<void> {
  const mapping = resolveMapping(effectiveMappings(ctx), name);
  const client = await ctx.temporal();
  const scheduleId = scheduleIdOf(mapping.name);
  const before = await describeSchedule(client, scheduleId);
  if (!before) throw new CliError(`no schedule for ${mapping.name} (create it with bcsync schedule start)`);
  const seen = new Set(before.recentActions.map((a) => a.runId));
  // SKIP, explicitly: the SDK's default for trigger() is ALLOW_ALL, which would start a second concurrent run.
  try {
    await client.schedule.getHandle(scheduleId).trigger(ScheduleOverlapPolicy.SKIP);
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new CliError(`no schedule for ${mapping.name}`);
    throw err;
  }
  // The run starts asynchronously: look for it for a few seconds to print its id.
  let started: MappingScheduleView['recentActions'][number] | undefined;
  for (const deadline = Date.now() + 5000; Date.now() < deadline && !started;) {
    await sleep(250);
    started = (await describeSchedule(client, scheduleId))?.recentActions.find((a) => !seen.has(a.runId));
  }
  const url = started ? ctx.workflowUrl(started.workflowId, started.runId) : null;
  if (opts.json) {
    printJson({ scheduleId, workflowId: started?.workflowId ?? null, runId: started?.runId ?? null, url });
  } else if (started) {
    console.log(`${scheduleId}: triggered ${started.workflowId}\n${url}`);
  } else {
    console.log(
      `${scheduleId}: triggered, but no new run started within 5 s: a run of it is probably still in progress (overlap policy SKIP)`,
    );
  }
}

function parseTime(option: string, text: string): Date {
  const t = text.trim();
  // An ISO 8601 date or date-time; a date-time without a zone would be read as local time, so it needs one.
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(t) || isNaN(Date.parse(t))) {
    throw new UsageError(`${option}: '${text}' is not an ISO 8601 time such as 2026-01-05T02:30:00Z`);
  }
  return new Date(t);
}

export async function scheduleBackfillCommand(
  ctx: CommandContext,
  name: string,
  opts: { from: string; to: string; json?: boolean },
): Promise<void> {
  const mapping = resolveMapping(effectiveMappings(ctx), name);
  const start = parseTime('--from', opts.from);
  const end = parseTime('--to', opts.to);
  if (start >= end) throw new UsageError(`--from (${opts.from}) must be before --to (${opts.to})`);
  if (end.getTime() > Date.now())
    throw new UsageError(`--to (${opts.to}) is in the future: backfill covers past ticks`);
  const client = await ctx.temporal();
  const scheduleId = scheduleIdOf(mapping.name);
  try {
    // SKIP: the first missed tick starts a run, the others are skipped while it runs. One sync run catches up
    // everything since its watermark, so replaying every tick would only repeat it.
    await client.schedule.getHandle(scheduleId).backfill({ start, end, overlap: ScheduleOverlapPolicy.SKIP });
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) {
      throw new CliError(`no schedule for ${mapping.name} (create it with bcsync schedule start)`);
    }
    throw err;
  }
  const result = { scheduleId, from: start.toISOString(), to: end.toISOString(), overlap: 'SKIP' };
  if (opts.json) printJson(result);
  else
    console.log(
      `${scheduleId}: backfill from ${result.from} to ${result.to} requested (overlap SKIP: ticks that fall while a run is in progress are skipped)`,
    );
}
