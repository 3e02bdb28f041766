/**
 * `npm run chaos`: the storm of test/support/transient-storm.ts at full scale — 1,000 customers and 400 Dataverse-only
 * accounts, the size at which the storm first showed failed records. Not part of `npm test` (about four minutes).
 */
import { describeStorm } from '../support/transient-storm';

describeStorm({ customers: 1000, dataverseOnlyAccounts: 400 });
