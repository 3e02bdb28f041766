// The choice (picklist) metadata of the Dataverse emulator: one option set per choice column, seeded with the values
// Dataverse ships (schema.ts `choices`), extendable at run time through `InsertOptionValue`.
//
// Microsoft's table reference names the option set behind each column (GlobalChoiceName). For every choice column the
// emulator serves it is a *local* set named `<table>_<column>` (account_paymenttermscode, account_address1_
// shippingmethodcode, contact_address1_shippingmethodcode, invoice_paymenttermscode, …), so a value inserted into one
// column appears in no other column. A column declared with `optionSet` in schema.ts uses that *global* set instead,
// and every column naming the same global set sees an inserted value (the "mirror"). statecode/statuscode are state
// and status attributes with their own messages (SetState, InsertStatusValue) and have no option set here.
import { TABLES, type ColumnDef, type TableDef } from './schema';

/** One option of a choice column. */
export interface OptionValue {
  readonly value: number;
  readonly label: string;
}

/** The JSON form of the option sets in the state file. */
export type OptionSetSnapshot = Record<string, OptionValue[]>;

/** First value `InsertOptionValue` assigns when the caller gives none: the default publisher's prefix 10000 × 10,000. */
export const FIRST_CUSTOM_OPTION_VALUE = 100_000_000;

const STATE_COLUMNS = new Set(['statecode', 'statuscode']);

/** The option set behind a column: its name and whether it is global; undefined for non-choice and state columns. */
export function optionSetOf(table: TableDef, column: string): { name: string; isGlobal: boolean } | undefined {
  const def: ColumnDef | undefined = table.columns[column];
  if (def === undefined || def.type !== 'choice' || STATE_COLUMNS.has(column)) return undefined;
  if (def.optionSet !== undefined) return { name: def.optionSet, isGlobal: true };
  return { name: `${table.logicalName}_${column}`, isGlobal: false };
}

/** Every (table, column) that uses the option set `name`. */
export function columnsUsing(name: string): { table: TableDef; column: string }[] {
  const out: { table: TableDef; column: string }[] = [];
  for (const table of TABLES.values()) {
    for (const column of Object.keys(table.columns)) {
      if (optionSetOf(table, column)?.name === name) out.push({ table, column });
    }
  }
  return out;
}

function defaults(): Map<string, OptionValue[]> {
  const sets = new Map<string, OptionValue[]>();
  for (const table of TABLES.values()) {
    for (const [column, def] of Object.entries(table.columns)) {
      const set = optionSetOf(table, column);
      if (set === undefined || sets.has(set.name)) continue;
      const options = Object.entries(def.choices ?? {}).map(([value, label]) => ({ value: Number(value), label }));
      sets.set(set.name, options);
    }
  }
  return sets;
}

/** The option sets of one emulator: defaults from the schema plus the values inserted since the last reset. */
export class OptionSets {
  private sets = defaults();

  /** Restores the values Dataverse ships (drops every inserted value). */
  reset(): void {
    this.sets = defaults();
  }

  /** The options of a set, in insertion order; undefined for an unknown set. */
  options(name: string): readonly OptionValue[] | undefined {
    return this.sets.get(name);
  }

  /** The label of a value, or undefined when the set has no such value. */
  label(name: string, value: number): string | undefined {
    return this.sets.get(name)?.find((o) => o.value === value)?.label;
  }

  /**
   * Adds an option and returns its value: `value` when given, otherwise the next free value from
   * FIRST_CUSTOM_OPTION_VALUE up. Throws when the set is unknown or `value` is taken (the caller maps it to the
   * documented error).
   */
  insert(name: string, label: string, value?: number): number {
    const options = this.sets.get(name);
    if (options === undefined) throw new Error(`unknown option set ${name}`);
    let chosen = value;
    if (chosen === undefined) {
      chosen = FIRST_CUSTOM_OPTION_VALUE;
      for (const o of options) if (o.value >= chosen) chosen = o.value + 1;
    }
    if (options.some((o) => o.value === chosen)) throw new DuplicateOptionValue(name, chosen);
    options.push({ value: chosen, label });
    return chosen;
  }

  toSnapshot(): OptionSetSnapshot {
    return Object.fromEntries([...this.sets].map(([name, options]) => [name, [...options]]));
  }

  /** Loads a snapshot over the defaults (sets the schema no longer has are ignored). */
  loadSnapshot(snapshot: OptionSetSnapshot | undefined): void {
    this.reset();
    for (const [name, options] of Object.entries(snapshot ?? {})) {
      if (this.sets.has(name)) this.sets.set(name, [...options]);
    }
  }
}

/** Thrown by `OptionSets.insert` when the value exists in the set. */
export class DuplicateOptionValue extends Error {
  constructor(
    readonly optionSet: string,
    readonly value: number,
  ) {
    super(`option set ${optionSet} already has the value ${value}`);
  }
}
