/**
 * What the operator-command tests share: their own Temporal namespace on the run's dev server (schedule ids such as
 * `bcsync-customer` are fixed by the product, so a namespace of their own keeps other tests' schedules out of their
 * way), their own task queue (no worker polls it: started runs just stay running) and their own MySQL database.
 */
import { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { openMysqlStore, type Store } from '../../store/database';
import { migrateLatest } from '../../store/migrate';
import { searchAttributeKeys } from '../../workflows/definitions';
import { eventually, testResources, uniqueName } from '../support/env';

export interface OperatorEnv {
  /** The environment of each `bcsync` process. */
  env: Record<string, string>;
  namespace: string;
  taskQueue: string;
  /** A client on the namespace, for reading back what the CLI did. */
  client: Client;
  /** The store the CLI uses (migrated). */
  store: Store;
  close(): Promise<void>;
}

/** Registers a fresh namespace with the product's search attributes and waits until it accepts them. */
async function registerNamespace(): Promise<string> {
  const { connection } = testResources().temporal;
  const namespace = uniqueName('bcsync-op');
  await connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: msToTs('1 day'),
  });
  const searchAttributes = Object.fromEntries(
    searchAttributeKeys.map((k) => [
      k.name,
      temporal.api.enums.v1.IndexedValueType[
        `INDEXED_VALUE_TYPE_${k.type}` as keyof typeof temporal.api.enums.v1.IndexedValueType
      ],
    ]),
  );
  await eventually(async () => {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
    return true;
  }, `namespace ${namespace} to accept search attributes`);
  await eventually(async () => {
    const r = await connection.operatorService.listSearchAttributes({ namespace });
    return searchAttributeKeys.every((k) => r.customAttributes?.[k.name] !== undefined);
  }, `the search attributes of ${namespace}`);
  return namespace;
}

let databases = 0;

/** A namespace, a task queue and a migrated MySQL database for one test file. */
export async function openOperatorEnv(): Promise<OperatorEnv> {
  const r = testResources();
  const namespace = await registerNamespace();
  const taskQueue = uniqueName('op-queue');
  databases += 1;
  const mysqlUrl = `${r.mysqlServerUrl}/${r.database}_op${process.pid}_${databases}`;
  const store = await openMysqlStore(mysqlUrl);
  await migrateLatest(store);
  const client = new Client({ connection: r.temporal.connection, namespace });
  return {
    env: {
      TEMPORAL_ADDRESS: r.temporal.address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      MYSQL_URL: mysqlUrl,
    },
    namespace,
    taskQueue,
    client,
    store,
    close: () => store.close(),
  };
}

/** Terminates every running workflow of the namespace (the runs tests started on queues no worker polls). */
export async function terminateAll(client: Client, query = 'ExecutionStatus = "Running"'): Promise<void> {
  for await (const wf of client.workflow.list({ query })) {
    try {
      await client.workflow.getHandle(wf.workflowId, wf.runId).terminate('test clean-up');
    } catch {
      // Already closed.
    }
  }
}
