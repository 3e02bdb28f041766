/** Turning the MAPPING arguments of operator commands into effective mappings (worker/load-mappings.ts decides which). */
import { cannotRunReason, type IntegrationTableMapping } from '../mappings';
import { type EffectiveMappings, findMapping, loadEffectiveMappings, MappingsFileError } from '../worker/load-mappings';
import type { CommandContext } from './context';
import { UsageError } from './errors';
import { mappingSlug } from './schedules';

/**
 * The effective mappings — the ones the worker runs — and where they come from (MAPPINGS_FILE, the demo's file in
 * DATA_DIR, or the defaults). A bad override file is bad configuration: `UsageError` (exit 2).
 */
export function effectiveMappingsWithSource(ctx: CommandContext): EffectiveMappings {
  try {
    return loadEffectiveMappings(ctx.config);
  } catch (err) {
    if (err instanceof MappingsFileError) throw new UsageError(`bad configuration: ${err.message}`);
    throw err;
  }
}

/** The effective mappings in dependency order (see `effectiveMappingsWithSource`). */
export function effectiveMappings(ctx: CommandContext): IntegrationTableMapping[] {
  return effectiveMappingsWithSource(ctx).mappings;
}

function lookUp(mappings: readonly IntegrationTableMapping[], name: string): IntegrationTableMapping | undefined {
  return findMapping(mappings, name) ?? mappings.find((m) => mappingSlug(m.name) === mappingSlug(name));
}

/**
 * The mapping called `name`: its name in any case (`customer`, `UNIT OF MEASURE`) or its slug (`unit-of-measure`).
 * Throws `UsageError` (exit 2) listing the valid names when there is none.
 */
export function resolveMapping(mappings: readonly IntegrationTableMapping[], name: string): IntegrationTableMapping {
  const found = lookUp(mappings, name);
  if (!found) {
    throw new UsageError(`unknown mapping '${name}'; valid mappings: ${mappings.map((m) => m.name).join(', ')}`);
  }
  return found;
}

/**
 * The mapping named `name`, refused with a `UsageError` that says why when it cannot run (`cannotRunReason`). Use it
 * for everything that starts a run; reads and stops take any mapping.
 */
export function resolveRunnableMapping(
  mappings: readonly IntegrationTableMapping[],
  name: string,
): IntegrationTableMapping {
  const m = resolveMapping(mappings, name);
  const reason = cannotRunReason(m);
  if (reason) throw new UsageError(reason);
  return m;
}

/**
 * The mappings named by `names`, or every mapping with `all` (in dependency order). Throws `UsageError` when both or
 * neither are given, or a name is unknown.
 */
export function selectMappings(
  mappings: readonly IntegrationTableMapping[],
  names: readonly string[],
  all: boolean | undefined,
): IntegrationTableMapping[] {
  if (all && names.length) throw new UsageError('name mappings or pass --all, not both');
  if (all) return [...mappings];
  if (!names.length) throw new UsageError('name one or more mappings, or pass --all');
  const selected: IntegrationTableMapping[] = [];
  for (const name of names) {
    const m = resolveMapping(mappings, name);
    if (!selected.includes(m)) selected.push(m);
  }
  return selected;
}

/**
 * The mapping name to filter logs by: the canonical name of a configured mapping (given by name or slug), otherwise
 * `name` upper-cased (logs may hold mappings no longer configured, or the smoke run's `SMOKE`).
 */
export function logMappingName(mappings: readonly IntegrationTableMapping[], name: string): string {
  return lookUp(mappings, name)?.name ?? name.trim().toUpperCase();
}
