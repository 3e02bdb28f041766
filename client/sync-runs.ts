/**
 * Starting one `syncMapping` run from the CLI (`bcsync run`, `retry`, `rerun`) and reporting it: the workflow id and
 * the Temporal UI link, and with `--wait` the outcome and per-pass counts.
 */
import { type Client, type WorkflowHandle, WorkflowFailedError } from '@temporalio/client';
import { BcSyncMapping } from '../workflows/definitions';
import type { SyncMappingResult } from '../engine/run-types';
import type { CommandContext } from './context';
import { CliError } from './errors';
import { printJson } from './output';
import { isSyncMappingInput, runStaticDetails } from './run-metadata';
import { showRunProgress } from './run-progress';
import { SYNC_WORKFLOW_TYPE } from './schedules';

/** A timestamp usable in a workflow id: `2026-11-24T03-31-56-123Z`. */
export function idTimestamp(now = new Date()): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

/**
 * Throws `CliError` (exit 1) when a `syncMapping` run of `mapping` is running: two runs of one mapping would
 * compete for the same job rows and watermarks. Visibility is eventually consistent, so each candidate is confirmed
 * with a describe (a run that just ended does not block).
 */
export async function ensureNoRunningSync(
  client: Client,
  mapping: string,
  workflowType: string = SYNC_WORKFLOW_TYPE,
): Promise<void> {
  const query = `WorkflowType = "${workflowType}" AND BcSyncMapping = "${mapping}" AND ExecutionStatus = "Running"`;
  for await (const wf of client.workflow.list({ query, pageSize: 10 })) {
    const d = await client.workflow.getHandle(wf.workflowId, wf.runId).describe();
    if (d.status.name === 'RUNNING') {
      throw new CliError(
        `${mapping} is already being synchronized by ${wf.workflowId}; wait for it to finish, or cancel it in the Temporal UI`,
      );
    }
  }
}

export interface StartRunOptions {
  workflowType?: string;
  workflowId: string;
  args: unknown[];
  /** The value of the `BcSyncMapping` search attribute. */
  mapping: string;
  /** The run's static summary (one line naming the mapping and the mode). */
  summary: string;
  /** What started the run, for its static details. (Default: `bcsync`) */
  startedBy?: string;
  /** (Default: the configured task queue) */
  taskQueue?: string;
}

export interface StartedRun {
  handle: WorkflowHandle;
  workflowId: string;
  runId: string;
  url: string;
}

/** Starts the run (`syncMapping` unless `workflowType` says otherwise). */
export async function startRun(ctx: CommandContext, o: StartRunOptions): Promise<StartedRun> {
  const client = await ctx.temporal();
  const handle = await client.workflow.start(o.workflowType ?? SYNC_WORKFLOW_TYPE, {
    taskQueue: o.taskQueue ?? ctx.config.temporal.taskQueue,
    workflowId: o.workflowId,
    args: o.args,
    typedSearchAttributes: [{ key: BcSyncMapping, value: o.mapping }],
    staticSummary: o.summary,
    ...(isSyncMappingInput(o.args[0])
      ? {
          staticDetails: runStaticDetails(o.args[0], {
            startedBy: o.startedBy ?? 'bcsync',
            consoleUrl: ctx.config.consoleUrl,
          }),
        }
      : {}),
  });
  return {
    handle,
    workflowId: o.workflowId,
    runId: handle.firstExecutionRunId,
    url: ctx.workflowUrl(o.workflowId, handle.firstExecutionRunId),
  };
}

function isSyncResult(value: unknown): value is SyncMappingResult {
  return typeof value === 'object' && value !== null && 'outcome' in value && Array.isArray((value as never)['passes']);
}

/**
 * Prints the started run; with `wait`, waits for it (following continue-as-new) and prints the outcome and the
 * counts of each pass. Throws `CliError` (exit 1) when the run fails or its outcome is `failed`, and exit 3 when it
 * completed with failed records. Ctrl-C while waiting only stops the waiting: it says the run goes on and how to
 * follow it, then exits 130. `extraJson` adds fields to the `--json` document (a command that did
 * something before starting the run reports both in one document).
 */
export async function reportRun(
  run: StartedRun,
  opts: { wait?: boolean; json?: boolean; extraJson?: Record<string, unknown> },
): Promise<void> {
  const started = { ...opts.extraJson, workflowId: run.workflowId, runId: run.runId, url: run.url };
  if (!opts.wait) {
    if (opts.json) printJson(started);
    else console.log(`started ${run.workflowId}\n${run.url}`);
    return;
  }
  if (!opts.json) console.log(`started ${run.workflowId}\n${run.url}\nwaiting for the outcome…`);
  let result: unknown;
  const onInterrupt = () => {
    process.stderr.write(
      `\nbcsync: stopped waiting; ${run.workflowId} goes on running. Follow it in ${run.url} or with bcsync jobs\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  const stopProgress = opts.json
    ? undefined
    : showRunProgress(run.handle, { tty: Boolean(process.stdout.isTTY), say: (line) => console.log(line) });
  try {
    result = await run.handle.result();
  } catch (err) {
    const cause = err instanceof WorkflowFailedError && err.cause ? err.cause.message : (err as Error).message;
    throw new CliError(`${run.workflowId} did not complete: ${cause} (${run.url})`);
  } finally {
    process.off('SIGINT', onInterrupt);
    await stopProgress?.();
  }
  if (opts.json) printJson({ ...started, result });
  else if (isSyncResult(result)) printSyncResult(run.workflowId, result);
  else console.log(`${run.workflowId}: completed ${JSON.stringify(result)}`);
  if (isSyncResult(result) && result.outcome === 'failed') {
    throw new CliError(`${run.workflowId} ended with outcome failed (${run.url})`);
  }
  // Done, but records failed: a distinct exit code (3, as full-sync and match), so a script cannot take it for success.
  if (isSyncResult(result) && result.failed > 0) {
    throw new CliError(`${run.workflowId} completed with ${result.failed} failed record(s); see bcsync errors`, 3);
  }
}

function printSyncResult(workflowId: string, r: SyncMappingResult): void {
  console.log(`${workflowId}: ${r.outcome} (${r.changed} changed, ${r.failed} failed)`);
  for (const p of r.passes) {
    const c = p.counts;
    console.log(
      `  ${p.direction.padEnd(12)}  job ${p.jobId}  ${p.status}  inserted ${c.inserted}  modified ${c.modified}  ` +
        `deleted ${c.deleted}  unchanged ${c.unchanged}  skipped ${c.skipped}  failed ${c.failed}`,
    );
  }
  for (const p of r.passes.filter((x) => x.counts.failed > 0)) {
    console.log(
      `  ${p.direction}: see bcsync errors --job ${p.jobId}; re-sync only those records: bcsync retry ${p.jobId}`,
    );
  }
}
