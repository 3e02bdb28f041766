/**
 * Bounded history (DESIGN §5, issue 12): a run's workflow history grows with page activities, not records. At the
 * default page size, each further 1,000 records a BC→Dataverse pass writes add at most 10 history events, so a large
 * initial synchronization stays far from Temporal's history limits. (A run also has a fixed cost of about 25 events —
 * planning, opening and closing the pass, search attributes — whatever its size.)
 */
import assert from 'node:assert/strict';
import { testResources } from '../support/env';
import { pass, startSync } from '../support/sync-runs';
import { mappingsWith, startSyncStack } from '../support/sync-stack';

/** Runs a full BC→Dataverse pass of CUSTOMER over `customers` new customers; returns records written and events. */
async function fullPass(customers: number): Promise<{ records: number; events: number }> {
  const stack = await startSyncStack({
    seed: { customers, contactsPerCustomer: 0, overlapFraction: 0, dataverseOnlyAccounts: 1 },
    mappings: mappingsWith({
      mappings: {
        CUSTOMER: {
          onlyCoupled: false,
          fieldMappings: [
            { bcField: 'salespersonCode', enabled: false },
            { bcField: 'currencyCode', enabled: false },
          ],
        },
      },
    }),
  });
  try {
    const handle = await startSync(stack.taskQueue, { mapping: 'CUSTOMER', mode: 'full', direction: 'to-dataverse' });
    const result = await handle.result();
    const records = pass(result, 'to-dataverse').counts.inserted;
    const { client } = testResources().temporal;
    const history = await client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
    return { records, events: history.events?.length ?? 0 };
  } finally {
    await stack.close();
  }
}

describe('workflow history per record', function () {
  this.timeout(300_000);

  it('grows by at most 10 events per 1,000 further records at the default page size', async () => {
    const small = await fullPass(500);
    const large = await fullPass(2500);
    assert.ok(large.records - small.records >= 1500, JSON.stringify({ small, large }));
    const perThousand = ((large.events - small.events) / (large.records - small.records)) * 1000;
    console.log(
      `      ${small.events} events for ${small.records} records, ${large.events} for ${large.records}: ` +
        `${perThousand.toFixed(1)} events per 1,000 further records`,
    );
    assert.ok(perThousand <= 10, `${perThousand.toFixed(1)} events per 1,000 further records`);
  });
});
