/** The workflow bundle's entry point: every workflow type the worker registers. */
export { smokeRun } from './smoke-run';
export { syncMapping } from './sync-mapping';
export { fullSync } from './full-sync';
export { matchMapping } from './match-mapping';
export { customerStatistics } from './customer-statistics';
