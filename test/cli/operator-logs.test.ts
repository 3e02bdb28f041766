import assert from 'node:assert/strict';
import { insertCoupling, listSkipped, markSkipped, recordFailure } from '../../store/couplings';
import { openMysqlStore, type Store } from '../../store/database';
import { migrateLatest } from '../../store/migrate';
import { recordErrors, resolveErrors } from '../../store/sync-errors';
import { openJob } from '../../store/sync-jobs';
import type { PassDirection } from '../../engine/run-types';
import { freePort, runBcsync } from '../support/cli';
import { testResources, uniqueName } from '../support/env';

const t0 = new Date('2026-11-24T10:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

interface ErrorRow {
  id: number;
  jobId: number;
  mapping: string;
  sourceId: string;
  message: string;
  resolvedByJobId: number | null;
}

describe('bcsync errors, jobs, skipped and restore', function () {
  this.timeout(60_000);
  let store: Store;
  let env: Record<string, string>;
  const jobIds: Record<string, number> = {};

  before(async () => {
    const r = testResources();
    const mysqlUrl = `${r.mysqlServerUrl}/${r.database}_oplogs${process.pid}`;
    store = await openMysqlStore(mysqlUrl);
    await migrateLatest(store);
    // These commands only read the store; a Temporal address nothing listens on proves they do not need it.
    env = { MYSQL_URL: mysqlUrl, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` };

    for (const [key, mapping, direction, startedAt] of [
      ['customer', 'CUSTOMER', 'to-dataverse', at(0)],
      ['contact', 'CONTACT', 'to-bc', at(1000)],
      ['retry', 'CUSTOMER', 'to-dataverse', at(2000)],
    ] as const) {
      const job = await openJob(store.knex, {
        idempotencyKey: uniqueName(key),
        mapping,
        direction,
        type: 'sync',
        mode: 'incremental',
        workflowId: `wf-${key}`,
        runId: null,
        startedAt,
      });
      jobIds[key] = job.id;
    }
    const error = (job: string, mapping: string, direction: PassDirection, sourceId: string, ms: number) => ({
      jobId: jobIds[job],
      mapping,
      direction,
      sourceId,
      destinationId: null,
      message: `Account '${sourceId}' cannot be created: the currency 'NOK' is not coupled; run CURRENCY first`,
      detail: 'HTTP 400',
      createdAt: at(ms),
    });
    await recordErrors(store.knex, [
      error('customer', 'CUSTOMER', 'to-dataverse', 'c-1', 100),
      error('customer', 'CUSTOMER', 'to-dataverse', 'c-2', 200),
      error('contact', 'CONTACT', 'to-bc', 'k-1', 1100),
    ]);
    // The retry job fixed c-1.
    await resolveErrors(store.knex, {
      mapping: 'CUSTOMER',
      direction: 'to-dataverse',
      sourceIds: ['c-1'],
      resolvedByJobId: jobIds.retry,
    });

    for (let n = 1; n <= 3; n += 1) {
      const c = await insertCoupling(store.knex, { mapping: 'CUSTOMER', bcId: guid(n), dvId: guid(100 + n), now: t0 });
      await recordFailure(store.knex, c.id, 'to-dataverse', {
        jobId: jobIds.customer,
        message: `failure ${n}`,
        skip: false,
        now: t0,
      });
      await markSkipped(store.knex, [c.id], at(n));
    }
    const contact = await insertCoupling(store.knex, { mapping: 'CONTACT', bcId: guid(9), dvId: guid(109), now: t0 });
    await markSkipped(store.knex, [contact.id], at(9));
    await insertCoupling(store.knex, { mapping: 'CUSTOMER', bcId: guid(50), dvId: guid(150), now: t0 }); // not skipped
  });

  after(async () => {
    await store.close();
  });

  const bcsync = (...args: string[]) => runBcsync(args, env);

  it('lists the error log newest first, filtered by job, mapping and resolution', async () => {
    const all = await bcsync('errors', '--json');
    assert.equal(all.code, 0, all.stderr);
    const rows = JSON.parse(all.stdout) as ErrorRow[];
    assert.deepEqual(
      rows.map((e) => e.sourceId),
      ['k-1', 'c-2', 'c-1'],
    );
    assert.equal(rows.find((e) => e.sourceId === 'c-1')?.resolvedByJobId, jobIds.retry);

    const byJob = JSON.parse((await bcsync('errors', '--job', String(jobIds.customer), '--json')).stdout) as ErrorRow[];
    assert.deepEqual(byJob.map((e) => e.sourceId).sort(), ['c-1', 'c-2']);
    const byMapping = JSON.parse((await bcsync('errors', '--mapping', 'contact', '--json')).stdout) as ErrorRow[];
    assert.deepEqual(
      byMapping.map((e) => e.sourceId),
      ['k-1'],
    );
    const open = JSON.parse((await bcsync('errors', '--mapping', 'CUSTOMER', '--unresolved', '--json')).stdout);
    assert.deepEqual(
      (open as ErrorRow[]).map((e) => e.sourceId),
      ['c-2'],
    );
    const limited = JSON.parse((await bcsync('errors', '--limit', '1', '--json')).stdout) as ErrorRow[];
    assert.equal(limited.length, 1);

    const text = await bcsync('errors', '--job', String(jobIds.customer));
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^id\s+job\s+mapping\s+direction\s+source\s+destination\s+at\s+resolved\s+message$/m);
    assert.match(text.stdout, new RegExp(`c-1 .* by job ${jobIds.retry}\\s+Account 'c-1' cannot be created`));

    const bad = await bcsync('errors', '--job', 'x');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--job/);
  });

  it('filters the job log by workflow id and by mapping in any spelling', async () => {
    const r = await bcsync('jobs', '--workflow', 'wf-contact', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as Array<{ id: number }>).map((j) => j.id),
      [jobIds.contact],
    );
    const byMapping = await bcsync('jobs', '--mapping', 'customer', '--json');
    assert.deepEqual(
      (JSON.parse(byMapping.stdout) as Array<{ id: number }>).map((j) => j.id),
      [jobIds.retry, jobIds.customer],
    );
  });

  it('lists skipped records with their last error, per mapping', async () => {
    const all = await bcsync('skipped', '--json');
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(
      (JSON.parse(all.stdout) as Array<{ bcId: string }>).map((c) => c.bcId),
      [guid(1), guid(2), guid(3), guid(9)],
    );
    const customer = await bcsync('skipped', '--mapping', 'customer');
    assert.equal(customer.code, 0, customer.stderr);
    assert.match(customer.stdout, /^coupling\s+mapping\s+bc\s+dataverse\s+skipped at\s+failures\s+last error$/m);
    assert.match(customer.stdout, new RegExp(`CUSTOMER\\s+${guid(2)}\\s+${guid(102)}\\s+\\S+\\s+1\\s+failure 2$`, 'm'));
    assert.doesNotMatch(customer.stdout, /CONTACT/);
    const unknown = await bcsync('skipped', '--mapping', 'NOPE');
    assert.equal(unknown.code, 2);
  });

  it('restores named records or all of a mapping, and says which ids it does not know', async () => {
    const one = await bcsync('restore', 'CUSTOMER', '--bc', guid(1), '--dv', guid(102), '--json');
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(JSON.parse(one.stdout), { mapping: 'CUSTOMER', restored: 2, notSkipped: [], unknown: [] });
    assert.deepEqual(
      (await listSkipped(store.knex, 'CUSTOMER')).map((c) => c.bcId),
      [guid(3)],
    );

    const mixed = await bcsync('restore', 'CUSTOMER', '--bc', guid(50), 'no-such-id');
    assert.equal(mixed.code, 1);
    assert.match(mixed.stdout, new RegExp(`${guid(50)}: not skipped`));
    assert.match(mixed.stderr, /^bcsync: CUSTOMER has no coupling for no-such-id$/m);

    const nothing = await bcsync('restore', 'CUSTOMER');
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /--bc ID or --dv ID, or pass --all/);

    const all = await bcsync('restore', 'CUSTOMER', '--all');
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^CUSTOMER: restored 1 skipped record\(s\)/m);
    assert.deepEqual(await listSkipped(store.knex, 'CUSTOMER'), []);
    assert.equal((await listSkipped(store.knex, 'CONTACT')).length, 1, 'other mappings keep theirs');
  });

  it('prints the mappings and reports schedules as unknown when Temporal cannot be reached', async () => {
    const json = await bcsync('mappings', '--json');
    assert.equal(json.code, 0, json.stderr);
    const out = JSON.parse(json.stdout) as {
      schedulesKnown: boolean;
      reason: string;
      lastJobsKnown: boolean;
      mappings: Array<{
        name: string;
        schedule: unknown;
        complete: boolean;
        defaultSchedule: string;
        lastJob: { id: number; status: string } | null;
      }>;
    };
    assert.equal(out.schedulesKnown, false);
    // The last job of each mapping comes from the store, which answers without Temporal.
    assert.equal(out.lastJobsKnown, true);
    const lastJob = (name: string) => out.mappings.find((m) => m.name === name)?.lastJob;
    assert.equal(lastJob('CUSTOMER')?.id, jobIds.retry, 'the newest of the CUSTOMER jobs');
    assert.equal(lastJob('CONTACT')?.id, jobIds.contact);
    assert.equal(lastJob('SALESPEOPLE'), null);
    assert.match(out.reason, /cannot reach Temporal/);
    assert.equal(out.mappings.length, 11);
    assert.ok(out.mappings.every((m) => m.schedule === null && m.defaultSchedule === '30m'));
    assert.equal(out.mappings.find((m) => m.name === 'CURRENCY')?.complete, true);

    const text = await bcsync('mappings');
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^SALESPEOPLE\s+to-bc\s+salespeoplePurchasers ← systemusers\s+30m\s+yes\s+unknown\s+never run$/m,
    );
    assert.match(text.stdout, /^CONTACT\s+.*\s+unknown\s+running 20\S+$/m);
    assert.match(text.stdout, /^schedules unknown: cannot reach Temporal/m);
  });
});
