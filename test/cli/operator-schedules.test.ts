import assert from 'node:assert/strict';
import { ScheduleNotFoundError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { cannotRunReason, defaultMappings, dependencyOrder } from '../../mappings';
import { scheduleIdOf } from '../../client/schedules';
import { BcSyncMapping } from '../../workflows/definitions';
import { runBcsync } from '../support/cli';
import { eventually } from '../support/env';
import { openOperatorEnv, type OperatorEnv, terminateAll } from './operator-env';

interface ListedSchedule {
  scheduleId: string;
  mapping: string | null;
  paused: boolean;
  note: string | null;
  every: string | null;
  nextActionTimes: string[];
}

describe('bcsync schedule', function () {
  this.timeout(120_000);
  let op: OperatorEnv;

  before(async () => {
    op = await openOperatorEnv();
  });

  after(async () => {
    for await (const s of op.client.schedule.list()) {
      await op.client.schedule
        .getHandle(s.scheduleId)
        .delete()
        .catch(() => undefined); // deleted by the test already
    }
    await terminateAll(op.client);
    await op.close();
  });

  const bcsync = (...args: string[]) => runBcsync(args, op.env);
  const list = async (): Promise<ListedSchedule[]> => {
    const r = await bcsync('schedule', 'list', '--json');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as ListedSchedule[];
  };

  it('creates one schedule per mapping with its id, interval, action and policies', async () => {
    const r = await bcsync('schedule', 'start', 'CUSTOMER', 'unit of measure', '--every', '1h');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^bcsync-customer: created, every 1h, next run 20\d\d-/m);
    assert.match(r.stdout, /^bcsync-unit-of-measure: created, every 1h/m);

    const listed = await list();
    const customer = listed.find((s) => s.scheduleId === 'bcsync-customer');
    assert.ok(customer, 'schedule list shows bcsync-customer');
    assert.equal(customer.mapping, 'CUSTOMER');
    assert.equal(customer.every, '1h');
    assert.equal(customer.paused, false);
    assert.ok(customer.nextActionTimes.length > 0, 'it has a next run');
    assert.ok(listed.some((s) => s.scheduleId === 'bcsync-unit-of-measure' && s.mapping === 'UNIT OF MEASURE'));

    const d = await op.client.schedule.getHandle('bcsync-customer').describe();
    assert.equal(d.action.workflowType, 'syncMapping');
    assert.equal(d.action.workflowId, 'sync-customer');
    assert.equal(d.action.taskQueue, op.taskQueue);
    assert.deepEqual(d.action.args, [{ mapping: 'CUSTOMER', mode: 'incremental', scheduled: true }]);
    const actionAttributes = d.action.typedSearchAttributes;
    assert.ok(actionAttributes instanceof TypedSearchAttributes);
    assert.equal(actionAttributes.get(BcSyncMapping), 'CUSTOMER', 'search attribute of each run');
    assert.equal(d.action.staticSummary, 'Scheduled incremental sync of CUSTOMER');
    assert.equal(d.action.workflowRunTimeout, 2 * 3600_000);
    assert.equal(d.typedSearchAttributes.get(BcSyncMapping), 'CUSTOMER', 'schedule-level search attribute');
    assert.deepEqual(d.policies, { overlap: 'SKIP', catchupWindow: 5 * 60_000, pauseOnFailure: false });
  });

  it('updates the existing schedule when started again, without a duplicate', async () => {
    const r = await bcsync('schedule', 'start', 'CUSTOMER', '--every', '2h', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as Array<{ scheduleId: string; result: string; every: string }>).map((x) => [
        x.scheduleId,
        x.result,
        x.every,
      ]),
      [['bcsync-customer', 'updated', '2h']],
    );
    const customers = (await list()).filter((s) => s.mapping === 'CUSTOMER');
    assert.equal(customers.length, 1);
    assert.equal(customers[0].every, '2h');
    const d = await op.client.schedule.getHandle('bcsync-customer').describe();
    assert.deepEqual(
      d.spec.intervals?.map((i) => i.every),
      [2 * 3600_000],
      'the old interval is replaced, not kept beside',
    );
    assert.deepEqual(d.action.args, [{ mapping: 'CUSTOMER', mode: 'incremental', scheduled: true }]);
  });

  it('pauses with its own note, resumes on start, and deletes saying runs keep running', async () => {
    const stop = await bcsync('schedule', 'stop', 'CUSTOMER');
    assert.equal(stop.code, 0, stop.stderr);
    let d = await op.client.schedule.getHandle('bcsync-customer').describe();
    assert.equal(d.state.paused, true);
    assert.match(d.state.note ?? '', /^paused with bcsync schedule stop at 20\d\d-/);
    assert.equal((await list()).find((s) => s.scheduleId === 'bcsync-customer')?.paused, true);

    const noted = await bcsync('schedule', 'stop', 'CUSTOMER', '--note', 'BC maintenance until 06:00');
    assert.equal(noted.code, 0, noted.stderr);
    d = await op.client.schedule.getHandle('bcsync-customer').describe();
    assert.equal(d.state.note, 'BC maintenance until 06:00');

    const resume = await bcsync('schedule', 'start', 'CUSTOMER');
    assert.equal(resume.code, 0, resume.stderr);
    assert.match(resume.stdout, /bcsync-customer: updated and resumed, every 30m/, "the mapping's default interval");
    d = await op.client.schedule.getHandle('bcsync-customer').describe();
    assert.equal(d.state.paused, false);

    const del = await bcsync('schedule', 'stop', 'CUSTOMER', '--delete');
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /bcsync-customer: deleted; runs it already started are not stopped/);
    await assert.rejects(op.client.schedule.getHandle('bcsync-customer').describe(), ScheduleNotFoundError);
    assert.ok(!(await list()).some((s) => s.scheduleId === 'bcsync-customer'));
  });

  it('exits 1 when stopping a mapping that has no schedule', async () => {
    const r = await bcsync('schedule', 'stop', 'CONTACT');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^bcsync: no schedule for CONTACT/m);
  });

  it('triggers a run that the visibility store finds by TemporalScheduledById', async () => {
    assert.equal((await bcsync('schedule', 'start', 'CURRENCY', '--every', '1h')).code, 0);
    const r = await bcsync('schedule', 'trigger', 'currency', '--json');
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as { workflowId: string | null };
    const run = await eventually(async () => {
      for await (const wf of op.client.workflow.list({ query: 'TemporalScheduledById = "bcsync-currency"' })) return wf;
      return undefined;
    }, 'the triggered run');
    assert.equal(run.type, 'syncMapping');
    assert.match(run.workflowId, /^sync-currency-20\d\d-/);
    assert.equal(run.taskQueue, op.taskQueue);
    assert.equal(run.typedSearchAttributes.get(BcSyncMapping), 'CURRENCY');
    assert.equal(printed.workflowId, run.workflowId, 'trigger prints the run it started');

    // A second trigger while that run is in progress is skipped (overlap SKIP, not the SDK's ALLOW_ALL).
    const again = await bcsync('schedule', 'trigger', 'CURRENCY');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /no new run started/);
    const { count } = await op.client.workflow.count('TemporalScheduledById = "bcsync-currency"');
    assert.equal(count, 1);
  });

  it('exits 1 when triggering a mapping without a schedule', async () => {
    const r = await bcsync('schedule', 'trigger', 'SALESPEOPLE');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^bcsync: no schedule for SALESPEOPLE/m);
  });

  it('backfills past ticks and validates --from and --to', async () => {
    const bad = await bcsync(
      'schedule',
      'backfill',
      'ITEM-PRODUCT',
      '--from',
      'yesterday',
      '--to',
      '2026-01-01T00:00Z',
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^bcsync: --from: 'yesterday' is not an ISO 8601 time/m);
    const noZone = await bcsync(
      'schedule',
      'backfill',
      'ITEM-PRODUCT',
      '--from',
      '2026-01-01T00:00',
      '--to',
      '2026-01-02',
    );
    assert.equal(noZone.code, 2);
    assert.match(noZone.stderr, /--from/);
    const reversed = await bcsync('schedule', 'backfill', 'ITEM-PRODUCT', '--from', '2026-01-02', '--to', '2026-01-01');
    assert.equal(reversed.code, 2);
    assert.match(reversed.stderr, /--from .* must be before --to/);
    const future = new Date(Date.now() + 3600_000).toISOString();
    const ahead = await bcsync('schedule', 'backfill', 'ITEM-PRODUCT', '--from', '2026-01-01', '--to', future);
    assert.equal(ahead.code, 2);
    assert.match(ahead.stderr, /--to .* is in the future/);
    const missing = await bcsync('schedule', 'backfill', 'ITEM-PRODUCT', '--from', '2026-01-01');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--to/);

    assert.equal((await bcsync('schedule', 'start', 'ITEM-PRODUCT', '--every', '1h')).code, 0);
    const from = new Date(Date.now() - 3 * 3600_000).toISOString();
    const to = new Date(Date.now() - 60_000).toISOString();
    const ok = await bcsync('schedule', 'backfill', 'ITEM-PRODUCT', '--from', from, '--to', to);
    assert.equal(ok.code, 0, ok.stderr);
    const run = await eventually(async () => {
      for await (const wf of op.client.workflow.list({ query: 'TemporalScheduledById = "bcsync-item-product"' })) {
        return wf;
      }
      return undefined;
    }, 'a backfilled run');
    assert.match(run.workflowId, /^sync-item-product-20\d\d-/);
  });

  it('exits 2 naming the problem for a bad --every, an unknown mapping or no mapping at all', async () => {
    const short = await bcsync('schedule', 'start', 'CUSTOMER', '--every', '5s');
    assert.equal(short.code, 2);
    assert.match(short.stderr, /^bcsync: --every: '5s' is shorter than the minimum interval of 10s$/m);
    const huge = await bcsync('schedule', 'start', 'CUSTOMER', '--every', '99999999999h');
    assert.equal(huge.code, 2);
    assert.match(huge.stderr, /^bcsync: --every: '99999999999h' is longer than the maximum interval of 366d$/m);
    const word = await bcsync('schedule', 'start', 'CUSTOMER', '--every', 'hourly');
    assert.equal(word.code, 2);
    assert.match(word.stderr, /^bcsync: --every: 'hourly' is not a duration/m);
    const unknown = await bcsync('schedule', 'start', 'NOPE', '--every', '1h');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^bcsync: unknown mapping 'NOPE'; valid mappings: .*CUSTOMER/m);
    const none = await bcsync('schedule', 'start');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /name one or more mappings, or pass --all/);
    const both = await bcsync('schedule', 'stop', 'CUSTOMER', '--all');
    assert.equal(both.code, 2);
    for (const r of [short, huge, word, unknown, none, both]) assert.equal(r.stderr.trim().split('\n').length, 1);
    await assert.rejects(op.client.schedule.getHandle('bcsync-customer').describe(), ScheduleNotFoundError);
  });

  it('starts all eleven jobs with --all, shows them in bcsync mappings, and deletes them all', async () => {
    // Every default mapping can run now (none is marked incomplete): --all schedules each of them.
    const runnable = defaultMappings();
    assert.deepEqual(
      runnable.filter((m) => cannotRunReason(m) !== null).map((m) => m.name),
      [],
    );
    assert.equal(runnable.length, 11);
    const start = await bcsync('schedule', 'start', '--all', '--every', '45m', '--json');
    assert.equal(start.code, 0, start.stderr);
    assert.equal((JSON.parse(start.stdout) as unknown[]).length, runnable.length);
    // Staggered in dependency order: each schedule starts a fraction of the interval after the one it follows.
    const ordered = dependencyOrder(runnable);
    const offsets = await Promise.all(
      ordered.map(async (m) => {
        const d = await op.client.schedule.getHandle(scheduleIdOf(m.name)).describe();
        return d.spec.intervals?.[0]?.offset ?? 0;
      }),
    );
    assert.deepEqual(
      offsets,
      ordered.map((_, i) => Math.floor((45 * 60_000 * i) / ordered.length)),
      `offsets of ${ordered.map((m) => m.name).join(', ')}`,
    );
    const text0 = await bcsync('schedule', 'start', '--all', '--every', '45m');
    assert.doesNotMatch(text0.stdout, /not scheduled/);

    // The statistics job's schedule starts its own workflow type; the table mappings' start syncMapping.
    const statistics = await op.client.schedule.getHandle('bcsync-customer-statistics').describe();
    assert.equal(statistics.action.type === 'startWorkflow' && statistics.action.workflowType, 'customerStatistics');
    const customer = await op.client.schedule.getHandle('bcsync-customer').describe();
    assert.equal(customer.action.type === 'startWorkflow' && customer.action.workflowType, 'syncMapping');

    const m = await bcsync('mappings', '--json');
    assert.equal(m.code, 0, m.stderr);
    const out = JSON.parse(m.stdout) as {
      schedulesKnown: boolean;
      mappings: Array<{
        name: string;
        direction: string;
        dependencies: string[];
        schedule: { scheduleId: string; exists: boolean; paused: boolean; every: string; nextRunAt: string | null };
      }>;
    };
    assert.equal(out.schedulesKnown, true);
    assert.equal(out.mappings.length, 11);
    for (const x of out.mappings.filter((y) => runnable.some((r) => r.name === y.name))) {
      assert.equal(x.schedule.exists, true, x.name);
      assert.equal(x.schedule.every, '45m', x.name);
      assert.ok(x.schedule.nextRunAt, x.name);
    }
    const uom = out.mappings.find((x) => x.name === 'UNIT OF MEASURE');
    assert.equal(uom?.schedule.scheduleId, 'bcsync-unit-of-measure');
    assert.deepEqual(out.mappings.find((x) => x.name === 'CONTACT')?.dependencies, [
      'CUSTOMER',
      'SALESPEOPLE',
      'CURRENCY',
    ]);

    const text = await bcsync('mappings');
    assert.match(
      text.stdout,
      /^CUSTOMER\s+bidirectional\s+customerCards ⇄ accounts\s+SALESPEOPLE, CURRENCY\s+30m\s+yes\s+every 45m, next 20/m,
    );

    const del = await bcsync('schedule', 'stop', '--all', '--delete');
    assert.equal(del.code, 0, del.stderr);
    assert.deepEqual(await list(), []);
  });
});
