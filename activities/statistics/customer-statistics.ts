/**
 * The activities of the Customer Statistics job (workflow `customerStatistics`, bc-sync-semantics §8.15): its own
 * job kind, not a table synchronization. Two parts, each logged as one `statistics` job row of the mapping:
 *
 * 1. `refreshAccountStatistics`: for the customers coupled by CUSTOMER, BC's Customer Statistics figures (custom page
 *    `customerStatistics`) → the account's row of `bcsync_accountstatistics` (created when missing, written only when a
 *    value differs), linked from the account. Customers never uploaded first, then customers with activity since the
 *    last statistics run. "Uploaded" is a coupling of the statistics mapping (customer ↔ statistics row), BC's
 *    `Statistics Uploaded` flag.
 * 2. `refreshInvoicePaymentStates`: the Dataverse invoices coupled by POSTEDSALESINV-INV get their payment state
 *    (active / partially paid / paid) from the posted invoices' remaining amounts (BC API v2.0 `salesInvoices`
 *    `remainingAmount`: the remaining amount of the invoice's customer ledger entry).
 *
 * Deviation from BC: BC parks a customer's coupling as Skipped after one failed statistics upload. Here the CUSTOMER
 * coupling is not touched (parking it would stop CUSTOMER itself); the failure is logged in `sync_errors`, and the
 * customer is refreshed again by the next run (the activity watermark stays before its activity).
 *
 * Both activities are idempotent: a retry reopens the same job row (or returns the closed one) and compares values
 * again, so what was written already counts as unchanged.
 */
import { Context } from '@temporalio/activity';
import { AuthenticationError, ConnectorError, DuplicateKeyError, PermissionError } from '../../connectors/http';
import { chunk } from '../../connectors/http/odata';
import type { BcCustomerStatistics } from '../../connectors/business-central';
import type { DvRecord } from '../../connectors/dataverse';
import { cannotRunReason, type IntegrationTableMapping } from '../../mappings';
import {
  changedStatisticsColumns,
  invoicePaymentState,
  nextActivityWatermark,
  statisticsRowOf,
  statisticsWorkList,
  type StatisticsCandidate,
} from '../../engine/customer-statistics';
import { dataverseIdFor } from '../../engine/deterministic-ids';
import { type PassCounts, type PassDirection, type SyncRunMode, zeroCounts } from '../../engine/run-types';
import { findByBcIds, insertCoupling, recordFailure, recordSuccess, type Coupling } from '../../store/couplings';
import { closeJob, openJob, type SyncJob } from '../../store/sync-jobs';
import { recordErrors, resolveErrors, type NewSyncError } from '../../store/sync-errors';
import { advanceWatermark, getWatermark } from '../../store/watermarks';
import type { Db } from '../../store/values';
import { dependencyWaitReason, logSkippedRun } from '../dependency-gate';
import type { SyncDeps } from '../deps';
import { closeOrphanedJobs, configurationFailure } from '../sync-activities';

/** The mapping whose couplings say which customers have an account (CUSTOMER ↔ account). */
export const CUSTOMER_MAPPING = 'CUSTOMER';
/** The mapping whose couplings say which Dataverse invoice shows which posted sales invoice. */
export const INVOICE_MAPPING = 'POSTEDSALESINV-INV';
/** The one direction of the job. */
const DIRECTION: PassDirection = 'to-dataverse';
/** The watermark key of the invoice part (the account part uses the mapping's own BC watermark). */
export const invoiceWatermarkKey = (mapping: string) => `${mapping} INVOICES`;

/** Input of the statistics activities (the workflow's identity names the job rows). */
export interface StatisticsPartInput {
  mapping: string;
  workflowId: string;
  runId: string;
  /** `full`: every coupled customer and invoice, not only those with activity since the last run. (Default: incremental) */
  mode?: SyncRunMode;
}

/** What one part of the job did: its job row, counters and status. */
export interface StatisticsPartResult {
  direction: PassDirection;
  jobId: number;
  counts: PassCounts;
  status: string;
}

const HEARTBEAT_EVERY_MS = 3000;

function heartbeatPump(): () => void {
  const timer = setInterval(() => {
    try {
      Context.current().heartbeat();
    } catch {
      // Outside an activity: nothing to report to.
    }
  }, HEARTBEAT_EVERY_MS);
  return () => clearInterval(timer);
}

/** A failure of one record (it fails alone) versus a failure of the whole request (retried by the activity). */
function isRecordFailure(err: unknown): err is ConnectorError {
  return (
    err instanceof ConnectorError &&
    !err.retryable &&
    !(err instanceof AuthenticationError) &&
    !(err instanceof PermissionError)
  );
}

async function allCouplings(db: Db, mapping: string): Promise<Coupling[]> {
  const ids = (await db('couplings').where({ mapping, skipped: false }).orderBy('id').pluck('bc_id')) as string[];
  return [...(await findByBcIds(db, mapping, ids)).values()];
}

export function createStatisticsActivities(deps: SyncDeps) {
  const overlapMs = deps.overlapMs ?? 5000;

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

  async function finishPart(
    mapping: string,
    jobId: number,
    counts: PassCounts,
    errors: NewSyncError[],
    succeededIds: string[],
    watermark: { key: string; at: Date },
    what: string,
  ): Promise<StatisticsPartResult> {
    const status = counts.failed > 0 ? 'completed_with_errors' : 'succeeded';
    const now = deps.now();
    const parts = (['inserted', 'modified', 'unchanged', 'failed'] as const)
      .filter((k) => counts[k] > 0)
      .map((k) => `${counts[k]} ${k}`);
    await deps.knex.transaction(async (trx) => {
      await recordErrors(trx, errors);
      if (succeededIds.length) {
        await resolveErrors(trx, { mapping, direction: DIRECTION, sourceIds: succeededIds, resolvedByJobId: jobId });
      }
      await closeJob(trx, jobId, {
        status,
        counts,
        finishedAt: now,
        message: `${what}: ${parts.length ? parts.join(', ') : 'nothing to refresh'}`,
      });
      await advanceWatermark(trx, { mapping: watermark.key, side: 'bc', modifiedAt: watermark.at, jobId, now });
    });
    return { direction: DIRECTION, jobId, counts, status };
  }

  return {
    /**
     * Checks that the mapping is a runnable statistics job, closes job rows dead runs of it left open, and — for a
     * scheduled run — skips (one `skipped` job row) while CUSTOMER is running or has never completed a run.
     */
    async planStatistics(input: {
      mapping: string;
      runId: string;
      workflowId: string;
      scheduled?: boolean;
    }): Promise<{ skipped?: { reason: string; jobs: { direction: PassDirection; jobId: number }[] } }> {
      const m = statisticsMappingOf(input.mapping);
      await closeOrphanedJobs(deps, m.name, input.runId);
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
          return { skipped: { reason, jobs } };
        }
      }
      return {};
    },

    /** Part 1: the account statistics rows of the coupled customers (see the module comment). */
    async refreshAccountStatistics(input: StatisticsPartInput): Promise<StatisticsPartResult> {
      const m = statisticsMappingOf(input.mapping);
      const job = await openPart(input, 'statistics');
      const done = closedResult(job);
      if (done) return done;
      const stop = heartbeatPump();
      try {
        return await refreshAccounts(m, job.id, job.startedAt, input.mode === 'full');
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
      const stop = heartbeatPump();
      try {
        return await refreshInvoices(m, job.id, job.startedAt, input.mode === 'full');
      } finally {
        stop();
      }
    },
  };

  async function refreshAccounts(m: IntegrationTableMapping, jobId: number, startedAt: Date, full: boolean) {
    const { bc, dv } = deps.connectors;
    const now = deps.now();
    const counts = zeroCounts();
    const errors: NewSyncError[] = [];
    const succeeded: string[] = [];
    const failedActivity: string[] = [];

    let baseCurrencyId: string | undefined;
    for await (const page of dv.listAll({ entitySet: 'organizations', select: ['_basecurrencyid_value'] })) {
      baseCurrencyId ??= page[0]?.['_basecurrencyid_value'] as string | undefined;
    }
    if (!baseCurrencyId) throw new Error('Dataverse has no organization base currency; the statistics need one');

    const customers = await allCouplings(deps.knex, CUSTOMER_MAPPING);
    const uploaded = await findByBcIds(
      deps.knex,
      m.name,
      customers.map((c) => c.bcId),
    );
    const since = full ? null : ((await getWatermark(deps.knex, m.name, 'bc'))?.modifiedAt?.toISOString() ?? null);

    // The figures: by id for the customers never uploaded; for the others only those with activity since the last run.
    const figures = new Map<string, BcCustomerStatistics>();
    const neverIds = customers.filter((c) => !uploaded.has(c.bcId)).map((c) => c.bcId);
    for (const r of await bc.getByIds('customerStatistics', neverIds)) figures.set(r.id.toLowerCase(), r);
    if (customers.length > neverIds.length) {
      const filter = since ? `lastModifiedDateTime gt ${since}` : undefined;
      for await (const page of bc.listAll({ entitySet: 'customerStatistics', filter })) {
        for (const r of page) figures.set(r.id.toLowerCase(), r);
      }
    }
    const candidates: StatisticsCandidate[] = customers.map((c) => ({
      customerId: c.bcId,
      accountId: c.dvId,
      uploaded: uploaded.has(c.bcId),
      lastActivityAt: figures.get(c.bcId)?.lastModifiedDateTime ?? null,
    }));
    const work = statisticsWorkList(
      candidates.filter((c) => !c.uploaded || figures.has(c.customerId)),
      since,
    );

    // The Dataverse side of the work: the accounts (exist? linked?) and the statistics rows.
    const rowIdOf = (c: StatisticsCandidate) =>
      uploaded.get(c.customerId)?.dvId ?? dataverseIdFor(m.name, c.customerId);
    const accounts = new Map<string, DvRecord>();
    const rows = new Map<string, DvRecord>();
    for (const part of chunk(work, 100)) {
      for (const a of await dv.getByIds(
        'accounts',
        part.map((c) => c.accountId),
        { select: ['name', '_bcsync_accountstatisticsid_value'] },
      )) {
        accounts.set(String(a['accountid']).toLowerCase(), a);
      }
      const columns = [...m.fieldMappings.flatMap((f) => (f.dvField ? [f.dvField] : []))];
      for (const r of await dv.getByIds('bcsync_accountstatistics', part.map(rowIdOf), {
        select: [...columns, '_bcsync_accountid_value', '_transactioncurrencyid_value'],
      })) {
        rows.set(String(r['bcsync_accountstatisticsid']).toLowerCase(), r);
      }
    }

    for (const c of work) {
      const title = figures.get(c.customerId)?.displayName ?? c.customerId;
      const number = figures.get(c.customerId)?.number;
      const label = `Customer ${number ?? c.customerId} '${title}'`;
      const fail = (message: string, detail: string | null = null) => {
        counts.failed += 1;
        if (c.lastActivityAt) failedActivity.push(c.lastActivityAt);
        errors.push({
          jobId,
          mapping: m.name,
          direction: DIRECTION,
          sourceId: c.customerId,
          destinationId: c.accountId,
          message,
          detail,
          createdAt: now,
        });
      };
      const f = figures.get(c.customerId);
      if (!f) {
        fail(
          `Customer ${c.customerId} no longer exists in Business Central; remove its coupling: bcsync uncouple CUSTOMER --bc ${c.customerId}`,
        );
        continue;
      }
      const account = accounts.get(c.accountId);
      if (!account) {
        fail(
          `${label}: its account ${c.accountId} no longer exists in Dataverse; couple the customer to an existing account (bcsync uncouple CUSTOMER --bc ${c.customerId}, then bcsync couple CUSTOMER --bc ${c.customerId} --dv <account id>)`,
        );
        continue;
      }
      const rowId = rowIdOf(c);
      const wanted = statisticsRowOf(m, f, c.accountId, baseCurrencyId);
      const body = {
        ...wanted.values,
        'bcsync_accountid@odata.bind': `/accounts(${wanted.accountId})`,
        'transactioncurrencyid@odata.bind': `/transactioncurrencies(${wanted.currencyId})`,
      };
      try {
        const current = rows.get(rowId);
        let wrote: 'inserted' | 'modified' | null = null;
        if (!current) {
          try {
            await dv.createWithId('bcsync_accountstatistics', rowId, body);
            wrote = 'inserted';
          } catch (err) {
            // Created by an attempt that died before it was recorded: write the values over it.
            if (!(err instanceof DuplicateKeyError)) throw err;
            await dv.update('bcsync_accountstatistics', rowId, body);
            wrote = 'modified';
          }
        } else if (changedStatisticsColumns(m, wanted, current).length) {
          await dv.update('bcsync_accountstatistics', rowId, body);
          wrote = 'modified';
        }
        // The account's lookup to its statistics row, as BC's solution links them.
        const link = account['_bcsync_accountstatisticsid_value'];
        const linked = typeof link === 'string' && link.toLowerCase() === rowId;
        if (!linked) {
          await dv.update('accounts', c.accountId, {
            'bcsync_accountstatisticsid@odata.bind': `/bcsync_accountstatistics(${rowId})`,
          });
          wrote ??= 'modified';
        }
        if (wrote) counts[wrote] += 1;
        else counts.unchanged += 1;
        succeeded.push(c.customerId);
        const coupling = uploaded.get(c.customerId);
        if (coupling) {
          await recordSuccess(deps.knex, coupling.id, DIRECTION, { jobId, now });
        } else {
          const inserted = await insertCoupling(deps.knex, {
            mapping: m.name,
            bcId: c.customerId,
            dvId: rowId,
            now,
          });
          await recordSuccess(deps.knex, inserted.id, DIRECTION, { jobId, now });
        }
      } catch (err) {
        if (!isRecordFailure(err)) throw err;
        fail(
          `${label}: its account statistics could not be written to Dataverse (${m.dataverse.caption}): ${err.message}`,
          JSON.stringify({ status: err.status, code: err.code }),
        );
        const coupling = uploaded.get(c.customerId);
        if (coupling) {
          await recordFailure(deps.knex, coupling.id, DIRECTION, { jobId, message: err.message, skip: false, now });
        }
      }
    }

    const watermark = nextActivityWatermark(startedAt, overlapMs, failedActivity);
    return finishPart(m.name, jobId, counts, errors, succeeded, { key: m.name, at: watermark }, 'account statistics');
  }

  async function refreshInvoices(m: IntegrationTableMapping, jobId: number, startedAt: Date, full: boolean) {
    const { bc, dv } = deps.connectors;
    const now = deps.now();
    const counts = zeroCounts();
    const errors: NewSyncError[] = [];
    const succeeded: string[] = [];
    const failedActivity: string[] = [];
    const key = invoiceWatermarkKey(m.name);
    const since = full ? null : ((await getWatermark(deps.knex, key, 'bc'))?.modifiedAt ?? null);

    const couplings = await allCouplings(deps.knex, INVOICE_MAPPING);
    if (couplings.length) {
      // The posted invoices changed since the last run (a payment moves lastModifiedDateTime), plus the invoices
      // coupled since then (their Dataverse state was never set by this job).
      const changed = new Set<string>();
      if (since) {
        const filter = `lastModifiedDateTime gt ${since.toISOString()}`;
        for await (const page of bc.listAll({ entitySet: 'salesInvoices', filter, select: ['id'] })) {
          for (const r of page) changed.add(r.id.toLowerCase());
        }
      }
      const work = couplings.filter((c) => !since || changed.has(c.bcId) || c.createdAt > since);
      for (const part of chunk(work, 100)) {
        const invoices = new Map(
          (
            await bc.getByIds(
              'salesInvoices',
              part.map((c) => c.bcId),
            )
          ).map((r) => [r.id.toLowerCase(), r]),
        );
        const dvInvoices = new Map(
          (
            await dv.getByIds(
              'invoices',
              part.map((c) => c.dvId),
              { select: ['name', 'invoicenumber', 'statecode', 'statuscode'] },
            )
          ).map((r) => [String(r['invoiceid']).toLowerCase(), r]),
        );
        for (const c of part) {
          const bcInvoice = invoices.get(c.bcId);
          const fail = (message: string, detail: string | null = null) => {
            counts.failed += 1;
            if (bcInvoice?.lastModifiedDateTime) failedActivity.push(bcInvoice.lastModifiedDateTime);
            errors.push({
              jobId,
              mapping: m.name,
              direction: DIRECTION,
              sourceId: c.bcId,
              destinationId: c.dvId,
              message,
              detail,
              createdAt: now,
            });
          };
          if (!bcInvoice) {
            fail(`Posted sales invoice ${c.bcId} no longer exists in Business Central; its payment state is not kept`);
            continue;
          }
          const label = `Posted sales invoice ${String(bcInvoice.number ?? c.bcId)}`;
          const target = dvInvoices.get(c.dvId);
          if (!target) {
            fail(
              `${label}: its Dataverse invoice ${c.dvId} no longer exists; run POSTEDSALESINV-INV to create it again`,
            );
            continue;
          }
          if (bcInvoice.status === 'Canceled' || bcInvoice.status === 'Draft') {
            counts.unchanged += 1;
            continue;
          }
          const state = invoicePaymentState(
            Number(bcInvoice.remainingAmount ?? 0),
            Number(bcInvoice.totalAmountIncludingTax ?? 0),
          );
          if (Number(target['statecode']) === state.statecode && Number(target['statuscode']) === state.statuscode) {
            counts.unchanged += 1;
            succeeded.push(c.bcId);
            continue;
          }
          try {
            // statecode and statuscode together: Dataverse's SetState through an update (api-facts).
            await dv.update('invoices', c.dvId, { statecode: state.statecode, statuscode: state.statuscode });
            counts.modified += 1;
            succeeded.push(c.bcId);
          } catch (err) {
            if (!isRecordFailure(err)) throw err;
            fail(
              `${label}: its Dataverse invoice could not be set to ${state.label}: ${err.message}`,
              JSON.stringify({ status: err.status, code: err.code }),
            );
          }
        }
      }
    }
    const watermark = nextActivityWatermark(startedAt, overlapMs, failedActivity);
    return finishPart(m.name, jobId, counts, errors, succeeded, { key, at: watermark }, 'invoice payment state');
  }
}

export type StatisticsActivities = ReturnType<typeof createStatisticsActivities>;
