/**
 * `bcsync full-sync` as an operator runs it, against its own namespace with no worker (started runs stay running):
 * what it starts, how it refuses a second one and bad mapping names. The full synchronization itself is tested end to
 * end in test/sync/full-sync.test.ts.
 */
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { defaultMappings } from '../../mappings';
import { BcSyncMapping } from '../../workflows/definitions';
import { runBcsync } from '../support/cli';
import { eventually } from '../support/env';
import { openOperatorEnv, type OperatorEnv, terminateAll } from './operator-env';

async function inputOf(client: Client, workflowId: string): Promise<unknown[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  return payloads.map((p) => client.options.loadedDataConverter.payloadConverter.fromPayload(p));
}

describe('bcsync full-sync', function () {
  this.timeout(120_000);
  let op: OperatorEnv;
  before(async () => {
    op = await openOperatorEnv();
  });
  afterEach(async () => terminateAll(op.client));
  after(async () => op.close());
  const bcsync = (...args: string[]) => runBcsync(args, op.env);

  it('starts fullSync for every mapping with a full-sync- id, the FULL-SYNC attribute and the UI link', async () => {
    const r = await bcsync('full-sync', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { workflowId: string; url: string };
    assert.match(out.workflowId, /^full-sync-\d{4}-\d\d-\d\dT/);
    assert.ok(out.url.includes(`/workflows/${encodeURIComponent(out.workflowId)}`), out.url);
    assert.deepEqual(await inputOf(op.client, out.workflowId), [
      { mappings: defaultMappings().map((m) => m.name), dryRun: false },
    ]);
    const d = await op.client.workflow.getHandle(out.workflowId).describe();
    assert.equal(d.type, 'fullSync');
    assert.equal(d.typedSearchAttributes.get(BcSyncMapping), 'FULL-SYNC');

    // A second one would match and create the same records alongside: refused, naming the running one.
    const second = await eventually(async () => {
      const again = await bcsync('full-sync', '--mapping', 'customer');
      return again.code === 1 ? again : undefined;
    }, 'the second full-sync to be refused');
    assert.match(second.stderr, new RegExp(`a full synchronization is already running: ${out.workflowId}`));
  });

  it('passes the named mappings and the dry run, and refuses an unknown mapping with exit 2', async () => {
    const r = await bcsync('full-sync', '--mapping', 'contact', 'customer', '--dry-run', '--json');
    assert.equal(r.code, 0, r.stderr);
    const { workflowId } = JSON.parse(r.stdout) as { workflowId: string };
    assert.deepEqual(await inputOf(op.client, workflowId), [{ mappings: ['CONTACT', 'CUSTOMER'], dryRun: true }]);

    const bad = await bcsync('full-sync', '--mapping', 'NOPE');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown mapping 'NOPE'; valid mappings: /);
  });
});
