import { dependencyOrder } from './dependency-order';
import { type IntegrationTableMapping, MappingValidationError } from './mapping-model';

/**
 * Checks what a single mapping's schema cannot: dependencies and coupling lookups name existing mappings, a lookup's
 * target mapping is a direct or indirect dependency (so a full sync couples it first), and the dependencies have no cycle.
 * A lookup with "clear value on failed sync" is exempt: it writes an empty value while its target is not coupled, so
 * its target need not run first (CUSTOMER's primary contact looks up through CONTACT, which depends on CUSTOMER). A
 * lookup synchronized on demand needs a target mapping that writes Dataverse.
 * Option-set names are not checked (option mappings are not table mappings). Throws `MappingValidationError` naming
 * the mapping and field, or `DependencyCycleError`.
 */
export function checkCrossReferences(mappings: readonly IntegrationTableMapping[]): void {
  const names = new Set(mappings.map((m) => m.name));
  for (const m of mappings) {
    m.dependencies.forEach((d, i) => {
      if (!names.has(d)) {
        throw new MappingValidationError(
          m.name,
          `dependencies[${i}]`,
          `unknown mapping '${d}'; known: ${[...names].join(', ')}`,
        );
      }
    });
    m.fieldMappings.forEach((f, i) => {
      if (f.lookup?.kind !== 'coupling' || !f.enabled) return;
      const target = f.lookup.mapping;
      if (!names.has(target)) {
        throw new MappingValidationError(m.name, `fieldMappings[${i}].lookup.mapping`, `unknown mapping '${target}'`);
      }
      if (target !== m.name && !f.clearValueOnFailedSync && !dependsOn(m.name, target, mappings)) {
        throw new MappingValidationError(
          m.name,
          `fieldMappings[${i}].lookup.mapping`,
          `looks up through ${target}, which must be a (direct or indirect) dependency`,
        );
      }
      const targetMapping = mappings.find((x) => x.name === target);
      if (f.lookup.syncOnDemand && (target === m.name || targetMapping?.direction === 'to-bc')) {
        throw new MappingValidationError(
          m.name,
          `fieldMappings[${i}].lookup.syncOnDemand`,
          target === m.name
            ? 'a mapping cannot synchronize its own records on demand'
            : `${target} only synchronizes Dataverse → Business Central, so it cannot create the Dataverse record on demand; set syncOnDemand to false`,
        );
      }
    });
  }
  dependencyOrder(mappings);
}

function dependsOn(name: string, target: string, mappings: readonly IntegrationTableMapping[]): boolean {
  const byName = new Map(mappings.map((m) => [m.name, m] as const));
  const seen = new Set<string>();
  const queue = [...(byName.get(name)?.dependencies ?? [])];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (next === target) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(byName.get(next)?.dependencies ?? []));
  }
  return false;
}
