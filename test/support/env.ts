/**
 * Shared resources of one test run, owned by the root hooks (test/hooks/root.ts): one Temporal dev server (the pinned
 * CLI), one fresh MySQL database. Tests read them through these getters and give themselves their own task queues
 * and workflow ids.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';

export interface TestResources {
  temporal: TestWorkflowEnvironment;
  /** The path of the pinned Temporal CLI binary. */
  temporalCli: string;
  /** Server URL of the MySQL under test, without a database (mysql://user:pw@host:port). */
  mysqlServerUrl: string;
  /** URL of this run's fresh database. */
  mysqlUrl: string;
  /** The database name of this run (dropped when the run passes, kept when it fails). */
  database: string;
}

let resources: TestResources | undefined;

export function setTestResources(r: TestResources | undefined): void {
  resources = r;
}

/** The run's shared resources; throws if the root hooks did not run (mocha without test/hooks/root.ts). */
export function testResources(): TestResources {
  if (!resources) throw new Error('test resources are not set up: run mocha with the root hooks (npm test)');
  return resources;
}

let counter = 0;
/** A name unique within this run, for task queues, workflow ids and databases. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** Polls `probe` until it returns a value other than undefined/false, or throws after `timeoutMs` (Default: 20 s). */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
