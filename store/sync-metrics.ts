/**
 * Read-only aggregates for the sync metrics endpoint's gauges (worker/sync-metrics.ts), computed at scrape time. They
 * span tables (couplings, pending failures, jobs), so they live together here rather than in each table's module.
 * Every query is bounded by an index: the couplings' unique (mapping, …) keys and sync_jobs (mapping, started_at),
 * walked backwards per mapping until the first matching row.
 */
import type { PassDirection } from '../engine/run-types';
import { type Db, toDate, toNumber } from './values';

/** The job types that are runs of a mapping (a pass of a table sync, a part of the statistics job). */
const RUN_JOB_TYPES = ['sync', 'statistics'];

/** Couplings per mapping (mappings without any are absent). */
export async function couplingCountsByMapping(db: Db): Promise<Map<string, number>> {
  const rows: Array<Record<string, unknown>> = await db('couplings')
    .select('mapping')
    .count({ n: '*' })
    .groupBy('mapping');
  return new Map(rows.map((r) => [r.mapping as string, toNumber(r.n)]));
}

/**
 * Skipped (parked) records per mapping: coupled records marked skipped plus records that failed before they were ever
 * coupled and were parked (pending failures). Mappings without any are absent.
 */
export async function skippedCountsByMapping(db: Db): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const add = (rows: Array<Record<string, unknown>>) => {
    for (const r of rows) out.set(r.mapping as string, (out.get(r.mapping as string) ?? 0) + toNumber(r.n));
  };
  add(await db('couplings').where({ skipped: true }).select('mapping').count({ n: '*' }).groupBy('mapping'));
  add(await db('pending_failures').where({ skipped: true }).select('mapping').count({ n: '*' }).groupBy('mapping'));
  return out;
}

/**
 * When the newest completed run of `mapping` finished: the newest pass (by start) that ended `succeeded` or
 * `completed_with_errors` — a run that synchronized, even if some records failed (failed records have their own
 * metric). Undefined when it never completed one.
 */
export async function lastCompletedRunAt(db: Db, mapping: string): Promise<Date | undefined> {
  const row = await db('sync_jobs')
    .where({ mapping })
    .whereIn('type', RUN_JOB_TYPES)
    .whereIn('status', ['succeeded', 'completed_with_errors'])
    .orderBy([
      { column: 'started_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .first('finished_at');
  return row ? (toDate(row.finished_at) ?? undefined) : undefined;
}

/** The newest finished pass of one direction of a mapping. */
export interface LastPass {
  direction: PassDirection;
  status: string;
  failed: number;
  finishedAt: Date | null;
}

/**
 * The newest finished pass per direction of `mapping` (runs skipped on a dependency and passes still running are
 * passed over), from the newest `limit` finished passes. (Default limit: 8)
 */
export async function lastPassPerDirection(db: Db, mapping: string, limit = 8): Promise<LastPass[]> {
  const rows = await db('sync_jobs')
    .where({ mapping })
    .whereIn('type', RUN_JOB_TYPES)
    .whereNotIn('status', ['running', 'skipped'])
    .whereNotNull('direction')
    .orderBy([
      { column: 'started_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit)
    .select('direction', 'status', 'failed', 'finished_at');
  const seen = new Map<string, LastPass>();
  for (const r of rows) {
    const direction = r.direction as PassDirection;
    if (seen.has(direction)) continue;
    seen.set(direction, {
      direction,
      status: r.status as string,
      failed: toNumber(r.failed),
      finishedAt: toDate(r.finished_at),
    });
  }
  return [...seen.values()];
}
