// Measures reading 100,000 records through the real connectors from the local emulators: HTTP requests (emulator
// stats and the connector's own request hook) and wall time, for a full listing and for change-cursor paging.
//
//   node -r ./scripts/register.js scripts/measure-connector-read.ts [--records 100000] [--page 5000]
import {
  type BcCustomer,
  createBusinessCentralClient,
  type ChangeCursor as BcCursor,
  type ChangedPage,
} from '../connectors/business-central';
import { createDataverseClient, type DvRecord } from '../connectors/dataverse';
import { createTokenProvider } from '../connectors/http/create-token-provider';
import { startBusinessCentralEmulator } from '../emulators/business-central';
import { startDataverseEmulator } from '../emulators/dataverse';

interface Row {
  api: string;
  method: string;
  pageSize: number;
  records: number;
  requests: number;
  connectorAttempts: number;
  seconds: number;
  recordsPerSecond: number;
}

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

async function post(url: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}/__emulator/${path}`, {
    method: 'POST',
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

async function requestsSoFar(url: string): Promise<number> {
  const res = await fetch(`${url}/__emulator/stats`);
  return ((await res.json()) as { total: number }).total;
}

async function measure(
  api: string,
  method: string,
  pageSize: number,
  emulatorUrl: string,
  counter: { attempts: number },
  run: () => Promise<number>,
): Promise<Row> {
  await post(emulatorUrl, 'stats/reset');
  counter.attempts = 0;
  const started = process.hrtime.bigint();
  const records = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    api,
    method,
    pageSize,
    records,
    requests: await requestsSoFar(emulatorUrl),
    connectorAttempts: counter.attempts,
    seconds: Math.round(seconds * 100) / 100,
    recordsPerSecond: Math.round(records / seconds),
  };
}

async function main(): Promise<void> {
  const total = arg('records', 100_000);
  const pageSize = arg('page', 5000);
  const rows: Row[] = [];

  const bcEmulator = await startBusinessCentralEmulator({ seed: false });
  const dvEmulator = await startDataverseEmulator({ seed: false });
  try {
    const seedStarted = Date.now();
    const bcCounts = await post(bcEmulator.url, 'seed', {
      customers: total,
      contactsPerCustomer: 0,
      postedInvoices: 0,
      draftInvoices: 0,
    });
    const dvCounts = await post(dvEmulator.url, 'seed', {
      customers: total,
      overlapFraction: 1,
      dataverseOnlyAccounts: 0,
      contactsPerCustomer: 0,
      dataverseContactsPerAccount: 0,
      postedInvoices: 0,
      draftInvoices: 0,
    });
    console.log(`seeded in ${Date.now() - seedStarted} ms`, JSON.stringify({ bc: bcCounts, dv: dvCounts }));

    const bcCounter = { attempts: 0 };
    const bc = createBusinessCentralClient({
      apiUrl: `${bcEmulator.url}/v2.0`,
      tenant: 'cronus',
      environment: 'production',
      companyId: (bcEmulator as unknown as { companyId: string }).companyId,
      tokenProvider: createTokenProvider({
        authorityHost: bcEmulator.url,
        tenant: 'cronus',
        clientId: 'bcsync-demo',
        clientSecret: 'bcsync-demo-secret',
        scope: 'https://api.businesscentral.dynamics.com/.default',
      }),
      maxPageSize: pageSize,
      onRequest: () => void bcCounter.attempts++,
    });
    const dvCounter = { attempts: 0 };
    const dv = createDataverseClient({
      url: dvEmulator.url,
      tokenProvider: createTokenProvider({
        authorityHost: dvEmulator.url,
        tenant: 'cronus',
        clientId: 'bcsync-demo',
        clientSecret: 'bcsync-demo-secret',
        scope: 'https://bcsync.crm.dynamics.com/.default',
      }),
      maxPageSize: Math.min(pageSize, 5000),
      onRequest: () => void dvCounter.attempts++,
    });

    rows.push(
      await measure('Business Central', 'listAll', pageSize, bcEmulator.url, bcCounter, async () => {
        let n = 0;
        for await (const page of bc.listAll({ entitySet: 'customers' })) n += page.length;
        return n;
      }),
    );
    rows.push(
      await measure('Business Central', 'readChangedPage', pageSize, bcEmulator.url, bcCounter, async () => {
        let n = 0;
        let after: BcCursor | null = null;
        for (;;) {
          const page: ChangedPage<BcCustomer> = await bc.readChangedPage({ entitySet: 'customers', after, pageSize });
          n += page.records.length;
          if (!page.next) return n;
          after = page.next;
        }
      }),
    );
    rows.push(
      await measure('Dataverse', 'listAll', Math.min(pageSize, 5000), dvEmulator.url, dvCounter, async () => {
        let n = 0;
        for await (const page of dv.listAll({ entitySet: 'accounts', select: ['name', 'modifiedon'] }))
          n += page.length;
        return n;
      }),
    );
    rows.push(
      await measure('Dataverse', 'readChangedPage', Math.min(pageSize, 5000), dvEmulator.url, dvCounter, async () => {
        let n = 0;
        let after: BcCursor | null = null;
        for (;;) {
          const page: ChangedPage<DvRecord> = await dv.readChangedPage({
            entitySet: 'accounts',
            after,
            pageSize: Math.min(pageSize, 5000),
            select: ['name'],
          });
          n += page.records.length;
          if (!page.next) return n;
          after = page.next;
        }
      }),
    );
  } finally {
    await bcEmulator.close();
    await dvEmulator.close();
  }
  console.table(rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
