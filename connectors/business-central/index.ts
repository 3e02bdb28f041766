export * from './business-central-client';
export * from './entity-sets';
export { classifyBcError } from './classify-error';
export type { ChangeCursor, ChangedPage } from '../http/changed-page-reader';
