/**
 * Invariant 7 (DESIGN §7.7, "Transient is not failed") under a storm of 429 and 503 answers on both services, at the
 * scale `npm test` can afford (test/support/transient-storm.ts; `npm run chaos` runs it on 1,000 customers).
 */
import { describeStorm } from '../support/transient-storm';

describeStorm({ customers: 250, dataverseOnlyAccounts: 100 });
