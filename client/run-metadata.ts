/**
 * The static user metadata of a run (Temporal UI, temporal-notes §3): the one-line summary every start site writes
 * names the mapping and the mode; the static details, written here once for every kind of start, say the same in
 * full — mapping, mode, directions, what started it, what it retries — and where its outcome will be. Both are fixed at
 * start; the run's current details (workflows/) carry its counts and job links while it runs and when it ends.
 */
import type { SyncMappingInput } from '../engine/run-types';
import { jobReference } from '../engine/run-outcome';

/** Whether a start argument is a sync run's input (`syncMapping`, `customerStatistics`). */
export function isSyncMappingInput(value: unknown): value is SyncMappingInput {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SyncMappingInput).mapping === 'string' &&
    typeof (value as SyncMappingInput).mode === 'string'
  );
}

/**
 * The static details (markdown) of a sync run started with `input`; `startedBy` says by what (a schedule, a CLI
 * command), `consoleUrl` links the job a retry retries. Never throws.
 */
export function runStaticDetails(input: SyncMappingInput, o: { startedBy: string; consoleUrl?: string }): string {
  const lines = [
    `**${input.mapping}** — ${input.mode} run`,
    `- started by: ${o.startedBy}`,
    `- directions: ${input.direction ? `${input.direction} only` : 'every direction of the mapping (BC → Dataverse first)'}`,
  ];
  const records = (input.records ?? []).reduce((n, r) => n + r.ids.length, 0);
  if (records)
    lines.push(`- records: ${records} chosen record(s)${input.force ? ', forced (they win conflicts)' : ''}`);
  if (input.retryOfJobId !== undefined) {
    lines.push(`- retries the failed records of ${jobReference(input.retryOfJobId, o.consoleUrl)}`);
  }
  if (input.scheduled) lines.push('- scheduled: skips itself while a mapping it depends on runs or never completed');
  lines.push(
    '',
    'Outcome, counts per pass and links to each job: the current details, and the search attributes `BcSyncOutcome`, `BcSyncFailed`, `BcSyncChanged`.',
  );
  return lines.join('\n');
}
