/**
 * Manual record operations (DESIGN §8.2): `bcsync uncouple MAPPING --bc ID | --dv ID` removes a coupling, and
 * `bcsync sync-record MAPPING --bc ID | --dv ID [--wait]` synchronizes one or more records now in the direction of
 * the side named (from BC with --bc, from Dataverse with --dv); the chosen side's values win an update conflict.
 */
import { chunk, guidLiteral } from '../../connectors/http/odata';
import { deleteCouplings, findByDvIds, findCoupling } from '../../store/couplings';
import type { SyncMappingInput } from '../../engine/run-types';
import type { CommandContext } from '../context';
import { CliError, UsageError } from '../errors';
import { effectiveMappings, resolveMapping, resolveRunnableMapping } from '../mapping-selection';
import { printJson } from '../output';
import { mappingSlug } from '../schedules';
import { ensureNoRunningSync, idTimestamp, reportRun, startRun, type StartedRun } from '../sync-runs';

export interface RecordSelection {
  bc?: string[];
  dv?: string[];
}

function oneSide(opts: RecordSelection): { side: 'bc' | 'dv'; ids: string[] } {
  if (!!opts.bc === !!opts.dv) throw new UsageError('name the records with either --bc or --dv');
  const ids = (opts.bc ?? opts.dv)!.map((id) => id.trim().toLowerCase());
  const bad = ids.find((id) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id));
  if (bad) throw new UsageError(`'${bad}' is not a record id (GUID)`);
  return { side: opts.bc ? 'bc' : 'dv', ids };
}

export interface UncoupleResult {
  mapping: string;
  side: 'bc' | 'dv';
  uncoupled: string[];
  notCoupled: string[];
  contactsUncoupled: string[];
}

/**
 * Removes the couplings of the records named by one side's ids (uncoupling a CUSTOMER also uncouples its contacts).
 * Throws `UsageError` for an unknown mapping or bad ids; records that are not coupled are returned in `notCoupled`.
 * Used by `bcsync uncouple` and the console's "Uncouple".
 */
export async function uncoupleRecords(
  ctx: CommandContext,
  name: string,
  opts: RecordSelection,
): Promise<UncoupleResult> {
  const mapping = resolveMapping(effectiveMappings(ctx), name);
  const { side, ids } = oneSide(opts);
  const store = await ctx.store();
  const removed: string[] = [];
  const accounts: string[] = [];
  for (const id of ids) {
    const row = await findCoupling(store.knex, mapping.name, side === 'bc' ? { bcId: id } : { dvId: id });
    if (row && (await deleteCouplings(store.knex, [row.id]))) {
      removed.push(id);
      accounts.push(row.dvId);
    }
  }
  // Uncoupling an account also uncouples its contacts (bc-sync-semantics 4.10): their parent is no longer coupled.
  const contacts = mapping.name === 'CUSTOMER' && accounts.length ? await uncoupleChildContacts(ctx, accounts) : [];
  return {
    mapping: mapping.name,
    side,
    uncoupled: removed,
    notCoupled: ids.filter((id) => !removed.includes(id)),
    contactsUncoupled: contacts,
  };
}

export async function uncoupleCommand(ctx: CommandContext, name: string, opts: RecordSelection & { json?: boolean }) {
  const r = await uncoupleRecords(ctx, name, opts);
  if (opts.json)
    printJson({
      mapping: r.mapping,
      uncoupled: r.uncoupled,
      notCoupled: r.notCoupled,
      contactsUncoupled: r.contactsUncoupled,
    });
  else {
    for (const id of r.uncoupled)
      console.log(`uncoupled ${r.mapping} ${r.side === 'bc' ? 'BC' : 'Dataverse'} record ${id}`);
    if (r.contactsUncoupled.length)
      console.log(`uncoupled ${r.contactsUncoupled.length} CONTACT coupling(s) of its contacts`);
  }
  if (r.notCoupled.length) throw new CliError(`not coupled in ${r.mapping}: ${r.notCoupled.join(', ')}`);
}

/** Removes the CONTACT couplings of the Dataverse contacts whose parent is one of `accountIds`; returns their ids. */
async function uncoupleChildContacts(ctx: CommandContext, accountIds: string[]): Promise<string[]> {
  const store = await ctx.store();
  const contactIds: string[] = [];
  for (const part of chunk(accountIds, 20)) {
    const filter = part.map((id) => `_parentcustomerid_value eq ${guidLiteral(id, 'dataverse')}`).join(' or ');
    for await (const page of ctx.connectors.dv.listAll({ entitySet: 'contacts', filter })) {
      for (const c of page) contactIds.push(String(c.contactid).toLowerCase());
    }
  }
  const rows = await findByDvIds(store.knex, 'CONTACT', contactIds);
  await deleteCouplings(
    store.knex,
    [...rows.values()].map((r) => r.id),
  );
  return [...rows.keys()];
}

/**
 * Starts a `records` run that synchronizes the named records now from the side named (`bc`: to Dataverse, `dv`: to
 * Business Central); that side wins an update conflict. Throws `UsageError` for an unknown or unrunnable mapping, bad
 * ids or a direction the mapping does not synchronize, and `CliError` when a run of it is under way. Used by
 * `bcsync sync-record` and the console's "Synchronize now".
 */
export async function startRecordSync(ctx: CommandContext, name: string, opts: RecordSelection): Promise<StartedRun> {
  const mapping = resolveRunnableMapping(effectiveMappings(ctx), name);
  const { side, ids } = oneSide(opts);
  const direction = side === 'bc' ? 'to-dataverse' : 'to-bc';
  if (mapping.direction !== 'bidirectional' && mapping.direction !== direction) {
    throw new UsageError(`${mapping.name} synchronizes ${mapping.direction}; it cannot synchronize ${direction}`);
  }
  const input: SyncMappingInput = {
    mapping: mapping.name,
    mode: 'records',
    direction,
    records: [{ direction, ids }],
    force: true,
  };
  await ensureNoRunningSync(await ctx.temporal(), mapping.name);
  return startRun(ctx, {
    workflowId: `sync-record-${mappingSlug(mapping.name)}-${idTimestamp()}`,
    args: [input],
    mapping: mapping.name,
    startedBy: '`bcsync sync-record`',
    summary: `Manual records sync of ${ids.length} record(s) of ${mapping.name}, ${direction}`,
  });
}

export async function syncRecordCommand(
  ctx: CommandContext,
  name: string,
  opts: RecordSelection & { wait?: boolean; json?: boolean },
) {
  await reportRun(await startRecordSync(ctx, name, opts), opts);
}
