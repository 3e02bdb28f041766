/** The entity rules of each mapping, found by the mapping's name (see ./types.ts). */
import { contactRules } from './contact';
import { currencyRules } from './currency';
import { postedSalesInvoiceRules } from './posted-sales-invoice';
import { productRules } from './product';
import { customerRules } from './customer';
import { priceListRules } from './price-list';
import { priceListItemRules } from './price-list-item';
import type { EntityRules } from './types';
import { unitOfMeasureRules } from './unit-of-measure';

export type { EntityRules, RuleContext } from './types';

const rulesByMapping: Readonly<Record<string, EntityRules>> = {
  CONTACT: contactRules,
  CURRENCY: currencyRules,
  'UNIT OF MEASURE': unitOfMeasureRules,
  'ITEM-PRODUCT': productRules,
  'RESOURCE-PRODUCT': productRules,
  CUSTOMER: customerRules,
  'POSTEDSALESINV-INV': postedSalesInvoiceRules,
  'CUSTPRCGRP-PRICE': priceListRules,
  'SALESPRC-PRODPRICE': priceListItemRules,
};

/** The rules of `mapping`, or none. */
export function entityRulesFor(mapping: string): EntityRules | undefined {
  return rulesByMapping[mapping];
}
