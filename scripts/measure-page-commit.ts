// Measures the MySQL side of a page: wall time and round trips (every statement Knex sends, counted with its 'query'
// event) of committing pages of records, against the real MySQL and the in-process emulators without latency. Each
// scenario runs `--pages` pages of `--page` records of CUSTOMER through the page pipeline (decide, write, commit) and
// reports the page's statements (all steps) and the commit's statements and time, per page.
//
//   node -r ./scripts/register.js scripts/measure-page-commit.ts [--page 200] [--pages 5] [--mysql mysql://root@127.0.0.1:3306]
//
// Scenarios: BC→Dataverse creates (new couplings + audit rows), updates of coupled records (success + audit rows),
// unchanged records (success only), and Dataverse→BC creates (intent rows before the write). It creates and drops its
// own database `bcsync_test_pagecommit_<pid>`.
import { ReferenceCache } from '../activities/lookup-resolution';
import type { SyncDeps } from '../activities/deps';
import { commitPage } from '../activities/page/commit';
import { writeDestination } from '../activities/page/destination-writes';
import { prepareBcCreates } from '../activities/page/idempotent-creates';
import { matchBeforeCreate } from '../activities/page/match-before-create';
import { preparePage } from '../activities/page/prepare';
import type { PageWork } from '../activities/page/work';
import { type ApiRecord, sideApi } from '../activities/sides';
import type { PassDirection } from '../engine/run-types';
import { openMysqlStore } from '../store/database';
import { migrateLatest } from '../store/migrate';
import { openJob } from '../store/sync-jobs';
import { connectorsFor, mappingsWith, startTestEmulators } from '../test/support/sync-stack';

function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

interface Row {
  scenario: string;
  pages: number;
  records: number;
  pageQueries: number;
  commitQueries: number;
  commitMs: number;
  pageMs: number;
}

async function main(): Promise<void> {
  const pageSize = Number(arg('page', '200'));
  const pages = Number(arg('pages', '5'));
  const server = arg('mysql', 'mysql://root@127.0.0.1:3306');
  const database = `bcsync_test_pagecommit_${process.pid}`;
  const n = pageSize * pages;
  const emulators = await startTestEmulators({
    customers: n,
    contactsPerCustomer: 0,
    overlapFraction: 0,
    dataverseOnlyAccounts: n,
    dataverseContactsPerAccount: 0,
  });
  const store = await openMysqlStore(`${server}/${database}`);
  let queries = 0;
  store.knex.on('query', () => void (queries += 1));
  const rows: Row[] = [];
  try {
    await migrateLatest(store);
    const connectors = connectorsFor(emulators);
    const mappings = mappingsWith({
      mappings: {
        CUSTOMER: {
          onlyCoupled: false,
          matchBeforeCreate: false,
          fieldMappings: [
            { bcField: 'salespersonCode', enabled: false },
            { bcField: 'currencyCode', enabled: false },
          ],
        },
      },
    });
    const mapping = mappings.find((m) => m.name === 'CUSTOMER')!;
    const deps: SyncDeps = {
      knex: store.knex,
      mappings,
      connectors,
      cache: new ReferenceCache(connectors),
      now: () => new Date(),
    };
    let jobNo = 0;

    /** Runs the pages of one pass over `records` and measures them. */
    const scenario = async (name: string, direction: PassDirection, records: ApiRecord[]): Promise<void> => {
      jobNo += 1;
      const job = await openJob(store.knex, {
        idempotencyKey: `measure/${jobNo}/${direction}`,
        mapping: mapping.name,
        direction,
        type: 'sync',
        mode: 'full',
        workflowId: 'measure',
        runId: String(jobNo),
        startedAt: new Date(),
      });
      const row: Row = {
        scenario: name,
        pages: 0,
        records: 0,
        pageQueries: 0,
        commitQueries: 0,
        commitMs: 0,
        pageMs: 0,
      };
      for (let p = 0; p * pageSize < records.length; p++) {
        const pageRecords = records.slice(p * pageSize, (p + 1) * pageSize);
        const work: PageWork = {
          mapping,
          direction,
          mode: 'full',
          jobId: job.id,
          pageNo: p,
          passStartedAt: new Date().toISOString(),
          recordIds: null,
          records: pageRecords,
          requestedIds: null,
          phase: 'changed',
          next: { phase: 'done' },
          maxModifiedAt: null,
          progress: null,
        };
        const now = deps.now();
        const q0 = queries;
        const t0 = process.hrtime.bigint();
        const { items, lookups } = await preparePage(deps, work);
        await matchBeforeCreate(deps, work, items, lookups);
        await prepareBcCreates(deps, work, items, now);
        await writeDestination(deps, work, items, lookups);
        const q1 = queries;
        const t1 = process.hrtime.bigint();
        const sourceKey = sideApi(connectors, mapping, direction === 'to-dataverse' ? 'bc' : 'dataverse').key;
        const result = await commitPage(store.knex, work, items, sourceKey, now);
        const t2 = process.hrtime.bigint();
        row.pages += 1;
        row.records += pageRecords.length;
        row.pageQueries += queries - q0;
        row.commitQueries += queries - q1;
        row.commitMs += Number(t2 - t1) / 1e6;
        row.pageMs += Number(t2 - t0) / 1e6;
        if (p === 0) console.error(`${name}: page 0 counts ${JSON.stringify(result.total.counts)}`);
      }
      rows.push(row);
    };

    const bcSide = sideApi(connectors, mapping, 'bc');
    const dvSide = sideApi(connectors, mapping, 'dataverse');
    const customers = async (): Promise<ApiRecord[]> => (await bcSide.list(mapping.bc.filter)).slice(0, n);
    const first = await customers();

    await scenario('to-dataverse creates', 'to-dataverse', first);
    // Every customer changes one field: updates of coupled records, with one audit row each.
    for (let i = 0; i < first.length; i += 50) {
      await Promise.all(
        first
          .slice(i, i + 50)
          .map((c) =>
            connectors.bc.update('customers', String(c.id), '*', { displayName: `${String(c.displayName)} AS` }),
          ),
      );
    }
    await scenario('to-dataverse updates', 'to-dataverse', await customers());
    await scenario('to-dataverse unchanged', 'to-dataverse', await customers());

    // The Dataverse-only accounts: Business Central creates, each behind an intent row.
    const coupled = new Set((await store.knex('couplings').pluck('dv_id')) as string[]);
    const accounts = (await dvSide.list(mapping.dataverse.filter)).filter(
      (a) => !coupled.has(String(a.accountid).toLowerCase()),
    );
    await scenario('to-bc creates', 'to-bc', accounts.slice(0, n));
  } finally {
    await store.knex.raw('DROP DATABASE IF EXISTS ??', [database]).catch(() => undefined);
    await store.close();
    await emulators.close();
  }
  const table = rows.map((r) => ({
    scenario: r.scenario,
    records: r.records,
    'DB statements / page': Math.round(r.pageQueries / r.pages),
    'commit statements / page': Math.round(r.commitQueries / r.pages),
    'commit ms / page': Math.round(r.commitMs / r.pages),
    'page ms (no latency) / page': Math.round(r.pageMs / r.pages),
  }));
  console.table(table);
  console.log(JSON.stringify(table));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
