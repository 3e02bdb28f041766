/** `bcsync emulators` (npm run emulators): serves both emulators with the demo data until Ctrl-C. */
import { startEmulators } from '../emulators';
import type { CommandContext } from '../context';

export async function emulatorsCommand(ctx: CommandContext): Promise<void> {
  const emulators = await startEmulators(ctx.config);
  console.log(`Business Central API: ${emulators.businessCentral.apiBase}`);
  console.log(`  token endpoint:     ${emulators.businessCentral.tokenUrl}`);
  console.log(`  company:            ${emulators.businessCentral.companyId}`);
  console.log(`Dataverse Web API:    ${emulators.dataverse.apiBase}`);
  console.log(`  token endpoint:     ${emulators.dataverse.tokenUrl}`);
  console.log('Control routes: POST /__emulator/{reset,seed,faults,limits,tokens/expire}, GET /__emulator/stats');
  console.log('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await emulators.close();
  console.log('Emulators stopped (state kept under DATA_DIR).');
}
