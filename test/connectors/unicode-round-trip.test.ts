/**
 * Emoji and right-to-left text through both connectors and emulators over real HTTP (issue 12, docs/reliability.md
 * "Bad input"): written and read back unchanged, and the length limits count UTF-16 code units on both sides, as the
 * engine's validation before write does (engine/write-validation.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startBusinessCentralEmulator } from '../../emulators/business-central';
import { startDataverseEmulator } from '../../emulators/dataverse';
import { createBusinessCentralClient, type BusinessCentralClient } from '../../connectors/business-central';
import { createDataverseClient, type DataverseClient } from '../../connectors/dataverse';
import { ValidationError } from '../../connectors/http/errors';
import { createTokenProvider } from '../../connectors/http/create-token-provider';
import { thrown } from './support/emulator-control';

const TENANT = 'cronus';
const credentials = { tenant: TENANT, clientId: 'bcsync-demo', clientSecret: 'bcsync-demo-secret' };
const MIXED = 'مؤسسة النور 🌙 — חברת אור 👩‍💻 Ærøskøbing';

describe('emoji and right-to-left text through the connectors', function () {
  this.timeout(60_000);
  let bcEmulator: Awaited<ReturnType<typeof startBusinessCentralEmulator>>;
  let dvEmulator: Awaited<ReturnType<typeof startDataverseEmulator>>;
  let bc: BusinessCentralClient;
  let dv: DataverseClient;

  before(async () => {
    bcEmulator = await startBusinessCentralEmulator({ seed: false });
    dvEmulator = await startDataverseEmulator({ seed: false });
    bc = createBusinessCentralClient({
      apiUrl: `${bcEmulator.url}/v2.0`,
      tenant: TENANT,
      companyId: bcEmulator.companyId,
      tokenProvider: createTokenProvider({
        ...credentials,
        authorityHost: bcEmulator.url,
        scope: 'https://api.businesscentral.dynamics.com/.default',
      }),
    });
    dv = createDataverseClient({
      url: dvEmulator.url,
      tokenProvider: createTokenProvider({
        ...credentials,
        authorityHost: dvEmulator.url,
        scope: 'https://bcsync.crm.dynamics.com/.default',
      }),
    });
  });

  after(async () => {
    await bcEmulator?.close();
    await dvEmulator?.close();
  });

  it('writes and reads back mixed Arabic, Hebrew, emoji (with a ZWJ sequence) and accented text unchanged', async () => {
    const customer = await bc.create('customers', { displayName: MIXED, city: 'القاهرة' });
    const bcRead = await bc.get('customers', customer.id);
    assert.equal(bcRead?.displayName, MIXED);
    assert.equal(bcRead?.city, 'القاهرة');

    const id = randomUUID();
    await dv.createWithId('accounts', id, { name: MIXED, address1_city: 'תל אביב' });
    const dvRead = await dv.get('accounts', id, { select: ['name', 'address1_city'] });
    assert.equal(dvRead?.name, MIXED);
    assert.equal(dvRead?.address1_city, 'תל אביב');
  });

  it("takes 50 emoji in BC's 100-character displayName and refuses 51, as the engine counts", async () => {
    const fifty = '😀'.repeat(50);
    const created = await bc.create('customers', { displayName: fifty });
    assert.equal((await bc.get('customers', created.id))?.displayName, fifty);
    const error = await thrown(() => bc.create('customers', { displayName: '😀'.repeat(51) }));
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.code, 'Application_StringExceededLength');
    assert.match(
      error.message,
      /^Business Central rejected POST customers: The length of the string is 102, but it must be less than or equal to 100 characters/,
    );
  });

  it("takes 80 emoji in Dataverse's 160-character account name and refuses 81, as the engine counts", async () => {
    const id = randomUUID();
    await dv.createWithId('accounts', id, { name: '😀'.repeat(80) });
    assert.equal((await dv.get('accounts', id, { select: ['name'] }))?.name, '😀'.repeat(80));
    const error = await thrown(() => dv.createWithId('accounts', randomUUID(), { name: '😀'.repeat(81) }));
    assert.ok(error instanceof ValidationError, String(error));
    assert.match(
      error.message,
      /^Dataverse rejected PATCH accounts\(.*\): .*exceeded the maximum allowed length of '160'/,
    );
  });
});
