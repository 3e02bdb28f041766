/**
 * The activities of the Customer Statistics job (workflow `customerStatistics`, bc-sync-semantics §8.15): its own
 * job kind, not a table synchronization. Two parts, each logged as one `statistics` job row of the mapping:
 *
 * 1. `refreshAccountStatistics`: for the customers coupled by CUSTOMER, BC's Customer Statistics figures (custom page
 *    `customerStatistics`) → the account's row of `bcsync_accountstatistics` (created when missing, written only when a
 *    value differs), linked from the account. "Uploaded" is a coupling of the statistics mapping (customer ↔
 *    statistics row), BC's `Statistics Uploaded` flag. The work set, as a table pass builds its own: first the retry
 *    set (statistics couplings whose last result is a failure), then the customers never uploaded (CUSTOMER couplings
 *    without a statistics coupling), then the customers with activity since the watermark (`--full`: every coupled
 *    customer). A customer is handled at most once per job, in pages of `pageSize` customers; each page commits its
 *    couplings, failures, error rows and counters in one transaction, so a retried activity goes on where it stopped.
 * 2. `refreshInvoicePaymentStates`: every Dataverse invoice coupled by POSTEDSALESINV-INV that is not Paid/Complete
 *    yet gets its payment state (active / partially paid / paid) from the posted invoice's remaining amount (BC API
 *    v2.0 `salesInvoices` `remainingAmount`). Re-checked every run, bounded by the open invoices: applying a payment is
 *    not documented to move the invoice's `lastModifiedDateTime` (the aggregate table's SystemModifiedAt; the amount
 *    is computed from the ledger entries), so no watermark can find paid invoices.
 *
 * Failures follow the table sync's rules (engine/failure-state.ts): a failure is retried on the next run; the second
 * identical failure in a row parks the record (the statistics coupling, or for a customer never uploaded its pending
 * failure) so that a permanently bad record does not cost every run; `bcsync skipped` lists it. A write that failed
 * only transiently (429, 5xx, resets after the connector's retries) fails alone, says so, and is never parked.
 * Deviation from BC: BC parks a customer's statistics after the first failure, and marks the CUSTOMER coupling; here
 * the CUSTOMER coupling is never touched (parking it would stop CUSTOMER itself). An invoice that fails is re-checked
 * every run (its Dataverse invoice is not Paid/Complete): the invoice part keeps no state of its own.
 *
 * Both activities are idempotent: a retry reopens the same job row (or returns the closed one) and compares values
 * again, so what was written already counts as unchanged; both parts skip what this job already handled (the account
 * part by the job id on the coupling or pending failure, the invoice part by the ids its committed pages list).
 */
import { AuthenticationError, ConnectorError, DuplicateKeyError, PermissionError } from '../../connectors/http';
import { chunk } from '../../connectors/http/odata';
import { RETRYABLE_STATUSES } from '../../connectors/http/retry-policy';
import { abortableSleep } from '../../connectors/http/util';
import type { BcCustomerStatistics } from '../../connectors/business-central';
import type { DvRecord } from '../../connectors/dataverse';
import { cannotRunReason, type IntegrationTableMapping } from '../../mappings';
import {
  changedStatisticsColumns,
  INVOICE_STATUS,
  invoicePaymentState,
  statisticsRowOf,
} from '../../engine/customer-statistics';
import { dataverseIdFor } from '../../engine/deterministic-ids';
import { failureOutcome, pendingFailureOutcome } from '../../engine/failure-state';
import { NO_BASE_CURRENCY_MESSAGE, parkedFailureMessage, TRANSIENT_WRITE_FAILURE_SUFFIX } from '../../engine/messages';
import { addCounts, type PassCounts, type PassDirection, type SyncRunMode, zeroCounts } from '../../engine/run-types';
import {
  clearFailure,
  findByBcIds,
  findByDvIds,
  insertCoupling,
  listCouplingsAfter,
  listCouplingsWithout,
  listFailed,
  recordFailure,
  recordSuccess,
  type Coupling,
} from '../../store/couplings';
import { clearPendingFailures, findPendingFailures, recordPendingFailure } from '../../store/pending-failures';
import { closeJob, getJob, openJob, type SyncJob } from '../../store/sync-jobs';
import { recordErrors, resolveErrors, type NewSyncError } from '../../store/sync-errors';
import { listPageResults, savePageResult } from '../../store/sync-pages';
import type { Db } from '../../store/values';
import { advanceWatermark, getWatermark } from '../../store/watermarks';
import { dependencyWaitReason, logSkippedRun } from '../dependency-gate';
import { type SyncDeps, transientRetryBudgetOf } from '../deps';
import { heartbeatPump } from '../heartbeat';
import { couplingState } from '../page/work';
import { closeOrphanedJobs, configurationFailure } from '../sync-activities';

/** The mapping whose couplings say which customers have an account (CUSTOMER ↔ account). */
export const CUSTOMER_MAPPING = 'CUSTOMER';
/** The mapping whose couplings say which Dataverse invoice shows which posted sales invoice. */
export const INVOICE_MAPPING = 'POSTEDSALESINV-INV';
/** The one direction of the job. */
const DIRECTION: PassDirection = 'to-dataverse';

/** Input of the statistics activities (the workflow's identity names the job rows). */
export interface StatisticsPartInput {
  mapping: string;
  workflowId: string;
  runId: string;
  /** `full`: every coupled customer, not only those with activity since the last run. (Default: incremental) */
  mode?: SyncRunMode;
}

/** What one part of the job did: its job row, counters and status. */
export interface StatisticsPartResult {
  direction: PassDirection;
  jobId: number;
  counts: PassCounts;
  status: string;
}

/** What a page of a part stores in `sync_pages` (the shape `closeOrphanedJobs` totals). */
interface StatisticsPageResult {
  counts: PassCounts;
  /**
   * The invoice part: the Dataverse invoices the page handled, so that a retried activity skips them (the invoice part
   * keeps no other state: without these, an invoice set by the first attempt would count again as unchanged).
   */
  invoices?: string[];
}

/** Progress of a running part, sent with its heartbeats (the Temporal UI shows it). */
interface PartProgress {
  part: string;
  phase: string;
  pages: number;
  counts: PassCounts;
}

/** The outcome of one record of a page, committed with the page. */
type RecordOutcome =
  | { sourceId: string; destinationId: string; kind: 'inserted' | 'modified' | 'unchanged'; rowId?: string }
  | {
      sourceId: string;
      destinationId: string;
      kind: 'failed';
      message: string;
      detail: string | null;
      transient: boolean;
    };

/**
 * Runs one record's writes again while they fail with a transient error the HTTP layer does not retry itself — a 500,
 * which it cannot tell from a refusal — in the rounds of a table page's budget (activities/page/destination-writes.ts):
 * a 500 is never a failed record while rounds remain. The writes are idempotent (a row an earlier round created is
 * found and written over, an update carries the values). An error the HTTP layer already retried to its own budget
 * (408, 429, 502, 503, 504) is thrown at once.
 */
async function retryWhatHttpDoesNot<T>(deps: SyncDeps, write: () => Promise<T>): Promise<T> {
  const budget = transientRetryBudgetOf(deps);
  let delay = budget.initialDelayMs;
  for (let round = 1; ; round++) {
    try {
      return await write();
    } catch (err) {
      const retriedByHttp = err instanceof ConnectorError && RETRYABLE_STATUSES.has(err.status);
      if (!(err instanceof ConnectorError) || !err.retryable || retriedByHttp || round >= budget.rounds) throw err;
      await abortableSleep(delay);
      delay = Math.min(delay * 2, budget.maxDelayMs);
    }
  }
}

/**
 * A connector error that concerns one record (it fails alone) — the record's data refused, or a transient error
 * the connector's retries could not get past — versus one that concerns every request (credentials, permissions:
 * the activity fails with it).
 */
function isRecordFailure(err: unknown): err is ConnectorError {
  return err instanceof ConnectorError && !(err instanceof AuthenticationError) && !(err instanceof PermissionError);
}

const lower = (v: unknown): string => String(v).toLowerCase();

export function createStatisticsActivities(deps: SyncDeps) {
  const overlapMs = deps.overlapMs ?? 5000;
  const pageSize = deps.pageSize ?? 200;

  const statisticsMappingOf = (name: string): IntegrationTableMapping => {
    const m = deps.mappings.find((x) => x.name === name);
    if (!m) throw configurationFailure(`mapping '${name}' does not exist`);
    if (m.kind !== 'statistics') {
      throw configurationFailure(`${m.name} is a table mapping; run it with syncMapping (bcsync run ${m.name})`);
    }
    const reason = cannotRunReason(m);
    if (reason) throw configurationFailure(reason);
    return m;
  };

  /** Opens (or reopens after a retry) the part's job row; a closed one is returned as it was closed. */
  async function openPart(input: StatisticsPartInput, part: string) {
    const job = await openJob(deps.knex, {
      idempotencyKey: `${input.workflowId}/${input.runId}/${part}`,
      mapping: input.mapping,
      direction: DIRECTION,
      type: 'statistics',
      mode: input.mode === 'full' ? 'full' : 'incremental',
      workflowId: input.workflowId,
      runId: input.runId,
      startedAt: deps.now(),
    });
    return job;
  }

  function closedResult(job: SyncJob | undefined): StatisticsPartResult | null {
    if (!job || job.status === 'running') return null;
    const counts = zeroCounts();
    for (const k of Object.keys(counts) as Array<keyof PassCounts>) counts[k] = job[k];
    return { direction: DIRECTION, jobId: job.id, counts, status: job.status };
  }

  /** The progress of a part so far: the counters of the pages an earlier attempt of this job committed. */
  async function resumeProgress(
    jobId: number,
    part: string,
  ): Promise<{ progress: PartProgress; handledInvoices: Set<string> }> {
    const pages = await listPageResults<StatisticsPageResult>(deps.knex, jobId);
    const counts = pages.reduce((sum, p) => addCounts(sum, p.counts), zeroCounts());
    return {
      progress: { part, phase: 'starting', pages: pages.length, counts },
      handledInvoices: new Set(pages.flatMap((p) => p.invoices ?? [])),
    };
  }

  /**
   * Commits one page: error rows, resolved errors of what succeeded, the page's counters (exactly once per page).
   * `extra` writes the part's own bookkeeping (couplings, pending failures) in the same transaction.
   */
  async function commitPage(
    m: IntegrationTableMapping,
    jobId: number,
    progress: PartProgress,
    outcomes: RecordOutcome[],
    extra: (trx: Db) => Promise<Map<string, boolean>>,
    invoices?: string[],
  ): Promise<void> {
    const now = deps.now();
    const counts = zeroCounts();
    for (const o of outcomes) counts[o.kind] += 1;
    await deps.knex.transaction(async (trx) => {
      const parked = await extra(trx);
      const errors: NewSyncError[] = outcomes.flatMap((o) =>
        o.kind === 'failed'
          ? [
              {
                jobId,
                mapping: m.name,
                direction: DIRECTION,
                sourceId: o.sourceId,
                destinationId: o.destinationId,
                message: parked.get(o.sourceId) ? parkedFailureMessage(o.message) : o.message,
                detail: o.detail,
                createdAt: now,
              },
            ]
          : [],
      );
      await recordErrors(trx, errors);
      const succeeded = outcomes.filter((o) => o.kind !== 'failed').map((o) => o.sourceId);
      if (succeeded.length) {
        await resolveErrors(trx, {
          mapping: m.name,
          direction: DIRECTION,
          sourceIds: succeeded,
          resolvedByJobId: jobId,
        });
      }
      const result: StatisticsPageResult = invoices ? { counts, invoices } : { counts };
      await savePageResult(trx, jobId, progress.pages + 1, result, now);
    });
    deps.metrics?.recordsCommitted({ mapping: m.name, direction: DIRECTION, counts });
    progress.pages += 1;
    progress.counts = addCounts(progress.counts, counts);
  }

  async function finishPart(
    m: IntegrationTableMapping,
    jobId: number,
    progress: PartProgress,
    what: string,
    watermark?: { key: string; at: Date },
  ): Promise<StatisticsPartResult> {
    const { counts } = progress;
    const status = counts.failed > 0 ? 'completed_with_errors' : 'succeeded';
    const now = deps.now();
    const parts = (['inserted', 'modified', 'unchanged', 'failed'] as const)
      .filter((k) => counts[k] > 0)
      .map((k) => `${counts[k]} ${k}`);
    let startedAt: Date | null = null;
    await deps.knex.transaction(async (trx) => {
      const before = await getJob(trx, jobId);
      startedAt = before?.status === 'running' ? before.startedAt : null;
      await closeJob(trx, jobId, {
        status,
        counts,
        finishedAt: now,
        message: `${what}: ${parts.length ? parts.join(', ') : 'nothing to refresh'}`,
      });
      if (watermark) {
        await advanceWatermark(trx, { mapping: watermark.key, side: 'bc', modifiedAt: watermark.at, jobId, now });
      }
    });
    const firstClose = startedAt as Date | null;
    if (firstClose) {
      deps.metrics?.passClosed({
        mapping: m.name,
        direction: DIRECTION,
        status,
        durationSeconds: Math.max(0, (now.getTime() - firstClose.getTime()) / 1000),
      });
    }
    return { direction: DIRECTION, jobId, counts, status };
  }

  return {
    /**
     * Checks that the mapping is a runnable statistics job, closes job rows dead runs of it left open, and — for a
     * scheduled run — skips (one `skipped` job row) while CUSTOMER is running or has never completed a run.
     */
    async planStatistics(input: { mapping: string; runId: string; workflowId: string; scheduled?: boolean }): Promise<{
      skipped?: { reason: string; jobs: { direction: PassDirection; jobId: number }[] };
      /** The sync console's base URL, when configured: the run's details link to `<url>/jobs/<id>`. */
      consoleUrl?: string;
    }> {
      const m = statisticsMappingOf(input.mapping);
      await closeOrphanedJobs(deps, m.name, input.runId);
      const consoleLink = deps.consoleUrl ? { consoleUrl: deps.consoleUrl } : {};
      if (input.scheduled) {
        const reason = await dependencyWaitReason(deps.knex, deps.mappings, m);
        if (reason) {
          const jobs = await logSkippedRun(deps.knex, {
            mapping: m.name,
            directions: [DIRECTION],
            workflowId: input.workflowId,
            runId: input.runId,
            reason,
            now: deps.now(),
          });
          return { skipped: { reason, jobs }, ...consoleLink };
        }
      }
      return consoleLink;
    },

    /** Part 1: the account statistics rows of the coupled customers (see the module comment). */
    async refreshAccountStatistics(input: StatisticsPartInput): Promise<StatisticsPartResult> {
      const m = statisticsMappingOf(input.mapping);
      const job = await openPart(input, 'statistics');
      const done = closedResult(job);
      if (done) return done;
      const { progress } = await resumeProgress(job.id, 'account statistics');
      const stop = heartbeatPump(() => progress);
      try {
        return await refreshAccounts(m, job, input.mode === 'full', progress);
      } finally {
        stop();
      }
    },

    /** Part 2: the payment state of the Dataverse invoices coupled by POSTEDSALESINV-INV (see the module comment). */
    async refreshInvoicePaymentStates(input: StatisticsPartInput): Promise<StatisticsPartResult> {
      const m = statisticsMappingOf(input.mapping);
      const job = await openPart(input, 'invoice-payments');
      const done = closedResult(job);
      if (done) return done;
      const { progress, handledInvoices } = await resumeProgress(job.id, 'invoice payment state');
      const stop = heartbeatPump(() => progress);
      try {
        return await refreshInvoices(m, job.id, progress, handledInvoices);
      } finally {
        stop();
      }
    },
  };

  async function refreshAccounts(m: IntegrationTableMapping, job: SyncJob, full: boolean, progress: PartProgress) {
    const jobId = job.id;
    const baseCurrencyId = await deps.cache.dataverseBaseCurrencyId();
    if (!baseCurrencyId) throw new Error(NO_BASE_CURRENCY_MESSAGE);
    const since = full ? null : ((await getWatermark(deps.knex, m.name, 'bc'))?.modifiedAt ?? null);
    const visit = (customers: Coupling[]) => refreshCustomerPage(m, jobId, customers, baseCurrencyId, progress);

    // 1. The retry set: statistics couplings whose last upload failed (parked ones are not listed).
    progress.phase = 'retry';
    for (let afterId = 0; ;) {
      const failed = await listFailed(deps.knex, m.name, DIRECTION, { afterId, limit: pageSize });
      if (!failed.length) break;
      afterId = failed[failed.length - 1].id;
      const customers = await findByBcIds(
        deps.knex,
        CUSTOMER_MAPPING,
        failed.map((f) => f.bcId),
      );
      // A customer no longer coupled by CUSTOMER has no account to refresh: its failure goes out of the retry set.
      for (const f of failed) {
        const c = customers.get(f.bcId);
        if (!c || c.skipped) await clearFailure(deps.knex, f.id, DIRECTION, jobId, deps.now());
      }
      await visit([...customers.values()].filter((c) => !c.skipped));
    }

    // 2. The customers whose statistics were never uploaded (BC: `Statistics Uploaded` = false).
    progress.phase = 'never uploaded';
    for (let afterId = 0; ;) {
      const page = await listCouplingsWithout(deps.knex, CUSTOMER_MAPPING, m.name, { afterId, limit: pageSize });
      if (!page.length) break;
      afterId = page[page.length - 1].id;
      await visit(page);
    }

    // 3. The customers with activity since the watermark; `--full` (or no run yet): every coupled customer.
    progress.phase = since ? 'activity' : 'all';
    if (!since) {
      for (let afterId = 0; ;) {
        const page = await listCouplingsAfter(deps.knex, CUSTOMER_MAPPING, { afterId, limit: pageSize });
        if (!page.length) break;
        afterId = page[page.length - 1].id;
        await visit(page);
      }
    } else {
      // Only the ids of the customers with activity: the work is proportional to the changes.
      const active: string[] = [];
      const filter = `lastModifiedDateTime gt ${since.toISOString()}`;
      for await (const page of deps.connectors.bc.listAll({
        entitySet: 'customerStatistics',
        filter,
        select: ['id'],
      })) {
        for (const r of page) active.push(lower(r.id));
      }
      for (const ids of chunk(active.sort(), pageSize)) {
        const customers = await findByBcIds(deps.knex, CUSTOMER_MAPPING, ids);
        await visit([...customers.values()].filter((c) => !c.skipped));
      }
    }

    // The failures are in the retry set, so the watermark moves as a table pass's does: to the refresh start (minus
    // the clock overlap), forward only.
    const at = new Date(job.startedAt.getTime() - overlapMs);
    return finishPart(m, jobId, progress, 'account statistics', { key: m.name, at });
  }

  /**
   * Refreshes the statistics rows of one page of CUSTOMER couplings and commits the page. Customers this job handled
   * already (an earlier phase or attempt) and parked ones are left out.
   */
  async function refreshCustomerPage(
    m: IntegrationTableMapping,
    jobId: number,
    page: Coupling[],
    baseCurrencyId: string,
    progress: PartProgress,
  ): Promise<void> {
    const { bc, dv } = deps.connectors;
    const ids = page.map((c) => c.bcId);
    const uploaded = await findByBcIds(deps.knex, m.name, ids);
    const pending = await findPendingFailures(deps.knex, m.name, DIRECTION, ids);
    const work = page
      .filter((c) => {
        const s = uploaded.get(c.bcId);
        const p = pending.get(c.bcId);
        return !s?.skipped && !p?.skipped && s?.toDataverse.jobId !== jobId && p?.jobId !== jobId;
      })
      .sort((a, b) => a.bcId.localeCompare(b.bcId));
    if (!work.length) return;

    const figures = new Map<string, BcCustomerStatistics>(
      (
        await bc.getByIds(
          'customerStatistics',
          work.map((c) => c.bcId),
        )
      ).map((r) => [lower(r.id), r]),
    );
    const rowIdOf = (c: Coupling) => uploaded.get(c.bcId)?.dvId ?? dataverseIdFor(m.name, c.bcId);
    const accounts = new Map<string, DvRecord>();
    const rows = new Map<string, DvRecord>();
    const columns = m.fieldMappings.flatMap((f) => (f.dvField ? [f.dvField] : []));
    for (const part of chunk(work, 100)) {
      for (const a of await dv.getByIds(
        'accounts',
        part.map((c) => c.dvId),
        { select: ['name', '_bcsync_accountstatisticsid_value'] },
      )) {
        accounts.set(lower(a['accountid']), a);
      }
      for (const r of await dv.getByIds('bcsync_accountstatistics', part.map(rowIdOf), {
        select: [...columns, '_bcsync_accountid_value', '_transactioncurrencyid_value'],
      })) {
        rows.set(lower(r['bcsync_accountstatisticsid']), r);
      }
    }

    const outcomes: RecordOutcome[] = [];
    for (const c of work) {
      const f = figures.get(c.bcId);
      const label = `Customer ${f?.number ?? c.bcId} '${f?.displayName ?? c.bcId}'`;
      const fail = (message: string, detail: string | null = null, transient = false) =>
        outcomes.push({ sourceId: c.bcId, destinationId: c.dvId, kind: 'failed', message, detail, transient });
      if (!f) {
        fail(
          `Customer ${c.bcId} no longer exists in Business Central; remove its coupling: bcsync uncouple CUSTOMER --bc ${c.bcId}`,
        );
        continue;
      }
      const account = accounts.get(c.dvId);
      if (!account) {
        fail(
          `${label}: its account ${c.dvId} no longer exists in Dataverse; couple the customer to an existing account (bcsync uncouple CUSTOMER --bc ${c.bcId}, then bcsync couple CUSTOMER --bc ${c.bcId} --dv <account id>)`,
        );
        continue;
      }
      const rowId = rowIdOf(c);
      const wanted = statisticsRowOf(m, f, c.dvId, baseCurrencyId);
      const body = {
        ...wanted.values,
        'bcsync_accountid@odata.bind': `/accounts(${wanted.accountId})`,
        'transactioncurrencyid@odata.bind': `/transactioncurrencies(${wanted.currencyId})`,
      };
      try {
        const current = rows.get(rowId);
        let wrote: 'inserted' | 'modified' | null = null;
        // (A round after one that wrote the row only links the account again.)
        await retryWhatHttpDoesNot(deps, async () => {
          if (!current && wrote === null) {
            try {
              await dv.createWithId('bcsync_accountstatistics', rowId, body);
              wrote = 'inserted';
            } catch (err) {
              // Created by an attempt that died before it was recorded: write the values over it.
              if (!(err instanceof DuplicateKeyError)) throw err;
              await dv.update('bcsync_accountstatistics', rowId, body);
              wrote = 'modified';
            }
          } else if (current && wrote === null && changedStatisticsColumns(m, wanted, current).length) {
            await dv.update('bcsync_accountstatistics', rowId, body);
            wrote = 'modified';
          }
          // The account's lookup to its statistics row, as BC's solution links them.
          const link = account['_bcsync_accountstatisticsid_value'];
          if (typeof link !== 'string' || link.toLowerCase() !== rowId) {
            await dv.update('accounts', c.dvId, {
              'bcsync_accountstatisticsid@odata.bind': `/bcsync_accountstatistics(${rowId})`,
            });
            wrote ??= 'modified';
          }
        });
        outcomes.push({ sourceId: c.bcId, destinationId: c.dvId, kind: wrote ?? 'unchanged', rowId });
      } catch (err) {
        if (!isRecordFailure(err)) throw err;
        fail(
          `${label}: its account statistics could not be written to Dataverse (${m.dataverse.caption}): ${err.message}${err.retryable ? TRANSIENT_WRITE_FAILURE_SUFFIX : ''}`,
          JSON.stringify({ status: err.status, code: err.code }),
          err.retryable,
        );
      }
    }

    await commitPage(m, jobId, progress, outcomes, async (trx) => {
      const now = deps.now();
      const parked = new Map<string, boolean>();
      const succeeded: string[] = [];
      for (const o of outcomes) {
        const coupling = uploaded.get(o.sourceId);
        if (o.kind !== 'failed') {
          succeeded.push(o.sourceId);
          const id =
            coupling?.id ?? (await insertCoupling(trx, { mapping: m.name, bcId: o.sourceId, dvId: o.rowId!, now })).id;
          await recordSuccess(trx, id, DIRECTION, { jobId, now });
          continue;
        }
        // The table sync's rule: the second identical failure in a row parks the record; a transient one never does.
        if (coupling) {
          const skip = !o.transient && failureOutcome(couplingState(coupling), DIRECTION, o.message).skip;
          await recordFailure(trx, coupling.id, DIRECTION, { jobId, message: o.message, skip, now });
          parked.set(o.sourceId, skip);
        } else {
          const skip = pendingFailureOutcome(pending.get(o.sourceId) ?? null, o.message, o.transient).skip;
          await recordPendingFailure(trx, {
            mapping: m.name,
            direction: DIRECTION,
            sourceId: o.sourceId,
            jobId,
            message: o.message,
            skip,
            now,
          });
          parked.set(o.sourceId, skip);
        }
      }
      await clearPendingFailures(trx, m.name, DIRECTION, succeeded);
      return parked;
    });
  }

  async function refreshInvoices(
    m: IntegrationTableMapping,
    jobId: number,
    progress: PartProgress,
    handled: ReadonlySet<string>,
  ) {
    const { bc, dv } = deps.connectors;
    // The Dataverse invoices not Paid/Complete yet (only their ids: bounded by the open invoices). Collected before
    // any is written, so setting one Complete cannot shift the pages of this listing.
    progress.phase = 'listing';
    const open: string[] = [];
    for await (const page of dv.listAll({
      entitySet: 'invoices',
      filter: `statuscode ne ${INVOICE_STATUS.complete}`,
      select: ['invoiceid'],
    })) {
      for (const r of page) {
        const id = lower(r['invoiceid']);
        if (!handled.has(id)) open.push(id);
      }
    }
    progress.phase = 'checking';
    for (const ids of chunk(open, pageSize)) {
      const couplings = [...(await findByDvIds(deps.knex, INVOICE_MAPPING, ids)).values()].filter((c) => !c.skipped);
      if (!couplings.length) continue;
      const invoices = new Map(
        (
          await bc.getByIds(
            'salesInvoices',
            couplings.map((c) => c.bcId),
          )
        ).map((r) => [lower(r.id), r]),
      );
      const targets = new Map(
        (
          await dv.getByIds(
            'invoices',
            couplings.map((c) => c.dvId),
            { select: ['name', 'invoicenumber', 'statecode', 'statuscode'] },
          )
        ).map((r) => [lower(r['invoiceid']), r]),
      );
      const outcomes: RecordOutcome[] = [];
      for (const c of couplings) {
        const fail = (message: string, detail: string | null = null, transient = false) =>
          outcomes.push({ sourceId: c.bcId, destinationId: c.dvId, kind: 'failed', message, detail, transient });
        const bcInvoice = invoices.get(c.bcId);
        if (!bcInvoice) {
          fail(
            `Posted sales invoice ${c.bcId} no longer exists in Business Central; its Dataverse invoice ${c.dvId} keeps its payment state (uncouple it: bcsync uncouple ${INVOICE_MAPPING} --bc ${c.bcId})`,
          );
          continue;
        }
        const target = targets.get(c.dvId);
        // Gone since the listing: nothing to set.
        if (!target) continue;
        if (bcInvoice.status === 'Canceled' || bcInvoice.status === 'Draft') {
          outcomes.push({ sourceId: c.bcId, destinationId: c.dvId, kind: 'unchanged' });
          continue;
        }
        const label = `Posted sales invoice ${String(bcInvoice.number ?? c.bcId)}`;
        const state = invoicePaymentState(
          Number(bcInvoice.remainingAmount ?? 0),
          Number(bcInvoice.totalAmountIncludingTax ?? 0),
        );
        if (Number(target['statecode']) === state.statecode && Number(target['statuscode']) === state.statuscode) {
          outcomes.push({ sourceId: c.bcId, destinationId: c.dvId, kind: 'unchanged' });
          continue;
        }
        try {
          // statecode and statuscode together: Dataverse's SetState through an update (api-facts).
          await retryWhatHttpDoesNot(deps, () =>
            dv.update('invoices', c.dvId, { statecode: state.statecode, statuscode: state.statuscode }),
          );
          outcomes.push({ sourceId: c.bcId, destinationId: c.dvId, kind: 'modified' });
        } catch (err) {
          if (!isRecordFailure(err)) throw err;
          fail(
            `${label}: its Dataverse invoice could not be set to ${state.label}: ${err.message}${err.retryable ? TRANSIENT_WRITE_FAILURE_SUFFIX : ''}`,
            JSON.stringify({ status: err.status, code: err.code }),
            err.retryable,
          );
        }
      }
      await commitPage(
        m,
        jobId,
        progress,
        outcomes,
        () => Promise.resolve(new Map()),
        outcomes.map((o) => o.destinationId),
      );
    }
    return finishPart(m, jobId, progress, 'invoice payment state');
  }
}

export type StatisticsActivities = ReturnType<typeof createStatisticsActivities>;
