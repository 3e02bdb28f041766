/**
 * Records the history of one closed workflow run as a committed replay fixture, `test/histories/<name>.json`, which
 * test/sync/replay.test.ts replays against the current workflow code on every test run.
 *
 *   npm run histories:record -- <name> --workflow-id <id> [--run-id <run id>]
 *
 * The run is read from the configured Temporal (TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE, else the embedded dev server's
 * address), so record while `npm start` (or the cluster) still holds it. Without `--run-id` the latest run of the
 * workflow id is recorded; name a run of a continue-as-new chain with `--run-id` to record that one.
 *
 * A history is the record of what an earlier version of the workflow did; it is never re-recorded to make a workflow
 * change pass replay (docs/workflow-changes.md): the script refuses to overwrite an existing file, and refuses a
 * history that the current workflow code does not replay.
 *
 * Exit codes: 0 recorded (the path on stdout), 1 failure (file exists, run not found or still running, does not
 * replay), 2 bad usage; one-line reason on stderr.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { CommandContext } from '../client/context';
import { workflowsPath } from '../worker/create-worker';

/** Where the committed histories live. */
export const HISTORIES_DIR = path.join(__dirname, '..', 'test', 'histories');

/** A recording that must not (or cannot) be made; `usage` marks a bad command line (exit 2). */
export class RecordHistoryError extends Error {
  override readonly name = 'RecordHistoryError';
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

export interface RecordHistoryOptions {
  client: Client;
  /** The file name without `.json`: lower-case words joined by hyphens, e.g. `sync-customer-dependency-skip`. */
  name: string;
  workflowId: string;
  /** A run of the workflow id. (Default: its latest run) */
  runId?: string;
  /** Where to write. (Default: test/histories) */
  dir?: string;
}

/**
 * The path of a new history `<dir>/<name>.json` (Default dir: test/histories). Throws `RecordHistoryError` when the
 * name is not kebab-case (a usage error) or the file already exists.
 */
export function newHistoryFile(name: string, dir = HISTORIES_DIR): string {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) {
    throw new RecordHistoryError(`'${name}' is not a history name: use lower-case words joined by hyphens`, true);
  }
  const file = path.join(dir, `${name}.json`);
  if (existsSync(file)) {
    throw new RecordHistoryError(
      `${file} exists: a committed history is never re-recorded; record the new run under a new name, and make a ` +
        `workflow change that breaks replay with patched() (docs/workflow-changes.md)`,
    );
  }
  return file;
}

/**
 * Fetches the history of a closed run, checks that the current workflow code replays it, and writes it to
 * `<dir>/<name>.json`. Returns the path written. Throws `RecordHistoryError` when the name is not kebab-case, the file
 * already exists, the run is still running, or the history does not replay; a Temporal error when the run does not
 * exist.
 */
export async function recordHistory(o: RecordHistoryOptions): Promise<string> {
  const file = newHistoryFile(o.name, o.dir);
  const handle = o.client.workflow.getHandle(o.workflowId, o.runId);
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') {
    throw new RecordHistoryError(
      `workflow ${o.workflowId} run ${description.runId} is still running: record a closed run`,
    );
  }
  const history = await handle.fetchHistory();
  try {
    await Worker.runReplayHistory({ workflowsPath, replayName: o.name }, history, o.workflowId);
  } catch (err) {
    throw new RecordHistoryError(
      `the current workflow code does not replay run ${description.runId} of ${o.workflowId}: ${(err as Error).message}`,
    );
  }
  writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
  return file;
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'workflow-id': { type: 'string' }, 'run-id': { type: 'string' } },
    });
  } catch (err) {
    process.stderr.write(`record-histories: ${(err as Error).message}\n`);
    return 2;
  }
  const [name, ...extra] = args.positionals;
  const workflowId = args.values['workflow-id'];
  if (!name || extra.length || !workflowId) {
    process.stderr.write('usage: npm run histories:record -- <name> --workflow-id <id> [--run-id <run id>]\n');
    return 2;
  }
  const ctx = new CommandContext();
  try {
    newHistoryFile(name); // before connecting: a bad name or an existing file needs no Temporal to be refused
    const file = await recordHistory({ client: await ctx.temporal(), name, workflowId, runId: args.values['run-id'] });
    process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`record-histories: ${(err as Error).message.split('\n')[0]}\n`);
    return err instanceof RecordHistoryError && err.usage ? 2 : 1;
  } finally {
    await ctx.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`record-histories: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
