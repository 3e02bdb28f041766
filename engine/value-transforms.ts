import type { PassDirection } from './run-types';
import type { TransformName } from '../mappings/transform-names';
import { stringify } from './normalize-value';
import type { DataRecord } from './record-types';
import { decimalsOfRoundingPrecision } from './exchange-rates';

/** Returned by a transform to leave the destination field as it is (the field is not written). */
export const KEEP_DESTINATION: unique symbol = Symbol('keep-destination');

export interface TransformContext {
  readonly direction: PassDirection;
  /** The whole source record, for transforms that compose several source columns. */
  readonly source: DataRecord;
}

type TransformFn = (value: unknown, ctx: TransformContext) => unknown;

const text = (v: unknown): string => stringify(v).trim();

function splitName(v: unknown): { first: string; last: string } {
  const words = text(v).split(/\s+/).filter(Boolean);
  if (words.length <= 1) return { first: '', last: words[0] ?? '' };
  return { first: words.slice(0, -1).join(' '), last: words[words.length - 1] };
}

/** The implementations of the transform names in mappings/transform-names.ts, per pass direction; a direction
 *  without an entry passes the value through. */
const valueTransforms: Record<TransformName, Partial<Record<PassDirection, TransformFn>>> = {
  trim: {
    'to-dataverse': (v) => (typeof v === 'string' ? v.trim() : v),
    'to-bc': (v) => (typeof v === 'string' ? v.trim() : v),
  },
  'upper-case': {
    'to-dataverse': (v) => (typeof v === 'string' ? v.toUpperCase() : v),
    'to-bc': (v) => (typeof v === 'string' ? v.toUpperCase() : v),
  },
  'blocked-to-statecode': {
    'to-dataverse': (v) => (text(v) === 'All' ? 1 : 0),
    // An active account does not unblock a customer blocked for Ship/Invoice: leave BC as it is.
    'to-bc': (v) => (Number(v) === 1 ? 'All' : KEEP_DESTINATION),
  },
  'boolean-to-statecode': {
    'to-dataverse': (v) => (v === true || text(v).toLowerCase() === 'true' ? 1 : 0),
    // Retired ⇒ blocked, Active ⇒ not blocked; a Draft or Under Revision product says nothing about the item.
    'to-bc': (v) => (Number(v) === 1 ? true : Number(v) === 0 ? false : KEEP_DESTINATION),
  },
  'negative-to-zero': {
    'to-dataverse': (v) => (typeof v === 'number' && v < 0 ? 0 : v),
    'to-bc': (v) => (typeof v === 'number' && v < 0 ? 0 : v),
  },
  'first-name': { 'to-dataverse': (v) => splitName(v).first },
  'last-name': { 'to-dataverse': (v) => splitName(v).last },
  'person-full-name': {
    'to-bc': (_v, ctx) =>
      [ctx.source.firstname, ctx.source.middlename, ctx.source.lastname]
        .map(text)
        .filter((s) => s !== '')
        .join(' '),
  },
  'unit-group-name': { 'to-dataverse': (v) => (text(v) === '' ? v : `NAV ${text(v)}`) },
  'code-if-blank': { 'to-dataverse': (v, ctx) => (text(v) === '' ? text(ctx.source.code) : v) },
  'rounding-precision-to-decimals': { 'to-dataverse': (v) => decimalsOfRoundingPrecision(v) },
};

/** Applies a named transform for one pass direction (identity when the transform has no rule for it). */
export function applyTransform(name: TransformName, value: unknown, ctx: TransformContext): unknown {
  const fn = valueTransforms[name][ctx.direction];
  return fn ? fn(value, ctx) : value;
}
