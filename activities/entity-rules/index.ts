/** The entity rules of each mapping, found by the mapping's name (see ./types.ts). */
import { contactRules } from './contact';
import { customerRules } from './customer';
import type { EntityRules } from './types';

export type { EntityRules, RuleContext } from './types';

const rulesByMapping: Readonly<Record<string, EntityRules>> = {
  CONTACT: contactRules,
  CUSTOMER: customerRules,
};

/** The rules of `mapping`, or none. */
export function entityRulesFor(mapping: string): EntityRules | undefined {
  return rulesByMapping[mapping];
}
