/**
 * The chaos matrix at its quick scale (test/support/chaos.ts): the faults that strike the network — connections
 * reset (a Business Central `$batch` applied, its answer lost), latency spikes and access tokens revoked mid-run.
 * test/sync/chaos.test.ts runs the process and store faults.
 */
import { describeChaos, quickScale } from '../support/chaos';

describe('the chaos matrix (quick scale): the network', function () {
  this.timeout(300_000);
  describeChaos(quickScale, ['connection resets', 'latency spikes', 'tokens revoked']);
});
