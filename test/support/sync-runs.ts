/** Running `syncMapping` in tests and remembering every run, so the replay test can check them all for determinism. */
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { fullSync, syncMapping } from '../../workflows';
import type { FullSyncResult } from '../../engine/full-sync-types';
import type {
  MatchMappingInput,
  MatchMappingResult,
  PassDirection,
  SyncMappingInput,
  SyncMappingResult,
} from '../../engine/run-types';
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

/** Runs one `matchMapping` (match-based coupling, then with `createUnmatched` the creates) to the end. */
export async function runMatch(taskQueue: string, input: MatchMappingInput): Promise<MatchMappingResult> {
  const { client } = testResources().temporal;
  const handle = await client.workflow.start('matchMapping', {
    taskQueue,
    workflowId: uniqueName(`match-${input.mapping.toLowerCase().replace(/\s+/g, '-')}`),
    args: [input],
  });
  startedRuns.push({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
  return (await handle.result()) as MatchMappingResult;
}

/** Runs the full synchronization (`fullSync`: match, then create, in dependency order) of `mappings` to the end. */
export async function runFullSync(taskQueue: string, mappings: readonly string[]): Promise<FullSyncResult> {
  const { client } = testResources().temporal;
  const handle = await client.workflow.start<typeof fullSync>('fullSync', {
    taskQueue,
    workflowId: uniqueName('full-sync'),
    args: [{ mappings: [...mappings] }],
  });
  startedRuns.push({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
  return handle.result();
}
