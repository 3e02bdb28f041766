/**
 * The activities of the `syncMapping` workflow (DESIGN §5): `planRun`, `startPass`, `syncPage`, `finishPass`.
 * Every side effect of a run happens here; the workflow sees only ids, cursors and counters.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/common';
import { ConnectorError } from '../connectors/http';
import { cannotRunReason, type IntegrationTableMapping } from '../mappings';
import { getWatermark, advanceWatermark } from '../store/watermarks';
import { abandonJob, closeJob, getJob, listRunningJobs, openJob } from '../store/sync-jobs';
import { clearPageReads, getPageRead, listPageResults, readPageResult, recordPageRead } from '../store/sync-pages';
import {
  type FinishPassInput,
  type PassCounts,
  type PassCursor,
  type StartPassInput,
  type SyncPageInput,
  type SyncPageResult,
  type PassDirection,
  sourceSideOf,
  subtractCounts,
  zeroCounts,
} from '../engine/run-types';
import { countsSummary } from '../engine/run-outcome';
import { DEFAULT_OVERLAP_MS, type SyncDeps } from './deps';
import { entityRulesFor } from './entity-rules';
import { addPart, type PageProgress, processRecords, type StoredPageResult } from './page';
import { sideApi, type ApiRecord } from './sides';
import { dependencyWaitReason, logSkippedRun } from './dependency-gate';
import { heartbeat, heartbeatPump } from './heartbeat';
import { holdMappingLease, type LeaseOwner, releaseMappingLease } from './mapping-lease';
import { listFailed } from '../store/couplings';
import { listPendingRetry } from '../store/pending-failures';

export type { FinishPassInput, StartPassInput, SyncPageInput, SyncPageResult };

/** Non-retryable failures: retrying cannot help (a mapping that does not exist, a direction it does not have). */
export function configurationFailure(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: 'NonRetryable', nonRetryable: true });
}

/**
 * Maps connector errors to Temporal failures once, at the activity boundary: a whole-request error the API says is
 * not worth retrying (bad credentials, a missing company, permissions) fails the run at once with its message;
 * everything else is retried by the activity's retry policy.
 */
async function atBoundary<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ConnectorError && !err.retryable) {
      throw ApplicationFailure.create({
        message: `${err.service}: ${err.message}`,
        type: err.name,
        nonRetryable: true,
        cause: err,
      });
    }
    throw err;
  }
}

function cancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

/** A source page read ahead, for the part whose cursor serialises to `key`. */
interface ReadAhead {
  key: string;
  page: ReturnType<ReturnType<typeof sideApi>['readChangedPage']>;
}

/** A change cursor as a string, the same for equal cursors whatever their key order. */
const cursorKey = (c: { modifiedAt: string; ids: readonly string[] } | null): string =>
  c ? JSON.stringify([c.modifiedAt, c.ids]) : 'start';

/** The result the workflow sees: the stored result of a page activity without its bookkeeping. */
function resultOf(total: StoredPageResult): SyncPageResult {
  return { counts: total.counts, next: total.next, maxModifiedAt: total.maxModifiedAt };
}

export function createSyncActivities(deps: SyncDeps) {
  const pageSize = deps.pageSize ?? 200;
  const pagesPerActivity = Math.max(1, Math.floor(deps.pagesPerActivity ?? 5));
  const pageActivityBudgetMs = deps.pageActivityBudgetMs ?? 30_000;
  const overlapMs = deps.overlapMs ?? DEFAULT_OVERLAP_MS;

  const mappingOf = (name: string): IntegrationTableMapping => {
    const m = deps.mappings.find((x) => x.name === name);
    if (!m) {
      throw configurationFailure(
        `mapping '${name}' does not exist; the mappings are ${deps.mappings.map((x) => x.name).join(', ')}`,
      );
    }
    return m;
  };

  return {
    /**
     * Decides the passes of a run (BC→Dataverse first for a bidirectional mapping) and closes the jobs that earlier
     * runs of this mapping left open when they died (workflow run no longer running). A scheduled run whose active
     * dependency is running or has never completed a run is skipped instead (activities/dependency-gate.ts).
     */
    async planRun(input: {
      mapping: string;
      direction?: PassDirection;
      runId: string;
      /** The run's workflow id (names the skipped job rows). */
      workflowId?: string;
      /** A scheduled run: it is skipped while an active dependency is running or has never completed a run. */
      scheduled?: boolean;
    }): Promise<{
      directions: PassDirection[];
      /** Set when a scheduled run waits on a dependency: no passes, one `skipped` job per direction. */
      skipped?: { reason: string; jobs: { direction: PassDirection; jobId: number }[] };
      /** The sync console's base URL, when configured: the run's details link to `<url>/jobs/<id>`. */
      consoleUrl?: string;
    }> {
      const m = mappingOf(input.mapping);
      const cannotRun = cannotRunReason(m);
      if (cannotRun) throw configurationFailure(cannotRun);
      if (m.kind === 'statistics') {
        throw configurationFailure(
          `${m.name} is the statistics job, not a table mapping: it runs as the customerStatistics workflow (bcsync run '${m.name}')`,
        );
      }
      const all: PassDirection[] = m.direction === 'bidirectional' ? ['to-dataverse', 'to-bc'] : [m.direction];
      if (input.direction && !all.includes(input.direction)) {
        throw configurationFailure(`mapping ${m.name} synchronizes ${m.direction}; it has no ${input.direction} pass`);
      }
      await closeOrphanedJobs(deps, m.name, input.runId);
      const directions = input.direction ? [input.direction] : all;
      const consoleLink = deps.consoleUrl ? { consoleUrl: deps.consoleUrl } : {};
      if (input.scheduled) {
        const reason = await dependencyWaitReason(deps.knex, deps.mappings, m);
        if (reason) {
          const jobs = await logSkippedRun(deps.knex, {
            mapping: m.name,
            directions,
            workflowId: input.workflowId ?? input.runId,
            runId: input.runId,
            reason,
            now: deps.now(),
          });
          return { directions: [], skipped: { reason, jobs }, ...consoleLink };
        }
      }
      return { directions, ...consoleLink };
    },

    /**
     * Acquires the mapping's lease (activities/mapping-lease.ts: one run per mapping; a run's second pass and a retried
     * start are the same owner), opens the pass's job row (idempotent per workflow run and direction) and returns the
     * starting cursor. Throws a retryable `MappingBusy` failure naming the other run while another run holds the lease.
     */
    async startPass(
      input: StartPassInput,
    ): Promise<{ jobId: number; passStartedAt: string; cursor: PassCursor; counts: PassCounts }> {
      mappingOf(input.mapping);
      await holdMappingLease(
        deps.knex,
        { mapping: input.mapping, workflowId: input.workflowId, runId: input.runId },
        deps.now(),
      );
      const job = await openJob(deps.knex, {
        idempotencyKey: `${input.workflowId}/${input.runId}/${input.direction}`,
        mapping: input.mapping,
        direction: input.direction,
        type: 'sync',
        mode: input.mode,
        workflowId: input.workflowId,
        runId: input.runId,
        retryOfJobId: input.retryOfJobId,
        startedAt: deps.now(),
      });
      const cursor: PassCursor =
        input.mode === 'records' ? { phase: 'records', recordIndex: 0 } : { phase: 'retry', afterCouplingId: 0 };
      // started_at is written once, so an activity retry returns the same pass start.
      return { jobId: job.id, passStartedAt: job.startedAt.toISOString(), cursor, counts: zeroCounts() };
    },

    /**
     * Processes the next page of the pass: the retry set (failed couplings) first, then the records changed since the
     * watermark up to the pass start (or the explicit record ids), and commits couplings, errors, audit rows and the
     * page result in one transaction. A retry of a committed page returns the stored result. Renews the mapping's lease
     * before every part; throws a retryable `MappingBusy` failure if another run took it over meanwhile (this run's
     * lease lapsed), so this run waits for that one instead of working beside it.
     */
    async syncPage(input: SyncPageInput): Promise<SyncPageResult> {
      // A page may wait on throttled APIs for a while: keep heartbeating so a dead worker is noticed within the
      // heartbeat timeout and a slow one is not mistaken for dead.
      const stop = heartbeatPump(() => ({ pageNo: input.pageNo }));
      try {
        const owner = await leaseOwnerOf(input.jobId, input.mapping);
        return await atBoundary(() => syncPageOnce(input, owner));
      } finally {
        stop();
      }
    },

    /**
     * Closes the job with its counters and advances the source side's watermark — forward only, to the newest
     * modified-on visited, never past the pass start minus the overlap. `records` runs do not move the watermark.
     * Releases the mapping's lease (if the run still holds it) unless `keepLease` says another pass of the run follows.
     */
    async finishPass(input: FinishPassInput): Promise<{ status: 'succeeded' | 'completed_with_errors' }> {
      return finishPassOnce(input);
    },
  };

  /** The run that owns job `jobId` (its job row names the workflow), as the owner of the mapping's lease. */
  async function leaseOwnerOf(jobId: number, mapping: string): Promise<LeaseOwner | null> {
    const job = await getJob(deps.knex, jobId);
    // Jobs opened before leases existed may lack a workflow id: such a run holds no lease to renew.
    return job?.workflowId ? { mapping, workflowId: job.workflowId, runId: job.runId ?? '' } : null;
  }

  /**
   * One page activity: up to `pagesPerActivity` source pages (parts), each committed in its own transaction together
   * with the activity's result so far, while `pageActivityBudgetMs` lasts; in the changed phase the next part's source
   * page is read while the current one is written and committed. A retried activity resumes after the last committed
   * part, or returns the stored result when it was complete.
   */
  async function syncPageOnce(input: SyncPageInput, owner: LeaseOwner | null): Promise<SyncPageResult> {
    const stored = await readPageResult<StoredPageResult>(deps.knex, input.jobId, input.pageNo);
    let progress: PageProgress | null = stored ? { total: stored.result, text: stored.text } : null;
    const started = Date.now();
    const readAhead = new AbortController();
    const cancelled = cancellationSignal();
    const aheadSignal = cancelled ? AbortSignal.any([cancelled, readAhead.signal]) : readAhead.signal;
    let ahead: ReadAhead | null = null;
    try {
      for (;;) {
        const parts = progress ? (progress.total.parts ?? 1) : 0;
        const cursor = progress ? progress.total.next : input.cursor;
        if (progress) {
          // Records pages take their ids from the workflow, one page per activity.
          const complete = cursor.phase === 'done' || cursor.phase === 'records';
          if (complete || parts >= pagesPerActivity || Date.now() - started >= pageActivityBudgetMs) {
            return resultOf(progress.total);
          }
        }
        if (owner) await holdMappingLease(deps.knex, owner, deps.now());
        const another = () => parts + 1 < pagesPerActivity && Date.now() - started < pageActivityBudgetMs;
        const part = await nextPart(input, cursor, progress, {
          ahead,
          readAhead: another,
          setAhead: (a) => void (ahead = a),
          signal: aheadSignal,
        });
        // A part that committed nothing (the phase is over) ends the activity.
        if (!('text' in part)) return resultOf(addPart(progress?.total ?? null, part));
        // Counted once, when committed: a retried activity resumes after its committed parts.
        deps.metrics?.recordsCommitted({
          mapping: input.mapping,
          direction: input.direction,
          counts: subtractCounts(part.total.counts, progress?.total.counts ?? zeroCounts()),
        });
        progress = part;
      }
    } finally {
      readAhead.abort();
    }
  }

  /**
   * The next part of a page activity from `cursor`: the records of the next source page decided, written and committed
   * (the new progress), or the result of a phase that has nothing more (committed nothing).
   */
  async function nextPart(
    input: SyncPageInput,
    from: PassCursor,
    progress: PageProgress | null,
    pipeline: {
      ahead: ReadAhead | null;
      /** Whether another part follows this one (then its source page is read while this one is written). */
      readAhead: () => boolean;
      setAhead: (a: ReadAhead | null) => void;
      signal: AbortSignal;
    },
  ): Promise<PageProgress | SyncPageResult> {
    const m = mappingOf(input.mapping);
    const source = sideApi(deps.connectors, m, sourceSideOf(input.direction));
    const signal = cancellationSignal();
    let cursor = from;
    // A page of the retry set: the records asked for by id (ids not returned no longer exist at the source).
    const retryPage = async (ids: string[], next: PassCursor): Promise<PageProgress> =>
      processRecords(
        deps,
        {
          ...input,
          mapping: m,
          records: await source.getByIds(ids, signal),
          requestedIds: ids,
          phase: 'retry',
          next,
          maxModifiedAt: null,
          progress,
        },
        signal,
      );

    for (;;) {
      heartbeat({ pageNo: input.pageNo, phase: cursor.phase });
      if (cursor.phase === 'retry') {
        // The retry set: first the coupled records whose last result in this direction is a failure, then the
        // records that failed before they were ever coupled (refused creates).
        if (cursor.afterPendingId === undefined) {
          const failed = await listFailed(deps.knex, m.name, input.direction, {
            afterId: cursor.afterCouplingId ?? 0,
            limit: pageSize,
          });
          if (!failed.length) {
            cursor = { phase: 'retry', afterCouplingId: cursor.afterCouplingId ?? 0, afterPendingId: 0 };
            continue;
          }
          const ids = failed.map((c) => (source.side === 'bc' ? c.bcId : c.dvId));
          return retryPage(ids, { phase: 'retry', afterCouplingId: failed[failed.length - 1].id });
        }
        const pending = await listPendingRetry(deps.knex, m.name, input.direction, {
          afterId: cursor.afterPendingId,
          limit: pageSize,
        });
        if (!pending.length) {
          cursor = { phase: 'changed', afterModifiedAt: null, afterIds: [] };
          continue;
        }
        return retryPage(
          pending.map((p) => p.sourceId),
          { phase: 'retry', afterCouplingId: cursor.afterCouplingId, afterPendingId: pending[pending.length - 1].id },
        );
      }
      if (cursor.phase === 'records') {
        // The workflow sends this page's ids (from the cursor's index); an empty page means the list is done.
        const ids = progress ? [] : (input.recordIds ?? []);
        if (!ids.length) return { counts: zeroCounts(), next: { phase: 'done' }, maxModifiedAt: null };
        const next: PassCursor = { phase: 'records', recordIndex: (cursor.recordIndex ?? 0) + ids.length };
        const records = await source.getByIds(ids, signal);
        return processRecords(deps, {
          ...input,
          mapping: m,
          records,
          requestedIds: ids,
          phase: 'records',
          next,
          maxModifiedAt: null,
          progress,
        });
      }
      if (cursor.phase === 'changed') {
        // A part an earlier attempt read (and may have written) is done again on the same records, read by id.
        const part = { jobId: input.jobId, pageNo: input.pageNo, part: (progress?.total.parts ?? 0) + 1 };
        const earlier = await getPageRead(deps.knex, part);
        if (earlier) {
          pipeline.setAhead(null);
          return processRecords(deps, {
            ...input,
            mapping: m,
            records: await source.getByIds(earlier.sourceIds, signal),
            requestedIds: null,
            phase: 'changed',
            next: earlier.next as PassCursor,
            maxModifiedAt: earlier.maxModifiedAt,
            progress,
            pageRead: { key: part, plannedHashes: earlier.plannedHashes },
          });
        }
        const after =
          cursor.afterModifiedAt != null
            ? { modifiedAt: cursor.afterModifiedAt, ids: cursor.afterIds ?? [] }
            : await startOfChanges(deps, m, input, overlapMs);
        const read = (a: typeof after, s: AbortSignal | undefined) =>
          source.readChangedPage({ after: a, until: input.passStartedAt, pageSize, ...(s ? { signal: s } : {}) });
        const key = cursorKey(after);
        const page = pipeline.ahead?.key === key ? await pipeline.ahead.page : await read(after, signal);
        pipeline.setAhead(null);
        const next: PassCursor = page.next
          ? { phase: 'changed', afterModifiedAt: page.next.modifiedAt, afterIds: page.next.ids }
          : { phase: 'done' };
        const maxModifiedAt = page.position?.modifiedAt ?? null;
        if (!page.records.length) return { counts: zeroCounts(), next: { phase: 'done' }, maxModifiedAt };
        await recordPageRead(
          deps.knex,
          part,
          { sourceIds: page.records.map((r) => String(r[source.key] as string)), next, maxModifiedAt },
          deps.now(),
        );
        if (page.next && pipeline.readAhead()) {
          // Read the next page while this one is written and committed; the source is not what this page writes.
          const ahead = { key: cursorKey(page.next), page: read(page.next, pipeline.signal) };
          ahead.page.catch(() => undefined); // awaited by the next part, or dropped with the activity
          pipeline.setAhead(ahead);
        }
        return processRecords(deps, {
          ...input,
          mapping: m,
          records: page.records,
          requestedIds: null,
          phase: 'changed',
          next,
          maxModifiedAt,
          progress,
          pageRead: { key: part },
        });
      }
      return { counts: zeroCounts(), next: { phase: 'done' }, maxModifiedAt: null };
    }
  }

  async function finishPassOnce(input: FinishPassInput): Promise<{ status: 'succeeded' | 'completed_with_errors' }> {
    const now = deps.now();
    const status = input.counts.failed > 0 ? 'completed_with_errors' : 'succeeded';
    const counts: PassCounts = { ...input.counts };
    let firstClose: { startedAt: Date } | null = null;
    await clearPageReads(deps.knex, input.jobId);
    await deps.knex.transaction(async (trx) => {
      // A retried finishPass closes the job again with the same values; only the first close is counted.
      const before = await getJob(trx, input.jobId);
      firstClose = before?.status === 'running' ? { startedAt: before.startedAt } : null;
      await closeJob(trx, input.jobId, {
        status,
        counts,
        finishedAt: now,
        message: countsSummary(input.counts),
      });
      if (input.mode !== 'records') {
        const cap = new Date(new Date(input.passStartedAt).getTime() - overlapMs);
        const visited = input.maxModifiedAt ? new Date(input.maxModifiedAt) : null;
        const target = visited && visited < cap ? visited : cap;
        await advanceWatermark(trx, {
          mapping: input.mapping,
          side: sourceSideOf(input.direction),
          modifiedAt: target,
          jobId: input.jobId,
          now,
        });
      }
    });
    // The run keeps the lease between its passes (the workflow says when another pass follows), so no other run
    // slips in between its BC→Dataverse and Dataverse→BC passes.
    if (!input.keepLease) {
      const job = await getJob(deps.knex, input.jobId);
      if (job?.workflowId) await releaseMappingLease(deps.knex, input.mapping, job.workflowId);
    }
    const closed = firstClose as { startedAt: Date } | null;
    if (closed) {
      deps.metrics?.passClosed({
        mapping: input.mapping,
        direction: input.direction,
        status,
        durationSeconds: Math.max(0, (now.getTime() - closed.startedAt.getTime()) / 1000),
      });
    }
    return { status };
  }
}

/** Where the changed phase starts: at the watermark (minus nothing: it already sits `overlap` before its pass start). */
async function startOfChanges(
  deps: SyncDeps,
  m: IntegrationTableMapping,
  input: SyncPageInput,
  _overlapMs: number,
): Promise<{ modifiedAt: string; ids: string[] } | null> {
  // A full pass, or a mapping whose values come from other tables too (entity rules), reads every record.
  if (input.mode === 'full' || entityRulesFor(m.name)?.readsEverySourceRecord) return null;
  const w = await getWatermark(deps.knex, m.name, sourceSideOf(input.direction));
  return w?.modifiedAt ? { modifiedAt: w.modifiedAt.toISOString(), ids: [] } : null;
}

/**
 * Closes the running jobs of `mapping` whose workflow run has ended (crashed, terminated, timed out) as abandoned,
 * with the counters their committed pages reached. A run that continued as new still owns its jobs while the chain's
 * latest run is running; a job is only given up when Temporal says its workflow is not running (or unknown).
 */
export async function closeOrphanedJobs(deps: SyncDeps, mapping: string, currentRunId: string): Promise<void> {
  const running = await listRunningJobs(deps.knex, mapping);
  let client: ReturnType<typeof Context.current>['client'] | undefined;
  try {
    client = Context.current().client;
  } catch {
    client = undefined;
  }
  for (const job of running) {
    if (job.runId === currentRunId || !client || !job.workflowId) continue;
    try {
      const latest = await client.workflow.getHandle(job.workflowId).describe();
      if (latest.status.name === 'RUNNING') continue;
    } catch (err) {
      // Only a workflow Temporal no longer knows (retention expired) is certainly dead; any other error (a hiccup)
      // leaves the job alone until a later run can tell.
      if (!(err instanceof WorkflowNotFoundError)) continue;
    }
    const counts = zeroCounts();
    for (const page of await listPageResults<SyncPageResult>(deps.knex, job.id)) {
      for (const k of Object.keys(counts) as Array<keyof PassCounts>) counts[k] += page.counts[k];
    }
    const abandoned = await abandonJob(
      deps.knex,
      job.id,
      counts,
      deps.now(),
      'the workflow run that owned this job ended without closing it',
    );
    if (abandoned && job.direction && (job.type === 'sync' || job.type === 'statistics')) {
      deps.metrics?.passClosed({ mapping, direction: job.direction, status: 'abandoned', durationSeconds: null });
    }
  }
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;
export type { SyncDeps };
export type { ApiRecord };
