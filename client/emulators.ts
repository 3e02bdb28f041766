/**
 * Starting the bundled emulators from config (npm start, `bcsync emulators`): Business Central on EMULATOR_BC_PORT,
 * Dataverse on EMULATOR_DV_PORT, with the demo dataset on first start and their state persisted under DATA_DIR so
 * a restart resumes the same data.
 */
import path from 'node:path';
import type { Config } from '../config';
import { isPortOpen } from '../store/database';
import { type RunningBusinessCentralEmulator, startBusinessCentralEmulator } from '../emulators/business-central';
import { type RunningDataverseEmulator, startDataverseEmulator } from '../emulators/dataverse';
import { CliError } from './errors';

/**
 * The demo data of `npm start`: the defaults, except that every Business Central salesperson has a Dataverse user
 * with the same e-mail, so SALESPEOPLE couples them all and CUSTOMER's owner lookup resolves for every customer (the
 * defaults leave a third of the salespeople BC-only, which fails their customers until coupled by hand). Both
 * emulators must be seeded with the same options.
 */
export const DEMO_SEED = { salespeople: 6, matchingSystemUsers: 6 } as const;

export interface RunningEmulators {
  businessCentral: RunningBusinessCentralEmulator;
  dataverse: RunningDataverseEmulator;
  close(): Promise<void>;
}

/** Starts both emulators; throws `CliError` naming the port variable when a port is taken. */
export async function startEmulators(config: Config): Promise<RunningEmulators> {
  for (const [variable, port] of [
    ['EMULATOR_BC_PORT', config.emulators.bcPort],
    ['EMULATOR_DV_PORT', config.emulators.dvPort],
  ] as const) {
    if (await isPortOpen('127.0.0.1', port)) {
      throw new CliError(`${variable}: port ${port} is already in use (an emulator from an earlier run still up?)`);
    }
  }
  const businessCentral = await startBusinessCentralEmulator({
    port: config.emulators.bcPort,
    tenant: config.businessCentral.credentials.tenant,
    environment: config.businessCentral.environment,
    clientId: config.businessCentral.credentials.clientId,
    clientSecret: config.businessCentral.credentials.clientSecret,
    stateFile: path.join(config.dataDir, 'emulator-business-central.json'),
    seed: DEMO_SEED,
  });
  let dataverse: RunningDataverseEmulator;
  try {
    dataverse = await startDataverseEmulator({
      port: config.emulators.dvPort,
      tenant: config.dataverse.credentials.tenant,
      clientId: config.dataverse.credentials.clientId,
      clientSecret: config.dataverse.credentials.clientSecret,
      orgUrl: config.emulators.dvOrgUrl,
      stateFile: path.join(config.dataDir, 'emulator-dataverse.json'),
      seed: DEMO_SEED,
    });
  } catch (err) {
    await businessCentral.close();
    throw err;
  }
  return {
    businessCentral,
    dataverse,
    close: async () => {
      await Promise.all([businessCentral.close(), dataverse.close()]);
    },
  };
}
