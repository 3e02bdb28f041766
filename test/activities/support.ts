/**
 * Activity-test fixture: `createActivities(deps)` on a fresh migrated SQLite store and in-process emulators, built anew
 * for every test (no state shared between tests), with a request counter on the connectors.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { type Activities, createActivities } from '../../activities';
import type { SyncDeps } from '../../activities/deps';
import type { RequestEvent } from '../../connectors/http';
import { ReferenceCache } from '../../activities/lookup-resolution';
import type { SyncMetricsRecorder } from '../../activities/deps';
import type { PassDirection, SyncPageInput, SyncRunMode } from '../../engine/run-types';
import type { Connectors } from '../../activities/sides';
import type { DemoDataOptions } from '../../emulators/shared/demo-data';
import type { IntegrationTableMapping } from '../../mappings';
import type { Store } from '../../store/database';
import { migrateLatest } from '../../store/migrate';
import { openFreshStore } from '../support/stores';
import { connectorsFor, type Emulators, mappingsWith, type Row, startTestEmulators } from '../support/sync-stack';

export interface ActivityFixture {
  emulators: Emulators;
  connectors: Connectors;
  store: Store;
  /** Calls activity `name` in a mock activity context (heartbeats and cancellation work as in a worker). */
  call<K extends keyof Activities>(name: K, ...args: Parameters<Activities[K]>): ReturnType<Activities[K]>;
  /** HTTP requests the connectors sent so far. */
  requests(): number;
  /** Every HTTP request the connectors sent so far, in the order their answers arrived. */
  requestLog: RequestEvent[];
  close(): Promise<void>;
}

/** Starts emulators seeded with `seed`, opens and migrates a SQLite store, and builds the activities over them. */
export async function startActivityFixture(o: {
  seed: DemoDataOptions;
  mappings: IntegrationTableMapping[];
  overlapMs?: number;
  /** Page sizing and fault hooks of the sync activities. (Default: the activities' defaults) */
  sync?: Pick<SyncDeps, 'pageSize' | 'pagesPerActivity' | 'pageActivityBudgetMs' | 'faults'>;
  /** Where the activities report what they committed. (Default: nowhere) */
  metrics?: SyncMetricsRecorder;
}): Promise<ActivityFixture> {
  const emulators = await startTestEmulators(o.seed);
  const requestLog: RequestEvent[] = [];
  const connectors = connectorsFor(emulators, (event) => void requestLog.push(event));
  const store = await openFreshStore('sqlite');
  await migrateLatest(store);
  const activities = createActivities({
    knex: store.knex,
    mappings: o.mappings,
    connectors,
    cache: new ReferenceCache(connectors),
    now: () => new Date(),
    overlapMs: o.overlapMs ?? 5000,
    ...o.sync,
    metrics: o.metrics,
  });
  return {
    emulators,
    connectors,
    store,
    call: (name, ...args) => {
      const fn = activities[name] as (...a: unknown[]) => Promise<unknown>;
      const env = new MockActivityEnvironment();
      return env.run<unknown[], unknown, typeof fn>(fn, ...(args as unknown[])) as ReturnType<Activities[typeof name]>;
    },
    requests: () => requestLog.length,
    requestLog,
    async close() {
      await store.close();
      await emulators.close();
    },
  };
}

/** A mapping override: create uncoupled records both ways, without the lookups that belong to other mappings. */
const creatingWithoutForeignLookups = {
  onlyCoupled: false,
  fieldMappings: [
    { bcField: 'salespersonCode', enabled: false },
    { bcField: 'currencyCode', enabled: false },
  ],
};

/** CUSTOMER creating uncoupled records both ways, without the lookups that belong to other mappings. */
export function customerMappings(extra: Record<string, unknown> = {}): IntegrationTableMapping[] {
  return mappingsWith({ mappings: { CUSTOMER: { ...creatingWithoutForeignLookups, ...extra } } });
}

/** CUSTOMER and CONTACT, each as `customerMappings` makes CUSTOMER. */
export function customerAndContactMappings(): IntegrationTableMapping[] {
  return mappingsWith({
    mappings: { CUSTOMER: creatingWithoutForeignLookups, CONTACT: creatingWithoutForeignLookups },
  });
}

export const accountFilter = 'statecode eq 0 and customertypecode eq 3';

/** Every record of an entity set on one side, through the connectors. */
export async function allOf(f: ActivityFixture, side: 'bc' | 'dv', set: string, filter?: string): Promise<Row[]> {
  const out: Row[] = [];
  const pages =
    side === 'bc'
      ? f.connectors.bc.listAll({ entitySet: set as 'customers', filter })
      : f.connectors.dv.listAll({ entitySet: set as 'accounts', filter });
  for await (const page of pages) out.push(...(page as Row[]));
  return out;
}

/**
 * Opens a pass of `mapping` through `startPass` for run `runId` of workflow `workflowId`, and returns what it answered
 * with the input of the pass's first page.
 */
export async function openPass(
  fx: ActivityFixture,
  o: { mapping: string; direction: PassDirection; mode?: SyncRunMode; workflowId: string; runId: string },
) {
  const mode = o.mode ?? 'incremental';
  const opened = await fx.call('startPass', {
    mapping: o.mapping,
    direction: o.direction,
    mode,
    workflowId: o.workflowId,
    runId: o.runId,
    retryOfJobId: null,
    recordIds: null,
  });
  const page: SyncPageInput = {
    mapping: o.mapping,
    direction: o.direction,
    mode,
    jobId: opened.jobId,
    pageNo: 0,
    passStartedAt: opened.passStartedAt,
    cursor: opened.cursor,
    recordIds: null,
  };
  return { ...opened, page };
}

/** `openPass` for CUSTOMER. */
export async function openCustomerPass(
  fx: ActivityFixture,
  o: { direction: PassDirection; mode?: SyncRunMode; workflowId: string; runId: string },
) {
  return openPass(fx, { mapping: 'CUSTOMER', ...o });
}
