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
import { ensureNoRunningSync, idTimestamp, reportRun, startRun } from '../sync-runs';

interface RecordSelection {
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

export async function uncoupleCommand(ctx: CommandContext, name: string, opts: RecordSelection & { json?: boolean }) {
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
  const missing = ids.filter((id) => !removed.includes(id));
  if (opts.json)
    printJson({ mapping: mapping.name, uncoupled: removed, notCoupled: missing, contactsUncoupled: contacts });
  else {
    for (const id of removed)
      console.log(`uncoupled ${mapping.name} ${side === 'bc' ? 'BC' : 'Dataverse'} record ${id}`);
    if (contacts.length) console.log(`uncoupled ${contacts.length} CONTACT coupling(s) of its contacts`);
  }
  if (missing.length) throw new CliError(`not coupled in ${mapping.name}: ${missing.join(', ')}`);
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

export async function syncRecordCommand(
  ctx: CommandContext,
  name: string,
  opts: RecordSelection & { wait?: boolean; json?: boolean },
) {
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
  const run = await startRun(ctx, {
    workflowId: `sync-record-${mappingSlug(mapping.name)}-${idTimestamp()}`,
    args: [input],
    mapping: mapping.name,
    startedBy: '`bcsync sync-record`',
    summary: `Manual records sync of ${ids.length} record(s) of ${mapping.name}, ${direction}`,
  });
  await reportRun(run, opts);
}
