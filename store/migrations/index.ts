/**
 * The migration list, in order. Knex's `migrationSource` reads this list instead of scanning a directory, so the
 * same migrations run under ts-node, compiled JS and bundlers, and their order is explicit.
 */
import type { Knex } from 'knex';
import * as createCouplings from './20261124000100-create-couplings';
import * as createWatermarks from './20261124000200-create-watermarks';
import * as createSyncJobs from './20261124000300-create-sync-jobs';
import * as createSyncErrors from './20261124000400-create-sync-errors';
import * as createPendingWrites from './20261124000500-create-pending-writes';
import * as createFieldChanges from './20261124000600-create-field-changes';
import * as createOptionMappings from './20261124000700-create-option-mappings';
import * as createSyncPages from './20261124000800-create-sync-pages';
import * as createPendingFailures from './20261201000100-create-pending-failures';
import * as couplingsRequireBothIds from './20261201000200-couplings-require-both-ids';
import * as indexJobLogPages from './20261201000300-index-job-log-pages';
import * as indexErrorLogPages from './20261201000400-index-error-log-pages';
import * as createSyncLeases from './20261201000500-create-sync-leases';
import * as createSyncPageReads from './20261201000600-create-sync-page-reads';
import * as widenPageTexts from './20261202000100-widen-page-texts';

export interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: ReadonlyArray<readonly [name: string, migration: Migration]> = [
  ['20261124000100-create-couplings', createCouplings],
  ['20261124000200-create-watermarks', createWatermarks],
  ['20261124000300-create-sync-jobs', createSyncJobs],
  ['20261124000400-create-sync-errors', createSyncErrors],
  ['20261124000500-create-pending-writes', createPendingWrites],
  ['20261124000600-create-field-changes', createFieldChanges],
  ['20261124000700-create-option-mappings', createOptionMappings],
  ['20261124000800-create-sync-pages', createSyncPages],
  ['20261201000100-create-pending-failures', createPendingFailures],
  ['20261201000200-couplings-require-both-ids', couplingsRequireBothIds],
  ['20261201000300-index-job-log-pages', indexJobLogPages],
  ['20261201000400-index-error-log-pages', indexErrorLogPages],
  ['20261201000500-create-sync-leases', createSyncLeases],
  ['20261201000600-create-sync-page-reads', createSyncPageReads],
  ['20261202000100-widen-page-texts', widenPageTexts],
];

/** Knex migration source over the explicit list above. */
export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => migrations.map(([, m]) => m),
  getMigrationName: (m) => migrations.find(([, x]) => x === m)![0],
  getMigration: async (m) => m,
};
