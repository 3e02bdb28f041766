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
