export * from './dataverse-client';
export * from './entity-sets';
export { classifyDvError } from './classify-error';
export type { ChangeCursor, ChangedPage } from '../http/changed-page-reader';
