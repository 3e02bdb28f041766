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

/**
 * One page of records (read, transform, write in batches, commit): up to 10 minutes per attempt with a heartbeat
 * every page step, retried with backoff for up to an hour. Per-record failures never fail the activity; only
 * whole-request failures (service down, throttled beyond patience, store unreachable) do.
 */
export const pageActivity: ActivityOptions = {
  startToCloseTimeout: '10m',
  // The page heartbeats every 3 s while it works (also while it waits on a throttled API), so 15 s of silence means
  // the worker is gone: the page is retried elsewhere, and its idempotent writes make the retry safe.
  heartbeatTimeout: '15s',
  scheduleToCloseTimeout: '1h',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    nonRetryableErrorTypes: ['NonRetryable'],
  },
};

/**
 * A bookkeeping call that may have to wait for another run: `startPass` and `startMatch` fail with a retryable
 * `MappingBusy` failure while another run of the mapping holds its lease (activities/mapping-lease.ts), and this
 * profile's retries are the wait — 30 s per attempt, backoff from 1 s to 30 s, no overall limit, because the other
 * run may take hours (a full synchronization). A run that died releases the mapping when its lease lapses (15 min) or
 * as soon as Temporal says its workflow ended.
 */
export const leaseWaitActivity: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: ['NonRetryable'],
  },
};
