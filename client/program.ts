/**
 * The `bcsync` command tree (DESIGN §8.2). Every read command takes `--json`. Exit codes: 0 success, 1 failure,
 * 2 bad usage, with a one-line reason on stderr.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { jobsCommand } from './commands/jobs';
import { migrateCommand } from './commands/migrate';
import { smokeCommand } from './commands/smoke';
import { startCommand } from './commands/start';
import { workerCommand } from './commands/worker';
import { CommandContext } from './context';
import { CliError } from './errors';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** Builds the program; `run` wraps each action with a fresh context that is always closed. */
export function buildProgram(): Command {
  const program = new Command('bcsync')
    .description('Durable Business Central ⇄ Dynamics 365 Sales synchronization on Temporal')
    .showHelpAfterError('(run with --help for usage)')
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
    .action(action((ctx) => startCommand(ctx)));

  program
    .command('worker')
    .description('run a worker on the configured task queue (production entry point)')
    .action(action((ctx) => workerCommand(ctx)));

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
    .command('jobs')
    .description('the synchronization job log, newest first')
    .option('--mapping <name>', 'only this mapping')
    .option('--failed', 'only jobs with failures')
    .addOption(new Option('--limit <n>', 'at most n jobs').default(20).argParser(positiveInt))
    .option('--json', 'print JSON')
    .action(
      action((ctx, opts: { mapping?: string; failed?: boolean; limit: number; json?: boolean }) =>
        jobsCommand(ctx, opts),
      ),
    );

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
    console.error(`bcsync: ${(err as Error).message ?? String(err)}`);
    return 1;
  }
}
