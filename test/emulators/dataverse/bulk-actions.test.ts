import assert from 'node:assert/strict';
import { startHarness, type Harness } from './helpers';

describe('Dataverse emulator: bulk actions', () => {
  let h: Harness;
  const type = { '@odata.type': 'Microsoft.Dynamics.CRM.account' };
  const count = async (): Promise<number> => Number((await h.api('GET', 'accounts/$count')).text);
  beforeEach(async () => {
    h ??= await startHarness();
    await h.control('POST', '/__emulator/reset');
  });
  after(async () => h.close());

  it('CreateMultiple answers 200 with the Ids, honouring client-chosen keys', async () => {
    const id = '12345678-0000-0000-0000-000000000001';
    const r = await h.api('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', {
      body: {
        Targets: [
          { ...type, name: 'A' },
          { ...type, accountid: id, name: 'B' },
        ],
      },
    });
    assert.equal(r.status, 200);
    assert.equal(r.json.Ids.length, 2);
    assert.equal(r.json.Ids[1], id);
    assert.equal(await count(), 2);
  });

  it('requires @odata.type on every target (400, nothing written)', async () => {
    const r = await h.api('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', {
      body: { Targets: [{ ...type, name: 'A' }, { name: 'B' }] },
    });
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /@odata\.type/);
    assert.equal(await count(), 0);
  });

  it('is all-or-nothing: one bad target (or a duplicate key) rolls back the whole request', async () => {
    const bad = await h.api('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', {
      body: {
        Targets: [
          { ...type, name: 'A' },
          { ...type, name: 'x'.repeat(161) },
        ],
      },
    });
    assert.equal(bad.status, 400);
    assert.equal(await count(), 0);
    const id = '12345678-0000-0000-0000-000000000002';
    await h.api('POST', 'accounts', { body: { accountid: id, name: 'Existing' } });
    const dup = await h.api('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', {
      body: {
        Targets: [
          { ...type, name: 'New' },
          { ...type, accountid: id, name: 'Dup' },
        ],
      },
    });
    assert.equal(dup.status, 412);
    assert.match(dup.json.error.message, /Cannot insert duplicate key/);
    assert.equal(await count(), 1);
  });

  it('UpdateMultiple needs the primary key and answers 204', async () => {
    const created = await h.api('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', {
      body: {
        Targets: [
          { ...type, name: 'A' },
          { ...type, name: 'B' },
        ],
      },
    });
    const [a, b] = created.json.Ids as string[];
    const r = await h.api('POST', 'accounts/Microsoft.Dynamics.CRM.UpdateMultiple', {
      body: {
        Targets: [
          { ...type, accountid: a, telephone1: '1' },
          { ...type, accountid: b, telephone1: '2' },
        ],
      },
    });
    assert.equal(r.status, 204);
    assert.equal((await h.api('GET', `accounts(${b})/telephone1`)).json.value, '2');
    const noKey = await h.api('POST', 'accounts/Microsoft.Dynamics.CRM.UpdateMultiple', {
      body: {
        Targets: [
          { ...type, accountid: a, telephone1: '9' },
          { ...type, telephone1: '3' },
        ],
      },
    });
    assert.equal(noKey.status, 400);
    assert.equal((await h.api('GET', `accounts(${a})/telephone1`)).json.value, '1');
  });

  it('UpsertMultiple creates or updates by @odata.id with an alternate key and answers 204', async () => {
    await h.api('POST', 'accounts', { body: { name: 'Old', accountnumber: 'K1' } });
    const r = await h.api('POST', 'accounts/Microsoft.Dynamics.CRM.UpsertMultiple', {
      body: {
        Targets: [
          { ...type, '@odata.id': "accounts(accountnumber='K1')", name: 'Updated' },
          { ...type, '@odata.id': "accounts(accountnumber='K2')", name: 'Created' },
        ],
      },
    });
    assert.equal(r.status, 204, r.text);
    assert.equal((await h.api('GET', "accounts(accountnumber='K1')/name")).json.value, 'Updated');
    assert.equal((await h.api('GET', "accounts(accountnumber='K2')/name")).json.value, 'Created');
    assert.equal(await count(), 2);
  });

  it('refuses the messages on a table marked as not supporting them', async () => {
    h.emulator.configure({ bulkUnsupported: ['accounts'] });
    try {
      const r = await h.api('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', {
        body: { Targets: [{ ...type, name: 'A' }] },
      });
      assert.equal(r.status, 400);
      assert.match(r.json.error.message, /CreateMultiple/);
      assert.equal(await count(), 0);
    } finally {
      h.emulator.configure({ bulkUnsupported: [] });
    }
  });
});
