/**
 * Coupling records by hand (reference/bc-sync-semantics.md §7, "Couple" on a record page):
 * `bcsync couple MAPPING --bc ID --dv ID [--sync to-dataverse|to-bc] [--wait]` couples a Business Central record to a
 * Dataverse row after checking that both exist, and `bcsync couplings MAPPING [--bc ID | --dv ID]` reads couplings.
 *
 * Coupling a pair that is already coupled to each other exits 0 (nothing to do, so scripts can repeat it); coupling a
 * record that is coupled to another one exits 1 naming that coupling and the `uncouple` command.
 */
import { ConnectorError } from '../../connectors/http';
import { describeRecord } from '../../engine';
import type { IntegrationTableMapping } from '../../mappings';
import { sideApi } from '../../activities/sides';
import {
  type Coupling,
  type CouplingDirectionState,
  coupleRecords,
  findCoupling,
  listCouplings,
} from '../../store/couplings';
import type { PassDirection, Side, SyncMappingInput } from '../../engine/run-types';
import type { CommandContext } from '../context';
import { CliError, UsageError } from '../errors';
import { effectiveMappings, resolveMapping } from '../mapping-selection';
import { printJson, printTable } from '../output';
import { mappingSlug } from '../schedules';
import { ensureNoRunningSync, idTimestamp, reportRun, startRun } from '../sync-runs';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `Business Central customer` / `Dataverse account`: how a side's records are named in messages. */
function caption(m: IntegrationTableMapping, side: Side): string {
  return side === 'bc' ? `Business Central ${m.bc.caption.toLowerCase()}` : `Dataverse ${m.dataverse.caption}`;
}

/** The mapping name as typed in a command line (quoted when it holds a space: 'UNIT OF MEASURE'). */
function arg(m: IntegrationTableMapping): string {
  return m.name.includes(' ') ? `'${m.name}'` : m.name;
}

/** The id of option `--bc`/`--dv`, trimmed and lower-cased; `UsageError` when it is not a GUID. */
function guidOf(option: '--bc' | '--dv', value: string): string {
  const id = value.trim().toLowerCase();
  if (!GUID.test(id)) throw new UsageError(`${option} '${value}' is not a record id (GUID)`);
  return id;
}

/** A usable mapping: table mappings only (the statistics job keeps its own couplings: customer ↔ statistics row). */
function tableMapping(ctx: CommandContext, name: string): IntegrationTableMapping {
  const m = resolveMapping(effectiveMappings(ctx), name);
  if (m.kind !== 'table') {
    throw new UsageError(`${m.name} is the statistics job; it couples its statistics rows itself, not by hand`);
  }
  return m;
}

/** Reads one record of a side through the connectors; null when the API says it does not exist. */
async function readRecord(ctx: CommandContext, m: IntegrationTableMapping, side: Side, id: string) {
  try {
    return await sideApi(ctx.connectors, m, side).get(id);
  } catch (err) {
    if (err instanceof ConnectorError) throw new CliError(`cannot read the ${caption(m, side)} ${id}: ${err.message}`);
    throw err;
  }
}

export interface CoupleOptions {
  bc?: string;
  dv?: string;
  sync?: PassDirection;
  wait?: boolean;
  json?: boolean;
}

/**
 * `bcsync couple`: validates the usage (exit 2), checks that both records exist (exit 1 naming the missing one),
 * couples them in one transaction (exit 1 when either is coupled to another record), and with `--sync` starts a
 * `records` run of the pair in that direction, whose side wins (with `--wait`, waits for its outcome).
 */
export async function coupleCommand(ctx: CommandContext, name: string, opts: CoupleOptions): Promise<void> {
  const m = tableMapping(ctx, name);
  const missing = [opts.bc === undefined && '--bc', opts.dv === undefined && '--dv'].filter(Boolean);
  if (missing.length) {
    throw new UsageError(
      `name both records: missing ${missing.join(' and ')} (--bc <${caption(m, 'bc')} id> --dv <${caption(m, 'dataverse')} id>)`,
    );
  }
  const bcId = guidOf('--bc', opts.bc!);
  const dvId = guidOf('--dv', opts.dv!);
  if (opts.sync && m.direction !== 'bidirectional' && m.direction !== opts.sync) {
    throw new UsageError(`--sync ${opts.sync}: ${m.name} synchronizes ${m.direction} only`);
  }
  if (opts.wait && !opts.sync) throw new UsageError('--wait waits for the run --sync starts; add --sync <direction>');

  const [bcRecord, dvRecord] = await Promise.all([
    readRecord(ctx, m, 'bc', bcId),
    readRecord(ctx, m, 'dataverse', dvId),
  ]);
  const absent = [
    !bcRecord && `${caption(m, 'bc')} ${bcId} does not exist`,
    !dvRecord && `${caption(m, 'dataverse')} ${dvId} does not exist`,
  ].filter(Boolean);
  if (absent.length) throw new CliError(`${absent.join('; ')}; nothing was coupled`);

  // Refuse before coupling rather than leave a coupling behind whose requested run could not start.
  if (opts.sync) await ensureNoRunningSync(await ctx.temporal(), m.name);

  const store = await ctx.store();
  const r = await coupleRecords(store.knex, { mapping: m.name, bcId, dvId, now: new Date() });
  if (r.outcome === 'conflict') throw new CliError(alreadyCoupledMessage(m, r.side, r.coupling));

  const bcName = describeRecord(m, 'bc', bcRecord!);
  const dvName = describeRecord(m, 'dataverse', dvRecord!);
  const summary = {
    mapping: m.name,
    outcome: r.outcome,
    coupling: r.coupling.id,
    bcId,
    dvId,
    bc: bcName,
    dataverse: dvName,
    clearedFailures: r.outcome === 'coupled' ? r.clearedFailures : 0,
  };
  if (!opts.json) {
    if (r.outcome === 'already-coupled') {
      console.log(
        `${bcName} and ${dvName} are already coupled in ${m.name} (coupling ${r.coupling.id}); nothing to do`,
      );
    } else {
      console.log(`coupled ${bcName} (${bcId}) to ${dvName} (${dvId}) in ${m.name} (coupling ${r.coupling.id})`);
      if (r.clearedFailures > 0) {
        console.log(`  cleared ${r.clearedFailures} earlier failed create(s) of these records`);
      }
    }
  }

  if (!opts.sync) {
    if (opts.json) printJson(summary);
    else if (r.outcome === 'coupled') console.log(nextRunAdvice(m, bcId, dvId));
    return;
  }
  const input: SyncMappingInput = {
    mapping: m.name,
    mode: 'records',
    direction: opts.sync,
    records: [{ direction: opts.sync, ids: [opts.sync === 'to-dataverse' ? bcId : dvId] }],
    force: true,
  };
  const run = await startRun(ctx, {
    workflowId: `couple-${mappingSlug(m.name)}-${idTimestamp()}`,
    args: [input],
    mapping: m.name,
    startedBy: '`bcsync couple --sync`',
    summary: `Records sync of the pair just coupled in ${m.name} (coupling ${r.coupling.id}), ${opts.sync}`,
  });
  await reportRun(run, { wait: opts.wait, json: opts.json, extraJson: summary });
}

function alreadyCoupledMessage(m: IntegrationTableMapping, side: 'bc' | 'dv', c: Coupling): string {
  if (side === 'bc') {
    return (
      `the ${caption(m, 'bc')} ${c.bcId} is already coupled to ${caption(m, 'dataverse')} ${c.dvId} ` +
      `(coupling ${c.id}); uncouple it first with 'bcsync uncouple ${arg(m)} --bc ${c.bcId}'`
    );
  }
  return (
    `the ${caption(m, 'dataverse')} ${c.dvId} is already coupled to ${caption(m, 'bc')} ${c.bcId} ` +
    `(coupling ${c.id}); uncouple it first with 'bcsync uncouple ${arg(m)} --dv ${c.dvId}'`
  );
}

/**
 * What happens to a fresh coupling without `--sync`. Its hashes are unknown (null), so the first pass that reads
 * either record counts it as changed and writes that source's values where they differ; an unknown destination hash
 * is not a conflict (engine/decide.ts). A full run's BC→Dataverse pass goes first, so Business Central's values win
 * there; an incremental run reads only the record that changed, so that record's values win.
 */
function nextRunAdvice(m: IntegrationTableMapping, bcId: string, dvId: string): string {
  const toDv = `bcsync sync-record ${arg(m)} --bc ${bcId}`;
  const toBc = `bcsync sync-record ${arg(m)} --dv ${dvId}`;
  const lines = ['Nothing was synchronized yet.'];
  if (m.direction === 'bidirectional') {
    lines.push(
      `The next run that reads either record writes that record's values to the other where the two differ: ` +
        `'bcsync run ${arg(m)} --full' reads Business Central first; a scheduled run reads a record once it changes.`,
      `To synchronize now: ${toDv}  (Business Central → Dataverse)`,
      `               or: ${toBc}  (Dataverse → Business Central)`,
    );
  } else {
    const from = m.direction === 'to-dataverse' ? caption(m, 'bc') : caption(m, 'dataverse');
    lines.push(
      `The next run that reads the ${from} (a scheduled run once it changes, or 'bcsync run ${arg(m)} --full') ` +
        `writes its values to the other record where the two differ.`,
      `To synchronize now: ${m.direction === 'to-dataverse' ? toDv : toBc}`,
    );
  }
  return lines.join('\n');
}

export interface CouplingsOptions {
  bc?: string;
  dv?: string;
  limit: number;
  json?: boolean;
}

function directionCell(d: CouplingDirectionState): string {
  return d.result === null ? '-' : `${d.result}${d.jobId === null ? '' : ` (job ${d.jobId})`}`;
}

function errorCell(c: Coupling): string {
  const parts = [
    c.toDataverse.lastError && `to Dataverse: ${c.toDataverse.lastError}`,
    c.toBc.lastError && `to BC: ${c.toBc.lastError}`,
  ].filter(Boolean) as string[];
  const text = parts.join(' | ');
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

/**
 * `bcsync couplings`: the couplings of a mapping, newest first (at most `limit`), or with `--bc`/`--dv` the coupling
 * of that one record (exit 1 when it has none). `--json` prints the rows in full (errors untruncated).
 */
export async function couplingsCommand(ctx: CommandContext, name: string, opts: CouplingsOptions): Promise<void> {
  // Listing also works for the statistics job: its couplings are the customers whose statistics were uploaded.
  const m = resolveMapping(effectiveMappings(ctx), name);
  if (opts.bc !== undefined && opts.dv !== undefined) throw new UsageError('name one record: --bc or --dv, not both');
  const store = await ctx.store();
  let rows: Coupling[];
  if (opts.bc !== undefined || opts.dv !== undefined) {
    const side = opts.bc !== undefined ? 'bc' : 'dataverse';
    const id = opts.bc !== undefined ? guidOf('--bc', opts.bc) : guidOf('--dv', opts.dv!);
    const found = await findCoupling(store.knex, m.name, side === 'bc' ? { bcId: id } : { dvId: id });
    if (!found) {
      const other = side === 'bc' ? `--dv <${caption(m, 'dataverse')} id>` : `--bc <${caption(m, 'bc')} id>`;
      throw new CliError(
        `the ${caption(m, side)} ${id} is not coupled in ${m.name}; couple it with 'bcsync couple ${arg(m)} ` +
          `${side === 'bc' ? `--bc ${id} ${other}` : `${other} --dv ${id}`}'`,
      );
    }
    rows = [found];
  } else {
    rows = await listCouplings(store.knex, m.name, { limit: opts.limit });
  }
  if (opts.json) return printJson(rows);
  printTable(
    rows.map((c) => ({
      coupling: c.id,
      bc: c.bcId,
      dataverse: c.dvId,
      skipped: c.skipped ? 'yes' : '',
      'to dataverse': directionCell(c.toDataverse),
      'to bc': directionCell(c.toBc),
      'last error': errorCell(c),
    })),
    ['coupling', 'bc', 'dataverse', 'skipped', 'to dataverse', 'to bc', 'last error'],
  );
}
