/** Thrown when mapping dependencies form a cycle; `cycle` lists the names along it (first = last). */
export class DependencyCycleError extends Error {
  constructor(readonly cycle: readonly string[]) {
    super(`mapping dependencies form a cycle: ${cycle.join(' → ')}`);
    this.name = 'DependencyCycleError';
  }
}

/** Thrown when a mapping depends on a mapping that is not in the list. */
export class UnknownDependencyError extends Error {
  constructor(
    readonly mappingName: string,
    readonly dependency: string,
  ) {
    super(`mapping ${mappingName}, field 'dependencies': unknown mapping '${dependency}'`);
    this.name = 'UnknownDependencyError';
  }
}

interface HasDependencies {
  readonly name: string;
  readonly dependencies: readonly string[];
}

/**
 * Orders mappings so that every mapping comes after the mappings it depends on (the full-sync order of DESIGN §6).
 * Ties are broken by the input order, so the result is deterministic. Throws `DependencyCycleError` on a cycle and
 * `UnknownDependencyError` when a dependency names no mapping in the list.
 */
export function dependencyOrder<T extends HasDependencies>(mappings: readonly T[]): T[] {
  return dependencyLevels(mappings).flat();
}

/**
 * Groups mappings into levels: level 0 has no dependencies, level n depends only on levels < n. Mappings of one
 * level may run in parallel during a full sync. Within a level the input order is kept. Throws like
 * `dependencyOrder`.
 */
export function dependencyLevels<T extends HasDependencies>(mappings: readonly T[]): T[][] {
  const byName = new Map(mappings.map((m) => [m.name, m] as const));
  for (const m of mappings) {
    for (const d of m.dependencies) {
      if (!byName.has(d)) throw new UnknownDependencyError(m.name, d);
    }
  }
  const cycle = findCycle(mappings, byName);
  if (cycle) throw new DependencyCycleError(cycle);

  const level = new Map<string, number>();
  const levelOf = (m: T): number => {
    const known = level.get(m.name);
    if (known !== undefined) return known;
    const l = m.dependencies.reduce((max, d) => Math.max(max, levelOf(byName.get(d)!) + 1), 0);
    level.set(m.name, l);
    return l;
  };
  const levels: T[][] = [];
  for (const m of mappings) {
    const l = levelOf(m);
    (levels[l] ??= []).push(m);
  }
  return levels.filter((l) => l !== undefined);
}

function findCycle<T extends HasDependencies>(mappings: readonly T[], byName: Map<string, T>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    const s = state.get(name);
    if (s === 'done') return null;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const d of byName.get(name)!.dependencies) {
      const found = visit(d);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return null;
  };
  for (const m of mappings) {
    const found = visit(m.name);
    if (found) return found;
  }
  return null;
}

interface HasLookups extends HasDependencies {
  readonly fieldMappings: readonly {
    readonly enabled: boolean;
    readonly clearValueOnFailedSync?: boolean;
    readonly lookup?: { readonly kind: string; readonly mapping?: string } | undefined;
  }[];
}

/**
 * The dependencies a mapping really has with its current field mappings: a declared dependency counts when an enabled
 * field mapping looks up through it, or when no field mapping looks up through it at all (it is declared for another
 * reason, e.g. Customer Statistics needs the customers coupled); a declared dependency whose every lookup is switched
 * off (the demo's owner and currency lookups) is dropped. A lookup target that is not declared is added. Self-lookups
 * (a parent account) are no dependency, nor are lookups with "clear value on failed sync" (an uncoupled target clears
 * the value instead of failing the record: CUSTOMER's primary contact through CONTACT, which depends on CUSTOMER).
 * The declared order is kept; undeclared targets follow in field order.
 */
export function activeDependencies(m: HasLookups): string[] {
  const enabledTargets = new Set<string>();
  const anyTargets = new Set<string>();
  for (const f of m.fieldMappings) {
    if (f.lookup?.kind !== 'coupling' || !f.lookup.mapping || f.lookup.mapping === m.name) continue;
    if (f.clearValueOnFailedSync) continue;
    anyTargets.add(f.lookup.mapping);
    if (f.enabled) enabledTargets.add(f.lookup.mapping);
  }
  const out = m.dependencies.filter((d) => enabledTargets.has(d) || !anyTargets.has(d));
  for (const t of enabledTargets) if (!out.includes(t)) out.push(t);
  return out;
}

/** A selected mapping whose active dependency is not part of the selection (it runs anyway; see `fullSyncLayers`). */
export interface OutsideDependency {
  mapping: string;
  dependency: string;
  message: string;
}

/**
 * The layers of a full synchronization of `selected` (mapping names) among `all` mappings, by active dependencies:
 * each layer's mappings depend only on mappings of earlier layers and may run in parallel. A dependency outside the
 * selection does not hold the mapping back (the operator chose the set: `full-sync --mapping CONTACT` runs CONTACT
 * alone) but is returned in `outside` with a warning, because records that look up through it fail until it is
 * synchronized. Throws `UnknownDependencyError` when a selected name or a dependency names no mapping in `all`, and
 * `DependencyCycleError` naming the mappings along a cycle within the selection.
 */
export function fullSyncLayers(
  all: readonly HasLookups[],
  selected: readonly string[],
): { layers: string[][]; outside: OutsideDependency[] } {
  const byName = new Map(all.map((m) => [m.name, m] as const));
  const chosen = new Set(selected);
  const outside: OutsideDependency[] = [];
  const nodes: HasDependencies[] = [];
  for (const name of chosen) {
    const m = byName.get(name);
    if (!m) throw new UnknownDependencyError('(selection)', name);
    const inside: string[] = [];
    for (const d of activeDependencies(m)) {
      if (!byName.has(d)) throw new UnknownDependencyError(m.name, d);
      if (chosen.has(d)) inside.push(d);
      else {
        outside.push({
          mapping: m.name,
          dependency: d,
          message: `${m.name} depends on ${d}, which is not part of this full synchronization; records of ${m.name} that refer to ${d} records fail until ${d} is synchronized`,
        });
      }
    }
    nodes.push({ name: m.name, dependencies: inside });
  }
  return { layers: dependencyLevels(nodes).map((l) => l.map((m) => m.name)), outside };
}
