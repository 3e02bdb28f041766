/** The entity rules of each mapping, found by the mapping's name (see ./types.ts). */
import { contactRules } from './contact';
import { currencyRules } from './currency';
import type { EntityRules } from './types';

export type { EntityRules, RuleContext } from './types';

const rulesByMapping: Readonly<Record<string, EntityRules>> = {
  CONTACT: contactRules,
  CURRENCY: currencyRules,
};

/** The rules of `mapping`, or none. */
export function entityRulesFor(mapping: string): EntityRules | undefined {
  return rulesByMapping[mapping];
}
