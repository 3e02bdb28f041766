/**
 * Registers the product's custom search attributes (DESIGN §5) through the operator service — for external clusters,
 * and for a dev-server state file that predates an attribute. Idempotent.
 */
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

export const requiredSearchAttributes: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  BcSyncMapping: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  BcSyncOutcome: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  BcSyncFailed: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  BcSyncChanged: IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

/** Adds the missing search attributes to `namespace` and waits (up to 30 s) until all are listed. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const list = async () =>
    (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  const existing = await list();
  const missing = Object.fromEntries(Object.entries(requiredSearchAttributes).filter(([name]) => !(name in existing)));
  if (Object.keys(missing).length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (err) {
    // ALREADY_EXISTS (6) when another process registered them first.
    if ((err as { code?: number }).code !== 6) throw err;
  }
  const deadline = Date.now() + 30_000;
  while (Object.keys(requiredSearchAttributes).some((name) => !(name in existing))) {
    if (Date.now() > deadline) throw new Error('the search attributes did not appear within 30 s');
    await new Promise((r) => setTimeout(r, 200));
    Object.assign(existing, await list());
  }
}
