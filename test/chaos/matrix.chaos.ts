/**
 * `npm run chaos`: the whole chaos matrix (test/support/chaos.ts) at full scale — 120 customers and 30
 * Dataverse-only accounts in pages of 10, 20 worker kills, 15 rounds of MySQL `KILL` — on the customers' mappings,
 * most of it again on every mapping, and the storm of test/support/transient-storm.ts on 1,000 customers. Results: docs/reliability.md, "Chaos matrix".
 */
import { chaosCases, describeChaos, fullScale } from '../support/chaos';

describe('the chaos matrix (full scale)', function () {
  this.timeout(900_000);
  describeChaos(fullScale, Object.keys(chaosCases));
  // Every mapping the demo synchronizes, lookups on, with items, prices, invoices and the statistics job: the faults
  // that cut a run off (processes, store, network). The 429 and 5xx cases, which only slow it, run on the customers'.
  describeChaos(
    fullScale,
    ['worker SIGKILL', 'Temporal restart', 'MySQL KILL', 'connection resets', 'latency spikes', 'tokens revoked'],
    'every mapping',
  );
});
