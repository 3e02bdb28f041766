/** `bcsync smoke`: starts the `smokeRun` workflow (a job row written and closed through Temporal) and prints its link. */
import type { smokeRun } from '../../workflows';
import { BcSyncMapping } from '../../workflows/definitions';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { printJson } from '../output';

export async function smokeCommand(ctx: CommandContext, opts: { wait?: boolean; json?: boolean }): Promise<void> {
  const client = await ctx.temporal();
  const workflowId = `smoke-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const handle = await client.workflow.start<typeof smokeRun>('smokeRun', {
    taskQueue: ctx.config.temporal.taskQueue,
    workflowId,
    args: [{ mapping: 'SMOKE' }],
    typedSearchAttributes: [{ key: BcSyncMapping, value: 'SMOKE' }],
    staticSummary: 'Smoke run: one job row written and closed',
  });
  const url = ctx.workflowUrl(workflowId, handle.firstExecutionRunId);
  if (!opts.wait) {
    if (opts.json) printJson({ workflowId, runId: handle.firstExecutionRunId, url });
    else console.log(`started ${workflowId}\n${url}`);
    return;
  }
  try {
    const result = await handle.result();
    if (opts.json) printJson({ workflowId, runId: handle.firstExecutionRunId, url, ...result });
    else console.log(`${workflowId}: ${result.outcome} (job ${result.jobId})\n${url}`);
  } catch (err) {
    throw new CliError(`${workflowId} failed: ${(err as Error).message} (${url})`);
  }
}
