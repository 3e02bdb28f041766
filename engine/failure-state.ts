import type { PassDirection } from './run-types';
import { normalizeErrorMessage } from './messages';
import type { CouplingState, DirectionState } from './record-types';

/** What to store on the coupling when a record fails in one direction. */
export interface FailureOutcome {
  /** The message to store (error row and coupling), as given. */
  readonly message: string;
  /** The normalised message the "same error twice" rule compares. */
  readonly normalizedMessage: string;
  /** True when this is the second consecutive failure with the same normalised message: mark the coupling skipped. */
  readonly skip: boolean;
}

/** The coupling's state for one pass direction. */
export function directionState(coupling: CouplingState, direction: PassDirection): DirectionState {
  return direction === 'to-dataverse' ? coupling.toDataverse : coupling.toBc;
}

/**
 * Applies the "two identical failures ⇒ skipped" rule (reference/bc-sync-semantics.md §3.2): a coupled record whose
 * previous attempt in this direction failed with the same normalised message is parked (skipped) and reported;
 * a different message resets the count (it stays a plain failure, retried next run). Uncoupled records (failed
 * creates) are never skipped — they have no coupling to park. Call it for every failure, including the API's own
 * write errors.
 */
export function failureOutcome(
  coupling: CouplingState | null,
  direction: PassDirection,
  message: string,
): FailureOutcome {
  const normalizedMessage = normalizeErrorMessage(message);
  if (coupling === null) return { message, normalizedMessage, skip: false };
  const previous = directionState(coupling, direction);
  const skip =
    previous.lastResult === 'failure' &&
    previous.lastError !== null &&
    normalizeErrorMessage(previous.lastError) === normalizedMessage;
  return { message, normalizedMessage, skip };
}

/**
 * The same "two identical failures ⇒ skipped" rule for a record that failed before it was ever coupled (its create
 * was refused): `previous` is its last recorded failure in this direction, if any. A transient failure (throttling,
 * an unavailable service, after the retries ran out) never parks a record: it says nothing about the record's data.
 */
export function pendingFailureOutcome(
  previous: { readonly lastError: string | null } | null,
  message: string,
  transient = false,
): FailureOutcome {
  const normalizedMessage = normalizeErrorMessage(message);
  const skip =
    !transient &&
    previous !== null &&
    previous.lastError !== null &&
    normalizeErrorMessage(previous.lastError) === normalizedMessage;
  return { message, normalizedMessage, skip };
}
