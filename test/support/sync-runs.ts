/** Running `syncMapping` in tests and remembering every run, so the replay test can check them all for determinism. */
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { syncMapping } from '../../workflows';
import type { PassDirection, SyncMappingInput, SyncMappingResult } from '../../engine/run-types';
import { testResources, uniqueName } from './env';

/** Every workflow run the sync tests started (workflow id, run id). */
export const startedRuns: Array<{ workflowId: string; runId: string }> = [];

export async function startSync(
  taskQueue: string,
  input: SyncMappingInput,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof syncMapping>> {
  const { client } = testResources().temporal;
  const handle = await client.workflow.start<typeof syncMapping>('syncMapping', {
    taskQueue,
    workflowId: uniqueName(`sync-${input.mapping.toLowerCase().replace(/\s+/g, '-')}`),
    args: [input],
  });
  startedRuns.push({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
  return handle;
}

/** Runs one sync to the end and returns its result. */
export async function runSync(taskQueue: string, input: SyncMappingInput): Promise<SyncMappingResult> {
  return (await startSync(taskQueue, input)).result();
}

/** The counts of the pass in `direction` of a result (throws when the run had no such pass). */
export function pass(result: SyncMappingResult, direction: PassDirection) {
  const p = result.passes.find((x) => x.direction === direction);
  if (!p) throw new Error(`the run has no ${direction} pass: ${JSON.stringify(result)}`);
  return p;
}
