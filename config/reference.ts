/**
 * The configuration reference (docs/configuration.md, `npm run docs:config`), read from the config schema itself:
 * every variable with its type, default, whether it is a secret, and its description. A variable added to the schema
 * appears here without another change; its description comes from `.describe()` (or `.meta({ description })`).
 */
import { z } from 'zod';
import { configSchema } from './index';

/** One environment variable as the reference shows it. */
export interface ConfigVariable {
  name: string;
  /** A readable type: `string`, `port (0–65535)`, `one of: info, debug`, … */
  type: string;
  /** The default as it would be written in the environment, or undefined when the variable has none. */
  default?: string;
  /** A secret: redacted from logs, never stored, never in workflow histories (DESIGN §7.5). */
  secret: boolean;
  /** What the variable does; empty when the schema has no description (the reference test fails then). */
  description: string;
}

/** The zod internals the walk reads (zod 4's `_zod.def`). */
interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string | number>;
  defaultValue?: unknown;
  values?: unknown[];
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Names that say secret, unless they name a file or a path holding one. */
const secretByName = (name: string) => /SECRET|TOKEN|API_KEY|PASSWORD/.test(name) && !/_(FILE|PATH)$/.test(name);

/**
 * Describes one schema field: walks from the outside in (description, default, optional, transform pipes, unions)
 * and takes the first type label, description and secret flag met, so a field's own `.describe()` wins over its
 * helper's.
 */
function describeField(name: string, field: z.ZodType): ConfigVariable {
  let type: string | undefined;
  let description: string | undefined;
  let secret: boolean | undefined;
  let defaultValue: unknown;
  let hasDefault = false;
  let s: z.ZodType | undefined = field;
  while (s) {
    const meta = z.globalRegistry.get(s) as { type?: string; description?: string; secret?: boolean } | undefined;
    type ??= meta?.type;
    description ??= meta?.description ?? s.description;
    secret ??= meta?.secret;
    const def = defOf(s);
    switch (def.type) {
      case 'default':
      case 'prefault':
        if (!hasDefault) {
          hasDefault = true;
          defaultValue = def.defaultValue;
        }
        s = def.innerType;
        break;
      case 'optional':
      case 'nullable':
      case 'readonly':
      case 'catch':
        s = def.innerType;
        break;
      case 'pipe':
        s = def.in;
        break;
      case 'union':
        // `x.optional().or(z.literal(''))`: the first option is the variable's real shape.
        s = def.options?.[0];
        break;
      case 'enum':
        type ??= `one of: ${Object.values(def.entries ?? {}).join(', ')}`;
        s = undefined;
        break;
      case 'literal':
        type ??= `literal ${(def.values ?? []).map((v) => JSON.stringify(v)).join(' | ')}`;
        s = undefined;
        break;
      default:
        // string, number, boolean, …: zod's own name.
        type ??= def.type;
        s = undefined;
    }
  }
  return {
    name,
    type: type ?? 'string',
    default: hasDefault && defaultValue !== undefined ? envSpelling(defaultValue) : undefined,
    secret: secret ?? secretByName(name),
    description: description ?? '',
  };
}

/** A default as it would be written in the environment: strings as they are, anything else as JSON. */
function envSpelling(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Every variable of the schema, in the schema's order. */
export function configVariables(): ConfigVariable[] {
  return Object.entries(configSchema.shape).map(([name, field]) => describeField(name, field as z.ZodType));
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/configuration.md, as `npm run docs:config` writes it (before prettier formats the table). */
export function renderConfigurationReference(variables: readonly ConfigVariable[] = configVariables()): string {
  const rows = variables.map(
    (v) =>
      `| \`${v.name}\` | ${cell(v.type)} | ${v.default === undefined ? '—' : `\`${cell(v.default)}\``} | ${
        v.secret ? 'yes' : ''
      } | ${cell(v.description)} |`,
  );
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from the config schema (config/index.ts) by `npm run docs:config`; do not edit by hand. A test fails when this file is stale. -->',
    '',
    'Every setting is an environment variable, read once and validated by `config/index.ts` at start-up: a bad value',
    'stops the process with a message naming the variable. `.env.example` lists them all with their defaults. Booleans',
    'accept only the spellings their type names. A variable without a default is unset unless you set it.',
    '',
    'Secrets (marked below) are never logged, never written to MySQL and never put in workflow histories or search',
    'attributes: the logger redacts them by field name and by value (worker/logger.ts), and `test/security` proves it',
    'after a full synchronization. Give them through the `…_FILE` variant (a file mounted from your secret store) where',
    'there is one; rotating them is described in [operations.md](operations.md#rotate-secrets).',
    '',
    '| Variable | Type | Default | Secret | Description |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
