/**
 * Contract of both connectors' `writeBatch` for transient answers to single operations inside a `$batch` (DESIGN §7.7):
 * re-sent until done when that is safe, never re-sent when a create's outcome is unknown, and reported as a transient
 * failure (same error class, retryable) once the retry budget is spent.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { startBusinessCentralEmulator } from '../../emulators/business-central';
import { startDataverseEmulator } from '../../emulators/dataverse';
import {
  type BcCustomer,
  type BcWriteOp,
  type BusinessCentralClient,
  createBusinessCentralClient,
} from '../../connectors/business-central';
import { createDataverseClient, type DataverseClient, type DvWriteOp } from '../../connectors/dataverse';
import { ConcurrencyConflictError, ThrottledError, TransientServerError } from '../../connectors/http/errors';
import { createTokenProvider } from '../../connectors/http/create-token-provider';
import type { RetryOptions } from '../../connectors/http/retry-policy';
import { captureLogger, control, setFaults, stats } from './support/emulator-control';

const TENANT = 'cronus';
const CLIENT_ID = 'bcsync-demo';
const CLIENT_SECRET = 'bcsync-demo-secret';

interface BatchStats {
  batchOperations: { total: number; byStatus: Record<string, number> };
}
const innerStats = async (url: string): Promise<BatchStats['batchOperations']> =>
  ((await stats(url)) as unknown as BatchStats).batchOperations;

/** A budget that gives up after three rounds within milliseconds, for the exhaustion tests. */
const SMALL_BUDGET: RetryOptions = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 };

describe('writeBatch re-sends transient failures of single operations inside a $batch', function () {
  this.timeout(120_000);
  const logger = captureLogger();

  describe('Business Central', () => {
    let emulator: Awaited<ReturnType<typeof startBusinessCentralEmulator>>;
    const client = (retry: RetryOptions = { baseDelayMs: 20, maxDelayMs: 200 }): BusinessCentralClient =>
      createBusinessCentralClient({
        apiUrl: `${emulator.url}/v2.0`,
        tenant: TENANT,
        companyId: emulator.companyId,
        tokenProvider: createTokenProvider({
          authorityHost: emulator.url,
          tenant: TENANT,
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          scope: 'https://api.businesscentral.dynamics.com/.default',
        }),
        retry,
        logger,
      });
    const customersNamed = async (bc: BusinessCentralClient, prefix: string): Promise<BcCustomer[]> => {
      const out: BcCustomer[] = [];
      for await (const page of bc.listAll({ entitySet: 'customers', filter: `startswith(displayName,'${prefix}')` }))
        out.push(...page);
      return out;
    };

    before(async () => {
      emulator = await startBusinessCentralEmulator({ seed: false });
    });
    after(async () => emulator?.close());
    beforeEach(async () => {
      await control(emulator.url, 'reset');
    });

    it('ends with every operation done and one record per create when operations answer 503, 429, 502 and 504 a few times', async () => {
      const bc = client();
      const existing = await bc.writeBatch(
        ['Keep 1', 'Keep 2', 'Drop 1'].map((displayName) => ({
          kind: 'create' as const,
          entitySet: 'customers' as const,
          body: { displayName },
        })),
      );
      const [keep1, keep2, drop1] = existing.map((r) => (r.ok ? (r.record as BcCustomer) : assert.fail(inspect(r))));
      // Every rule that matches an operation spends one of its `count`, so no operation matches two rules.
      await setFaults(emulator.url, [
        { entitySet: 'customers', method: 'POST', status: 503, count: 3 },
        { recordId: keep1.id, status: 429, retryAfterSeconds: 1, count: 2 },
        { recordId: keep2.id, status: 502, count: 1 },
        { recordId: drop1.id, status: 504, count: 1 },
      ]);
      const before = await innerStats(emulator.url);
      const ops: BcWriteOp[] = [
        ...Array.from({ length: 8 }, (_, i) => ({
          kind: 'create' as const,
          entitySet: 'customers' as const,
          body: { displayName: `Storm ${i}` },
          key: `Storm ${i}`,
        })),
        { kind: 'update', entitySet: 'customers', id: keep1.id, etag: keep1['@odata.etag']!, body: { city: 'Oslo' } },
        { kind: 'update', entitySet: 'customers', id: keep2.id, etag: keep2['@odata.etag']!, body: { city: 'Bergen' } },
        { kind: 'delete', entitySet: 'customers', id: drop1.id, etag: drop1['@odata.etag']! },
      ];
      const results = await bc.writeBatch(ops);
      assert.ok(
        results.every((r) => r.ok),
        inspect(results.filter((r) => !r.ok)),
      );
      const after = await innerStats(emulator.url);
      const faulted = (status: string) => (after.byStatus[status] ?? 0) - (before.byStatus[status] ?? 0);
      assert.deepEqual([faulted('503'), faulted('429'), faulted('502'), faulted('504')], [3, 2, 1, 1]);

      const created = await customersNamed(bc, 'Storm ');
      assert.deepEqual(
        created.map((c) => c.displayName).sort(),
        Array.from({ length: 8 }, (_, i) => `Storm ${i}`),
      );
      assert.equal((await bc.get('customers', keep1.id))!.city, 'Oslo');
      assert.equal((await bc.get('customers', keep2.id))!.city, 'Bergen');
      assert.equal(await bc.get('customers', drop1.id), null);
    });

    it('does not re-send a create answered 502 and reports its outcome as unknown and retryable', async () => {
      const bc = client();
      await setFaults(emulator.url, [{ entitySet: 'customers', method: 'POST', status: 502, count: 1 }]);
      const before = await innerStats(emulator.url);
      const results = await bc.writeBatch(
        ['Gateway 0', 'Gateway 1', 'Gateway 2'].map((displayName) => ({
          kind: 'create' as const,
          entitySet: 'customers' as const,
          body: { displayName },
          key: displayName,
        })),
      );
      const [first, ...rest] = results;
      assert.ok(!first.ok, inspect(first));
      assert.ok(first.error instanceof TransientServerError, inspect(first.error));
      assert.equal(first.error.retryable, true);
      assert.equal(first.error.code, 'OutcomeUnknown');
      assert.equal(first.error.recordKey, 'Gateway 0');
      assert.match(first.error.message, /POST customers \(Gateway 0\).*outcome is unknown/);
      assert.ok(
        rest.every((r) => r.ok),
        inspect(rest),
      );
      assert.equal((await innerStats(emulator.url)).total - before.total, 3, 'the 502 create was sent once');
      const stored = (await customersNamed(bc, 'Gateway ')).map((c) => c.displayName).sort();
      assert.deepEqual(stored, ['Gateway 1', 'Gateway 2']);
    });

    it('reports an operation that stays unavailable past the retry budget as a transient failure', async () => {
      const setup = await client().writeBatch([
        { kind: 'create', entitySet: 'customers', body: { displayName: 'Stuck' } },
      ]);
      const stuck = setup[0].ok ? (setup[0].record as BcCustomer) : assert.fail(inspect(setup[0]));
      await setFaults(emulator.url, [
        { entitySet: 'customers', recordId: stuck.id, status: 503 },
        { entitySet: 'customers', method: 'POST', status: 429 },
      ]);
      const bc = client(SMALL_BUDGET);
      const [update, create] = await bc.writeBatch([
        { kind: 'update', entitySet: 'customers', id: stuck.id, etag: stuck['@odata.etag']!, body: { city: 'X' } },
        { kind: 'create', entitySet: 'customers', body: { displayName: 'Never' }, key: 'Never' },
      ]);
      assert.ok(!update.ok && update.error instanceof TransientServerError, inspect(update));
      assert.equal(update.error.retryable, true);
      assert.equal(update.error.scope, 'record');
      assert.equal(update.error.recordKey, stuck.id);
      assert.match(
        update.error.message,
        /PATCH customers\(.*\).*; the service stayed unavailable \(503\) after 3 attempts over \d+ s; the record will be retried on the next run$/,
      );
      assert.ok(!create.ok && create.error instanceof ThrottledError, inspect(create));
      assert.equal(create.error.retryable, true);
      assert.match(
        create.error.message,
        /the service kept throttling \(429\) after 3 attempts.*retried on the next run/,
      );
      await setFaults(emulator.url, []);
      assert.equal((await bc.get('customers', stuck.id))!.city, stuck.city, 'the update never ran');
      assert.deepEqual(await customersNamed(bc, 'Never'), []);
    });

    describe('a $batch whose answer was lost', () => {
      const city = (i: number) => `Lost answer ${i}`;
      const setup = async (bc: BusinessCentralClient, n: number): Promise<BcCustomer[]> => {
        const made = await bc.writeBatch(
          Array.from({ length: n }, (_, i) => ({
            kind: 'create' as const,
            entitySet: 'customers' as const,
            body: { displayName: `Lost ${i}` },
          })),
        );
        return made.map((r) => (r.ok ? (r.record as BcCustomer) : assert.fail(inspect(r))));
      };

      it('counts the updates Business Central applied before the connection reset as done, without sending them again', async () => {
        const bc = client();
        const [a, b, changed] = await setup(bc, 3);
        // Someone else changes the third customer after the caller read it: its update meets that change.
        await bc.update('customers', changed.id, '*', { city: 'Changed by someone else' });
        // Every batch with an update is applied, then its connection dropped instead of the answer: a copy of the
        // batch would answer 409 for every update and be lost again.
        await setFaults(emulator.url, [{ method: 'PATCH', resetConnection: true }]);
        const before = await innerStats(emulator.url);
        const results = await bc.writeBatch(
          [a, b, changed].map((c, i) => ({
            kind: 'update' as const,
            entitySet: 'customers' as const,
            id: c.id,
            etag: c['@odata.etag']!,
            body: { city: city(i) },
          })),
        );
        await setFaults(emulator.url, []);
        assert.equal((await innerStats(emulator.url)).total - before.total, 3, 'the batch was sent once');
        const [first, second, third] = results;
        for (const [i, r] of [first, second].entries()) {
          assert.ok(r.ok, inspect(r));
          assert.equal((r.record as BcCustomer).city, city(i), 'the record as read back');
          assert.equal(r.etag, (await bc.get('customers', [a, b][i].id))!['@odata.etag']);
        }
        assert.ok(!third.ok && third.error instanceof ConcurrencyConflictError, inspect(third));
        assert.equal(third.error.recordKey, changed.id);
        assert.equal((await bc.get('customers', changed.id))!.city, 'Changed by someone else');
      });

      it('sends again only the operations a lost batch did not apply', async () => {
        const bc = client();
        const [a, b, gone] = await setup(bc, 3);
        // The batch request itself is reset before Business Central processes it: nothing of it was applied.
        await setFaults(emulator.url, [{ method: 'POST', resetConnection: true, count: 1 }]);
        const before = await innerStats(emulator.url);
        const results = await bc.writeBatch([
          { kind: 'update', entitySet: 'customers', id: a.id, etag: a['@odata.etag']!, body: { city: city(0) } },
          { kind: 'update', entitySet: 'customers', id: b.id, etag: '*', body: { city: city(1) } },
          { kind: 'delete', entitySet: 'customers', id: gone.id, etag: gone['@odata.etag']! },
        ]);
        assert.ok(
          results.every((r) => r.ok),
          inspect(results),
        );
        assert.equal((await innerStats(emulator.url)).total - before.total, 3, 'each operation ran once');
        assert.equal((await bc.get('customers', a.id))!.city, city(0));
        assert.equal((await bc.get('customers', b.id))!.city, city(1));
        assert.equal(await bc.get('customers', gone.id), null);
      });
    });
  });

  describe('Dataverse', () => {
    let emulator: Awaited<ReturnType<typeof startDataverseEmulator>>;
    const client = (retry: RetryOptions = { baseDelayMs: 20, maxDelayMs: 200 }): DataverseClient =>
      createDataverseClient({
        url: emulator.url,
        tokenProvider: createTokenProvider({
          authorityHost: emulator.url,
          tenant: TENANT,
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          scope: 'https://bcsync.crm.dynamics.com/.default',
        }),
        retry,
        logger,
      });
    const accountsNamed = async (dv: DataverseClient, prefix: string) => {
      const out: Array<Record<string, unknown>> = [];
      for await (const page of dv.listAll({ entitySet: 'accounts', filter: `startswith(name,'${prefix}')` }))
        out.push(...page);
      return out;
    };

    before(async () => {
      emulator = await startDataverseEmulator({ seed: false });
    });
    after(async () => emulator?.close());
    beforeEach(async () => {
      await control(emulator.url, 'reset');
    });

    it('ends with every operation done and one row per create when operations answer 503, 429, 502 and 504 a few times', async () => {
      const dv = client();
      const [keep1, keep2, drop1] = [randomUUID(), randomUUID(), randomUUID()];
      const setup = await dv.writeBatch(
        [keep1, keep2, drop1].map((id, i) => ({
          kind: 'createWithId',
          set: 'accounts',
          id,
          body: { name: `Keep ${i}` },
        })),
      );
      assert.ok(
        setup.every((r) => r.ok),
        inspect(setup),
      );
      const created = Array.from({ length: 8 }, () => randomUUID());
      // Every rule that matches an operation spends one of its `count`, so no operation matches two rules.
      await setFaults(emulator.url, [
        { recordId: created[0], status: 503, count: 3 },
        { recordId: created[1], status: 429, retryAfterSeconds: 1, count: 2 },
        { recordId: created[2], status: 502, count: 2 },
        { recordId: created[3], status: 504, count: 1 },
        { recordId: keep1, status: 502, count: 1 },
        { recordId: drop1, status: 503, count: 1 },
      ]);
      const before = await innerStats(emulator.url);
      const ops: DvWriteOp[] = [
        ...created.map((id, i) => ({
          kind: 'createWithId' as const,
          set: 'accounts' as const,
          id,
          body: { name: `Storm ${i}` },
        })),
        { kind: 'update', set: 'accounts', id: keep1, body: { address1_city: 'Oslo' } },
        { kind: 'update', set: 'accounts', id: keep2, body: { address1_city: 'Bergen' } },
        { kind: 'delete', set: 'accounts', id: drop1 },
      ];
      const results = await dv.writeBatch(ops);
      assert.ok(
        results.every((r) => r.ok),
        inspect(results.filter((r) => !r.ok)),
      );
      const after = await innerStats(emulator.url);
      const faulted = (status: string) => (after.byStatus[status] ?? 0) - (before.byStatus[status] ?? 0);
      assert.deepEqual([faulted('503'), faulted('429'), faulted('502'), faulted('504')], [4, 2, 3, 1]);

      const rows = await accountsNamed(dv, 'Storm ');
      assert.deepEqual(
        rows.map((r) => r.name).sort(),
        Array.from({ length: 8 }, (_, i) => `Storm ${i}`),
      );
      assert.deepEqual(rows.map((r) => String(r.accountid)).sort(), [...created].sort());
      assert.equal((await dv.get('accounts', keep1))!.address1_city, 'Oslo');
      assert.equal((await dv.get('accounts', keep2))!.address1_city, 'Bergen');
      assert.equal(await dv.get('accounts', drop1), null);
    });

    it('reports an operation that stays unavailable past the retry budget as a transient failure', async () => {
      const stuck = randomUUID();
      await client().createWithId('accounts', stuck, { name: 'Stuck', address1_city: 'Before' });
      const never = randomUUID();
      await setFaults(emulator.url, [
        { entitySet: 'accounts', recordId: stuck, status: 503 },
        { entitySet: 'accounts', recordId: never, status: 429 },
      ]);
      const dv = client(SMALL_BUDGET);
      const [update, create] = await dv.writeBatch([
        { kind: 'update', set: 'accounts', id: stuck, body: { address1_city: 'After' } },
        { kind: 'createWithId', set: 'accounts', id: never, body: { name: 'Never' } },
      ]);
      assert.ok(!update.ok && update.error instanceof TransientServerError, inspect(update));
      assert.equal(update.error.retryable, true);
      assert.equal(update.error.recordKey, stuck);
      assert.match(
        update.error.message,
        /PATCH accounts\(.*\).*; the service stayed unavailable \(503\) after 3 attempts over \d+ s; the record will be retried on the next run$/,
      );
      assert.ok(!create.ok && create.error instanceof ThrottledError, inspect(create));
      assert.equal(create.error.retryable, true);
      assert.match(
        create.error.message,
        /the service kept throttling \(429\) after 3 attempts.*retried on the next run/,
      );
      await setFaults(emulator.url, []);
      assert.equal((await dv.get('accounts', stuck, { select: ['address1_city'] }))!.address1_city, 'Before');
      assert.equal(await dv.get('accounts', never), null);
    });
  });
});
