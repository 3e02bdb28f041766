/**
 * Coupling records by hand (reference/bc-sync-semantics.md §7, "Couple" on a record page):
 * `bcsync couple MAPPING --bc ID --dv ID [--sync to-dataverse|to-bc] [--wait]` couples a Business Central record to a
 * Dataverse row after checking that both exist, and `bcsync couplings MAPPING [--bc ID | --dv ID]` reads couplings.
 *
 * Coupling a pair that is already coupled to each other exits 0 (nothing to do, so scripts can repeat it); coupling a
 * record that is coupled to another one exits 1 naming that coupling and the `uncouple` command.
 */
import { ConnectorError } from '../../connectors/http';
import { stringLiteral } from '../../connectors/http/odata';
import { describeRecord } from '../../engine';
import type { IntegrationTableMapping } from '../../mappings';
import { sideApi } from '../../activities/sides';
import {
  type Coupling,
  type CouplingDirectionState,
  coupleRecords,
  findByBcIds,
  findByDvIds,
  findCoupling,
  listCouplings,
} from '../../store/couplings';
import type { PassDirection, Side, SyncMappingInput } from '../../engine/run-types';
import type { CommandContext } from '../context';
import { CliError, UsageError } from '../errors';
import { effectiveMappings, resolveMapping } from '../mapping-selection';
import { printJson, printTable } from '../output';
import { mappingSlug } from '../schedules';
import { ensureNoRunningSync, idTimestamp, reportRun, startRun, type StartedRun } from '../sync-runs';

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

export interface CoupleSummary {
  mapping: string;
  outcome: 'coupled' | 'already-coupled';
  coupling: number;
  bcId: string;
  dvId: string;
  /** The records as messages name them: `Customer 'Adatum'`, `Dataverse account 'Adatum'`. */
  bc: string;
  dataverse: string;
  clearedFailures: number;
}

/**
 * Couples a Business Central record to a Dataverse row by hand: validates the usage (`UsageError`), checks that both
 * records exist (`CliError` naming the missing one), couples them in one transaction (`CliError` when either is coupled
 * to another record), and with `sync` starts a `records` run of the pair in that direction, whose side wins. Used by
 * `bcsync couple` and the console's "Couple".
 */
export async function coupleByHand(
  ctx: CommandContext,
  name: string,
  opts: { bc?: string; dv?: string; sync?: PassDirection },
): Promise<{ summary: CoupleSummary; run?: StartedRun }> {
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

  const summary: CoupleSummary = {
    mapping: m.name,
    outcome: r.outcome,
    coupling: r.coupling.id,
    bcId,
    dvId,
    bc: describeRecord(m, 'bc', bcRecord!),
    dataverse: describeRecord(m, 'dataverse', dvRecord!),
    clearedFailures: r.outcome === 'coupled' ? r.clearedFailures : 0,
  };
  if (!opts.sync) return { summary };
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
  return { summary, run };
}

/**
 * `bcsync couple`: `coupleByHand`, then prints what it did (and without `--sync`, what the next run will do); with
 * `--sync --wait`, waits for the run's outcome.
 */
export async function coupleCommand(ctx: CommandContext, name: string, opts: CoupleOptions): Promise<void> {
  if (opts.wait && !opts.sync) throw new UsageError('--wait waits for the run --sync starts; add --sync <direction>');
  const { summary, run } = await coupleByHand(ctx, name, opts);
  if (!opts.json) {
    if (summary.outcome === 'already-coupled') {
      console.log(
        `${summary.bc} and ${summary.dataverse} are already coupled in ${summary.mapping} (coupling ${summary.coupling}); nothing to do`,
      );
    } else {
      console.log(
        `coupled ${summary.bc} (${summary.bcId}) to ${summary.dataverse} (${summary.dvId}) in ${summary.mapping} (coupling ${summary.coupling})`,
      );
      if (summary.clearedFailures > 0) {
        console.log(`  cleared ${summary.clearedFailures} earlier failed create(s) of these records`);
      }
    }
  }
  if (!run) {
    if (opts.json) printJson(summary);
    else if (summary.outcome === 'coupled')
      console.log(nextRunAdvice(tableMapping(ctx, name), summary.bcId, summary.dvId));
    return;
  }
  await reportRun(run, { wait: opts.wait, json: opts.json, extraJson: { ...summary } });
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

/** The most records a search by name reads from each side. */
const NAME_SEARCH_LIMIT = 50;

/**
 * The couplings of mapping `name` that match `query`: a record id (GUID) of either side, or otherwise a part of a
 * record's name (its title field, e.g. the customer's displayName) searched on both sides through the APIs (`contains`;
 * Dataverse ignores case, Business Central does not), at most 50 records per side. Throws `UsageError` for an unknown
 * mapping or a query shorter than 2 characters, `CliError` when an API refuses the search. Used by the console.
 */
export async function searchCouplings(ctx: CommandContext, name: string, query: string): Promise<Coupling[]> {
  const m = resolveMapping(effectiveMappings(ctx), name);
  const q = query.trim();
  const { knex } = await ctx.store();
  if (GUID.test(q.toLowerCase())) {
    const id = q.toLowerCase();
    const found = [await findCoupling(knex, m.name, { bcId: id }), await findCoupling(knex, m.name, { dvId: id })];
    return found.filter((c): c is Coupling => c !== undefined);
  }
  if (q.length < 2) throw new UsageError('search for a record id or at least 2 characters of a name');
  const ids = { bc: [] as string[], dataverse: [] as string[] };
  for (const side of ['bc', 'dataverse'] as const) {
    const field = side === 'bc' ? m.bc.titleField : m.dataverse.titleField;
    const key = side === 'bc' ? m.bc.key : m.dataverse.key;
    // Only a plain field can be filtered on (a title path such as `address/city` cannot).
    if (!field || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) continue;
    const filter = `contains(${field},${stringLiteral(q)})`;
    try {
      // Page by page, stopping at the limit: a short query may match a large share of a big table.
      const pages =
        side === 'bc'
          ? ctx.connectors.bc.listAll({ entitySet: m.bc.entitySet as never, filter })
          : ctx.connectors.dv.listAll({ entitySet: m.dataverse.entitySet as never, filter });
      for await (const page of pages as AsyncIterable<Array<Record<string, unknown>>>) {
        ids[side].push(...page.map((r) => String(r[key]).toLowerCase()));
        if (ids[side].length >= NAME_SEARCH_LIMIT) break;
      }
      ids[side] = ids[side].slice(0, NAME_SEARCH_LIMIT);
    } catch (err) {
      if (err instanceof ConnectorError)
        throw new CliError(`cannot search the ${caption(m, side)} records: ${err.message}`);
      throw err;
    }
  }
  const byId = new Map<number, Coupling>();
  for (const c of (await findByBcIds(knex, m.name, ids.bc)).values()) byId.set(c.id, c);
  for (const c of (await findByDvIds(knex, m.name, ids.dataverse)).values()) byId.set(c.id, c);
  return [...byId.values()].sort((a, b) => b.id - a.id);
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
