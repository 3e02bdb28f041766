import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from './helpers';

const FORMATTED = 'OData.Community.Display.V1.FormattedValue';

function metadataPath(entity: string, attribute: string): string {
  return (
    `EntityDefinitions(LogicalName='${entity}')/Attributes(LogicalName='${attribute}')` +
    '/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet'
  );
}

function label(text: string): Record<string, unknown> {
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.Label',
    LocalizedLabels: [{ '@odata.type': 'Microsoft.Dynamics.CRM.LocalizedLabel', Label: text, LanguageCode: 1033 }],
  };
}

async function options(h: Harness, entity: string, attribute: string): Promise<[number, string][]> {
  const r = await h.api('GET', metadataPath(entity, attribute));
  assert.equal(r.status, 200, r.text);
  return r.json.OptionSet.Options.map((o: { Value: number; Label: { UserLocalizedLabel: { Label: string } } }) => [
    o.Value,
    o.Label.UserLocalizedLabel.Label,
  ]);
}

describe('Dataverse emulator: choice values, InsertOptionValue and attribute metadata', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h.close());
  afterEach(async () => {
    await h.control('POST', '/__emulator/reset');
  });

  it('serves the option values Dataverse ships for the account columns of the option mappings', async () => {
    assert.deepEqual(await options(h, 'account', 'paymenttermscode'), [
      [1, 'Net 30'],
      [2, '2% 10, Net 30'],
      [3, 'Net 45'],
      [4, 'Net 60'],
    ]);
    assert.deepEqual(await options(h, 'account', 'address1_shippingmethodcode'), [
      [1, 'Airborne'],
      [2, 'DHL'],
      [3, 'FedEx'],
      [4, 'UPS'],
      [5, 'Postal Mail'],
      [6, 'Full Load'],
      [7, 'Will Call'],
    ]);
    assert.deepEqual(await options(h, 'account', 'address1_freighttermscode'), [
      [1, 'FOB'],
      [2, 'No Charge'],
    ]);
  });

  it('answers the attribute metadata in the documented shape', async () => {
    const r = await h.api('GET', metadataPath('account', 'paymenttermscode'));
    assert.equal(r.json.LogicalName, 'paymenttermscode');
    assert.match(
      r.json['@odata.context'],
      /EntityDefinitions\('account'\)\/Attributes\/Microsoft\.Dynamics\.CRM\.PicklistAttributeMetadata/,
    );
    assert.equal(r.json.OptionSet.Name, 'account_paymenttermscode');
    assert.equal(r.json.OptionSet.IsGlobal, false);
    assert.equal(r.json.OptionSet.OptionSetType, 'Picklist');
    const first = r.json.OptionSet.Options[0];
    assert.equal(first.Label.LocalizedLabels[0].Label, 'Net 30');
    assert.equal(first.Label.LocalizedLabels[0].LanguageCode, 1033);
    const noExpand = await h.api(
      'GET',
      "EntityDefinitions(LogicalName='account')/Attributes(LogicalName='paymenttermscode')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
    );
    assert.equal(noExpand.json.OptionSet, undefined, 'OptionSet comes only with $expand');
    assert.equal((await h.api('GET', metadataPath('account', 'name'))).status, 404, 'name is not a picklist');
    assert.equal((await h.api('GET', metadataPath('account', 'nosuchcolumn'))).status, 404);
    assert.equal((await h.api('GET', metadataPath('nosuchtable', 'name'))).status, 404);
  });

  it('adds a payment term with InsertOptionValue; the value is readable, writable and formatted', async () => {
    const insert = await h.api('POST', 'InsertOptionValue', {
      body: { EntityLogicalName: 'account', AttributeLogicalName: 'paymenttermscode', Label: label('Net 15') },
    });
    assert.equal(insert.status, 200, insert.text);
    assert.equal(insert.json.NewOptionValue, 100000000);
    assert.match(insert.json['@odata.context'], /InsertOptionValueResponse$/);
    const second = await h.api('POST', 'InsertOptionValue', {
      body: { EntityLogicalName: 'account', AttributeLogicalName: 'paymenttermscode', Label: label('Cash') },
    });
    assert.equal(second.json.NewOptionValue, 100000001);
    assert.deepEqual((await options(h, 'account', 'paymenttermscode')).slice(4), [
      [100000000, 'Net 15'],
      [100000001, 'Cash'],
    ]);
    const account = await h.api('POST', 'accounts?$select=paymenttermscode', {
      headers: { Prefer: `return=representation,odata.include-annotations="${FORMATTED}"` },
      body: { name: 'Terms', paymenttermscode: 100000000 },
    });
    assert.equal(account.status, 201, account.text);
    assert.equal(account.json.paymenttermscode, 100000000);
    assert.equal(account.json[`paymenttermscode@${FORMATTED}`], 'Net 15');
  });

  it('refuses a choice value the option set does not have (0x8004431a), before and after an insert elsewhere', async () => {
    const unknown = await h.api('POST', 'accounts', { body: { name: 'X', paymenttermscode: 100000000 } });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.error.code, '0x8004431a');
    assert.match(unknown.json.error.message, /paymenttermscode/);
    await h.api('POST', 'InsertOptionValue', {
      body: {
        EntityLogicalName: 'account',
        AttributeLogicalName: 'address1_shippingmethodcode',
        Value: 100000000,
        Label: label('Own Logistics'),
      },
    });
    const stillUnknown = await h.api('POST', 'accounts', { body: { name: 'X', paymenttermscode: 100000000 } });
    assert.equal(stillUnknown.status, 400, 'a value inserted into another column does not leak');
    const shipping = await h.api('POST', 'accounts', { body: { name: 'Y', address1_shippingmethodcode: 100000000 } });
    assert.equal(shipping.status, 204, shipping.text);
  });

  it('keeps local option sets local: an account value appears neither on contacts nor on invoices', async () => {
    await h.api('POST', 'InsertOptionValue', {
      body: {
        EntityLogicalName: 'account',
        AttributeLogicalName: 'address1_shippingmethodcode',
        Label: label('Drone'),
      },
    });
    assert.equal((await options(h, 'account', 'address1_shippingmethodcode')).length, 8);
    assert.equal((await options(h, 'contact', 'address1_shippingmethodcode')).length, 7);
    assert.equal((await options(h, 'invoice', 'shippingmethodcode')).length, 7);
    const contact = await h.api('POST', 'contacts', {
      body: { lastname: 'C', address1_shippingmethodcode: 100000000 },
    });
    assert.equal(contact.status, 400);
  });

  it('refuses a duplicate value (0x80044310), a missing label, a non-picklist column and an unknown global set', async () => {
    const dup = await h.api('POST', 'InsertOptionValue', {
      body: { EntityLogicalName: 'account', AttributeLogicalName: 'paymenttermscode', Value: 3, Label: label('Again') },
    });
    assert.equal(dup.status, 400);
    assert.equal(dup.json.error.code, '0x80044310');
    const noLabel = await h.api('POST', 'InsertOptionValue', {
      body: { EntityLogicalName: 'account', AttributeLogicalName: 'paymenttermscode' },
    });
    assert.equal(noLabel.status, 400);
    assert.match(noLabel.json.error.message, /Label/);
    const notPicklist = await h.api('POST', 'InsertOptionValue', {
      body: { EntityLogicalName: 'account', AttributeLogicalName: 'name', Label: label('x') },
    });
    assert.equal(notPicklist.status, 400);
    const state = await h.api('POST', 'InsertOptionValue', {
      body: { EntityLogicalName: 'account', AttributeLogicalName: 'statecode', Label: label('x') },
    });
    assert.equal(state.status, 400, 'statecode is a state attribute, not a picklist');
    const global = await h.api('POST', 'InsertOptionValue', {
      body: { OptionSetName: 'account_paymenttermscode', Label: label('x') },
    });
    assert.equal(global.status, 404, 'a local set is not addressed by OptionSetName');
    assert.equal((await h.api('GET', 'InsertOptionValue')).status, 405);
    assert.equal((await options(h, 'account', 'paymenttermscode')).length, 4, 'nothing was added');
  });

  it('forgets inserted values on reset and keeps them in the state file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dv-choices-'));
    const stateFile = path.join(dir, 'dv.json');
    try {
      const first = await startHarness({ stateFile });
      await first.api('POST', 'InsertOptionValue', {
        body: { EntityLogicalName: 'account', AttributeLogicalName: 'paymenttermscode', Label: label('Net 7') },
      });
      await first.close();
      const second = await startHarness({ stateFile });
      try {
        assert.deepEqual((await options(second, 'account', 'paymenttermscode')).at(-1), [100000000, 'Net 7']);
        await second.control('POST', '/__emulator/reset');
        assert.equal((await options(second, 'account', 'paymenttermscode')).length, 4);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
