/**
 * `bcsync console`: serves the sync console on its own (CONSOLE_HOST:CONSOLE_PORT) against the configured store and
 * Temporal, until Ctrl-C — for a machine that runs no worker, or a worker started with CONSOLE_ENABLED=false.
 * Read-only unless CONSOLE_OPERATOR_TOKEN is set.
 */
import { startConsole } from '../console/server';
import type { CommandContext } from '../context';
import { CliError } from '../errors';

export async function consoleCommand(ctx: CommandContext): Promise<void> {
  const { host, port, operatorToken } = ctx.config.console;
  await ctx.store(); // Fails here, naming the store setting, rather than on the first page.
  let running;
  try {
    running = await startConsole({ ctx, logger: ctx.logger, operatorToken, host, port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError(`port ${port} is taken (a worker serves the console there already?); set CONSOLE_PORT`);
    }
    throw err;
  }
  console.log(
    `Console: ${running.url} (${running.readOnly ? 'read-only: set CONSOLE_OPERATOR_TOKEN to enable actions' : 'log in with the operator token to act'})`,
  );
  console.log('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await running.close();
}
