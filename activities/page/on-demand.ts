/**
 * Synchronization on demand (bc-sync-semantics §4.9, §8.11): when a record refers to a BC record that is not coupled
 * yet — a posted invoice's customer, the item or resource of an invoice line — BC first synchronizes that record
 * through its own mapping and then looks it up again, instead of failing the invoice. Here the referenced records are
 * run through the same page pipeline as a `records` run of their mapping, inside the page that needs them: created
 * (or matched) and coupled in Dataverse, with their own job row ("synchronized on demand for …"), errors and audit
 * rows, exactly as `bcsync sync-record` would log them.
 *
 * Crash safety is the page pipeline's: the job is opened under a key derived from the requesting page and the ids, so
 * a retried page reopens the same job, finds its committed page result and does not write twice; a create repeated
 * after a crash is found by its deterministic id. On-demand runs do not nest: the records synchronized on demand
 * resolve their own lookups without it. Their failures never park them (page commit): they are the referencing
 * record's wait, retried on its every run; a record its own mapping parked stays parked and is named as such.
 */
import { createHash } from 'node:crypto';
import type { SyncPageResult } from '../../engine';
import { countsSummary } from '../../engine/run-outcome';
import type { IntegrationTableMapping } from '../../mappings';
import { findByBcIds } from '../../store/couplings';
import { findPendingFailures } from '../../store/pending-failures';
import { listErrors } from '../../store/sync-errors';
import { closeJob, getJob, openJob } from '../../store/sync-jobs';
import { getPageResult } from '../../store/sync-pages';
import type { SyncDeps } from '../deps';
import { sideApi } from '../sides';
import { lower, type PageProgress, type PageWork } from './work';

/**
 * Synchronizes the given BC records of `target` to Dataverse now; resolves with why each one that is still not
 * coupled afterwards is not (by lower-case BC id).
 */
export type SyncOnDemand = (target: IntegrationTableMapping, bcIds: readonly string[]) => Promise<Map<string, string>>;

type ProcessRecords = (deps: SyncDeps, work: PageWork, signal?: AbortSignal) => Promise<PageProgress>;

/** The on-demand synchronizer of one page, or undefined for a page that itself runs on demand (no nesting). */
export function onDemandSyncer(
  deps: SyncDeps,
  work: PageWork,
  processRecords: ProcessRecords,
  signal?: AbortSignal,
): SyncOnDemand | undefined {
  if (work.onDemandFor) return undefined;
  return async (target, bcIds) => {
    const ids = [...new Set(bcIds.map(lower))].sort();
    const why = new Map<string, string>();
    if (!ids.length) return why;
    if (target.direction === 'to-bc') {
      for (const id of ids) why.set(id, `${target.name} only synchronizes from Dataverse`);
      return why;
    }
    const parent = await getJob(deps.knex, work.jobId);
    const digest = createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 16);
    const job = await openJob(deps.knex, {
      idempotencyKey: `on-demand/${work.jobId}/${work.pageNo}/${target.name}/${digest}`,
      mapping: target.name,
      direction: 'to-dataverse',
      type: 'sync',
      mode: 'records',
      workflowId: parent?.workflowId ?? null,
      runId: parent?.runId ?? null,
      retryOfJobId: null,
      startedAt: deps.now(),
    });
    if (job.status === 'running') {
      let result = await getPageResult<SyncPageResult>(deps.knex, job.id, 0);
      if (!result) {
        const records = await sideApi(deps.connectors, target, 'bc').getByIds(ids, signal);
        const done = await processRecords(
          deps,
          {
            mapping: target,
            direction: 'to-dataverse',
            mode: 'records',
            jobId: job.id,
            pageNo: 0,
            passStartedAt: job.startedAt.toISOString(),
            recordIds: ids,
            force: false,
            // BC creates the referenced record even when its mapping synchronizes only coupled records.
            createUncoupled: true,
            records,
            requestedIds: ids,
            phase: 'records',
            next: { phase: 'done' },
            maxModifiedAt: null,
            onDemandFor: work.mapping.name,
            progress: null,
          },
          signal,
        );
        result = done.total;
      }
      await closeJob(deps.knex, job.id, {
        status: result.counts.failed > 0 ? 'completed_with_errors' : 'succeeded',
        counts: result.counts,
        finishedAt: deps.now(),
        message: `${countsSummary(result.counts)}; synchronized on demand for ${work.mapping.name} (job ${work.jobId})`,
      });
    }
    const couplings = await findByBcIds(deps.knex, target.name, ids);
    const uncoupled = ids.filter((id) => !couplings.get(id)?.dvId);
    if (!uncoupled.length) return why;
    const errors = new Map(
      (await listErrors(deps.knex, { jobId: job.id, limit: ids.length })).map((e) => [lower(e.sourceId), e.message]),
    );
    const pending = await findPendingFailures(deps.knex, target.name, 'to-dataverse', uncoupled);
    for (const id of uncoupled) {
      const parked = pending.get(id);
      why.set(
        id,
        errors.get(id) ??
          (parked?.skipped
            ? `it is skipped after failing twice the same way in ${target.name} (${parked.lastError ?? 'no message'}); fix that, then 'bcsync restore ${target.name} --bc ${id}'`
            : `synchronizing it on demand through ${target.name} (job ${job.id}) did not couple it; see 'bcsync errors --job ${job.id}'`),
      );
    }
    return why;
  };
}
