/**
 * Contract of the Dataverse connector's bound actions against the Dataverse emulator: PublishProductHierarchy on a
 * product through `callBoundAction` (what ITEM-PRODUCT and RESOURCE-PRODUCT call after creating a product).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startDataverseEmulator } from '../../emulators/dataverse';
import { createDataverseClient, type DataverseClient } from '../../connectors/dataverse';
import { NotFoundError, ValidationError } from '../../connectors/http/errors';
import { createTokenProvider } from '../../connectors/http/create-token-provider';
import { captureLogger, setFaults, stats, thrown } from './support/emulator-control';

describe('Dataverse connector: bound actions (callBoundAction)', function () {
  this.timeout(60_000);
  let emulator: Awaited<ReturnType<typeof startDataverseEmulator>>;
  let dv: DataverseClient;
  let groupId: string;

  before(async () => {
    emulator = await startDataverseEmulator({ seed: false });
    const logger = captureLogger();
    const tokenProvider = createTokenProvider({
      authorityHost: emulator.url,
      tenant: 'cronus',
      clientId: 'bcsync-demo',
      clientSecret: 'bcsync-demo-secret',
      scope: 'https://bcsync.crm.dynamics.com/.default',
      logger,
    });
    dv = createDataverseClient({
      url: emulator.url,
      tokenProvider,
      retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 5 },
      logger,
    });
    groupId = randomUUID();
    await dv.createWithId('uomschedules', groupId, { name: 'NAV PCS', baseuomname: 'PCS' });
  });
  after(async () => emulator?.close());

  async function newProduct(): Promise<string> {
    const id = randomUUID();
    await dv.createWithId('products', id, {
      name: `Product ${id.slice(0, 8)}`,
      productnumber: id.slice(0, 8),
      'defaultuomscheduleid@odata.bind': `/uomschedules(${groupId})`,
    });
    return id;
  }
  const state = async (id: string) => (await dv.get('products', id, { select: ['statecode', 'statuscode'] }))!;

  it('publishes a Draft product (204 ⇒ null), and calling it again leaves the Active product as it is', async () => {
    const id = await newProduct();
    assert.equal((await state(id)).statecode, 2, 'a new product is Draft');
    assert.equal(await dv.callBoundAction('products', id, 'PublishProductHierarchy', {}, { idempotent: true }), null);
    assert.deepEqual([(await state(id)).statecode, (await state(id)).statuscode], [0, 1]);
    assert.equal(await dv.callBoundAction('products', id, 'PublishProductHierarchy'), null);
    assert.equal((await state(id)).statecode, 0);
  });

  it("throws the service's refusal classified (a retired product: ValidationError 0x8004f977)", async () => {
    const id = await newProduct();
    await dv.callBoundAction('products', id, 'PublishProductHierarchy');
    await dv.update('products', id, { statecode: 1 });
    const e = await thrown(() => dv.callBoundAction('products', id, 'PublishProductHierarchy'));
    assert.ok(e instanceof ValidationError, String(e));
    assert.equal(e.code, '0x8004f977');
    assert.equal(e.retryable, false);
  });

  it('throws NotFoundError for a row that does not exist', async () => {
    const e = await thrown(() => dv.callBoundAction('products', randomUUID(), 'PublishProductHierarchy'));
    assert.ok(e instanceof NotFoundError, String(e));
  });

  it('retries a throttled call and then succeeds', async () => {
    const id = await newProduct();
    await setFaults(emulator.url, [
      { entitySet: 'products', method: 'POST', status: 429, retryAfterSeconds: 0, count: 1 },
    ]);
    const throttledBefore = (await stats(emulator.url)).byStatus['429'] ?? 0;
    assert.equal(await dv.callBoundAction('products', id, 'PublishProductHierarchy'), null);
    assert.equal((await stats(emulator.url)).byStatus['429'], throttledBefore + 1, 'the first call was throttled');
    assert.equal((await state(id)).statecode, 0);
  });

  it('refuses an action name that is not an identifier before sending anything', async () => {
    const e = await thrown(() => dv.callBoundAction('products', randomUUID(), 'Publish/../x'));
    assert.match(String(e), /not an action name/);
  });
});
