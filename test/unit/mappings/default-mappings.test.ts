import assert from 'node:assert/strict';
import { defaultMappings } from '../../../mappings/default-mappings';
import { parseMapping } from '../../../mappings/mapping-model';
import { parseDuration } from '../../../mappings/duration';
import { findOptionMapping } from '../../../mappings/option-mappings';

// API v2.0 properties (reference/api-facts.md §A2) the two complete mappings may use.
const customerV2 = new Set([
  'id',
  'number',
  'displayName',
  'type',
  'addressLine1',
  'addressLine2',
  'city',
  'state',
  'country',
  'postalCode',
  'phoneNumber',
  'email',
  'website',
  'salespersonCode',
  'balanceDue',
  'creditLimit',
  'taxLiable',
  'currencyId',
  'currencyCode',
  'paymentTermsId',
  'shipmentMethodId',
  'paymentMethodId',
  'blocked',
]);
// The custom page `customerCards` (docs/emulators.md): every v2.0 customer property plus the Customer Card fields.
const customerCard = new Set([
  ...customerV2,
  'contactName',
  'primaryContactNumber',
  'faxNumber',
  'mobilePhoneNumber',
  'paymentTermsCode',
  'shipmentMethodCode',
  'shippingAgentCode',
]);
// API v2.0 contact properties; the custom page `contactCards` (docs/emulators.md) adds the Contact Card fields.
const contactV2 = new Set([
  'id',
  'number',
  'type',
  'displayName',
  'jobTitle',
  'companyNumber',
  'companyName',
  'contactBusinessRelation',
  'addressLine1',
  'addressLine2',
  'city',
  'state',
  'country',
  'postalCode',
  'phoneNumber',
  'mobilePhoneNumber',
  'email',
  'website',
  'searchName',
  'privacyBlocked',
  'taxRegistrationNumber',
]);
const contactCard = new Set([
  ...contactV2,
  'firstName',
  'middleName',
  'surname',
  'faxNumber',
  'pager',
  'currencyCode',
  'salespersonCode',
]);

describe('default mappings', () => {
  const mappings = defaultMappings();
  const byName = (name: string) => mappings.find((m) => m.name === name)!;

  // DESIGN §6 lists the product mappings as BC→DV, the direction of everything they create; as in BC (reference §8.1)
  // they are bidirectional so that a product's name and retirement come back (createsIn keeps them from creating
  // items or resources).
  it('declares the eleven jobs of DESIGN §6 with their entity sets and directions', () => {
    const summary = Object.fromEntries(
      mappings.map((m) => [m.name, `${m.bc.entitySet} ${m.direction} ${m.dataverse.entitySet}`]),
    );
    assert.deepEqual(summary, {
      SALESPEOPLE: 'salespeoplePurchasers to-bc systemusers',
      CURRENCY: 'currencies to-dataverse transactioncurrencies',
      'UNIT OF MEASURE': 'unitsOfMeasure to-dataverse uomschedules',
      CUSTOMER: 'customerCards bidirectional accounts',
      'ITEM-PRODUCT': 'itemCards bidirectional products',
      'RESOURCE-PRODUCT': 'resources bidirectional products',
      CONTACT: 'contactCards bidirectional contacts',
      'CUSTPRCGRP-PRICE': 'customerPriceGroups to-dataverse pricelevels',
      'CUSTOMER STATISTICS': 'customerStatistics to-dataverse bcsync_accountstatistics',
      'SALESPRC-PRODPRICE': 'salesPrices to-dataverse productpricelevels',
      'POSTEDSALESINV-INV': 'salesInvoices to-dataverse invoices',
    });
  });

  it('marks every mapping complete', () => {
    assert.deepEqual(
      mappings
        .filter((m) => m.complete)
        .map((m) => m.name)
        .sort(),
      [
        'CONTACT',
        'CURRENCY',
        'CUSTOMER',
        'CUSTOMER STATISTICS',
        'CUSTPRCGRP-PRICE',
        'ITEM-PRODUCT',
        'POSTEDSALESINV-INV',
        'RESOURCE-PRODUCT',
        'SALESPEOPLE',
        'SALESPRC-PRODPRICE',
        'UNIT OF MEASURE',
      ],
    );
  });

  it('uses BC defaults: every 30 minutes, conflicts fail, only coupled records for the bidirectional mappings', () => {
    for (const m of mappings) {
      assert.equal(parseDuration(m.schedule), 30 * 60_000, m.name);
      assert.equal(m.updateConflictPolicy, 'fail', m.name);
      assert.equal(m.deletionConflictPolicy, 'fail', m.name);
    }
    assert.equal(byName('CUSTOMER').onlyCoupled, true);
    assert.equal(byName('CONTACT').onlyCoupled, true);
    assert.equal(byName('SALESPRC-PRODPRICE').onlyCoupled, false);
  });

  it('maps CUSTOMER with the customerCards page names and Dataverse logical names', () => {
    const customer = byName('CUSTOMER');
    assert.deepEqual([customer.bc.api, customer.bc.entitySet], ['custom', 'customerCards']);
    for (const f of customer.fieldMappings) {
      if (f.bcField) assert.ok(customerCard.has(f.bcField), `customerCards has no property ${f.bcField}`);
    }
    const enabled = customer.fieldMappings
      .filter((f) => f.enabled)
      .map((f) => `${f.bcField}:${f.dvField}:${f.direction}`);
    assert.deepEqual(enabled, [
      'salespersonCode:ownerid:to-dataverse',
      'displayName:name:bidirectional',
      'addressLine1:address1_line1:bidirectional',
      'addressLine2:address1_line2:bidirectional',
      'postalCode:address1_postalcode:bidirectional',
      'city:address1_city:bidirectional',
      'country:address1_country:bidirectional',
      'state:address1_stateorprovince:bidirectional',
      'currencyCode:transactioncurrencyid:bidirectional',
      'email:emailaddress1:bidirectional',
      'website:websiteurl:bidirectional',
      'phoneNumber:telephone1:bidirectional',
      'contactName:address1_primarycontactname:bidirectional',
      'faxNumber:fax:bidirectional',
      'primaryContactNumber:primarycontactid:bidirectional',
      'shipmentMethodCode:address1_freighttermscode:bidirectional',
      'shippingAgentCode:address1_shippingmethodcode:bidirectional',
      'paymentTermsCode:paymenttermscode:bidirectional',
      'creditLimit:creditlimit:to-dataverse',
    ]);
    // Each option field resolves through the option mapping of the same name (mappings/option-mappings.ts).
    assert.deepEqual(
      customer.fieldMappings
        .filter((f) => f.enabled && f.lookup?.kind === 'option')
        .map((f) => (f.lookup?.kind === 'option' ? f.lookup.optionSet : '')),
      ['SHIPMENT METHOD', 'SHIPPING AGENT', 'PAYMENT TERMS'],
    );
    for (const name of ['SHIPMENT METHOD', 'SHIPPING AGENT', 'PAYMENT TERMS']) assert.ok(findOptionMapping(name), name);
    const primary = customer.fieldMappings.find((f) => f.dvField === 'primarycontactid')!;
    assert.equal(primary.clearValueOnFailedSync, true);
    assert.equal(customer.fieldMappings.find((f) => f.dvField === 'telephone2')?.enabled, false, 'an extra, as in BC');
    assert.equal(customer.bc.filter, "blocked eq ' '");
    assert.equal(customer.dataverse.filter, 'statecode eq 0 and customertypecode eq 3');
    assert.deepEqual(customer.dataverse.template, { customertypecode: 3 });
    const owner = customer.fieldMappings.find((f) => f.dvField === 'ownerid')!;
    assert.equal(owner.notNull, true);
  });

  it('maps CONTACT with the parent account derived from the CUSTOMER coupling, persons of customer companies only', () => {
    const contact = byName('CONTACT');
    assert.deepEqual([contact.bc.api, contact.bc.entitySet], ['custom', 'contactCards']);
    for (const f of contact.fieldMappings) {
      if (f.bcField) assert.ok(contactCard.has(f.bcField), `contactCards has no property ${f.bcField}`);
    }
    // Every §8.5 field BC enables by default (bc-sync-semantics), owner and currency lookups on.
    assert.deepEqual(
      contact.fieldMappings
        .filter((f) => f.enabled && f.bcField)
        .map((f) => `${f.bcField}:${f.dvField}:${f.direction}`),
      [
        'companyNumber:parentcustomerid:bidirectional',
        'salespersonCode:ownerid:to-dataverse',
        'currencyCode:transactioncurrencyid:bidirectional',
        'addressLine1:address1_line1:bidirectional',
        'addressLine2:address1_line2:bidirectional',
        'postalCode:address1_postalcode:bidirectional',
        'city:address1_city:bidirectional',
        'country:address1_country:bidirectional',
        'state:address1_stateorprovince:bidirectional',
        'email:emailaddress1:bidirectional',
        'faxNumber:fax:bidirectional',
        'firstName:firstname:bidirectional',
        'middleName:middlename:bidirectional',
        'surname:lastname:bidirectional',
        'website:websiteurl:bidirectional',
        'mobilePhoneNumber:mobilephone:bidirectional',
        'pager:pager:bidirectional',
        'phoneNumber:telephone1:bidirectional',
        'type:undefined:to-bc',
      ],
    );
    const owner = contact.fieldMappings.find((f) => f.dvField === 'ownerid')!;
    assert.equal(owner.notNull, true);
    assert.equal(owner.lookup?.kind === 'coupling' && owner.lookup.mapping, 'SALESPEOPLE');
    const currency = contact.fieldMappings.find((f) => f.dvField === 'transactioncurrencyid')!;
    assert.equal(currency.lookup?.kind === 'coupling' && currency.lookup.blankIsBaseCurrency, true);
    assert.equal(contact.bc.filter, "type eq 'Person' and companyNumber ne ''");
    const parent = contact.fieldMappings.find((f) => f.dvField === 'parentcustomerid')!;
    assert.deepEqual(parent.lookup, {
      kind: 'coupling',
      mapping: 'CUSTOMER',
      bcKey: 'company-contact-number',
      dvEntitySet: 'accounts',
      dvNavigation: 'parentcustomerid_account',
      bcCaption: 'customer',
      dvCaption: 'account',
      blankIsBaseCurrency: false,
      ignoreRecordWithoutTarget: true,
      syncOnDemand: false,
    });
    assert.deepEqual(contact.dependencies, ['CUSTOMER', 'SALESPEOPLE', 'CURRENCY']);
  });

  it('maps ITEM-PRODUCT from the itemCards page with the Item Card fields v2.0 lacks', () => {
    const item = byName('ITEM-PRODUCT');
    assert.deepEqual([item.bc.api, item.bc.entitySet], ['custom', 'itemCards']);
    const pairs = item.fieldMappings.filter((f) => f.enabled).map((f) => `${f.bcField}:${f.dvField}`);
    for (const pair of [
      'unitVolume:stockvolume',
      'grossWeight:stockweight',
      'vendorNumber:vendorid',
      'vendorItemNumber:vendorpartnumber',
    ])
      assert.ok(pairs.includes(pair), pair);
  });

  it('returns fresh objects so a caller cannot change the defaults for everyone', () => {
    const first = defaultMappings();
    first[0].direction = 'bidirectional';
    assert.equal(defaultMappings()[0].direction, 'to-bc');
  });

  it('rejects a mapping definition with an invalid field, naming mapping and field', () => {
    const bad = { ...byName('CUSTOMER'), fieldMappings: [{ bcField: 'x', dvField: 'y', direction: 'both' }] };
    assert.throws(() => parseMapping(bad), {
      name: 'MappingValidationError',
      message:
        /^mapping CUSTOMER, field 'fieldMappings\[0\]\.direction': Invalid option: expected one of "bidirectional"\|"to-dataverse"\|"to-bc"$/,
    });
    const constant = { ...byName('CUSTOMER'), fieldMappings: [{ dvField: 'y', constant: 1, direction: 'to-bc' }] };
    assert.throws(
      () => parseMapping(constant),
      /field 'fieldMappings\[0\]\.direction': a constant written to Dataverse must have direction 'to-dataverse'/,
    );
    const both = {
      ...byName('CUSTOMER'),
      fieldMappings: [
        {
          bcField: 'a',
          dvField: 'b',
          direction: 'to-dataverse',
          notNull: true,
          clearValueOnFailedSync: true,
          lookup: byName('CUSTOMER').fieldMappings[0].lookup,
        },
      ],
    };
    assert.throws(() => parseMapping(both), /notNull and clearValueOnFailedSync exclude each other/);
  });
});

describe('durations', () => {
  it('parses schedule intervals', () => {
    assert.equal(parseDuration('30m'), 1_800_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('45s'), 45_000);
    assert.throws(() => parseDuration('30'), /not a duration/);
    assert.throws(() => parseDuration('0m'), /not a positive duration/);
  });
});
