import type { PassCounts } from './run-types';

/** A record as read from or written to either API: property name → JSON value. */
export type DataRecord = Readonly<Record<string, unknown>>;

/** The counters of a pass (DESIGN §4 `sync_jobs`); every record a pass looks at lands in exactly one of them,
 *  except ignored records (uncoupled with "synchronize only coupled records"), which are not counted. */
export type Counter = Exclude<keyof PassCounts, 'coupled' | 'uncoupled'>;

/**
 * The engine's view of a coupling in one direction: the result of the last attempt. The stored row has more
 * (`CouplingDirectionState`, store/couplings.ts).
 */
export interface DirectionState {
  readonly lastResult: 'success' | 'failure' | null;
  /** The error message of the last failure in this direction (raw or normalised), if the last result is a failure. */
  readonly lastError: string | null;
}

/** The coupling row as the engine needs it (DESIGN §4 `couplings`). */
export interface CouplingState {
  readonly bcId: string;
  readonly dvId: string;
  readonly skipped: boolean;
  /** Hash of the BC record's mapped values as last synchronized (`hashRecord(mapping, 'bc', …)`); null = unknown. */
  readonly bcHash: string | null;
  /** Hash of the Dataverse row's mapped values as last synchronized; null = unknown. */
  readonly dvHash: string | null;
  readonly toDataverse: DirectionState;
  readonly toBc: DirectionState;
}
