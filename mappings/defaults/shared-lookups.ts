import type { z } from 'zod';
import type { couplingLookupSchema } from '../mapping-model';

type CouplingLookupInput = z.input<typeof couplingLookupSchema>;

/**
 * A BC salesperson code → its Dataverse user, through the SALESPEOPLE couplings (Person ownership,
 * bc-sync-semantics §8.14): the owner lookup of CUSTOMER, CONTACT and POSTEDSALESINV-INV.
 */
export const salespersonOwnerLookup: CouplingLookupInput = {
  kind: 'coupling',
  mapping: 'SALESPEOPLE',
  bcKey: 'code',
  dvEntitySet: 'systemusers',
  bcCaption: 'salesperson',
  dvCaption: 'user',
};

/** A BC currency code ⇔ its Dataverse currency through the CURRENCY couplings; blank (LCY) is the base currency. */
export const currencyLookup: CouplingLookupInput = {
  kind: 'coupling',
  mapping: 'CURRENCY',
  bcKey: 'code',
  dvEntitySet: 'transactioncurrencies',
  bcCaption: 'currency',
  dvCaption: 'currency',
  blankIsBaseCurrency: true,
};
