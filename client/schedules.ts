/**
 * One Temporal Schedule per mapping (DESIGN §2, temporal-notes §1): the ids, the schedule definition and the
 * operations behind `bcsync schedule …` and `bcsync mappings`.
 *
 * Glossary:
 * - schedule id: `bcsync-<slug>`, e.g. `bcsync-unit-of-measure` for the mapping `UNIT OF MEASURE`;
 * - scheduled workflow id: `sync-<slug>`; the server appends the nominal time (`sync-customer-2026-01-05T02:30:00Z`),
 *   so a scheduled run is found by `TemporalScheduledById = "<schedule id>"`, never by its bare id.
 */
import {
  type Client,
  type ScheduleDescription,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { intervalProblem, parseDuration } from '../mappings';
import { BcSyncMapping, BcSyncOutcome } from '../workflows/definitions';
import type { SyncMappingInput } from '../engine/run-types';
import { runStaticDetails } from './run-metadata';

/**
 * How late a missed tick may still start (after a server or worker outage). Short on purpose: one run after an outage
 * catches up every change since its watermark, so a backlog of runs would only repeat work. (Server default: 1 year.)
 */
export const CATCHUP_WINDOW: Duration = '5m';

/** Limit on one scheduled run (a continued-as-new run gets a fresh one). */
export const SCHEDULED_RUN_TIMEOUT: Duration = '2h';

/** The workflow type a table mapping's schedule starts (the statistics job's: `STATISTICS_WORKFLOW_TYPE`). */
export const SYNC_WORKFLOW_TYPE = 'syncMapping';
/** The workflow type of the Customer Statistics job (`workflowTypeOf` in mappings/runnable.ts). */
export const STATISTICS_WORKFLOW_TYPE = 'customerStatistics';

/** `UNIT OF MEASURE` → `unit-of-measure`: the mapping's part of schedule and workflow ids. */
export function mappingSlug(mapping: string): string {
  return mapping.trim().toLowerCase().replace(/\s+/g, '-');
}

/** The schedule id of a mapping: `bcsync-<slug>`. */
export function scheduleIdOf(mapping: string): string {
  return `bcsync-${mappingSlug(mapping)}`;
}

/** The workflow id prefix of a mapping's scheduled runs: `sync-<slug>` (the server appends the nominal time). */
export function scheduledWorkflowIdOf(mapping: string): string {
  return `sync-${mappingSlug(mapping)}`;
}

/**
 * Parses a schedule interval such as `30s`, `5m`, `1h` or `1h30m` into milliseconds.
 * Throws an `Error` saying why when it is not a duration, is shorter than 10 s or longer than 366 days.
 */
export function parseInterval(text: string): number {
  const ms = parseDuration(text.trim());
  const problem = intervalProblem(text, ms);
  if (problem) throw new Error(problem);
  return ms;
}

/** 5_400_000 → `1h30m`; 45_000 → `45s`; sub-second remainders are dropped. */
export function formatInterval(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('') || '0s';
}

export interface MappingScheduleSettings {
  mapping: string;
  everyMs: number;
  taskQueue: string;
  /** Shown on the schedule in the UI and by `schedule list` (the reason for its current state). */
  note: string;
  /**
   * Where in each interval the runs start (0 ≤ offset < every): staggering dependent mappings keeps a dependent's run
   * from starting while the run it depends on is under way (it would skip itself). (Default: 0)
   */
  offsetMs?: number;
  /** The workflow type the schedule starts (`workflowTypeOf(mapping)`). (Default: `syncMapping`) */
  workflowType?: string;
}

function specOf(s: MappingScheduleSettings) {
  const offset = s.offsetMs ? s.offsetMs % s.everyMs : 0;
  return { intervals: [offset ? { every: s.everyMs, offset } : { every: s.everyMs }] };
}

function actionOf(s: MappingScheduleSettings) {
  // scheduled: the run skips itself while a mapping it depends on is running or has never completed a run.
  const input: SyncMappingInput = { mapping: s.mapping, mode: 'incremental', scheduled: true };
  return {
    type: 'startWorkflow' as const,
    workflowType: s.workflowType ?? SYNC_WORKFLOW_TYPE,
    workflowId: scheduledWorkflowIdOf(s.mapping),
    taskQueue: s.taskQueue,
    args: [input],
    typedSearchAttributes: [{ key: BcSyncMapping, value: s.mapping }],
    staticSummary: `Scheduled incremental sync of ${s.mapping}`,
    staticDetails: runStaticDetails(input, { startedBy: `the schedule ${scheduleIdOf(s.mapping)}` }),
    workflowRunTimeout: SCHEDULED_RUN_TIMEOUT,
  };
}

// SKIP: one run of a mapping at a time (the next tick is dropped while one runs; the run after it catches up).
// pauseOnFailure false: a failing run (an API down for an hour) must not silently stop the mapping for good.
const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW, pauseOnFailure: false };

/**
 * Creates the mapping's schedule, or updates the existing one in place (interval, action, policies) and unpauses
 * it: running it twice leaves one schedule. Returns whether it was created and whether it had been paused.
 */
export async function upsertMappingSchedule(
  client: Client,
  s: MappingScheduleSettings,
): Promise<{ scheduleId: string; created: boolean; wasPaused: boolean }> {
  const scheduleId = scheduleIdOf(s.mapping);
  const action = actionOf(s);
  const searchAttributes = [{ key: BcSyncMapping, value: s.mapping }];
  try {
    await client.schedule.create({
      scheduleId,
      spec: specOf(s),
      action,
      policies,
      state: { paused: false, note: s.note },
      typedSearchAttributes: searchAttributes,
    });
    return { scheduleId, created: true, wasPaused: false };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  let wasPaused = false;
  // update() replaces the whole schedule with what the callback returns: spread the previous description, and
  // replace the spec whole so an interval set in the UI (or a calendar) does not linger beside the new one.
  await handle.update((prev) => {
    wasPaused = prev.state.paused;
    return {
      ...prev,
      spec: specOf(s),
      action: { ...prev.action, ...action },
      policies: { ...prev.policies, ...policies },
      state: { ...prev.state, paused: false, note: s.note },
      typedSearchAttributes: searchAttributes,
    };
  });
  // The update request carries the paused flag, but unpausing explicitly does not depend on how the server treats it.
  if (wasPaused) await handle.unpause(s.note);
  return { scheduleId, created: false, wasPaused };
}

/**
 * Creates a mapping's schedule when it does not exist yet, and otherwise leaves it exactly as it is (`npm start` on a
 * later start): an operator's pause, interval or note is never overridden. Returns the schedule as it now stands.
 */
export async function ensureMappingSchedule(
  client: Client,
  s: MappingScheduleSettings,
): Promise<{ scheduleId: string; created: boolean; view: MappingScheduleView | undefined }> {
  const scheduleId = scheduleIdOf(s.mapping);
  try {
    await client.schedule.create({
      scheduleId,
      spec: specOf(s),
      action: actionOf(s),
      policies,
      state: { paused: false, note: s.note },
      typedSearchAttributes: [{ key: BcSyncMapping, value: s.mapping }],
    });
    return { scheduleId, created: true, view: await describeSchedule(client, scheduleId) };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  return { scheduleId, created: false, view: await describeSchedule(client, scheduleId) };
}

export interface ScheduleActionView {
  scheduledAt: string;
  takenAt: string;
  workflowId: string;
  runId: string;
  /** The run's status as the schedule last saw it (eventually consistent): RUNNING, COMPLETED, FAILED, … */
  status: string | null;
  /** `BcSyncOutcome` of the run when it has ended and the visibility store has it. */
  outcome: string | null;
}

export interface MappingScheduleView {
  scheduleId: string;
  mapping: string | null;
  paused: boolean;
  note: string | null;
  /** The first interval, e.g. `30m` (null when the schedule uses calendars instead). */
  every: string | null;
  everyMs: number | null;
  overlap: string;
  catchupWindowMs: number;
  nextActionTimes: string[];
  recentActions: ScheduleActionView[];
  runningWorkflowIds: string[];
  actionsTaken: number;
  actionsSkippedOverlap: number;
  actionsMissedCatchupWindow: number;
}

const statusPrefix = 'WORKFLOW_EXECUTION_STATUS_';

function statusName(code: number | null | undefined): string | null {
  if (code == null || code === 0) return null;
  const name = temporal.api.enums.v1.WorkflowExecutionStatus[code] as string | undefined;
  return name ? name.replace(statusPrefix, '') : String(code);
}

function viewOf(d: ScheduleDescription): MappingScheduleView {
  const interval = d.spec.intervals?.[0];
  const rawRecent = d.raw.info?.recentActions ?? [];
  return {
    scheduleId: d.scheduleId,
    mapping: d.typedSearchAttributes.get(BcSyncMapping) ?? null,
    paused: d.state.paused,
    note: d.state.note ?? null,
    every: interval ? formatInterval(interval.every) : null,
    everyMs: interval ? interval.every : null,
    overlap: d.policies.overlap ?? 'SKIP',
    catchupWindowMs: d.policies.catchupWindow,
    nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    // Newest first, like every other log the CLI prints.
    recentActions: d.info.recentActions
      .map((a, i) => ({
        scheduledAt: a.scheduledAt.toISOString(),
        takenAt: a.takenAt.toISOString(),
        workflowId: a.action.workflow.workflowId,
        runId: a.action.workflow.firstExecutionRunId,
        status: statusName(rawRecent[i]?.startWorkflowStatus),
        outcome: null as string | null,
      }))
      .reverse(),
    runningWorkflowIds: d.info.runningActions.map((a) => a.workflow.workflowId),
    actionsTaken: d.info.numActionsTaken,
    actionsSkippedOverlap: d.info.numActionsSkippedOverlap,
    actionsMissedCatchupWindow: d.info.numActionsMissedCatchupWindow,
  };
}

/** The schedule with this id, or undefined when there is none. Other errors (permissions, network) are thrown. */
export async function describeSchedule(client: Client, scheduleId: string): Promise<MappingScheduleView | undefined> {
  try {
    return viewOf(await client.schedule.getHandle(scheduleId).describe());
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Fills `outcome` of the view's recent actions from the visibility store (one list query on
 * `TemporalScheduledById`). Eventually consistent: a run that just ended may still show no outcome.
 */
export async function addRecentOutcomes(client: Client, view: MappingScheduleView): Promise<void> {
  if (!view.recentActions.length) return;
  const wanted = new Map(view.recentActions.map((a) => [a.runId, a]));
  let seen = 0;
  for await (const wf of client.workflow.list({
    query: `TemporalScheduledById = "${view.scheduleId}"`,
    pageSize: 50,
  })) {
    const action = wanted.get(wf.runId);
    if (action) action.outcome = wf.typedSearchAttributes.get(BcSyncOutcome) ?? null;
    if (++seen >= 100) break;
  }
}

/** The ids of every schedule this product manages (`bcsync-…`), from the eventually consistent schedule list. */
export async function listProductScheduleIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list({ pageSize: 200 })) {
    if (s.scheduleId.startsWith('bcsync-')) ids.push(s.scheduleId);
  }
  return ids;
}

/** Pauses the schedule with `note`; false when there is no such schedule. */
export async function pauseSchedule(client: Client, scheduleId: string, note: string): Promise<boolean> {
  try {
    await client.schedule.getHandle(scheduleId).pause(note);
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}

/**
 * Deletes the schedule; returns the ids of the runs it had started that are still running (deleting a schedule
 * does not stop them), or undefined when there is no such schedule.
 */
export async function deleteSchedule(client: Client, scheduleId: string): Promise<string[] | undefined> {
  const view = await describeSchedule(client, scheduleId);
  if (!view) return undefined;
  try {
    await client.schedule.getHandle(scheduleId).delete();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
  return view.runningWorkflowIds;
}
