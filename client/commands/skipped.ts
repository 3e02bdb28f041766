/**
 * Parked records (DESIGN §5: a record that fails twice with the same error is skipped, never dropped silently):
 * `bcsync skipped [--mapping M] [--json]` lists them, `bcsync restore MAPPING [--bc ID …] [--dv ID …] [--all]` puts
 * them back into the retry set of the next run.
 */
import { type Coupling, findByBcIds, findByDvIds, listSkipped, restoreSkipped } from '../../store/couplings';
import { findPendingFailures, listSkippedPending, restoreSkippedPending } from '../../store/pending-failures';
import type { CommandContext } from '../context';
import { CliError, UsageError } from '../errors';
import { effectiveMappings, resolveMapping } from '../mapping-selection';
import { printJson, printTable } from '../output';

function lastError(c: Coupling): string {
  return c.toDataverse.lastError ?? c.toBc.lastError ?? '';
}

export async function skippedCommand(
  ctx: CommandContext,
  opts: { mapping?: string; limit: number; json?: boolean },
): Promise<void> {
  const mapping = opts.mapping ? resolveMapping(effectiveMappings(ctx), opts.mapping).name : undefined;
  const store = await ctx.store();
  const rows = await listSkipped(store.knex, mapping, opts.limit);
  // Records parked before they were ever coupled (their create kept failing the same way).
  const pending = await listSkippedPending(store.knex, mapping, opts.limit);
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

export async function restoreCommand(
  ctx: CommandContext,
  name: string,
  opts: { bc?: string[]; dv?: string[]; all?: boolean; json?: boolean },
): Promise<void> {
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
    if (opts.json) return printJson({ mapping, restored });
    console.log(`${mapping}: restored ${restored} skipped record(s); the next run retries them`);
    return;
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
  if (opts.json) {
    printJson({
      mapping,
      restored,
      notSkipped: notSkipped.map((c) => c.bcId),
      unknown,
    });
  } else {
    console.log(`${mapping}: restored ${restored} skipped record(s); the next run retries them`);
    for (const c of notSkipped) console.log(`  ${c.bcId}: not skipped`);
  }
  if (unknown.length) throw new CliError(`${mapping} has no coupling for ${unknown.join(', ')}`);
}
