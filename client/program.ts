/**
 * The `bcsync` command tree (DESIGN §8.2). Every read command takes `--json`. Exit codes: 0 success, 1 failure,
 * 2 bad usage, with a one-line reason on stderr.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { PassDirection } from '../engine/run-types';
import { coupleCommand, couplingsCommand } from './commands/couplings';
import { historyCommand } from './commands/history';
import { errorsCommand } from './commands/errors';
import { fullSyncCommand } from './commands/full-sync';
import { jobsCommand } from './commands/jobs';
import { syncRecordCommand, uncoupleCommand } from './commands/record';
import { mappingsCommand } from './commands/mappings';
import { migrateCommand } from './commands/migrate';
import { rerunCommand } from './commands/rerun';
import { retryCommand } from './commands/retry';
import { runCommand } from './commands/run';
import { matchCommand } from './commands/match';
import { optionsCommand, optionsSyncCommand } from './commands/options';
import {
  scheduleBackfillCommand,
  scheduleListCommand,
  scheduleStartCommand,
  scheduleStopCommand,
  scheduleTriggerCommand,
} from './commands/schedule';
import { restoreCommand, skippedCommand } from './commands/skipped';
import { smokeCommand } from './commands/smoke';
import { MappingsFileError } from '../worker/load-mappings';
import { CommandContext } from './context';
import { CliError } from './errors';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/**
 * Builds the program; `run` wraps each action with a fresh context that is always closed. The commands that serve
 * (start, emulators, worker, console) are loaded when run: they bring the Temporal worker, webpack and fastify, which
 * would add about a second of CPU to every other command's start.
 */
export function buildProgram(): Command {
  const program = new Command('bcsync')
    .description('Durable Business Central ⇄ Dynamics 365 Sales synchronization on Temporal')
    .showHelpAfterError('(run with --help for usage)')
    // A command's options belong to it, not to its parent: `bcsync options sync --json` is sync's --json, not the
    // listing's (the program itself has no options, so nothing else changes).
    .enablePositionalOptions()
    .exitOverride();

  const action =
    <A extends unknown[]>(fn: (ctx: CommandContext, ...args: A) => Promise<void>) =>
    async (...args: A) => {
      const ctx = new CommandContext();
      try {
        await fn(ctx, ...args);
      } finally {
        await ctx.close();
      }
    };

  program
    .command('start')
    .description('run the main job: Temporal dev server with UI, store, worker (Ctrl-C stops everything)')
    .action(action(async (ctx) => (await import('./commands/start')).startCommand(ctx)));

  program
    .command('emulators')
    .description('serve the Business Central and Dataverse emulators with the demo data (npm run emulators)')
    .action(action(async (ctx) => (await import('./commands/emulators')).emulatorsCommand(ctx)));

  program
    .command('worker')
    .description('run a worker on the configured task queue (production entry point)')
    .action(action(async (ctx) => (await import('./commands/worker')).workerCommand(ctx)));

  program
    .command('console')
    .description(
      'serve the sync console in the browser on its own (CONSOLE_PORT; read-only without CONSOLE_OPERATOR_TOKEN)',
    )
    .action(action(async (ctx) => (await import('./commands/console')).consoleCommand(ctx)));

  program
    .command('migrate')
    .description('bring the store schema up to date')
    .option('--down', 'roll back every migration instead')
    .option('--status', 'show applied and pending migrations')
    .option('--json', 'print JSON')
    .action(action((ctx, opts: { down?: boolean; status?: boolean; json?: boolean }) => migrateCommand(ctx, opts)));

  program
    .command('smoke')
    .description('start a smoke run: a workflow whose activity writes and closes one sync_jobs row')
    .option('--wait', 'wait for the outcome')
    .option('--json', 'print JSON')
    .action(action((ctx, opts: { wait?: boolean; json?: boolean }) => smokeCommand(ctx, opts)));

  program
    .command('mappings')
    .description('the integration table mappings: direction, entity sets, dependencies, schedule state')
    .option('--json', 'print JSON')
    .action(action((ctx, opts: { json?: boolean }) => mappingsCommand(ctx, opts)));

  const schedule = program
    .command('schedule')
    .description('the Temporal Schedules of the mappings (one per mapping, id bcsync-<mapping>)');

  schedule
    .command('start')
    .description('create or update and resume the schedules of the mappings')
    .argument('[mappings...]', "mapping names (quote names with spaces: 'UNIT OF MEASURE')")
    .option('--all', 'every mapping')
    .option('--every <interval>', "run interval such as 30s, 5m, 1h, 1h30m, at least 10s (Default: the mapping's)")
    .option('--json', 'print JSON')
    .action(
      action((ctx, names: string[], opts: { all?: boolean; every?: string; json?: boolean }) =>
        scheduleStartCommand(ctx, names, opts),
      ),
    );

  schedule
    .command('stop')
    .description('pause (or delete) the schedules of the mappings; runs already started keep running')
    .argument('[mappings...]', 'mapping names')
    .option('--all', 'every mapping')
    .option('--delete', 'delete the schedules instead of pausing them')
    .option('--note <text>', 'why they are paused (shown in the Temporal UI and by schedule list)')
    .option('--json', 'print JSON')
    .action(
      action((ctx, names: string[], opts: { all?: boolean; delete?: boolean; note?: string; json?: boolean }) =>
        scheduleStopCommand(ctx, names, opts),
      ),
    );

  schedule
    .command('list')
    .description('the schedules: state, interval, next and recent runs')
    .option('--json', 'print JSON')
    .action(action((ctx, opts: { json?: boolean }) => scheduleListCommand(ctx, opts)));

  schedule
    .command('trigger')
    .description("start the mapping's scheduled run now (skipped if one is in progress)")
    .argument('<mapping>', 'mapping name')
    .option('--json', 'print JSON')
    .action(action((ctx, name: string, opts: { json?: boolean }) => scheduleTriggerCommand(ctx, name, opts)));

  schedule
    .command('backfill')
    .description('run the ticks the schedule missed between two past times (overlap SKIP)')
    .argument('<mapping>', 'mapping name')
    .requiredOption('--from <time>', 'ISO 8601 start, e.g. 2026-01-05T02:00:00Z')
    .requiredOption('--to <time>', 'ISO 8601 end (not in the future)')
    .option('--json', 'print JSON')
    .action(
      action((ctx, name: string, opts: { from: string; to: string; json?: boolean }) =>
        scheduleBackfillCommand(ctx, name, opts),
      ),
    );

  program
    .command('run')
    .description('one run of a mapping now (incremental unless --full)')
    .argument('<mapping>', 'mapping name')
    .option('--full', 'every record in the filters, not only the changes since the last run')
    .addOption(
      new Option('--direction <direction>', 'only this direction of a bidirectional mapping').choices([
        'to-dataverse',
        'to-bc',
      ]),
    )
    .option('--wait', 'wait for the outcome (exit 1 if it failed)')
    .option('--json', 'print JSON')
    .action(
      action((ctx, name: string, opts: { full?: boolean; direction?: PassDirection; wait?: boolean; json?: boolean }) =>
        runCommand(ctx, name, opts),
      ),
    );

  program
    .command('match')
    .description("couple uncoupled records that exist on both sides, by the mapping's match criteria (a coupling job)")
    .argument('<mapping>', 'mapping name')
    .option('--dry-run', 'write nothing; print what would be coupled, what is ambiguous and what is unmatched')
    .option('--create-unmatched', 'then create and couple what is left, where the mapping allows it')
    .option('--json', 'print JSON')
    .action(
      action((ctx, name: string, opts: { dryRun?: boolean; createUnmatched?: boolean; json?: boolean }) =>
        matchCommand(ctx, name, opts),
      ),
    );

  program
    .command('full-sync')
    .description(
      'initial synchronization in dependency order: couple matching records, create the rest (exit 3: records failed)',
    )
    .option('--mapping <names...>', 'only these mappings (Default: every runnable mapping)')
    .option('--dry-run', 'match and report only: nothing is coupled, created or logged')
    .option('--wait', 'show the progress and the closing report (exit 1 if a mapping failed, 3 if records failed)')
    .option('--json', 'print JSON')
    .action(
      action((ctx, opts: { mapping?: string[]; dryRun?: boolean; wait?: boolean; json?: boolean }) =>
        fullSyncCommand(ctx, opts),
      ),
    );

  program
    .command('jobs')
    .description('the synchronization job log, newest first')
    .option('--mapping <name>', 'only this mapping')
    .option('--failed', 'only jobs with failures')
    .option('--workflow <id>', 'only the jobs of this workflow id')
    .addOption(new Option('--limit <n>', 'at most n jobs').default(20).argParser(positiveInt))
    .option('--json', 'print JSON')
    .action(
      action((ctx, opts: { mapping?: string; failed?: boolean; workflow?: string; limit: number; json?: boolean }) =>
        jobsCommand(ctx, opts),
      ),
    );

  program
    .command('errors')
    .description('the error log (one row per failed record), newest first')
    .addOption(new Option('--job <id>', 'only this job').argParser(positiveInt))
    .option('--mapping <name>', 'only this mapping')
    .option('--unresolved', 'only errors no later job has resolved')
    .addOption(new Option('--limit <n>', 'at most n errors').default(100).argParser(positiveInt))
    .option('--json', 'print JSON')
    .action(
      action((ctx, opts: { job?: number; mapping?: string; unresolved?: boolean; limit: number; json?: boolean }) =>
        errorsCommand(ctx, opts),
      ),
    );

  program
    .command('retry')
    .description('re-synchronize only the records that failed in a job (a new run, logged as a retry of it)')
    .argument('<job-id>', 'the job (bcsync jobs --failed)', positiveInt)
    .option('--wait', 'wait for the outcome (exit 1 if it failed)')
    .option('--json', 'print JSON')
    .action(action((ctx, jobId: number, opts: { wait?: boolean; json?: boolean }) => retryCommand(ctx, jobId, opts)));

  program
    .command('rerun')
    .description('re-run a failed, terminated, cancelled or timed-out workflow run with its original input')
    .argument('<workflow-id>', 'the workflow id (its latest run is re-run)')
    .option('--force', 'also re-run a run that completed')
    .option('--wait', 'wait for the outcome (exit 1 if it failed)')
    .option('--json', 'print JSON')
    .action(
      action((ctx, workflowId: string, opts: { force?: boolean; wait?: boolean; json?: boolean }) =>
        rerunCommand(ctx, workflowId, opts),
      ),
    );

  program
    .command('skipped')
    .description('records parked after failing twice with the same error')
    .option('--mapping <name>', 'only this mapping')
    .addOption(new Option('--limit <n>', 'at most n records').default(1000).argParser(positiveInt))
    .option('--json', 'print JSON')
    .action(action((ctx, opts: { mapping?: string; limit: number; json?: boolean }) => skippedCommand(ctx, opts)));

  program
    .command('restore')
    .description('put skipped records back into the retry set of the next run')
    .argument('<mapping>', 'mapping name')
    .option('--bc <ids...>', 'Business Central ids (SystemId) of the records')
    .option('--dv <ids...>', 'Dataverse ids of the records')
    .option('--all', 'every skipped record of the mapping')
    .option('--json', 'print JSON')
    .action(
      action((ctx, name: string, opts: { bc?: string[]; dv?: string[]; all?: boolean; json?: boolean }) =>
        restoreCommand(ctx, name, opts),
      ),
    );

  program
    .command('uncouple')
    .description('remove the coupling of records (by BC or Dataverse id); the records stay on both sides')
    .argument('<mapping>', 'mapping name')
    .option('--bc <ids...>', 'Business Central ids (SystemId) of the records')
    .option('--dv <ids...>', 'Dataverse ids of the records')
    .option('--json', 'print JSON')
    .action(
      action((ctx, name: string, opts: { bc?: string[]; dv?: string[]; json?: boolean }) =>
        uncoupleCommand(ctx, name, opts),
      ),
    );

  program
    .command('couple')
    .description('couple a Business Central record to a Dataverse row by hand (both must exist, neither be coupled)')
    .argument('<mapping>', 'mapping name')
    .option('--bc <id>', 'the Business Central record id (SystemId)')
    .option('--dv <id>', 'the Dataverse row id')
    .addOption(
      new Option('--sync <direction>', "then synchronize the pair in this direction (that side's values win)").choices([
        'to-dataverse',
        'to-bc',
      ]),
    )
    .option('--wait', 'with --sync: wait for the outcome (exit 1 if it failed)')
    .option('--json', 'print JSON')
    .action(
      action(
        (ctx, name: string, opts: { bc?: string; dv?: string; sync?: PassDirection; wait?: boolean; json?: boolean }) =>
          coupleCommand(ctx, name, opts),
      ),
    );

  program
    .command('couplings')
    .description('the couplings of a mapping, newest first, with the last result of each direction')
    .argument('<mapping>', 'mapping name')
    .option('--bc <id>', "only this Business Central record's coupling")
    .option('--dv <id>', "only this Dataverse row's coupling")
    .addOption(new Option('--limit <n>', 'at most n couplings').default(50).argParser(positiveInt))
    .option('--json', 'print JSON')
    .action(
      action((ctx, name: string, opts: { bc?: string; dv?: string; limit: number; json?: boolean }) =>
        couplingsCommand(ctx, name, opts),
      ),
    );

  program
    .command('history')
    .description("one record's field-level audit trail, newest first: values written and values that lost a conflict")
    .argument('<mapping>', 'mapping name')
    .option('--bc <id>', 'the Business Central record')
    .option('--dv <id>', 'the Dataverse row')
    .addOption(new Option('--limit <n>', 'at most n changes').default(100).argParser(positiveInt))
    .option('--json', 'print JSON')
    .action(
      action((ctx, name: string, opts: { bc?: string; dv?: string; limit: number; json?: boolean }) =>
        historyCommand(ctx, name, opts),
      ),
    );

  program
    .command('sync-record')
    .description(
      'synchronize records now from the side named (--bc: to Dataverse, --dv: to BC); that side wins conflicts',
    )
    .argument('<mapping>', 'mapping name')
    .option('--bc <ids...>', 'Business Central ids (SystemId) to synchronize to Dataverse')
    .option('--dv <ids...>', 'Dataverse ids to synchronize to Business Central')
    .option('--wait', 'wait for the outcome')
    .option('--json', 'print JSON')
    .action(
      action((ctx, name: string, opts: { bc?: string[]; dv?: string[]; wait?: boolean; json?: boolean }) =>
        syncRecordCommand(ctx, name, opts),
      ),
    );

  const options = program
    .command('options')
    .description('option mappings (PAYMENT TERMS, SHIPMENT METHOD, SHIPPING AGENT): BC code ↔ Dataverse choice value')
    .argument('[mapping]', "option mapping name (quote names with spaces: 'PAYMENT TERMS')")
    .option('--json', 'print JSON')
    .action(action((ctx, name: string | undefined, opts: { json?: boolean }) => optionsCommand(ctx, name, opts)));

  options
    .command('sync')
    .description('run the option mappings now: pair codes with choice values, create the missing values in Dataverse')
    .argument('[mapping]', 'option mapping name (Default: all three)')
    .option('--json', 'print JSON')
    .action(action((ctx, name: string | undefined, opts: { json?: boolean }) => optionsSyncCommand(ctx, name, opts)));

  return program;
}

/** Runs the CLI with `argv` (node, script, …args) and returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError) {
      console.error(`bcsync: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof MappingsFileError) {
      // A bad override file is bad configuration: fail fast, naming the file, the mapping and the field.
      console.error(`bcsync: bad configuration: ${err.message}`);
      return 2;
    }
    console.error(`bcsync: ${(err as Error).message ?? String(err)}`);
    return 1;
  }
}
