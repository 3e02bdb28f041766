/**
 * `bcsync worker`: runs a worker process until SIGINT/SIGTERM (production entry point; DESIGN §9). Opens and migrates
 * the configured store and runs the effective mappings (worker/load-mappings.ts), the ones `bcsync mappings` shows.
 */
import { startWorker } from '../../worker/run';
import type { CommandContext } from '../context';

export async function workerCommand(ctx: CommandContext): Promise<void> {
  const running = await startWorker(ctx.config, ctx.logger);
  const stop = () => void running.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await running.done;
}
