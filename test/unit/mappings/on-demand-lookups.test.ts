import assert from 'node:assert/strict';
import { lookupRequests } from '../../../engine/lookups';
import { checkCrossReferences } from '../../../mappings/cross-references';
import { defaultMappings } from '../../../mappings/default-mappings';
import type { IntegrationTableMapping } from '../../../mappings/mapping-model';

describe('lookups synchronized on demand', () => {
  const defaults = defaultMappings();
  const get = (name: string): IntegrationTableMapping => defaults.find((m) => m.name === name)!;

  it("marks only a posted invoice's customer lookup, with a key of its own", () => {
    const customerId = '1f2e3d4c-0000-4000-8000-000000000001';
    const requests = lookupRequests(get('POSTEDSALESINV-INV'), 'to-dataverse', {
      customerId,
      salesperson: 'JR',
      currencyCode: 'NOK',
    });
    assert.deepEqual(
      requests.map((r) => [r.target, r.value, r.syncOnDemand === true, r.key]),
      [
        ['CUSTOMER', customerId, true, `coupling|CUSTOMER|bc|id||${customerId}|on-demand`],
        ['SALESPEOPLE', 'JR', false, 'coupling|SALESPEOPLE|bc|code||JR'],
        ['CURRENCY', 'NOK', false, 'coupling|CURRENCY|bc|code|base|NOK'],
      ],
    );
    for (const m of defaults.filter((x) => x.name !== 'POSTEDSALESINV-INV')) {
      for (const f of m.fieldMappings) {
        if (f.lookup?.kind === 'coupling') assert.equal(f.lookup.syncOnDemand, false, `${m.name} ${f.dvField}`);
      }
    }
  });

  it('refuses on demand through a mapping that cannot create the Dataverse record, naming the field', () => {
    const withOnDemandOwner = defaults.map((m) =>
      m.name !== 'CUSTOMER'
        ? m
        : {
            ...m,
            fieldMappings: m.fieldMappings.map((f) =>
              f.lookup?.kind === 'coupling' && f.lookup.mapping === 'SALESPEOPLE'
                ? { ...f, lookup: { ...f.lookup, syncOnDemand: true } }
                : f,
            ),
          },
    );
    assert.throws(
      () => checkCrossReferences(withOnDemandOwner),
      /mapping CUSTOMER, field 'fieldMappings\[\d+\]\.lookup\.syncOnDemand': SALESPEOPLE only synchronizes Dataverse → Business Central, so it cannot create the Dataverse record on demand/,
    );
    assert.doesNotThrow(() => checkCrossReferences(defaults));
  });
});
