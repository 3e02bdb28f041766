/**
 * `bcsync history MAPPING --bc ID | --dv ID [--limit N] [--json]`: the field-level audit trail of one record, newest
 * first — every field the synchronization wrote (old and new value, direction, job, time) and every value that lost
 * a conflict (kept in the trail when a conflict policy overwrote it). The record is found by either side's id, so
 * both directions' changes of a coupled pair show together.
 */
import { findCoupling } from '../../store/couplings';
import { type FieldChange, listFieldChanges } from '../../store/field-changes';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { effectiveMappings, resolveMapping } from '../mapping-selection';
import { printJson, printTable } from '../output';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** How a stored value is shown in the table: `(empty)` for null, long values shortened. */
function shown(v: string | null): string {
  if (v === null || v === '') return '(empty)';
  return v.length > 60 ? `${v.slice(0, 57)}...` : v;
}

export interface RecordHistory {
  mapping: string;
  bcId: string | null;
  dvId: string | null;
  coupled: boolean;
  /** Newest first, at most `limit`. */
  changes: FieldChange[];
}

/**
 * The field-level audit trail of one record of a table mapping, found by either side's id (`bc` or `dv`, one of them),
 * newest first: every value written and every value that lost a conflict. Throws `UsageError` for an unknown mapping,
 * the statistics job, or a missing or malformed id. Used by `bcsync history` and the console's record page.
 */
export async function readHistory(
  ctx: CommandContext,
  name: string,
  opts: { bc?: string; dv?: string; limit: number },
): Promise<RecordHistory> {
  const m = resolveMapping(effectiveMappings(ctx), name);
  if (m.kind !== 'table') throw new UsageError(`${m.name} is a statistics job; it keeps no field history`);
  if (!!opts.bc === !!opts.dv) throw new UsageError('name the record with --bc ID or --dv ID (one of them)');
  const [option, raw] = opts.bc ? (['--bc', opts.bc] as const) : (['--dv', opts.dv!] as const);
  const id = raw.trim().toLowerCase();
  if (!GUID.test(id)) throw new UsageError(`${option} '${raw}' is not a record id (GUID)`);

  const { knex } = await ctx.store();
  const coupling = await findCoupling(knex, m.name, option === '--bc' ? { bcId: id } : { dvId: id });
  // The pair's ids: a change is stored under its source id and (once written) its destination id.
  const ids = [...new Set([id, coupling?.bcId, coupling?.dvId].filter((x): x is string => !!x))];
  const changes: FieldChange[] = [];
  for (const recordId of ids)
    changes.push(...(await listFieldChanges(knex, { mapping: m.name, recordId, limit: opts.limit })));
  const unique = new Map(changes.map((c) => [`${c.jobId}|${c.sourceId}|${c.field}|${c.kind}`, c]));
  return {
    mapping: m.name,
    bcId: coupling?.bcId ?? (option === '--bc' ? id : null),
    dvId: coupling?.dvId ?? (option === '--dv' ? id : null),
    coupled: coupling !== undefined,
    changes: [...unique.values()]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.jobId - a.jobId)
      .slice(0, opts.limit),
  };
}

export async function historyCommand(
  ctx: CommandContext,
  name: string,
  opts: { bc?: string; dv?: string; limit: number; json?: boolean },
): Promise<void> {
  const h = await readHistory(ctx, name, opts);
  const rows = h.changes;
  if (opts.json) {
    printJson({ ...h, changes: rows.map((c) => ({ ...c, createdAt: c.createdAt.toISOString() })) });
    return;
  }
  console.log(
    h.coupled
      ? `${h.mapping}: Business Central ${h.bcId} ⇄ Dataverse ${h.dvId}`
      : `${h.mapping}: ${h.bcId ? `Business Central ${h.bcId}` : `Dataverse ${h.dvId}`} (not coupled)`,
  );
  if (!rows.length) {
    console.log('(no field changes recorded)');
    return;
  }
  printTable(
    rows.map((c) => ({
      time: c.createdAt.toISOString(),
      job: String(c.jobId),
      direction: c.direction,
      field: c.field,
      change:
        c.kind === 'conflict-lost'
          ? `conflict: ${shown(c.oldValue)} lost to ${shown(c.newValue)}`
          : `${shown(c.oldValue)} → ${shown(c.newValue)}`,
    })),
    ['time', 'job', 'direction', 'field', 'change'],
  );
}
