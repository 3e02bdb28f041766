/**
 * One run of an option mapping (bc-sync-semantics §4.12): read the BC code table and the Dataverse choice column,
 * pair what matches, create a choice value for each code that has none (`InsertOptionValue`, label = the code), mirror
 * created values into the same column of the other tables BC mirrors into, and store the pairs in `option_mappings`.
 * Idempotent: a repeat after a crash pairs the values the first attempt created (a new value's number is chosen from
 * the code, engine/option-pairing.ts), so nothing is created twice.
 */
import type { Knex } from 'knex';
import type { DvChoiceOption } from '../../connectors/dataverse';
import { DuplicateKeyError } from '../../connectors/http/errors';
import { type OptionPair, optionValueFor, planOptionPairing } from '../../engine/option-pairing';
import type { OptionMappingDefinition } from '../../mappings/option-mappings';
import { deleteOptionMappings, listOptionMappings, setOptionMapping } from '../../store/option-mappings';
import type { Connectors } from '../sides';

export interface OptionSyncDeps {
  knex: Knex;
  connectors: Connectors;
  now: () => Date;
}

/** What one run of one option mapping did; every BC code is counted once in kept, paired, created or ambiguous. */
export interface OptionSyncResult {
  optionSet: string;
  /** BC codes read. */
  codes: number;
  /** Pairs that were stored already and still hold. */
  kept: number;
  /** Codes paired with an existing choice value (label = code or description). */
  paired: number;
  /** Codes that got a new choice value. */
  created: number;
  /** Stored pairs removed because their code or value no longer exists. */
  dropped: number;
  /** Values inserted into mirror columns (invoice …). */
  mirrored: number;
  /** Codes whose label matches several values: not paired, named here for the operator. */
  ambiguous: Array<{ bcCode: string; values: number[] }>;
  /** Choice values no BC code pairs with (not synchronized back; see docs/mappings.md). */
  unpaired: DvChoiceOption[];
}

const upper = (s: string) => s.trim().toUpperCase();

/** Reads the codes of the mapping's BC table (code and description). */
async function readCodes(deps: OptionSyncDeps, def: OptionMappingDefinition, signal?: AbortSignal) {
  const codes: Array<{ code: string; description: string | null }> = [];
  for await (const page of deps.connectors.bc.listAll({
    entitySet: def.bc.entitySet,
    select: [def.bc.codeField, def.bc.descriptionField],
    signal,
  })) {
    for (const rec of page) {
      const code = rec[def.bc.codeField];
      const description = rec[def.bc.descriptionField];
      if (typeof code === 'string' && code.trim() !== '') {
        codes.push({ code, description: typeof description === 'string' ? description : null });
      }
    }
  }
  return codes;
}

/**
 * Creates the choice value for `code`: the value chosen from the code, or — when a concurrent run or an earlier
 * attempt took that number — the value now labelled with the code, or the next free number. Returns the pair.
 */
async function createValue(
  deps: OptionSyncDeps,
  def: OptionMappingDefinition,
  code: string,
  value: number,
  signal?: AbortSignal,
): Promise<OptionPair> {
  const { dv } = deps.connectors;
  let attempt = value;
  for (let i = 0; i < 5; i++) {
    try {
      const created = await dv.insertOptionValue(def.dataverse.table, def.dataverse.column, code, {
        value: attempt,
        signal,
      });
      return { bcCode: code, dvValue: created, dvLabel: code };
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
      const now = await dv.readChoiceOptions(def.dataverse.table, def.dataverse.column, { signal });
      const mine = now.find((o) => upper(o.label) === upper(code));
      if (mine) return { bcCode: code, dvValue: mine.value, dvLabel: mine.label };
      attempt = optionValueFor(def.name, code, new Set(now.map((o) => o.value)));
    }
  }
  throw new Error(
    `cannot create a Dataverse ${def.dataverse.caption} for ${def.bc.caption} '${code}': every value tried was taken meanwhile; run 'bcsync options sync ${def.name}' again`,
  );
}

/** Puts every paired value into the mirror columns that lack it (same value and label); returns how many went in. */
async function mirror(
  deps: OptionSyncDeps,
  def: OptionMappingDefinition,
  pairs: readonly OptionPair[],
  signal?: AbortSignal,
): Promise<number> {
  let inserted = 0;
  for (const m of def.mirrors) {
    const present = new Set(
      (await deps.connectors.dv.readChoiceOptions(m.table, m.column, { signal })).map((o) => o.value),
    );
    for (const p of pairs) {
      if (present.has(p.dvValue)) continue;
      try {
        await deps.connectors.dv.insertOptionValue(m.table, m.column, p.dvLabel ?? p.bcCode, {
          value: p.dvValue,
          signal,
        });
        inserted++;
      } catch (err) {
        if (!(err instanceof DuplicateKeyError)) throw err;
      }
    }
  }
  return inserted;
}

/**
 * Runs one option mapping; see the module comment. Throws the connectors' errors (an unreachable API, a column that
 * is not a choice column) and the store's; per-code problems (ambiguous labels) are reported in the result.
 */
export async function syncOptionMapping(
  deps: OptionSyncDeps,
  def: OptionMappingDefinition,
  signal?: AbortSignal,
): Promise<OptionSyncResult> {
  const codes = await readCodes(deps, def, signal);
  const options = await deps.connectors.dv.readChoiceOptions(def.dataverse.table, def.dataverse.column, { signal });
  const stored = await listOptionMappings(deps.knex, def.name);
  const plan = planOptionPairing(def.name, codes, options, stored);

  const keptCodes = new Set(plan.keep.map((p) => upper(p.bcCode)));
  await deleteOptionMappings(
    deps.knex,
    def.name,
    plan.drop.filter((p) => !keptCodes.has(upper(p.bcCode))).map((p) => p.bcCode),
  );
  const store = (p: OptionPair) => setOptionMapping(deps.knex, { optionSet: def.name, ...p }, deps.now());
  for (const p of plan.keep) {
    const before = stored.find((s) => upper(s.bcCode) === upper(p.bcCode));
    if (before?.dvLabel !== p.dvLabel || before?.bcCode !== p.bcCode) await store(p);
  }
  for (const p of plan.pair) await store({ bcCode: p.bcCode, dvValue: p.dvValue, dvLabel: p.dvLabel });
  const created: OptionPair[] = [];
  for (const c of plan.create) {
    const pair = await createValue(deps, def, c.bcCode, c.value, signal);
    await store(pair);
    created.push(pair);
  }
  const pairs = [...plan.keep, ...plan.pair, ...created];
  const mirrored = await mirror(deps, def, pairs, signal);
  return {
    optionSet: def.name,
    codes: codes.length,
    kept: plan.keep.length,
    paired: plan.pair.length,
    created: created.length,
    dropped: plan.drop.length,
    mirrored,
    ambiguous: plan.ambiguous,
    unpaired: plan.unpaired.filter((o) => !created.some((c) => c.dvValue === o.value)),
  };
}
