/**
 * The one composition path of the effective integration table mappings: the eleven defaults with one override file
 * applied. Every process — `npm start`'s worker, `bcsync worker` and every `bcsync` command — calls
 * `loadEffectiveMappings(config)`, so the CLI describes the mappings the worker runs.
 *
 * Which override file (the first that applies):
 * 1. MAPPINGS_FILE, when set: the user's own file.
 * 2. `<DATA_DIR>/demo-mappings.json`, when it exists: the demo's overrides, written by `npm start`
 *    (`writeDemoMappingsFile`) when it started without MAPPINGS_FILE.
 * 3. None: the plain defaults.
 *
 * mappings/ stays pure (no I/O); reading and writing the files happens here.
 */
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import {
  applyMappingOverrides,
  defaultMappings,
  demoMappingOverrides,
  type IntegrationTableMapping,
} from '../mappings';

/** Thrown when the override file cannot be read or is invalid; the message names the setting, file, mapping and field. */
export class MappingsFileError extends Error {
  override readonly name = 'MappingsFileError';
}

/** The name of the demo's override file inside DATA_DIR. */
export const DEMO_MAPPINGS_FILE_NAME = 'demo-mappings.json';

/** Where the effective mappings come from. */
export type MappingsSource =
  /** MAPPINGS_FILE is set: the defaults with the user's file applied. */
  | { readonly kind: 'MAPPINGS_FILE'; readonly file: string }
  /** MAPPINGS_FILE is unset and `npm start` wrote the demo's overrides to DATA_DIR: the defaults with them applied. */
  | { readonly kind: 'demo'; readonly file: string }
  /** Neither: the plain defaults. */
  | { readonly kind: 'defaults'; readonly file: null };

export interface EffectiveMappings {
  /** The mappings in dependency order. */
  readonly mappings: IntegrationTableMapping[];
  readonly source: MappingsSource;
}

type MappingsConfig = Pick<Config, 'mappingsFile' | 'dataDir'>;

/** The path of the demo's override file: `<dataDir>/demo-mappings.json`. */
export function demoMappingsFile(dataDir: string): string {
  return path.join(dataDir, DEMO_MAPPINGS_FILE_NAME);
}

/** Which override file applies under `config` (see the module comment). Looks at the file system, reads nothing. */
export function mappingsSource(config: MappingsConfig): MappingsSource {
  if (config.mappingsFile) return { kind: 'MAPPINGS_FILE', file: config.mappingsFile };
  const demo = demoMappingsFile(config.dataDir);
  if (existsSync(demo)) return { kind: 'demo', file: demo };
  return { kind: 'defaults', file: null };
}

/** One line for people: where the effective mappings come from and how to change that. */
export function describeMappingsSource(source: MappingsSource): string {
  switch (source.kind) {
    case 'MAPPINGS_FILE':
      return `the defaults with MAPPINGS_FILE applied (${source.file})`;
    case 'demo':
      return `the defaults with the demo's overrides in ${source.file} (written by npm start; used while MAPPINGS_FILE is unset)`;
    case 'defaults':
      return 'the defaults (MAPPINGS_FILE is unset and npm start wrote no demo overrides to DATA_DIR)';
  }
}

/**
 * The effective mappings under `config` and where they come from. The single function that turns config into
 * mappings; every composition root calls it. Throws `MappingsFileError` naming the setting and the file when the
 * override file cannot be read, is not JSON, or is invalid (then also naming the mapping and the field).
 */
export function loadEffectiveMappings(config: MappingsConfig): EffectiveMappings {
  const source = mappingsSource(config);
  if (source.kind === 'defaults') return { mappings: defaultMappings(), source };
  const culprit =
    source.kind === 'MAPPINGS_FILE'
      ? 'MAPPINGS_FILE'
      : `DATA_DIR (the demo's ${DEMO_MAPPINGS_FILE_NAME}; delete it and npm start writes it again)`;
  return { mappings: applyOverrideFile(source.file, culprit), source };
}

function applyOverrideFile(file: string, culprit: string): IntegrationTableMapping[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code && READ_ERRORS[code] ? `${code} (${READ_ERRORS[code]})` : (code ?? String(err));
    throw new MappingsFileError(`${culprit}: cannot read ${file}: ${why}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MappingsFileError(`${culprit}: ${file} is not valid JSON: ${jsonErrorWhere(text, err as Error)}`);
  }
  // applyMappingOverrides reads null as "no overrides"; a file that says only `null` is a mistake, not a choice.
  if (json === null) {
    throw new MappingsFileError(`${culprit}: ${file} holds null; expected an object such as { "mappings": { … } }`);
  }
  try {
    return applyMappingOverrides(defaultMappings(), json);
  } catch (err) {
    throw new MappingsFileError(`${culprit}: ${file}: ${(err as Error).message}`);
  }
}

/** Plain words for the file-system errors a user meets when MAPPINGS_FILE points at the wrong place. */
const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
};

/** JSON.parse's message with the line and column of its `position`, so that the mistake can be found in an editor. */
function jsonErrorWhere(text: string, error: Error): string {
  const match = /at position (\d+)/.exec(error.message);
  if (!match || /\(line \d+ column \d+\)/.test(error.message)) return error.message;
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${error.message} (line ${line} column ${column})`;
}

/**
 * Writes the demo's overrides (mappings/demo-overrides.ts) to `<dataDir>/demo-mappings.json` unless the file exists,
 * so that a user's edits to it survive restarts. Written to a temporary file and renamed, so a CLI reading it at the
 * same moment never sees half a file. Returns the path and whether it was written now.
 */
export function writeDemoMappingsFile(dataDir: string): { file: string; written: boolean } {
  const file = demoMappingsFile(dataDir);
  if (existsSync(file)) return { file, written: false };
  mkdirSync(dataDir, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(demoMappingOverrides, null, 2)}\n`);
  renameSync(temporary, file);
  return { file, written: true };
}

/** The mapping called `name` (case-insensitive), or undefined. */
export function findMapping(
  mappings: readonly IntegrationTableMapping[],
  name: string,
): IntegrationTableMapping | undefined {
  const wanted = name.trim().toUpperCase();
  return mappings.find((m) => m.name === wanted);
}
