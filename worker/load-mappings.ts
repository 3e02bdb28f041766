/**
 * The effective integration table mappings: the eleven defaults with the user's override file (MAPPINGS_FILE)
 * applied. Read once by each composition root (worker, CLI) and passed down.
 */
import { readFileSync } from 'node:fs';
import { applyMappingOverrides, defaultMappings, type IntegrationTableMapping } from '../mappings';

/** Thrown when the override file cannot be read or is invalid; the message names the file, mapping and field. */
export class MappingsFileError extends Error {
  override readonly name = 'MappingsFileError';
}

/** The mappings in dependency order. Throws `MappingsFileError` for an unreadable or invalid override file. */
export function loadMappings(mappingsFile: string | undefined): IntegrationTableMapping[] {
  if (!mappingsFile) return defaultMappings();
  let text: string;
  try {
    text = readFileSync(mappingsFile, 'utf8');
  } catch (err) {
    throw new MappingsFileError(
      `MAPPINGS_FILE: cannot read ${mappingsFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MappingsFileError(`MAPPINGS_FILE: ${mappingsFile} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return applyMappingOverrides(defaultMappings(), json);
  } catch (err) {
    throw new MappingsFileError(`MAPPINGS_FILE: ${mappingsFile}: ${(err as Error).message}`);
  }
}

/** The mapping called `name` (case-insensitive), or undefined. */
export function findMapping(
  mappings: readonly IntegrationTableMapping[],
  name: string,
): IntegrationTableMapping | undefined {
  const wanted = name.trim().toUpperCase();
  return mappings.find((m) => m.name === wanted);
}
