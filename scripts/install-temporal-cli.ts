/**
 * `npm run temporal:install`: locates or builds the pinned Temporal CLI ahead of time (`npm start` and `npm test` do the
 * same on first use), printing where it is.
 */
import { childProcessEnv, loadConfig } from '../config';
import { ensureTemporalCli } from './temporal/cli';

async function main(): Promise<void> {
  const config = loadConfig();
  const cli = await ensureTemporalCli({
    cliPath: config.temporal.devServer.cliPath,
    cacheDir: config.temporal.devServer.cliCacheDir,
    log: (line) => console.log(line),
    env: childProcessEnv(),
  });
  console.log(`Temporal CLI: ${cli}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
