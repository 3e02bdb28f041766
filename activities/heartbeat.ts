/**
 * Heartbeats of long activities (a page, a part of the statistics job): a page may wait on throttled APIs for a
 * while, so it keeps heartbeating on a timer — a dead worker is noticed within the heartbeat timeout and a slow one
 * is not mistaken for dead.
 */
import { Context } from '@temporalio/activity';

/** How often a running activity heartbeats (well under the page profile's heartbeat timeout). */
export const HEARTBEAT_EVERY_MS = 3000;

/** Heartbeats with `details` (progress for the Temporal UI); does nothing outside an activity (unit use). */
export function heartbeat(details?: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Called outside an activity: nothing to report to.
  }
}

/**
 * Heartbeats every `everyMs` (Default: HEARTBEAT_EVERY_MS) with the current `details()` until the returned function
 * is called; call it in a `finally`.
 */
export function heartbeatPump(details: () => unknown = () => undefined, everyMs = HEARTBEAT_EVERY_MS): () => void {
  const timer = setInterval(() => heartbeat(details()), everyMs);
  return () => clearInterval(timer);
}
