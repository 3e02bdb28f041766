/** Printing command results: `--json` for scripts, aligned text for people. Entry-point code: console is allowed. */

/** Prints `value` as JSON on stdout. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Prints rows as an aligned text table with the given columns. */
export function printTable<T extends Record<string, unknown>>(rows: T[], columns: Array<keyof T & string>): void {
  if (!rows.length) {
    console.log('(none)');
    return;
  }
  const cell = (v: unknown): string =>
    v instanceof Date ? v.toISOString() : v == null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(line(columns));
  for (const r of rows) console.log(line(columns.map((c) => cell(r[c]))));
}
