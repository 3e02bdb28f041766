/**
 * Golden values of the ids the entity rules create their own Dataverse records with (a base unit, the products' default
 * price list and its items, a price list per invoice currency): a retry, another worker or a later version must find
 * the record an earlier one created, so a change to a derivation would create every such record a second time.
 */
import assert from 'node:assert/strict';
import { DEFAULT_PRICE_LIST_ID, defaultPriceListItemIdFor } from '../../activities/entity-rules/default-price-list';
import { invoicePriceListIdFor } from '../../activities/entity-rules/posted-sales-invoice';
import { baseUnitIdFor } from '../../activities/entity-rules/unit-of-measure';

const ID = '3F2504E0-4F89-41D3-9A0C-0305E82C3301';

describe('ids of the records the entity rules create (golden values)', () => {
  it('keeps the default price list id and derives its items from the product id, whatever its letter case', () => {
    assert.equal(DEFAULT_PRICE_LIST_ID, '04163a1f-13f0-5be5-826c-50b60454731c');
    assert.equal(defaultPriceListItemIdFor(ID), 'a3bdaa3d-7d29-5a5f-aed5-fb2bf814e808');
    assert.equal(defaultPriceListItemIdFor(ID.toLowerCase()), defaultPriceListItemIdFor(ID));
  });

  it('derives the base unit of a unit group and the price list of an invoice currency as every earlier version', () => {
    assert.equal(baseUnitIdFor(ID), '2ee3b7f1-704a-5cbf-b01b-420107e0fa60');
    assert.equal(invoicePriceListIdFor(ID.toLowerCase()), '8ff3722f-fb6d-5a40-b83b-5f812ad21e96');
  });
});
