/** `bcsync` entry point. */
import { runCli } from './program';

runCli(process.argv).then(
  // The command has finished and closed what it opened; lingering handles (gRPC channels winding down, the Temporal
  // runtime) must not keep the process alive.
  (code) => setImmediate(() => process.exit(code)),
  (err: unknown) => {
    console.error(`bcsync: ${String(err)}`);
    process.exit(1);
  },
);
