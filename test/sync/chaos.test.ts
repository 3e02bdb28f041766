/**
 * The chaos matrix at its quick scale (test/support/chaos.ts), on 24 customers and 6 Dataverse-only accounts in pages
 * of 5: three cases that hold today and take about 20 s each. `npm run chaos` runs every case at full scale;
 * docs/reliability.md ("Chaos matrix") lists the results, including the cases that still find faults.
 */
import { describeChaos, quickScale } from '../support/chaos';

describe('the chaos matrix (quick scale)', function () {
  this.timeout(300_000);
  describeChaos(quickScale, ['Temporal restart', 'MySQL KILL', 'tokens revoked']);
});
