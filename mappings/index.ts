export * from './mapping-model';
export * from './transform-names';
export * from './duration';
export * from './dependency-order';
export * from './cross-references';
export * from './default-mappings';
export * from './mapping-overrides';
export * from './demo-overrides';
