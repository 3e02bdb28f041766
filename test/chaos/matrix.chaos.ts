/**
 * `npm run chaos`: the whole chaos matrix (test/support/chaos.ts) at full scale — 120 customers and 30
 * Dataverse-only accounts in pages of 10, 20 worker kills, 15 rounds of MySQL `KILL` — and the storm of
 * test/support/transient-storm.ts on 1,000 customers. Results: docs/reliability.md, "Chaos matrix".
 */
import { chaosCases, describeChaos, fullScale } from '../support/chaos';

describe('the chaos matrix (full scale)', function () {
  this.timeout(900_000);
  describeChaos(fullScale, Object.keys(chaosCases));
});
