// Runs the Dataverse emulator on its own: `node -r ./scripts/register.js emulators/dataverse/main.ts [--port 7049]
// [--host 127.0.0.1] [--state-file path] [--no-seed]`. Stops cleanly on Ctrl-C.
import { parseArgs } from 'node:util';
import { startDataverseEmulator } from './index';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '7049' },
      host: { type: 'string', default: '127.0.0.1' },
      'state-file': { type: 'string' },
      'no-seed': { type: 'boolean', default: false },
    },
  });
  const emulator = await startDataverseEmulator({
    port: Number(values.port),
    host: values.host,
    stateFile: values['state-file'],
    seed: values['no-seed'] ? false : {},
  });
  console.log(`Dataverse emulator: ${emulator.apiBase} (token: ${emulator.tokenUrl})`);
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
