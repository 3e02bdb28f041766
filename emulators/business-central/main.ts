// Runs the Business Central emulator on its own: `node -r ./scripts/register.js emulators/business-central/main.ts
// [--port 7048] [--host 127.0.0.1] [--state-file path] [--no-seed] [--customers N]`. Stops cleanly on Ctrl-C.
import { parseArgs } from 'node:util';
import { startBusinessCentralEmulator } from './index';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '7048' },
      host: { type: 'string', default: '127.0.0.1' },
      'state-file': { type: 'string' },
      'no-seed': { type: 'boolean', default: false },
      customers: { type: 'string' },
    },
  });
  const emulator = await startBusinessCentralEmulator({
    port: Number(values.port),
    host: values.host,
    stateFile: values['state-file'],
    seed: values['no-seed'] ? false : values.customers ? { customers: Number(values.customers) } : {},
  });
  console.log(
    `Business Central emulator: ${emulator.apiBase} (company ${emulator.companyId}, token: ${emulator.tokenUrl})`,
  );
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
