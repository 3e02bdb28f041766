/**
 * Starting a full synchronization (`fullSync` workflow) and following it to its closing report: shared by
 * `bcsync full-sync` and the first `npm start`. The progress display polls the workflow's progress query: a
 * cli-progress bar on a terminal, a plain line every few seconds otherwise.
 */
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { SingleBar } from 'cli-progress';
import { hasCompletedJob } from '../store/sync-jobs';
import { errorMessagesOfJobs } from '../store/sync-errors';
import { BcSyncMapping, FULL_SYNC_MAPPING, fullSyncProgressQuery } from '../workflows/definitions';
import type { FullSyncInput, FullSyncProgress, FullSyncResult } from '../engine/full-sync-types';
import type { CommandContext } from './context';
import { CliError } from './errors';
import { formatFullSyncReport, groupErrorMessages, jobIdsOf, recommendations } from './full-sync-report';
import { idTimestamp, type StartedRun, startRun } from './sync-runs';

/** The workflow type of a full synchronization. */
export const FULL_SYNC_WORKFLOW_TYPE = 'fullSync';

/** Starts the `fullSync` workflow with id `full-sync-<timestamp>`. */
export async function startFullSync(ctx: CommandContext, input: FullSyncInput): Promise<StartedRun> {
  return startRun(ctx, {
    workflowType: FULL_SYNC_WORKFLOW_TYPE,
    workflowId: `full-sync-${idTimestamp()}`,
    args: [input],
    mapping: FULL_SYNC_MAPPING,
    summary: `${input.dryRun ? 'Dry run of the full' : 'Full'} synchronization of ${input.mappings.join(', ')}`,
  });
}

/** A `fullSync` run that is still running (confirmed with a describe: visibility lags), if any. */
export async function runningFullSync(ctx: CommandContext, client: Client): Promise<StartedRun | undefined> {
  const query = `WorkflowType = "${FULL_SYNC_WORKFLOW_TYPE}" AND ${BcSyncMapping.name} = "${FULL_SYNC_MAPPING}" AND ExecutionStatus = "Running"`;
  for await (const wf of client.workflow.list({ query, pageSize: 10 })) {
    const handle = client.workflow.getHandle(wf.workflowId, wf.runId);
    if ((await handle.describe()).status.name !== 'RUNNING') continue;
    return { handle, workflowId: wf.workflowId, runId: wf.runId, url: ctx.workflowUrl(wf.workflowId, wf.runId) };
  }
  return undefined;
}

/** How often the progress query is polled, and how often a plain (non-TTY) progress line is printed at most. */
const POLL_MS = 1000;
const PLAIN_EVERY_MS = 5000;

function progressLine(p: FullSyncProgress): string {
  const by = (s: string) => p.mappings.filter((m) => m.state === s).map((m) => m.mapping);
  const planned = p.mappings.filter((m) => m.layer >= 0).length;
  const finished = p.mappings.filter((m) => m.layer >= 0 && m.state !== 'waiting' && m.state !== 'running').length;
  const running = by('running');
  return `full sync: ${finished}/${planned} mappings finished${running.length ? `; running ${running.join(', ')}` : ''}${by('failed').length ? `; failed ${by('failed').join(', ')}` : ''}`;
}

/**
 * Waits for the run's result while showing its progress (`quiet`: no progress at all, for `--json`). `stop` resolves
 * when the caller wants to stop waiting (Ctrl-C in `npm start`): then undefined is returned and the run goes on.
 * Throws `CliError` (exit 1) when the workflow itself fails.
 */
export async function followFullSync(
  run: StartedRun,
  o: { quiet?: boolean; stop?: Promise<void>; say?: (line: string) => void } = {},
): Promise<FullSyncResult | undefined> {
  const say = o.say ?? ((line: string) => console.log(line));
  const tty = Boolean(process.stdout.isTTY) && !o.quiet;
  let done = false;
  const outcome = run.handle.result().then(
    (r) => r as FullSyncResult,
    (err: unknown) => {
      const cause = err instanceof WorkflowFailedError && err.cause ? err.cause.message : (err as Error).message;
      throw new CliError(`${run.workflowId} did not complete: ${cause} (${run.url})`);
    },
  );
  const stopped = o.stop?.then(() => undefined);
  const bar = tty
    ? new SingleBar({ format: 'full sync [{bar}] {value}/{total} mappings | {current}', hideCursor: true })
    : undefined;
  let lastPlain = '';
  let lastPlainAt = 0;
  const poll = async () => {
    while (!done) {
      try {
        const p = await run.handle.query(fullSyncProgressQuery);
        const planned = p.mappings.filter((m) => m.layer >= 0);
        const finished = planned.filter((m) => m.state !== 'waiting' && m.state !== 'running').length;
        const running = planned.filter((m) => m.state === 'running').map((m) => m.mapping);
        if (bar) {
          if (!bar.isActive) bar.start(planned.length, finished, { current: '' });
          bar.setTotal(planned.length);
          bar.update(finished, { current: running.length ? `running ${running.join(', ')}` : p.phase });
        } else if (!o.quiet) {
          const line = progressLine(p);
          // Nothing to say while the run is still planning its layers.
          if (planned.length > 0 && line !== lastPlain && Date.now() - lastPlainAt >= PLAIN_EVERY_MS) {
            say(line);
            lastPlain = line;
            lastPlainAt = Date.now();
          }
        }
      } catch {
        // Not answerable yet (no worker has picked the run up): try again on the next tick.
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  const polling = o.quiet ? Promise.resolve() : poll();
  try {
    return await (stopped ? Promise.race([outcome, stopped]) : outcome);
  } finally {
    done = true;
    await polling;
    bar?.stop();
    // A rejected outcome nobody waits for any more (after stop) must not surface as an unhandled rejection.
    outcome.catch(() => undefined);
  }
}

/**
 * The closing report of `result`: the per-mapping table, the failures grouped by message (from `sync_errors` of the
 * child runs' jobs) and the recommendations. Returns the lines.
 */
export async function fullSyncReport(ctx: CommandContext, result: FullSyncResult): Promise<string[]> {
  const knex = (await ctx.store()).knex;
  const jobIds = result.mappings.flatMap(jobIdsOf);
  const groups = groupErrorMessages(await errorMessagesOfJobs(knex, jobIds));
  const completed = new Set<string>();
  for (const m of result.mappings) if (await hasCompletedJob(knex, m.mapping)) completed.add(m.mapping);
  return formatFullSyncReport(result, groups, recommendations(result, completed));
}

/**
 * The exit status of a full synchronization: `CliError` with exit code 1 when a mapping failed (or did not run
 * because a dependency failed), 3 when records failed; nothing when everything succeeded.
 */
export function fullSyncExitError(result: FullSyncResult, workflowId: string): CliError | undefined {
  const failed = result.mappings.filter((m) => m.state === 'failed').map((m) => m.mapping);
  if (failed.length) return new CliError(`${workflowId}: ${failed.join(', ')} failed; see the report above`, 1);
  const records = result.mappings.reduce((n, m) => n + (m.counts?.failed ?? 0), 0);
  if (records > 0) {
    return new CliError(`${workflowId}: ${records} record(s) failed; see the recommendations above`, 3);
  }
  return undefined;
}
