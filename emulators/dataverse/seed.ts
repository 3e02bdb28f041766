// Loads the Dataverse half of the shared demo dataset into the store: keeps the columns the emulator's schema knows,
// records lookup targets (polymorphic parents from `parentcustomeridtype`), fixes state/status pairs to the table's
// model, computes derived columns and issues version numbers.
import { generateDataverseDemoData, type DemoDataOptions } from '../shared/demo-data';
import { TABLES, lookupValueColumn, readableColumns } from './schema';
import { type DataverseStore, type Row } from './store';

const TYPE_TO_SET: Record<string, string> = { account: 'accounts', contact: 'contacts', systemuser: 'systemusers' };

/** Replaces the store's content with the demo dataset; returns the row count per entity set. */
export function seedDemoData(store: DataverseStore, options: DemoDataOptions): Record<string, number> {
  const data = generateDataverseDemoData(options) as unknown as Record<string, Record<string, unknown>[]>;
  store.clear();
  const counts: Record<string, number> = {};
  for (const table of TABLES.values()) {
    const rows = data[table.entitySet] ?? [];
    const columns = new Set(readableColumns(table));
    for (const source of rows) {
      const values: Record<string, unknown> = {};
      for (const name of columns) values[name] = null;
      for (const [name, value] of Object.entries(source)) if (columns.has(name)) values[name] = value;
      const targets: Record<string, string> = {};
      for (const [lookup, def] of Object.entries(table.lookups)) {
        if (values[lookupValueColumn(lookup)] == null) continue;
        const typeHint = source[`${lookup}type`];
        const hinted = typeof typeHint === 'string' ? TYPE_TO_SET[typeHint] : undefined;
        const targetsOfLookup = Object.values(def.navigations);
        targets[lookup] =
          hinted !== undefined && targetsOfLookup.includes(hinted) ? hinted : (targetsOfLookup[0] ?? '');
      }
      const model = table.state;
      if (model !== undefined) {
        const state = typeof values.statecode === 'number' ? values.statecode : model.defaultState;
        values.statecode = state;
        if (model.statusOf[values.statuscode as number] !== state) values.statuscode = model.defaultStatus[state];
      }
      table.compute?.(values);
      values.versionnumber = store.nextVersion();
      if (typeof values.modifiedon === 'string') store.observeStamp(values.modifiedon);
      const row: Row = { values, targets };
      store.put(table.entitySet, String(values[table.primaryKey]), row);
    }
    counts[table.entitySet] = rows.length;
  }
  return counts;
}
