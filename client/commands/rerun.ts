/**
 * `bcsync rerun WORKFLOW_ID [--force] [--wait]`: a new run with the ORIGINAL input of a run that failed, was
 * terminated, cancelled or timed out (temporal-notes §6.3, option 3). The input is read from the first event of the
 * run's history; a continue-as-new carry (`resume`) is dropped so the new run starts fresh.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { BcSyncMapping, BcSyncOutcome } from '../../workflows/definitions';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { isSyncMappingInput } from '../run-metadata';
import { ensureNoRunningSync, idTimestamp, reportRun, startRun } from '../sync-runs';
import { STATISTICS_WORKFLOW_TYPE, SYNC_WORKFLOW_TYPE } from '../schedules';

export async function rerunCommand(
  ctx: CommandContext,
  workflowId: string,
  opts: { force?: boolean; wait?: boolean; json?: boolean },
): Promise<void> {
  const client = await ctx.temporal();
  let description;
  try {
    description = await client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CliError(`workflow ${workflowId} not found`);
    throw err;
  }
  const status = description.status.name;
  if (status === 'RUNNING') {
    throw new CliError(`${workflowId} is still running; cancel or terminate it first, or wait for it`);
  }

  // The history of the latest run of the chain: its first event holds the input it started with, its last the result.
  const history = await client.workflow.getHandle(workflowId, description.runId).fetchHistory();
  const events = history.events ?? [];
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new CliError(`cannot read the input of ${workflowId}: its history has no start event`);
  const converter = client.options.loadedDataConverter;
  const decode = async (payloads: temporal.api.common.v1.IPayload[]): Promise<unknown[]> => {
    for (const codec of [...converter.payloadCodecs].reverse()) payloads = await codec.decode(payloads);
    return payloads.map((p) => converter.payloadConverter.fromPayload<unknown>(p));
  };

  if (status === 'COMPLETED') {
    // A sync run that returns normally with outcome `failed` is a failed run for the operator.
    const completed = events[events.length - 1]?.workflowExecutionCompletedEventAttributes;
    const [result] = completed?.result?.payloads ? await decode(completed.result.payloads) : [];
    const outcome =
      (result && typeof result === 'object' ? (result as { outcome?: string }).outcome : undefined) ??
      description.typedSearchAttributes.get(BcSyncOutcome);
    if (outcome !== 'failed' && !opts.force) {
      throw new CliError(
        `${workflowId} completed${outcome ? ` (${outcome})` : ''}; re-run it anyway with --force` +
          (outcome === 'completed_with_errors' ? ', or re-sync only its failed records with bcsync retry JOB_ID' : ''),
      );
    }
  }

  const args = await decode(started.input?.payloads ?? []);
  const first = args[0];
  if (first && typeof first === 'object' && 'resume' in first) {
    // Continue-as-new carry: where the previous run of the chain stopped. The re-run starts from the beginning.
    delete (first as Record<string, unknown>).resume;
  }

  const mapping =
    description.typedSearchAttributes.get(BcSyncMapping) ??
    (first && typeof first === 'object' ? ((first as { mapping?: string }).mapping ?? undefined) : undefined);
  if (!mapping) throw new CliError(`${workflowId} names no mapping (no BcSyncMapping search attribute)`);
  if (description.type === SYNC_WORKFLOW_TYPE || description.type === STATISTICS_WORKFLOW_TYPE) {
    await ensureNoRunningSync(client, mapping, description.type);
  }

  const run = await startRun(ctx, {
    workflowType: description.type,
    workflowId: `${workflowId}-rerun-${idTimestamp()}`,
    args,
    mapping,
    startedBy: `\`bcsync rerun ${workflowId}\``,
    summary: `Re-run of ${workflowId} (${status.toLowerCase()}) with its original input: ${mapping}${isSyncMappingInput(first) ? `, ${first.mode}` : ''}`,
    taskQueue: description.taskQueue,
  });
  if (!opts.json) console.log(`re-running ${workflowId} (${status.toLowerCase()}) with its original input`);
  await reportRun(run, opts);
}
