import assert from 'node:assert/strict';
import { createReferenceData, startHarness, type Harness } from './helpers';

const REP = { Prefer: 'return=representation' };

describe('Dataverse emulator: unit groups, products and the product lifecycle', () => {
  let h: Harness;
  let ref: Awaited<ReturnType<typeof createReferenceData>>;
  before(async () => {
    h = await startHarness();
    ref = await createReferenceData(h);
  });
  after(async () => h.close());

  it('creates the base unit of a unit group from baseuomname, quantity 1, based on no other unit', async () => {
    const created = await h.api('POST', 'uomschedules?$select=uomscheduleid', {
      headers: REP,
      body: { name: 'NAV BOX', baseuomname: 'BOX' },
    });
    assert.equal(created.status, 201, created.text);
    const scheduleId = created.json.uomscheduleid as string;
    const units = await h.api(
      'GET',
      `uoms?$select=name,quantity,_baseuom_value,_uomscheduleid_value,isschedulebaseuom&$filter=_uomscheduleid_value eq ${scheduleId}`,
    );
    assert.equal(units.status, 200, units.text);
    assert.deepEqual(
      units.json.value.map((u: Record<string, unknown>) => [
        u.name,
        u.quantity,
        u._baseuom_value,
        u._uomscheduleid_value,
        u.isschedulebaseuom,
      ]),
      [['BOX', 1, null, scheduleId, true]],
    );
    const expanded = await h.api(
      'GET',
      `uomschedules(${scheduleId})?$select=name&$expand=UoMSchedule_UoM($select=name)`,
    );
    assert.deepEqual(
      expanded.json.UoMSchedule_UoM.map((u: { name: string }) => u.name),
      ['BOX'],
    );
  });

  it('creates the base units of unit groups created with CreateMultiple', async () => {
    const r = await h.api('POST', 'uomschedules/Microsoft.Dynamics.CRM.CreateMultiple', {
      body: {
        Targets: ['DAY', 'WEEK'].map((code) => ({
          '@odata.type': 'Microsoft.Dynamics.CRM.uomschedule',
          name: `NAV ${code}`,
          baseuomname: code,
        })),
      },
    });
    assert.equal(r.status, 200, r.text);
    for (const [i, code] of ['DAY', 'WEEK'].entries()) {
      const base = await h.api('GET', `uoms(_uomscheduleid_value=${r.json.Ids[i]},name='${code}')?$select=quantity`);
      assert.equal(base.status, 200, base.text);
      assert.equal(base.json.quantity, 1);
    }
  });

  it('bases a new unit of a group on the base unit, refuses a second unit of the same name and a new base quantity', async () => {
    const pack = await h.api('POST', 'uoms?$select=_baseuom_value,quantity,isschedulebaseuom', {
      headers: REP,
      body: { name: 'PACK6', quantity: 6, 'uomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})` },
    });
    assert.equal(pack.status, 201, pack.text);
    assert.equal(pack.json._baseuom_value, ref.uomId);
    assert.equal(pack.json.isschedulebaseuom, false);
    const explicit = await h.api('POST', 'uoms?$select=_baseuom_value', {
      headers: REP,
      body: {
        name: 'PACK12',
        quantity: 12,
        'uomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})`,
        'baseuom@odata.bind': `/uoms(${ref.uomId})`,
      },
    });
    assert.equal(explicit.json._baseuom_value, ref.uomId);
    const again = await h.api('POST', 'uoms', {
      body: { name: 'PCS', 'uomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})` },
    });
    assert.equal(again.status, 412, 'the base unit PCS exists in the group');
    const baseQuantity = await h.api('PATCH', `uoms(${ref.uomId})`, { body: { quantity: 2 } });
    assert.equal(baseQuantity.status, 400);
    assert.equal(baseQuantity.json.error.code, '0x80043b18');
    assert.match(baseQuantity.json.error.message, /Do not modify the Quantity field when you update the primary unit/);
  });

  it('renames the base unit with the group and accepts a group without baseuomname (no base unit then)', async () => {
    const id = 'cccccccc-0000-0000-0000-0000000000a1';
    assert.equal(
      (await h.api('PATCH', `uomschedules(${id})`, { body: { name: 'NAV KG', baseuomname: 'KG' } })).status,
      204,
    );
    assert.equal((await h.api('PATCH', `uomschedules(${id})`, { body: { baseuomname: 'KILO' } })).status, 204);
    const units = await h.api('GET', `uoms?$select=name&$filter=_uomscheduleid_value eq ${id}`);
    assert.deepEqual(
      units.json.value.map((u: { name: string }) => u.name),
      ['KILO'],
    );
    const bare = await h.api('POST', 'uomschedules?$select=uomscheduleid', {
      headers: REP,
      body: { name: 'NAV BARE' },
    });
    assert.equal(bare.status, 201, bare.text);
    const none = await h.api('GET', `uoms?$select=name&$filter=_uomscheduleid_value eq ${bare.json.uomscheduleid}`);
    assert.equal(none.json.value.length, 0);
  });

  it('requires a unit group on a product (0x80043b13) and a default unit of that group (0x80043b14)', async () => {
    const noGroup = await h.api('POST', 'products', { body: { name: 'P', productnumber: 'NOGROUP' } });
    assert.equal(noGroup.status, 400);
    assert.equal(noGroup.json.error.code, '0x80043b13');
    assert.match(noGroup.json.error.message, /unit schedule id of the product is missing/);
    const other = await h.api('POST', 'uomschedules?$select=uomscheduleid', {
      headers: REP,
      body: { name: 'NAV HOUR', baseuomname: 'HOUR' },
    });
    const hour = await h.api('GET', `uoms(_uomscheduleid_value=${other.json.uomscheduleid},name='HOUR')?$select=uomid`);
    const wrongUnit = await h.api('POST', 'products', {
      body: {
        name: 'P',
        productnumber: 'WRONGUNIT',
        'defaultuomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})`,
        'defaultuomid@odata.bind': `/uoms(${hour.json.uomid})`,
      },
    });
    assert.equal(wrongUnit.status, 400);
    assert.equal(wrongUnit.json.error.code, '0x80043b14');
    const groupOnly = await h.api('POST', 'products?$select=_defaultuomid_value,quantitydecimal', {
      headers: REP,
      body: {
        name: 'P',
        productnumber: 'GROUPONLY',
        'defaultuomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})`,
      },
    });
    assert.equal(groupOnly.status, 201, 'the default unit is only ApplicationRequired');
    assert.equal(groupOnly.json._defaultuomid_value, null);
  });

  it('creates products as Draft and publishes them with the bound PublishProductHierarchy action', async () => {
    const p = await h.api('POST', 'products?$select=statecode,statuscode', {
      headers: REP,
      body: {
        name: 'Bicycle',
        productnumber: 'PUB-1',
        'defaultuomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})`,
        'defaultuomid@odata.bind': `/uoms(${ref.uomId})`,
      },
    });
    assert.deepEqual([p.json.statecode, p.json.statuscode], [2, 0]);
    const id = p.json.productid as string;
    const publish = await h.api('POST', `products(${id})/Microsoft.Dynamics.CRM.PublishProductHierarchy`, { body: {} });
    assert.equal(publish.status, 204, publish.text);
    const after = await h.api('GET', `products(${id})?$select=statecode,statuscode`, {
      headers: { Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' },
    });
    assert.deepEqual([after.json.statecode, after.json.statuscode], [0, 1]);
    assert.equal(after.json['statecode@OData.Community.Display.V1.FormattedValue'], 'Active');
    const again = await h.api(
      'POST',
      `products(productnumber='PUB-1')/Microsoft.Dynamics.CRM.PublishProductHierarchy`,
      {
        body: {},
      },
    );
    assert.equal(again.status, 204, 'publishing an active product changes nothing');
    const missing = await h.api(
      'POST',
      'products(cccccccc-0000-0000-0000-0000000000ff)/Microsoft.Dynamics.CRM.PublishProductHierarchy',
      { body: {} },
    );
    assert.equal(missing.status, 404);
    const unbound = await h.api('POST', `accounts/Microsoft.Dynamics.CRM.PublishProductHierarchy`, { body: {} });
    assert.equal(unbound.status, 404);
  });

  it('publishes a product family with its Draft children and refuses to publish a retired product', async () => {
    const family = await h.api('POST', 'products?$select=productid', {
      headers: REP,
      body: {
        name: 'Bikes',
        productnumber: 'FAM-1',
        productstructure: 2,
        'defaultuomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})`,
      },
    });
    const familyId = family.json.productid as string;
    const child = await h.api('POST', 'products?$select=productid', {
      headers: REP,
      body: {
        name: 'City bike',
        productnumber: 'FAM-1-A',
        'parentproductid@odata.bind': `/products(${familyId})`,
        'defaultuomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})`,
      },
    });
    const publish = await h.api('POST', `products(${familyId})/Microsoft.Dynamics.CRM.PublishProductHierarchy`, {
      body: {},
    });
    assert.equal(publish.status, 204, publish.text);
    const states = await h.api(
      'GET',
      `products?$select=productnumber,statecode&$filter=startswith(productnumber,'FAM-1')&$orderby=productnumber`,
    );
    assert.deepEqual(
      states.json.value.map((r: { productnumber: string; statecode: number }) => [r.productnumber, r.statecode]),
      [
        ['FAM-1', 0],
        ['FAM-1-A', 0],
      ],
    );
    const retire = await h.api('PATCH', `products(${child.json.productid})`, { body: { statecode: 1 } });
    assert.equal(retire.status, 204, retire.text);
    const publishRetired = await h.api(
      'POST',
      `products(${child.json.productid})/Microsoft.Dynamics.CRM.PublishProductHierarchy`,
      { body: {} },
    );
    assert.equal(publishRetired.status, 400);
    assert.equal(publishRetired.json.error.code, '0x8004f977');
  });

  it('refuses the product state changes the lifecycle forbids and allows publish, revise, retire and activate', async () => {
    const p = await h.api('POST', 'products?$select=productid', {
      headers: REP,
      body: {
        name: 'Life',
        productnumber: 'LIFE-1',
        'defaultuomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})`,
      },
    });
    const url = `products(${p.json.productid})`;
    const setState = async (statecode: number): Promise<{ status: number; code?: string }> => {
      const r = await h.api('PATCH', url, { body: { statecode } });
      return { status: r.status, code: r.json?.error?.code };
    };
    assert.deepEqual(await setState(1), { status: 400, code: '0x8004f978' }, 'Draft → Retired');
    assert.deepEqual(await setState(3), { status: 400, code: '0x8004f913' }, 'Draft → Under Revision');
    assert.deepEqual(await setState(0), { status: 204, code: undefined }, 'Draft → Active (publish)');
    assert.deepEqual(await setState(2), { status: 400, code: '0x8004f912' }, 'Active → Draft');
    assert.deepEqual(await setState(3), { status: 204, code: undefined }, 'Active → Under Revision (revise)');
    assert.deepEqual(await setState(0), { status: 204, code: undefined }, 'Under Revision → Active (publish)');
    assert.deepEqual(await setState(1), { status: 204, code: undefined }, 'Active → Retired');
    assert.deepEqual(await setState(2), { status: 400, code: '0x8004f979' }, 'Retired → Draft');
    assert.deepEqual(await setState(0), { status: 204, code: undefined }, 'Retired → Active (activate)');
    const same = await h.api('PATCH', url, { body: { statecode: 0, name: 'Life 2' } });
    assert.equal(same.status, 204, 'repeating the current state with an update is not a state change');
  });

  it('creates products Active when the organization says so (createproductswithoutparentinactivestate)', async () => {
    const orgId = 'cccccccc-0000-0000-0000-0000000000b1';
    const org = await h.api('PATCH', `organizations(${orgId})`, {
      body: {
        name: 'org',
        createproductswithoutparentinactivestate: true,
        'basecurrencyid@odata.bind': `/transactioncurrencies(${ref.currencyId})`,
      },
    });
    assert.equal(org.status, 204, org.text);
    try {
      const p = await h.api('POST', 'products?$select=statecode,statuscode', {
        headers: REP,
        body: {
          name: 'A',
          productnumber: 'ACTIVE-1',
          'defaultuomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})`,
        },
      });
      assert.deepEqual([p.json.statecode, p.json.statuscode], [0, 1]);
    } finally {
      await h.api('DELETE', `organizations(${orgId})`);
    }
    const draft = await h.api('POST', 'products?$select=statecode', {
      headers: REP,
      body: {
        name: 'D',
        productnumber: 'DRAFT-1',
        'defaultuomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})`,
      },
    });
    assert.equal(draft.json.statecode, 2, 'without the setting (a fresh install) products start Draft');
  });

  it("refuses a price list item whose unit is not of the product's unit group", async () => {
    const other = await h.api('POST', 'uomschedules?$select=uomscheduleid', {
      headers: REP,
      body: { name: 'NAV L', baseuomname: 'L' },
    });
    const litre = await h.api('GET', `uoms(_uomscheduleid_value=${other.json.uomscheduleid},name='L')?$select=uomid`);
    const p = await h.api('POST', 'products?$select=productid', {
      headers: REP,
      body: {
        name: 'Priced',
        productnumber: 'PRICED-1',
        'defaultuomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})`,
      },
    });
    const bad = await h.api('POST', 'productpricelevels', {
      body: {
        'pricelevelid@odata.bind': `/pricelevels(${ref.priceLevelId})`,
        'productid@odata.bind': `/products(${p.json.productid})`,
        'uomid@odata.bind': `/uoms(${litre.json.uomid})`,
        amount: 10,
      },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, '0x80043b14');
    const good = await h.api('POST', 'productpricelevels', {
      body: {
        'pricelevelid@odata.bind': `/pricelevels(${ref.priceLevelId})`,
        'productid@odata.bind': `/products(${p.json.productid})`,
        'uomid@odata.bind': `/uoms(${ref.uomId})`,
        amount: 10,
      },
    });
    assert.equal(good.status, 204, good.text);
  });

  it('puts a new price list item in its price list’s currency (its currency is not valid for create), changeable after', async () => {
    const eur = 'aaaaaaaa-0000-0000-0000-0000000000e1';
    await h.api('PATCH', `transactioncurrencies(${eur})`, {
      body: {
        isocurrencycode: 'EUR',
        currencyname: 'Euro',
        currencysymbol: '€',
        exchangerate: 0.09,
        currencyprecision: 2,
      },
    });
    const p = await h.api('POST', 'products?$select=productid', {
      headers: REP,
      body: {
        name: 'In NOK',
        productnumber: 'NOK-1',
        'defaultuomscheduleid@odata.bind': `/uomschedules(${ref.scheduleId})`,
      },
    });
    const item = await h.api('POST', 'productpricelevels?$select=_transactioncurrencyid_value', {
      headers: REP,
      body: {
        'pricelevelid@odata.bind': `/pricelevels(${ref.priceLevelId})`,
        'productid@odata.bind': `/products(${p.json.productid})`,
        'uomid@odata.bind': `/uoms(${ref.uomId})`,
        'transactioncurrencyid@odata.bind': `/transactioncurrencies(${eur})`,
        amount: 10,
      },
    });
    assert.equal(item.status, 201, item.text);
    assert.equal(item.json._transactioncurrencyid_value, ref.currencyId, 'the price list’s currency');
    const id = String(item.json.productpricelevelid);
    const updated = await h.api('PATCH', `productpricelevels(${id})?$select=_transactioncurrencyid_value`, {
      headers: REP,
      body: { 'transactioncurrencyid@odata.bind': `/transactioncurrencies(${eur})` },
    });
    assert.equal(updated.json._transactioncurrencyid_value, eur, 'valid for update');
  });
});

describe('Dataverse emulator: duplicate currency codes', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await createReferenceData(h); // NOK
  });
  after(async () => h.close());

  const currency = { currencyname: 'Krone', currencysymbol: 'kr', exchangerate: 1, currencyprecision: 2 };

  it('answers a second currency with an existing ISO code with DuplicateIsoCurrencyCode (400 0x80048cf3)', async () => {
    for (const [method, path] of [
      ['POST', 'transactioncurrencies'],
      ['PATCH', 'transactioncurrencies(cccccccc-0000-0000-0000-0000000000c1)'],
    ] as const) {
      const dup = await h.api(method, path, { body: { ...currency, isocurrencycode: 'nok' } });
      assert.equal(dup.status, 400, `${method}: ${dup.text}`);
      assert.equal(dup.json.error.code, '0x80048cf3');
      assert.equal(
        dup.json.error.message,
        'Cannot insert duplicate currency record. Currency with the same currency code already exist in the system.',
      );
    }
    const eur = await h.api('POST', 'transactioncurrencies?$select=transactioncurrencyid', {
      headers: REP,
      body: { ...currency, currencyname: 'Euro', currencysymbol: '€', isocurrencycode: 'EUR' },
    });
    assert.equal(eur.status, 201);
    const renamed = await h.api('PATCH', `transactioncurrencies(${eur.json.transactioncurrencyid})`, {
      body: { isocurrencycode: 'NOK' },
    });
    assert.equal(renamed.json.error.code, '0x80048cf3', 'changing a code to an existing one is refused the same way');
    const count = await h.api('GET', "transactioncurrencies?$select=isocurrencycode&$filter=isocurrencycode eq 'NOK'");
    assert.equal(count.json.value.length, 1);
  });

  it('keeps the alternate-key 412 for a create-only upsert by ISO code that meets an existing currency', async () => {
    const r = await h.api('PATCH', "transactioncurrencies(isocurrencycode='NOK')", {
      headers: { 'If-None-Match': '*' },
      body: currency,
    });
    assert.equal(r.status, 412);
    assert.equal(r.json.error.code, '0x80040237');
    assert.equal(r.json.error.message, 'A record with matching key values already exists.');
    const update = await h.api('PATCH', "transactioncurrencies(isocurrencycode='NOK')", {
      body: { currencysymbol: 'NKr' },
    });
    assert.equal(update.status, 204, 'an upsert by ISO code updates the existing currency');
  });
});
