/**
 * The sync metrics (prom-client), beside the Temporal runtime's own on METRICS_PORT: what the activities committed
 * (records by outcome, passes and their duration), what the connectors sent (requests, throttled answers, retries per
 * service) and gauges read from MySQL at scrape time (couplings, skipped records, the last completed run, the failed
 * records of the last pass) and from the Temporal schedules (interval, paused). One registry per worker process; the
 * alert rules in ops/prometheus/bcsync-alerts.yml use these names (test/unit/ops/alert-rules.test.ts checks them).
 *
 * With several workers every one counts what it did, and every one reports the same MySQL gauges: aggregate with
 * `sum` for counters and `max` for gauges.
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SyncMetricsRecorder } from '../activities/deps';
import type { RequestEvent } from '../connectors/http';
import type { IntegrationTableMapping } from '../mappings';
import type { PassCounts } from '../engine/run-types';
import {
  couplingCountsByMapping,
  lastCompletedRunAt,
  lastPassPerDirection,
  skippedCountsByMapping,
} from '../store/sync-metrics';
import { BcSyncMapping } from '../workflows/definitions';
import type { Logger } from './logger';

/** Every metric name starts with this. */
export const METRIC_PREFIX = 'bcsync_';

/** The record outcomes counted: the six exclusive counters of a pass (engine/run-types.ts `PassCounts`). */
export const RECORD_OUTCOMES = ['inserted', 'modified', 'deleted', 'unchanged', 'skipped', 'failed'] as const;

/** A mapping's schedule as the gauges report it. */
export interface ScheduleFacts {
  mapping: string;
  /** The interval between runs (the first interval of the spec). */
  everySeconds: number;
  paused: boolean;
}

export interface SyncMetricsOptions {
  knex: Knex;
  /** The mappings the worker runs: every gauge has a series per mapping (0 rather than absent). */
  mappings: readonly IntegrationTableMapping[];
  /**
   * Lists the mappings' schedules, for `bcsync_schedule_interval_seconds` and `bcsync_schedule_paused`. (Default:
   * those two gauges stay empty)
   */
  schedules?: () => Promise<ScheduleFacts[]>;
  logger?: Logger;
}

/** The worker's sync metrics: pass `recorder` to the activities and `onRequest` to the connectors; serve `registry`. */
export interface SyncMetrics {
  registry: Registry;
  recorder: SyncMetricsRecorder;
  onRequest: (event: RequestEvent) => void;
}

const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];
/** How long one schedule list serves the schedule gauges. */
const SCHEDULE_CACHE_MS = 5000;
const REQUEST_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Builds the registry and its metrics. Never throws; a failing gauge query is logged and counted, not raised. */
export function createSyncMetrics(o: SyncMetricsOptions): SyncMetrics {
  const registry = new Registry();
  const registers = [registry];
  const mappingNames = o.mappings.map((m) => m.name);

  const scrapeErrors = new Counter({
    name: `${METRIC_PREFIX}metrics_scrape_errors_total`,
    help: 'Gauge queries that failed at scrape time (their gauge is left empty), by gauge',
    labelNames: ['gauge'],
    registers,
  });
  /** Runs a gauge's query; a failure leaves the gauge empty for this scrape instead of failing the whole scrape. */
  const guarded = async (gauge: Gauge, fill: () => Promise<void>) => {
    gauge.reset();
    try {
      await fill();
    } catch (err) {
      gauge.reset();
      scrapeErrors.inc({ gauge: (gauge as unknown as { name: string }).name });
      o.logger?.warn({ err, gauge: (gauge as unknown as { name: string }).name }, 'sync metrics gauge query failed');
    }
  };

  const records = new Counter({
    name: `${METRIC_PREFIX}records_total`,
    help: 'Records committed by sync passes, by mapping, direction and outcome (inserted, modified, deleted, unchanged, skipped, failed)',
    labelNames: ['mapping', 'direction', 'outcome'],
    registers,
  });
  const passes = new Counter({
    name: `${METRIC_PREFIX}passes_total`,
    help: 'Sync passes (job rows) closed, by mapping, direction and status (succeeded, completed_with_errors, abandoned)',
    labelNames: ['mapping', 'direction', 'status'],
    registers,
  });
  const passDuration = new Histogram({
    name: `${METRIC_PREFIX}pass_duration_seconds`,
    help: 'Duration of closed sync passes from start to close, by mapping, direction and status',
    labelNames: ['mapping', 'direction', 'status'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const requests = new Counter({
    name: `${METRIC_PREFIX}api_requests_total`,
    help: 'HTTP attempts sent to the APIs, by service, method and status (0 = no response)',
    labelNames: ['service', 'method', 'status'],
    registers,
  });
  const throttled = new Counter({
    name: `${METRIC_PREFIX}api_throttled_total`,
    help: 'HTTP answers 429 (service protection / rate limit), by service',
    labelNames: ['service'],
    registers,
  });
  const retries = new Counter({
    name: `${METRIC_PREFIX}api_retries_total`,
    help: 'HTTP attempts that repeated a request (attempt 2 and later), by service',
    labelNames: ['service'],
    registers,
  });
  const requestDuration = new Histogram({
    name: `${METRIC_PREFIX}api_request_duration_seconds`,
    help: 'Duration of one HTTP attempt, by service',
    labelNames: ['service'],
    buckets: REQUEST_BUCKETS,
    registers,
  });

  new Gauge({
    name: `${METRIC_PREFIX}couplings`,
    help: 'Coupled record pairs per mapping (read from MySQL at scrape time)',
    labelNames: ['mapping'],
    registers,
    async collect() {
      await guarded(this, async () => {
        const counts = await couplingCountsByMapping(o.knex);
        for (const m of mappingNames) this.set({ mapping: m }, counts.get(m) ?? 0);
      });
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}skipped_records`,
    help: 'Skipped (parked) records per mapping, waiting for bcsync restore (read from MySQL at scrape time)',
    labelNames: ['mapping'],
    registers,
    async collect() {
      await guarded(this, async () => {
        const counts = await skippedCountsByMapping(o.knex);
        for (const m of mappingNames) this.set({ mapping: m }, counts.get(m) ?? 0);
      });
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}last_success_timestamp_seconds`,
    help: 'Unix time the newest completed run (succeeded or completed_with_errors) of a mapping finished; absent when it never completed one',
    labelNames: ['mapping'],
    registers,
    async collect() {
      await guarded(this, async () => {
        for (const m of mappingNames) {
          const at = await lastCompletedRunAt(o.knex, m);
          if (at) this.set({ mapping: m }, at.getTime() / 1000);
        }
      });
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}last_run_failed_records`,
    help: 'Records that failed in the newest finished pass of a mapping and direction (read from MySQL at scrape time)',
    labelNames: ['mapping', 'direction'],
    registers,
    async collect() {
      await guarded(this, async () => {
        for (const m of mappingNames) {
          for (const p of await lastPassPerDirection(o.knex, m)) {
            this.set({ mapping: m, direction: p.direction }, p.failed);
          }
        }
      });
    },
  });
  // Both schedule gauges are collected in parallel on a scrape: they share one schedule list, kept for a few seconds.
  let listed: { at: number; schedules: Promise<ScheduleFacts[]> } | undefined;
  const listSchedules = (): Promise<ScheduleFacts[]> => {
    if (!o.schedules) return Promise.resolve([]);
    if (!listed || Date.now() - listed.at > SCHEDULE_CACHE_MS) listed = { at: Date.now(), schedules: o.schedules() };
    return listed.schedules;
  };
  new Gauge({
    name: `${METRIC_PREFIX}schedule_interval_seconds`,
    help: "Interval of a mapping's Temporal schedule (read from Temporal at scrape time)",
    labelNames: ['mapping'],
    registers,
    async collect() {
      await guarded(this, async () => {
        for (const s of await listSchedules()) this.set({ mapping: s.mapping }, s.everySeconds);
      });
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}schedule_paused`,
    help: "1 when a mapping's Temporal schedule is paused, 0 when it runs (read from Temporal at scrape time)",
    labelNames: ['mapping'],
    registers,
    async collect() {
      await guarded(this, async () => {
        for (const s of await listSchedules()) this.set({ mapping: s.mapping }, s.paused ? 1 : 0);
      });
    },
  });

  const recorder: SyncMetricsRecorder = {
    recordsCommitted({ mapping, direction, counts }) {
      for (const outcome of RECORD_OUTCOMES) {
        records.inc({ mapping, direction, outcome }, counts[outcome as keyof PassCounts]);
      }
    },
    passClosed({ mapping, direction, status, durationSeconds }) {
      passes.inc({ mapping, direction, status });
      if (durationSeconds !== null) passDuration.observe({ mapping, direction, status }, durationSeconds);
    },
  };
  const onRequest = (e: RequestEvent) => {
    requests.inc({ service: e.service, method: e.method, status: String(e.status) });
    if (e.status === 429) throttled.inc({ service: e.service });
    if (e.attempt > 1) retries.inc({ service: e.service });
    requestDuration.observe({ service: e.service }, e.durationMs / 1000);
  };
  // Series that exist from the start, so rate() and increase() see the first events (a counter born at 1 is missed).
  for (const service of ['business-central', 'dataverse']) {
    throttled.inc({ service }, 0);
    retries.inc({ service }, 0);
  }
  return { registry, recorder, onRequest };
}

/**
 * The mappings' schedules (interval, paused) for the schedule gauges: every schedule that carries the `BcSyncMapping`
 * search attribute (client/schedules.ts sets it on each one), with the first interval of its spec.
 */
export async function listMappingSchedules(client: Client): Promise<ScheduleFacts[]> {
  const out: ScheduleFacts[] = [];
  for await (const s of client.schedule.list()) {
    const mapping = s.typedSearchAttributes?.get(BcSyncMapping);
    const every = s.spec?.intervals?.[0]?.every;
    if (!mapping || !every) continue;
    out.push({ mapping, everySeconds: every / 1000, paused: s.state.paused });
  }
  return out;
}
