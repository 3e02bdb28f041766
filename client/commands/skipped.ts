/**
 * Parked records (DESIGN §5: a record that fails twice with the same error is skipped, never dropped silently):
 * `bcsync skipped [--mapping M] [--json]` lists them, `bcsync restore MAPPING [--bc ID …] [--dv ID …] [--all]` puts
 * them back into the retry set of the next run.
 */
import { type Coupling, findByBcIds, findByDvIds, listSkipped, restoreSkipped } from '../../store/couplings';
import {
  findPendingFailures,
  listSkippedPending,
  type PendingFailure,
  restoreSkippedPending,
} from '../../store/pending-failures';
import type { CommandContext } from '../context';
import { CliError, UsageError } from '../errors';
import { effectiveMappings, resolveMapping } from '../mapping-selection';
import { printJson, printTable } from '../output';

function lastError(c: Coupling): string {
  return c.toDataverse.lastError ?? c.toBc.lastError ?? '';
}

/**
 * The skipped records (of `mapping`, or of every mapping): the coupled ones and those parked before they were ever
 * coupled (their create kept failing the same way), at most `limit` of each. Used by `bcsync skipped` and the console.
 */
export async function listSkippedRecords(
  ctx: CommandContext,
  opts: { mapping?: string; limit: number },
): Promise<{ rows: Coupling[]; pending: PendingFailure[] }> {
  const mapping = opts.mapping ? resolveMapping(effectiveMappings(ctx), opts.mapping).name : undefined;
  const store = await ctx.store();
  const rows = await listSkipped(store.knex, mapping, opts.limit);
  const pending = await listSkippedPending(store.knex, mapping, opts.limit);
  return { rows, pending };
}

export async function skippedCommand(
  ctx: CommandContext,
  opts: { mapping?: string; limit: number; json?: boolean },
): Promise<void> {
  const { rows, pending } = await listSkippedRecords(ctx, opts);
  if (opts.json) return printJson([...rows, ...pending.map((p) => ({ ...p, coupled: false }))]);
  printTable(
    [
      ...rows.map((c) => ({
        coupling: c.id,
        mapping: c.mapping,
        bc: c.bcId,
        dataverse: c.dvId,
        'skipped at': c.skippedAt,
        failures: Math.max(c.toDataverse.errorCount, c.toBc.errorCount),
        'last error': lastError(c),
      })),
      ...pending.map((p) => ({
        coupling: '(not coupled)',
        mapping: p.mapping,
        bc: p.direction === 'to-dataverse' ? p.sourceId : '',
        dataverse: p.direction === 'to-bc' ? p.sourceId : '',
        'skipped at': p.skippedAt,
        failures: p.errorCount,
        'last error': p.lastError ?? '',
      })),
    ],
    ['coupling', 'mapping', 'bc', 'dataverse', 'skipped at', 'failures', 'last error'],
  );
}

export interface RestoreResult {
  mapping: string;
  restored: number;
  /** BC ids of named records that are coupled but not skipped. */
  notSkipped: string[];
  /** Named ids the mapping knows nothing of. */
  unknown: string[];
}

/**
 * Puts skipped records of mapping `name` back into the retry set of the next run: the records named by `bc`/`dv` ids,
 * or with `all` every skipped record of the mapping. Throws `UsageError` for an unknown mapping or when both or neither
 * of ids and `all` are given. Used by `bcsync restore` and the console's "Restore".
 */
export async function restoreRecords(
  ctx: CommandContext,
  name: string,
  opts: { bc?: string[]; dv?: string[]; all?: boolean },
): Promise<RestoreResult> {
  const mapping = resolveMapping(effectiveMappings(ctx), name).name;
  const named = [...(opts.bc ?? []), ...(opts.dv ?? [])];
  if (opts.all && named.length) throw new UsageError('pass --bc/--dv ids or --all, not both');
  if (!opts.all && !named.length)
    throw new UsageError('name the records to restore with --bc ID or --dv ID, or pass --all');
  const store = await ctx.store();
  const now = new Date();
  if (opts.all) {
    const restored =
      (await restoreSkipped(store.knex, mapping, now)) + (await restoreSkippedPending(store.knex, mapping, now));
    return { mapping, restored, notSkipped: [], unknown: [] };
  }
  const found = [
    ...(await findByBcIds(store.knex, mapping, opts.bc ?? [])).values(),
    ...(await findByDvIds(store.knex, mapping, opts.dv ?? [])).values(),
  ];
  const pending = [
    ...(
      await findPendingFailures(
        store.knex,
        mapping,
        'to-dataverse',
        (opts.bc ?? []).map((id) => id.toLowerCase()),
      )
    ).values(),
    ...(
      await findPendingFailures(
        store.knex,
        mapping,
        'to-bc',
        (opts.dv ?? []).map((id) => id.toLowerCase()),
      )
    ).values(),
  ];
  const known = new Set([...found.flatMap((c) => [c.bcId, c.dvId]), ...pending.map((p) => p.sourceId)]);
  const unknown = named.filter((id) => !known.has(id.toLowerCase()));
  const notSkipped = found.filter((c) => !c.skipped);
  const ids = [...new Set(found.filter((c) => c.skipped).map((c) => c.id))];
  const pendingIds = pending.filter((p) => p.skipped).map((p) => p.id);
  const restored =
    (ids.length ? await restoreSkipped(store.knex, mapping, now, ids) : 0) +
    (pendingIds.length ? await restoreSkippedPending(store.knex, mapping, now, pendingIds) : 0);
  return { mapping, restored, notSkipped: notSkipped.map((c) => c.bcId), unknown };
}

export async function restoreCommand(
  ctx: CommandContext,
  name: string,
  opts: { bc?: string[]; dv?: string[]; all?: boolean; json?: boolean },
): Promise<void> {
  const r = await restoreRecords(ctx, name, opts);
  if (opts.json) {
    printJson(opts.all ? { mapping: r.mapping, restored: r.restored } : r);
  } else {
    console.log(`${r.mapping}: restored ${r.restored} skipped record(s); the next run retries them`);
    for (const id of r.notSkipped) console.log(`  ${id}: not skipped`);
  }
  if (r.unknown.length) throw new CliError(`${r.mapping} has no coupling for ${r.unknown.join(', ')}`);
}
