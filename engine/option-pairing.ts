/**
 * Pairing Business Central codes with Dataverse choice values for one option mapping (bc-sync-semantics §4.12), as a
 * pure plan the activity carries out: which pairs stay, which codes pair with an existing value, which need a new
 * value (and which value to ask for), and which stored pairs are gone.
 *
 * Terminology:
 * - code: a record of the BC code table (payment terms `30 DAYS`), with its description.
 * - option: one value of the Dataverse choice column (`{ value: 100000000, label: '30 DAYS' }`).
 * - pair: a stored BC code ↔ choice value (`option_mappings`).
 */
import { sha256 } from './sha256';

export interface OptionCode {
  code: string;
  description: string | null;
}

export interface ChoiceOption {
  value: number;
  label: string;
}

export interface OptionPair {
  bcCode: string;
  dvValue: number;
  dvLabel: string | null;
}

export interface OptionPairingPlan {
  /** Stored pairs whose code and value both still exist (labels as Dataverse has them now). */
  keep: OptionPair[];
  /** Codes recognised in an existing, unpaired value: by label = code, else label = description. */
  pair: Array<OptionPair & { by: 'code' | 'description' }>;
  /** Codes that need a new choice value: label = the code, `value` = the deterministic value to ask for. */
  create: Array<{ bcCode: string; label: string; value: number }>;
  /** Codes whose label or description matches more than one unpaired value: reported, never guessed. */
  ambiguous: Array<{ bcCode: string; values: number[] }>;
  /** Stored pairs to delete: the code no longer exists in BC, or the value no longer exists in Dataverse. */
  drop: OptionPair[];
  /** Values no code pairs with (the reverse direction, which the option mappings do not synchronize). */
  unpaired: ChoiceOption[];
}

/** First value of the default publisher's range (prefix 10000): where Dataverse puts values it numbers itself. */
export const OPTION_VALUE_BASE = 100_000_000;
/** Size of that range. */
export const OPTION_VALUE_RANGE = 10_000;

const norm = (s: string | null | undefined): string => (s ?? '').trim().toUpperCase();

/**
 * The choice value to create for `code` in `optionSet`: a hash of both within the publisher's range, moved up past
 * values already `taken`. The same code gets the same value on every attempt, so a retry after a crash (the value
 * inserted, the pair not stored) finds the value instead of adding a second one. Throws when the range is full.
 */
export function optionValueFor(optionSet: string, code: string, taken: ReadonlySet<number>): number {
  const h = sha256(`${norm(optionSet)}|${norm(code)}`);
  const start = ((h[0] << 16) | (h[1] << 8) | h[2]) % OPTION_VALUE_RANGE;
  for (let i = 0; i < OPTION_VALUE_RANGE; i++) {
    const value = OPTION_VALUE_BASE + ((start + i) % OPTION_VALUE_RANGE);
    if (!taken.has(value)) return value;
  }
  throw new Error(`the choice values ${OPTION_VALUE_BASE}–${OPTION_VALUE_BASE + OPTION_VALUE_RANGE - 1} are all taken`);
}

/**
 * Plans one run of an option mapping from the BC codes, the choice column's values and the stored pairs. Codes are
 * compared case-insensitively (BC codes are upper case; labels are not). Each value pairs with at most one code and
 * each code with one value: label = code is tried for every code first, then label = description.
 */
export function planOptionPairing(
  optionSet: string,
  codes: readonly OptionCode[],
  options: readonly ChoiceOption[],
  stored: readonly OptionPair[],
): OptionPairingPlan {
  const codeByKey = new Map(codes.map((c) => [norm(c.code), c]));
  const optionByValue = new Map(options.map((o) => [o.value, o]));
  const plan: OptionPairingPlan = { keep: [], pair: [], create: [], ambiguous: [], drop: [], unpaired: [] };
  const pairedCodes = new Set<string>();
  const pairedValues = new Set<number>();

  for (const p of stored) {
    const code = codeByKey.get(norm(p.bcCode));
    const option = optionByValue.get(p.dvValue);
    if (code && option && !pairedCodes.has(norm(code.code))) {
      plan.keep.push({ bcCode: code.code, dvValue: option.value, dvLabel: option.label });
      pairedCodes.add(norm(code.code));
      pairedValues.add(option.value);
    } else {
      plan.drop.push(p);
    }
  }

  const remaining = [...codes]
    .filter((c) => !pairedCodes.has(norm(c.code)))
    .sort((a, b) => a.code.localeCompare(b.code));
  const candidates = (text: string) =>
    text === '' ? [] : options.filter((o) => !pairedValues.has(o.value) && norm(o.label) === text);
  for (const by of ['code', 'description'] as const) {
    for (const c of remaining) {
      if (pairedCodes.has(norm(c.code)) || plan.ambiguous.some((a) => a.bcCode === c.code)) continue;
      const hits = candidates(norm(by === 'code' ? c.code : c.description));
      if (hits.length === 1) {
        plan.pair.push({ bcCode: c.code, dvValue: hits[0].value, dvLabel: hits[0].label, by });
        pairedCodes.add(norm(c.code));
        pairedValues.add(hits[0].value);
      } else if (hits.length > 1) {
        plan.ambiguous.push({ bcCode: c.code, values: hits.map((h) => h.value) });
      }
    }
  }

  const taken = new Set(options.map((o) => o.value));
  for (const c of remaining) {
    if (pairedCodes.has(norm(c.code)) || plan.ambiguous.some((a) => a.bcCode === c.code)) continue;
    const value = optionValueFor(optionSet, c.code, taken);
    taken.add(value);
    plan.create.push({ bcCode: c.code, label: c.code, value });
  }
  plan.unpaired = options.filter((o) => !pairedValues.has(o.value));
  return plan;
}
