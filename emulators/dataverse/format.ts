// Turns stored rows into Web API JSON: `@odata.etag`, `$select` (primary key always included, money columns pull in
// `_transactioncurrencyid_value`), and with `Prefer: odata.include-annotations` the formatted values and lookup
// annotations.
import { optionSetOf } from './option-sets';
import { TABLES, lookupValueColumn, readableColumns, type TableDef } from './schema';
import { type DataverseStore, type Row } from './store';

export const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
export const LOOKUP_LOGICAL_NAME = 'Microsoft.Dynamics.CRM.lookuplogicalname';
export const ASSOCIATED_NAV = 'Microsoft.Dynamics.CRM.associatednavigationproperty';

/** Which annotations a `Prefer: odata.include-annotations="…"` value asks for. */
export type AnnotationFilter = (annotation: string) => boolean;

/** Parses the `odata.include-annotations` preference; undefined when it is absent or asks for nothing. */
export function parseAnnotationPreference(
  prefer: string | undefined,
): { filter: AnnotationFilter; raw: string } | undefined {
  if (prefer === undefined) return undefined;
  const m = /odata\.include-annotations\s*=\s*("([^"]*)"|[^,;\s]+)/i.exec(prefer);
  if (m === null) return undefined;
  const raw = m[2] ?? m[1] ?? '';
  const patterns = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.startsWith('-'));
  if (patterns.length === 0) return undefined;
  const filter: AnnotationFilter = (annotation) =>
    patterns.some((p) => p === '*' || p === annotation || (p.endsWith('.*') && annotation.startsWith(p.slice(0, -1))));
  return { filter, raw: m[1] ?? raw };
}

export interface FormatOptions {
  readonly select?: readonly string[];
  readonly annotations?: AnnotationFilter;
}

const pad = (n: number): string => String(n).padStart(2, '0');

function formatDateTime(iso: string): string {
  const d = new Date(iso);
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h12}:${pad(d.getUTCMinutes())} ${h < 12 ? 'AM' : 'PM'}`;
}

function formatNumber(n: number, fractionDigits?: number): string {
  return n.toLocaleString('en-US', {
    minimumFractionDigits: fractionDigits ?? 0,
    maximumFractionDigits: fractionDigits ?? 10,
  });
}

function currencySymbol(store: DataverseStore, row: Row): string {
  const id = row.values._transactioncurrencyid_value;
  if (typeof id !== 'string') return '$';
  const symbol = store.get('transactioncurrencies', id)?.values.currencysymbol;
  return typeof symbol === 'string' ? symbol : '$';
}

/** The formatted value of one column, or undefined when the column has none. */
function formattedValue(store: DataverseStore, table: TableDef, row: Row, column: string): string | undefined {
  const value = row.values[column];
  if (value === null || value === undefined) return undefined;
  const def = table.columns[column];
  if (def === undefined) {
    // A lookup `_x_value`: the primary name of the target row.
    const lookup = column.slice(1, -6);
    const targetSet = row.targets[lookup];
    const target = targetSet === undefined ? undefined : TABLES.get(targetSet);
    const targetRow = target === undefined ? undefined : store.get(target.entitySet, value as string);
    const name = target === undefined ? undefined : targetRow?.values[target.primaryName];
    return typeof name === 'string' ? name : undefined;
  }
  switch (def.type) {
    case 'choice': {
      const optionSet = optionSetOf(table, column);
      return optionSet === undefined
        ? def.choices?.[value as number]
        : store.optionSets.label(optionSet.name, value as number);
    }
    case 'bool':
      return value === true ? 'Yes' : 'No';
    case 'money':
      return `${currencySymbol(store, row)}${formatNumber(value as number, 2)}`;
    case 'int':
    case 'bigint':
    case 'decimal':
      return formatNumber(value as number);
    case 'datetime':
      return formatDateTime(value as string);
    case 'dateonly': {
      const [y, m, d] = (value as string).split('-');
      return `${Number(m)}/${Number(d)}/${y}`;
    }
    default:
      return undefined;
  }
}

/** The weak ETag of a row: `W/"<versionnumber>"`. */
export function etagOf(row: Row): string {
  return `W/"${String(row.values.versionnumber)}"`;
}

/** Expands a `$select` list: primary key always, `_transactioncurrencyid_value` with any money column. */
export function effectiveColumns(table: TableDef, select: readonly string[] | undefined): string[] {
  if (select === undefined || select.length === 0) return readableColumns(table);
  const out = new Set<string>([...select, table.primaryKey]);
  if (table.lookups.transactioncurrencyid !== undefined && select.some((c) => table.columns[c]?.type === 'money')) {
    out.add(lookupValueColumn('transactioncurrencyid'));
  }
  return [...out];
}

/** Serializes one row (no `@odata.context`). */
export function formatRow(
  store: DataverseStore,
  table: TableDef,
  row: Row,
  options: FormatOptions = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.etag': etagOf(row) };
  for (const column of effectiveColumns(table, options.select)) {
    const value = row.values[column] ?? null;
    const annotate = options.annotations;
    if (annotate !== undefined && value !== null) {
      const isLookup = table.columns[column] === undefined;
      if (annotate(FORMATTED)) {
        const f = formattedValue(store, table, row, column);
        if (f !== undefined) out[`${column}@${FORMATTED}`] = f;
      }
      if (isLookup) {
        const lookup = column.slice(1, -6);
        const targetSet = row.targets[lookup];
        const target = targetSet === undefined ? undefined : TABLES.get(targetSet);
        if (annotate(ASSOCIATED_NAV)) {
          const nav = Object.entries(table.lookups[lookup]?.navigations ?? {}).find(
            ([, set]) => set === targetSet,
          )?.[0];
          if (nav !== undefined) out[`${column}@${ASSOCIATED_NAV}`] = nav;
        }
        if (annotate(LOOKUP_LOGICAL_NAME) && target !== undefined) {
          out[`${column}@${LOOKUP_LOGICAL_NAME}`] = target.logicalName;
        }
      }
    }
    out[column] = value;
  }
  return out;
}
