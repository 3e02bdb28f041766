/**
 * The activities of the `matchMapping` workflow (`bcsync match`, and the first step of each mapping of a full
 * synchronization): match-based coupling as its own job (bc-sync-semantics §7.4), logged in sync_jobs as type
 * `coupling`. The source side is the one the mapping writes from (Business Central unless the mapping only
 * synchronizes Dataverse → Business Central); every uncoupled source record in the filter is matched against the
 * uncoupled destination records by the mapping's criteria. A match couples exactly one pair; an ambiguity is reported
 * with every candidate (an error row of the job) and never guessed; a dry run writes nothing.
 *
 * Job counters of a coupling job: `coupled` = pairs coupled, `failed` = ambiguous records (one error row each),
 * `unchanged` = records already coupled or without a match; the message spells all of them out.
 */
import { Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import {
  criterionLabel,
  describeRecord,
  lookupRequests,
  lookupResolverFromMap,
  matchCriteriaOf,
  matchRecords,
  type DataRecord,
  type MatchAmbiguity,
  type MatchCounts,
  type MatchPair,
  zeroCounts,
} from '../../engine';
import { hashRecord } from '../../engine/record-hash';
import type { IntegrationTableMapping } from '../../mappings';
import { destinationSideOf, type PassDirection, type Side, sourceSideOf } from '../../engine/run-types';
import type { ChangeCursor } from '../../connectors/http/changed-page-reader';
import { findByBcIds, findByDvIds, insertCoupling, type NewCoupling } from '../../store/couplings';
import { clearPendingFailures } from '../../store/pending-failures';
import { type NewSyncError, recordErrors } from '../../store/sync-errors';
import { closeJob, getJob, openJob } from '../../store/sync-jobs';
import { getPageResult, savePageResult } from '../../store/sync-pages';
import type { Db } from '../../store/values';
import type { SyncDeps } from '../deps';
import { resolveLookups } from '../lookup-resolution';
import { holdMappingLease, releaseMappingLease } from '../mapping-lease';
import { sideApi } from '../sides';
import { findUncoupledCandidates } from './candidates';

/** Entries of each report list kept per page (the workflow caps the totals). */
const LIST_CAP = 200;

export interface MatchPageInput {
  mapping: string;
  dryRun: boolean;
  jobId: number | null;
  pageNo: number;
  /** Read up to this instant (the match run's start), so records created meanwhile wait for the next run. */
  until: string;
  after: ChangeCursor | null;
}

export interface MatchPageResult {
  counts: MatchCounts;
  pairs: MatchPair[];
  ambiguities: MatchAmbiguity[];
  unmatched: { side: Side; id: string; title: string }[];
  next: ChangeCursor | null;
}

/** The direction a match run reads in: the mapping's own, BC → Dataverse for bidirectional mappings. */
export function matchDirection(m: IntegrationTableMapping): PassDirection {
  return m.direction === 'to-bc' ? 'to-bc' : 'to-dataverse';
}

const zeroMatch = (): MatchCounts => ({ coupled: 0, ambiguous: 0, unmatched: 0, alreadyCoupled: 0 });

function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Outside an activity (unit use).
  }
}

export function createMatchActivities(deps: SyncDeps, mappingOf: (name: string) => IntegrationTableMapping) {
  return {
    /**
     * Opens the coupling job (idempotent per workflow run) unless it is a dry run, and checks that the mapping can be
     * matched: it needs match criteria. Returns the job id and the instant the run reads up to. A run that couples
     * (not a dry run) first acquires the mapping's lease, like a sync pass: it throws a retryable `MappingBusy` failure
     * naming the other run while another run of the mapping holds it.
     */
    async startMatch(input: {
      mapping: string;
      dryRun: boolean;
      workflowId: string;
      runId: string;
    }): Promise<{ jobId: number | null; until: string; criteria: string[] }> {
      const m = mappingOf(input.mapping);
      const criteria = matchCriteriaOf(m).map(criterionLabel);
      if (input.dryRun) return { jobId: null, until: deps.now().toISOString(), criteria };
      await holdMappingLease(
        deps.knex,
        { mapping: m.name, workflowId: input.workflowId, runId: input.runId },
        deps.now(),
      );
      const job = await openJob(deps.knex, {
        idempotencyKey: `${input.workflowId}/${input.runId}/match`,
        mapping: m.name,
        direction: matchDirection(m),
        type: 'coupling',
        mode: 'full',
        workflowId: input.workflowId,
        runId: input.runId,
        startedAt: deps.now(),
      });
      return { jobId: job.id, until: job.startedAt.toISOString(), criteria };
    },

    /**
     * Matches the next page of uncoupled source records; a retry of a committed page returns the stored result. A run
     * that couples renews the mapping's lease first (a retryable `MappingBusy` failure if another run took it over).
     */
    async matchPage(input: MatchPageInput): Promise<MatchPageResult> {
      const pump = setInterval(() => heartbeat({ pageNo: input.pageNo }), 3000);
      try {
        if (input.jobId !== null) {
          const stored = await getPageResult<MatchPageResult>(deps.knex, input.jobId, input.pageNo);
          if (stored) return stored;
          const job = await getJob(deps.knex, input.jobId);
          if (job?.workflowId) {
            const owner = { mapping: input.mapping, workflowId: job.workflowId, runId: job.runId ?? '' };
            await holdMappingLease(deps.knex, owner, deps.now());
          }
        }
        return await matchPageOnce(deps, mappingOf(input.mapping), input);
      } finally {
        clearInterval(pump);
      }
    },

    /** Closes the coupling job with its counters and releases the mapping's lease (if the run still holds it). */
    async finishMatch(input: { jobId: number; counts: MatchCounts }): Promise<void> {
      const c = input.counts;
      const job = await getJob(deps.knex, input.jobId);
      await closeJob(deps.knex, input.jobId, {
        status: c.ambiguous > 0 ? 'completed_with_errors' : 'succeeded',
        counts: { ...zeroCounts(), coupled: c.coupled, failed: c.ambiguous, unchanged: c.alreadyCoupled + c.unmatched },
        finishedAt: deps.now(),
        message: `${c.coupled} coupled, ${c.ambiguous} ambiguous, ${c.unmatched} unmatched, ${c.alreadyCoupled} already coupled`,
      });
      if (job?.workflowId) await releaseMappingLease(deps.knex, job.mapping, job.workflowId);
    },
  };
}

async function matchPageOnce(
  deps: SyncDeps,
  m: IntegrationTableMapping,
  input: MatchPageInput,
): Promise<MatchPageResult> {
  const direction = matchDirection(m);
  const srcSide = sourceSideOf(direction);
  const dstSide = destinationSideOf(direction);
  const src = sideApi(deps.connectors, m, srcSide);
  const dst = sideApi(deps.connectors, m, dstSide);
  const page = await src.readChangedPage({ after: input.after, until: input.until, pageSize: deps.pageSize ?? 200 });
  const result: MatchPageResult = { counts: zeroMatch(), pairs: [], ambiguities: [], unmatched: [], next: page.next };

  const ids = page.records.map((r) => String(r[src.key] as string).toLowerCase());
  const coupled =
    srcSide === 'bc' ? await findByBcIds(deps.knex, m.name, ids) : await findByDvIds(deps.knex, m.name, ids);
  const sources = page.records.filter((r) => !coupled.has(String(r[src.key] as string).toLowerCase()));
  result.counts.alreadyCoupled = page.records.length - sources.length;

  if (sources.length && matchCriteriaOf(m).length) {
    const lookups = lookupResolverFromMap(
      await resolveLookups(
        { knex: deps.knex, mappings: deps.mappings, connectors: deps.connectors, cache: deps.cache },
        sources.flatMap((r) => lookupRequests(m, direction, r as DataRecord)),
      ),
    );
    const candidates = await findUncoupledCandidates(deps, m, direction, sources, lookups);
    const verdicts = matchRecords(m, direction, sources, candidates, lookups);
    const errors: NewSyncError[] = [];
    const now = deps.now();
    const commit = async (db: Db): Promise<void> => {
      for (const [n, verdict] of verdicts.entries()) {
        const source = sources[n];
        const sourceId = String(source[src.key]).toLowerCase();
        const sourceTitle = describeRecord(m, srcSide, source);
        if (verdict.kind === 'unmatched') {
          result.counts.unmatched += 1;
          if (result.unmatched.length < LIST_CAP)
            result.unmatched.push({ side: srcSide, id: sourceId, title: sourceTitle });
          continue;
        }
        const criterion = criterionLabel(verdict.criterion);
        if (verdict.kind === 'ambiguous') {
          result.counts.ambiguous += 1;
          const named = verdict.candidates.map((c) => ({
            id: String(candidates[c][dst.key] as string).toLowerCase(),
            title: describeRecord(m, dstSide, candidates[c]),
          }));
          if (result.ambiguities.length < LIST_CAP) {
            result.ambiguities.push({ sourceSide: srcSide, sourceId, sourceTitle, criterion, candidates: named });
          }
          if (input.jobId !== null) {
            const rivals = verdict.rivals.length
              ? ` (and ${verdict.rivals.length} other record(s) match the same)`
              : '';
            errors.push({
              jobId: input.jobId,
              mapping: m.name,
              direction,
              sourceId,
              destinationId: null,
              message: `${sourceTitle} matches ${named.length} uncoupled records on ${criterion}${rivals}: ${named.map((c) => `${c.title} (${c.id})`).join(', ')}; nothing was coupled — couple the right one with 'bcsync couple ${m.name} --bc … --dv …'`,
              detail: null,
              createdAt: now,
            });
          }
          continue;
        }
        const target = candidates[verdict.candidate];
        const targetId = String(target[dst.key]).toLowerCase();
        const bcId = srcSide === 'bc' ? sourceId : targetId;
        const dvId = srcSide === 'bc' ? targetId : sourceId;
        if (input.jobId !== null) {
          // The destination's values as matched are the pair's baseline on that side: the pass from the source side
          // gives the pair its first values, and a pass from the destination side before it (the source changed
          // after its own pass had started) finds the destination unchanged and writes nothing over the source.
          // A destination changed after the match is a change of its own (a conflict if the source changed too).
          const baseline =
            dstSide === 'bc' ? { bcHash: hashRecord(m, 'bc', target) } : { dvHash: hashRecord(m, 'dataverse', target) };
          const ok = await insertOnce(db, { mapping: m.name, bcId, dvId, now, ...baseline });
          if (!ok) {
            // Coupled meanwhile (a concurrent run or a `bcsync couple`): leave it as it is.
            result.counts.alreadyCoupled += 1;
            continue;
          }
          // A record that failed to be created before is now coupled instead.
          await clearPendingFailures(db, m.name, direction, [sourceId]);
          await clearPendingFailures(db, m.name, direction === 'to-dataverse' ? 'to-bc' : 'to-dataverse', [targetId]);
        }
        result.counts.coupled += 1;
        if (result.pairs.length < LIST_CAP) {
          result.pairs.push({
            bcId,
            dvId,
            bcTitle: describeRecord(m, 'bc', srcSide === 'bc' ? source : target),
            dvTitle: describeRecord(m, 'dataverse', srcSide === 'bc' ? target : source),
            criterion,
          });
        }
      }
    };
    if (input.jobId === null) {
      await commit(deps.knex);
    } else {
      const jobId = input.jobId;
      await deps.knex.transaction(async (trx) => {
        await commit(trx);
        await recordErrors(trx, errors);
        await savePageResult(trx, jobId, input.pageNo, result, now);
      });
      return result;
    }
  } else {
    result.counts.unmatched += sources.length;
    for (const s of sources.slice(0, LIST_CAP)) {
      result.unmatched.push({
        side: srcSide,
        id: String(s[src.key]).toLowerCase(),
        title: describeRecord(m, srcSide, s),
      });
    }
  }
  if (input.jobId !== null) await savePageResult(deps.knex, input.jobId, input.pageNo, result, deps.now());
  return result;
}

/** Inserts a coupling in a savepoint; false when either record is already coupled (unique key). */
async function insertOnce(db: Db, c: NewCoupling): Promise<boolean> {
  try {
    await (db as Knex.Transaction).transaction((sp) => insertCoupling(sp, c));
    return true;
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code === 'ER_DUP_ENTRY' || code.startsWith('SQLITE_CONSTRAINT')) return false;
    throw err;
  }
}

export type MatchActivities = ReturnType<typeof createMatchActivities>;
