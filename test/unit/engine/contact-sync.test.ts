import assert from 'node:assert/strict';
import { decide } from '../../../engine/decide';
import { dataverseIdFor } from '../../../engine/deterministic-ids';
import { hashRecord, projectWrite } from '../../../engine/record-hash';
import { DV_BASE_CURRENCY, DV_CURRENCY_NOK, DV_USER_ID, coupling, mapping, resolver } from './fixtures';

const BC_CONTACT_ID = '5b1c7a2e-2222-4333-8444-955566667777';
const DV_PARENT = '7d2a1c3b-1111-4222-8333-944455556666';

describe('CONTACT synchronization', () => {
  const contact = { ...mapping('CONTACT'), onlyCoupled: false };
  const bcAnna = {
    id: BC_CONTACT_ID,
    number: 'CT000011',
    type: 'Person',
    displayName: 'Anna Berg',
    firstName: 'Anna',
    middleName: '',
    surname: 'Berg',
    companyNumber: 'CT000010',
    email: 'anna@adatum.example',
    phoneNumber: '',
    faxNumber: '+47 22 00 00 01',
    pager: '',
    currencyCode: 'NOK',
    salespersonCode: 'JR',
  };
  const lookups = resolver({
    'CUSTOMER|bc|CT000010': { status: 'resolved', value: DV_PARENT },
    [`CUSTOMER|dataverse|${DV_PARENT}`]: { status: 'resolved', value: 'CT000010' },
    'SALESPEOPLE|bc|JR': { status: 'resolved', value: DV_USER_ID },
    'CURRENCY|bc|NOK': { status: 'resolved', value: DV_CURRENCY_NOK },
    'CURRENCY|bc|': { status: 'resolved', value: DV_BASE_CURRENCY },
    [`CURRENCY|dataverse|${DV_CURRENCY_NOK}`]: { status: 'resolved', value: 'NOK' },
  });

  it('creates the Dataverse contact under the account coupled to the company’s customer, with owner and currency', () => {
    const d = decide({
      mapping: contact,
      direction: 'to-dataverse',
      source: bcAnna,
      coupling: null,
      destination: null,
      lookups,
    });
    assert.equal(d.kind, 'insert');
    if (d.kind !== 'insert') return;
    assert.equal(d.write.destinationId, dataverseIdFor('CONTACT', BC_CONTACT_ID));
    assert.deepEqual(d.write.payload, {
      'parentcustomerid_account@odata.bind': `/accounts(${DV_PARENT})`,
      'ownerid@odata.bind': `/systemusers(${DV_USER_ID})`,
      'transactioncurrencyid@odata.bind': `/transactioncurrencies(${DV_CURRENCY_NOK})`,
      emailaddress1: 'anna@adatum.example',
      fax: '+47 22 00 00 01',
      firstname: 'Anna',
      lastname: 'Berg',
    });
  });

  it('does not echo a name back to BC although Dataverse formats fullname as "Last, First"', () => {
    const created = decide({
      mapping: contact,
      direction: 'to-dataverse',
      source: bcAnna,
      coupling: null,
      destination: null,
      lookups,
    });
    if (created.kind !== 'insert') return assert.fail(created.kind);
    const dvReadBack = {
      ...projectWrite(contact, 'dataverse', null, created.write.payload),
      contactid: created.write.destinationId,
      fullname: 'Berg, Anna',
      _transactioncurrencyid_value: DV_CURRENCY_NOK,
    };
    // The activity stores the hash of the row as Dataverse returned it.
    const stored = coupling({
      bcId: BC_CONTACT_ID,
      dvId: created.write.destinationId!,
      bcHash: created.hashes.bcHash!,
      dvHash: hashRecord(contact, 'dataverse', dvReadBack),
    });
    const back = decide({
      mapping: contact,
      direction: 'to-bc',
      source: dvReadBack,
      coupling: stored,
      destination: bcAnna,
      lookups,
    });
    assert.equal(back.kind, 'unchanged');
    // Even if the predicted hash had been stored, the transfer finds nothing to write.
    const predicted = coupling({ ...stored, dvHash: created.hashes.dvHash! });
    const again = decide({
      mapping: contact,
      direction: 'to-bc',
      source: dvReadBack,
      coupling: predicted,
      destination: bcAnna,
      lookups,
    });
    assert.equal(again.kind, 'unchanged');
  });

  it('sends a Dataverse name change to BC as its name parts, forcing the contact type to Person', () => {
    const dv = {
      contactid: DV_PARENT,
      firstname: 'Anna',
      middlename: 'Maria',
      lastname: 'Berg',
      emailaddress1: 'anna@adatum.example',
      fax: '+47 22 00 00 01',
      _parentcustomerid_value: DV_PARENT,
      _transactioncurrencyid_value: DV_CURRENCY_NOK,
    };
    const bcNow = { ...bcAnna, type: 'Company' };
    const stored = coupling({ bcHash: hashRecord(contact, 'bc', bcNow), dvHash: 'hash before the name change' });
    const d = decide({
      mapping: contact,
      direction: 'to-bc',
      source: dv,
      coupling: stored,
      destination: bcNow,
      lookups,
    });
    assert.equal(d.kind, 'update');
    if (d.kind !== 'update') return;
    assert.deepEqual(d.write.payload, { middleName: 'Maria', type: 'Person' });
  });
});
