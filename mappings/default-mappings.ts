import { contactMapping } from './defaults/contact';
import { currencyMapping } from './defaults/currency';
import { custPrcGrpPriceMapping } from './defaults/custprcgrp-price';
import { customerMapping } from './defaults/customer';
import { customerStatisticsMapping } from './defaults/customer-statistics';
import { itemProductMapping } from './defaults/item-product';
import { postedSalesInvInvMapping } from './defaults/postedsalesinv-inv';
import { resourceProductMapping } from './defaults/resource-product';
import { salespeopleMapping } from './defaults/salespeople';
import { salesPrcProdPriceMapping } from './defaults/salesprc-prodprice';
import { unitOfMeasureMapping } from './defaults/unit-of-measure';
import { dependencyOrder } from './dependency-order';
import { type IntegrationTableMapping, parseMapping } from './mapping-model';
import { checkCrossReferences } from './cross-references';

/**
 * The eleven default jobs of DESIGN §6, validated, in full-sync dependency order (SALESPEOPLE, CURRENCY,
 * UNIT OF MEASURE, CUSTOMER, …). Returns fresh objects on every call so callers may not share mutations.
 * Throws `MappingValidationError` if a built-in definition is invalid (a bug caught by the unit tests).
 */
export function defaultMappings(): IntegrationTableMapping[] {
  const mappings = [
    salespeopleMapping,
    currencyMapping,
    unitOfMeasureMapping,
    customerMapping,
    contactMapping,
    itemProductMapping,
    resourceProductMapping,
    custPrcGrpPriceMapping,
    salesPrcProdPriceMapping,
    postedSalesInvInvMapping,
    customerStatisticsMapping,
  ].map((m) => parseMapping(structuredClone(m)));
  checkCrossReferences(mappings);
  return dependencyOrder(mappings);
}
