/**
 * `fullSync`: the initial synchronization of several mappings (bc-sync-semantics §6, `bcsync full-sync`). One
 * `matchMapping` child per mapping — match uncoupled records, then create and couple what is left — layer by layer in
 * dependency order, the mappings of one layer in parallel. A child that fails does not stop independent mappings; the
 * mappings that depend on it are not run. Only names, states and counts pass through here.
 */
import {
  executeChild,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createFullSyncActivities } from '../activities/full-sync-plan';
import {
  type FullSyncCounts,
  fullSyncCountsOf,
  type FullSyncInput,
  type FullSyncMappingResult,
  type FullSyncProgress,
  type FullSyncResult,
} from '../engine/full-sync-types';
import type { MatchMappingInput, MatchMappingResult } from '../engine/run-types';
import {
  BcSyncChanged,
  BcSyncFailed,
  BcSyncMapping,
  BcSyncOutcome,
  FULL_SYNC_MAPPING,
  fullSyncProgressQuery,
} from './definitions';
import { innermostMessage } from '../engine/run-outcome';
import { shortActivity } from './profiles';

const { planFullSync } = proxyActivities<ReturnType<typeof createFullSyncActivities>>(shortActivity);

/** The child workflow's signature (workflows/match-mapping.ts), named here by type so the bundles stay decoupled. */
type MatchMappingWorkflow = (input: MatchMappingInput) => Promise<MatchMappingResult>;

/** `UNIT OF MEASURE` → `unit-of-measure` (the child's part of its workflow id). */
function slug(mapping: string): string {
  return mapping.trim().toLowerCase().replace(/\s+/g, '-');
}

export async function fullSync(input: FullSyncInput): Promise<FullSyncResult> {
  const info = workflowInfo();
  const dryRun = input.dryRun ?? false;
  const progress: FullSyncProgress = { dryRun, phase: 'planning', layers: [], mappings: [], warnings: [] };
  const results = new Map<string, MatchMappingResult>();
  setHandler(fullSyncProgressQuery, () => progress);
  upsertSearchAttributes([{ key: BcSyncMapping, value: FULL_SYNC_MAPPING }]);

  const plan = await planFullSync({ mappings: input.mappings });
  progress.layers = plan.layers;
  progress.warnings = plan.warnings;
  plan.layers.forEach((layer, i) => {
    for (const mapping of layer) {
      progress.mappings.push({ mapping, layer: i, state: 'waiting', workflowId: null, reason: null, counts: null });
    }
  });
  for (const n of plan.notRun) {
    progress.mappings.push({
      mapping: n.mapping,
      layer: -1,
      state: 'not-run',
      workflowId: null,
      reason: n.reason,
      counts: null,
    });
  }
  const status = (mapping: string) => progress.mappings.find((m) => m.mapping === mapping)!;
  progress.phase = 'running';
  describe(progress);

  for (const layer of plan.layers) {
    const runnable = [];
    for (const mapping of layer) {
      const blocker = (plan.dependsOn[mapping] ?? []).find((d) => ['failed', 'not-run'].includes(status(d).state));
      if (blocker) {
        const s = status(mapping);
        s.state = 'not-run';
        s.reason = `not run: ${blocker} ${status(blocker).state === 'failed' ? 'failed' : 'was not run'}`;
      } else {
        runnable.push(mapping);
      }
    }
    describe(progress);
    await Promise.all(
      runnable.map(async (mapping) => {
        const s = status(mapping);
        s.state = 'running';
        s.workflowId = `${info.workflowId}-${slug(mapping)}`;
        describe(progress);
        try {
          const r = await executeChild<MatchMappingWorkflow>('matchMapping', {
            workflowId: s.workflowId,
            args: [{ mapping, dryRun, createUnmatched: !dryRun }],
            staticSummary: `${dryRun ? 'Dry run of the' : 'The'} full synchronization of ${mapping}`,
          });
          results.set(mapping, r);
          s.counts = fullSyncCountsOf(r);
          if (r.sync?.outcome === 'failed') {
            s.state = 'failed';
            s.reason = `its synchronization run ended with outcome failed`;
          } else {
            s.state = 'done';
          }
        } catch (err) {
          s.state = 'failed';
          s.reason = innermostMessage(err);
        }
        describe(progress);
      }),
    );
  }

  progress.phase = 'done';
  const total = (k: keyof FullSyncCounts) => progress.mappings.reduce((n, m) => n + (m.counts?.[k] ?? 0), 0);
  const failedRecords = total('failed');
  const outcome: FullSyncResult['outcome'] = progress.mappings.some((m) => m.state === 'failed')
    ? 'failed'
    : failedRecords > 0
      ? 'completed_with_errors'
      : 'succeeded';
  describe(progress, { outcome, failed: failedRecords });
  upsertSearchAttributes([
    { key: BcSyncOutcome, value: outcome },
    { key: BcSyncFailed, value: failedRecords },
    { key: BcSyncChanged, value: total('coupled') + total('insertedToDataverse') + total('insertedToBc') },
  ]);
  const mappings: FullSyncMappingResult[] = progress.mappings.map((m) => ({
    ...m,
    result: results.get(m.mapping) ?? null,
  }));
  return { dryRun, outcome, layers: plan.layers, warnings: plan.warnings, mappings };
}

/**
 * The Temporal UI's current-details text: one line per mapping (each mapping's own run has its job links); at the end
 * the outcome and the failed records.
 */
function describe(p: FullSyncProgress, end?: { outcome: string; failed: number }): void {
  const lines = [`**Full synchronization**${p.dryRun ? ' (dry run)' : ''}: ${p.phase}`];
  if (end) lines.push(`Outcome: **${end.outcome}** — ${end.failed} failed`);
  for (const m of p.mappings) {
    const c = m.counts;
    const counts = c
      ? ` — coupled ${c.coupled}, created ${c.insertedToDataverse} in Dataverse and ${c.insertedToBc} in BC, ambiguous ${c.ambiguous}, failed ${c.failed}, skipped ${c.skipped}`
      : '';
    lines.push(`- ${m.mapping}: ${m.state}${m.reason ? ` (${m.reason})` : ''}${counts}`);
  }
  for (const w of p.warnings) lines.push(`- warning: ${w}`);
  setCurrentDetails(lines.join('\n'));
}
