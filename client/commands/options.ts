/**
 * Option mappings (bc-sync-semantics §3.3, §4.12): `bcsync options [MAPPING] [--json]` lists the stored pairs (BC code
 * ↔ Dataverse choice value and label); `bcsync options sync [MAPPING] [--json]` runs the option mappings now (pairs
 * codes with choice values, creates the missing values in Dataverse).
 *
 * `options sync` runs in this process, not as a Temporal workflow: it is a few requests per option set, idempotent
 * (a repeat after a crash pairs what the first attempt created), and CUSTOMER runs the same code on demand whenever it
 * meets a code without a pair — so no schedule is needed for it (docs/mappings.md, "Option mappings").
 */
import { syncOptionMapping, type OptionSyncResult } from '../../activities/options/sync-option-mapping';
import { defaultOptionMappings, findOptionMapping, type OptionMappingDefinition } from '../../mappings/option-mappings';
import { listOptionMappings } from '../../store/option-mappings';
import type { CommandContext } from '../context';
import { CliError, UsageError } from '../errors';
import { printJson, printTable } from '../output';

/** The option mappings `name` selects (all without a name); a name that is none of them is bad usage. */
function selectOptionMappings(name: string | undefined): readonly OptionMappingDefinition[] {
  if (name === undefined) return defaultOptionMappings;
  const found = findOptionMapping(name);
  if (!found) {
    throw new UsageError(
      `'${name}' is not an option mapping; the option mappings are ${defaultOptionMappings.map((m) => m.name).join(', ')}`,
    );
  }
  return [found];
}

/** `bcsync options [MAPPING]`: the stored pairs, by option mapping and BC code. */
export async function optionsCommand(
  ctx: CommandContext,
  name: string | undefined,
  opts: { json?: boolean },
): Promise<void> {
  const selected = selectOptionMappings(name);
  const store = await ctx.store();
  const rows = [];
  for (const def of selected) {
    for (const p of await listOptionMappings(store.knex, def.name)) {
      rows.push({
        mapping: def.name,
        bcCode: p.bcCode,
        dvValue: p.dvValue,
        dvLabel: p.dvLabel,
        dvColumn: `${def.dataverse.table}.${def.dataverse.column}`,
      });
    }
  }
  if (opts.json) return printJson(rows);
  printTable(
    rows.map((r) => ({
      mapping: r.mapping,
      'bc code': r.bcCode,
      'dataverse value': r.dvValue,
      label: r.dvLabel,
      column: r.dvColumn,
    })),
    ['mapping', 'bc code', 'dataverse value', 'label', 'column'],
  );
}

/** `bcsync options sync [MAPPING]`: runs the option mappings now and prints what each did. */
export async function optionsSyncCommand(
  ctx: CommandContext,
  name: string | undefined,
  opts: { json?: boolean },
): Promise<void> {
  const selected = selectOptionMappings(name);
  const store = await ctx.store();
  const results: OptionSyncResult[] = [];
  for (const def of selected) {
    try {
      results.push(
        await syncOptionMapping({ knex: store.knex, connectors: ctx.connectors, now: () => new Date() }, def),
      );
    } catch (err) {
      throw new CliError(`option mapping ${def.name} failed: ${(err as Error).message}`);
    }
  }
  if (opts.json) return printJson(results);
  printTable(
    results.map((r) => ({
      mapping: r.optionSet,
      codes: r.codes,
      kept: r.kept,
      paired: r.paired,
      created: r.created,
      dropped: r.dropped,
      mirrored: r.mirrored,
      'choices without a code': r.unpaired.map((o) => `${o.value} ${o.label}`).join(', '),
    })),
    ['mapping', 'codes', 'kept', 'paired', 'created', 'dropped', 'mirrored', 'choices without a code'],
  );
  for (const r of results) {
    for (const a of r.ambiguous) {
      console.error(
        `bcsync: ${r.optionSet} '${a.bcCode}' matches several choice values (${a.values.join(', ')}): rename all but one label in Dataverse`,
      );
    }
  }
  if (results.some((r) => r.ambiguous.length > 0)) {
    throw new CliError('some codes were not paired because their label is ambiguous (see above)');
  }
}
