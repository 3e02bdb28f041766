/** The environment of a separate `bcsync worker` process pointed at a test stack's emulators, store and task queue. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './cli';
import { testResources } from './env';
import { ORG_URL, type SyncStack, TENANT } from './sync-stack';

/**
 * Environment variables for `bcsync worker` against `stack`, with `overrides` written to a MAPPINGS_FILE of its own
 * (so the process runs the same mappings as the stack's in-process worker) and `extra` variables on top.
 */
export async function workerEnv(
  stack: SyncStack,
  overrides: unknown,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bcsync-worker-'));
  const mappingsFile = path.join(dir, 'mappings.json');
  writeFileSync(mappingsFile, JSON.stringify(overrides));
  const conn = stack.store.knex.client.config.connection as {
    host: string;
    port: number;
    user: string;
    database: string;
  };
  return {
    TEMPORAL_ADDRESS: testResources().temporal.address,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    MYSQL_URL: `mysql://${conn.user}@${conn.host}:${conn.port}/${conn.database}`,
    BC_API_URL: `${stack.emulators.bc.url}/v2.0`,
    BC_AUTHORITY_HOST: stack.emulators.bc.url,
    BC_TENANT_ID: TENANT,
    BC_COMPANY_ID: stack.emulators.bc.companyId,
    DATAVERSE_URL: stack.emulators.dv.url,
    DATAVERSE_AUTHORITY_HOST: stack.emulators.dv.url,
    DATAVERSE_TENANT_ID: TENANT,
    EMULATOR_DV_ORG_URL: ORG_URL,
    MAPPINGS_FILE: mappingsFile,
    METRICS_PORT: String(await freePort()),
    SYNC_METRICS_PORT: '0',
    DATA_DIR: dir,
    ...extra,
  };
}
