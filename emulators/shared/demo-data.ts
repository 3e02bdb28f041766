/**
 * The deterministic demo dataset of both emulators; kept as an entry point for existing imports. The code lives in
 * demo-data/ (word lists, options, one generator per side).
 */
export * from './demo-data/index';
