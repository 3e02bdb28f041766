/**
 * The chaos matrix at its quick scale (test/support/chaos.ts), on 24 customers and 6 Dataverse-only accounts in pages
 * of 5: the faults that strike processes and the store, about 20–35 s each. test/sync/chaos-network.test.ts runs the
 * network's; a SIGKILL case also runs over every mapping the demo synchronizes. The 429 and 5xx cases take two
 * minutes each at this scale (every fault waits out its Retry-After or back-off) and run in `npm run chaos` only;
 * test/sync/transient-storm.test.ts throttles 250 customers in `npm test`.
 * docs/reliability.md ("Chaos matrix") lists the results at full scale.
 */
import { describeChaos, quickScale } from '../support/chaos';

describe('the chaos matrix (quick scale): processes and the store', function () {
  this.timeout(300_000);
  describeChaos(quickScale, ['worker SIGKILL', 'Temporal restart', 'MySQL KILL', 'two runs at once']);
  // Every mapping that has data (items, prices, invoices, statistics, …), with their lookups on: about 50 s.
  describeChaos(quickScale, ['worker SIGKILL'], 'every mapping');
});
