/** Named timeout/retry profiles for activities (STYLE rule 3). */
import type { ActivityOptions } from '@temporalio/workflow';

/** Short bookkeeping calls (job rows, watermarks): 30 s per attempt, retried with backoff for up to 10 minutes. */
export const shortActivity: ActivityOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '10m',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: ['NonRetryable'],
  },
};
