/** Building the sync console in tests: a `CommandContext` lent the test's store, Temporal client and connectors. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { Connectors } from '../../activities/sides';
import { loadConfig } from '../../config';
import { CommandContext } from '../../client/context';
import type { Store } from '../../store/database';
import { createLogger } from '../../worker/logger';
import { testResources } from './env';

/** A token long enough for the config's rule (at least 16 characters); what the tests log in with. */
export const OPERATOR_TOKEN = 'console-test-operator-token-7f3a9c';

/**
 * A context for the console on the run's Temporal dev server (namespace `default` unless told) and `store`, starting runs on
 * `taskQueue`, with the default mappings (a fresh DATA_DIR holds no demo mapping file).
 */
export function consoleContext(o: {
  store: Store;
  taskQueue: string;
  connectors?: Connectors;
  token?: string;
  /** (Default: `default`) */
  namespace?: string;
}) {
  const r = testResources();
  const namespace = o.namespace ?? 'default';
  const config = loadConfig({
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'bcsync-console-')),
    TEMPORAL_ADDRESS: r.temporal.address,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: o.taskQueue,
    ...(o.token ? { CONSOLE_OPERATOR_TOKEN: o.token } : {}),
  });
  const logger = createLogger('silent', 'console-test', 'json');
  const ctx = new CommandContext({
    config,
    logger,
    store: o.store,
    client: namespace === 'default' ? r.temporal.client : new Client({ connection: r.temporal.connection, namespace }),
    connectors: o.connectors,
  });
  return { ctx, config, logger };
}
