/**
 * The sync console (issue 11): server-rendered pages over the same operations as the `bcsync` CLI — the mappings with
 * their schedule and last outcome, the job log, a job's errors, skipped records, couplings and a record's field
 * history — and, for an operator, the actions: run now, retry a job's failures, synchronize one record, pause or
 * resume a schedule, couple and uncouple, restore skipped records.
 *
 * Every page and action calls the function the CLI command calls (client/commands/*.ts), through a `CommandContext`.
 * Templates are Eta with auto-escaping (`<%= %>`); nothing is escaped by hand. Helmet sets the security headers.
 * Read-only unless an operator token is configured and presented (./auth.ts).
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { findCoupling, listCouplings } from '../../store/couplings';
import { countJobErrors, listErrors } from '../../store/sync-errors';
import { getJob, listJobs } from '../../store/sync-jobs';
import type { JobStatus } from '../../store/types';
import type { Logger } from '../../worker/logger';
import { coupleByHand, searchCouplings } from '../commands/couplings';
import { readHistory } from '../commands/history';
import { mappingsOverview } from '../commands/mappings';
import { startRecordSync, uncoupleRecords } from '../commands/record';
import { startRetry } from '../commands/retry';
import { startMappingRun } from '../commands/run';
import { startMappingSchedules, stopMappingSchedules } from '../commands/schedule';
import { listSkippedRecords, restoreRecords } from '../commands/skipped';
import type { CommandContext } from '../context';
import { CliError, UsageError } from '../errors';
import { effectiveMappings, logMappingName, resolveMapping } from '../mapping-selection';
import { describeSchedule, scheduleIdOf } from '../schedules';
import type { StartedRun } from '../sync-runs';
import { OperatorAuth } from './auth';
import { decodeCursor, duration, encodeCursor, explainError, parseTimeFilter, statusClass, utc } from './view-models';

/** Rows per page of the job list and of a job's errors. */
export const PAGE_SIZE = 50;

const JOB_STATUSES: readonly JobStatus[] = [
  'running',
  'succeeded',
  'completed_with_errors',
  'failed',
  'abandoned',
  'skipped',
];

export interface ConsoleOptions {
  /** The context the operations run in (its store, Temporal client, connectors and config). */
  ctx: CommandContext;
  logger: Logger;
  /** The operator token; undefined makes the console read-only. Never logged or rendered. */
  operatorToken?: string;
}

type Query = Record<string, string | undefined>;
type Form = Record<string, string | undefined>;

/** Builds the console (not listening): for `startConsole`, and for tests through `inject`. */
export async function buildConsole(o: ConsoleOptions): Promise<FastifyInstance> {
  const { ctx, logger } = o;
  const auth = new OperatorAuth(o.operatorToken);
  // No request logger: request lines would carry cookies and query strings; actions are logged below, by name.
  const app = Fastify({ logger: false, trustProxy: false });

  await app.register(fastifyHelmet, {
    // same-origin, not helmet's no-referrer: with no-referrer a browser posts forms with `Origin: null`, and the
    // origin check of actions (./auth.ts) wants the real one. Other sites still get no referrer.
    referrerPolicy: { policy: 'same-origin' },
    contentSecurityPolicy: {
      useDefaults: true,
      // Plain HTTP on 127.0.0.1 by default: upgrading form posts to https would break them.
      directives: { 'upgrade-insecure-requests': null, 'script-src': ["'none'"], 'form-action': ["'self'"] },
    },
  });
  await app.register(fastifyFormbody);
  await app.register(fastifyView, {
    engine: { eta: new Eta({ autoEscape: true, cache: true }) },
    root: path.join(__dirname, 'views'),
    layout: 'layout',
  });
  app.addHook('onSend', async (_request, reply) => {
    // Pages show live state and, for an operator, action forms: never cache them.
    void reply.header('cache-control', 'no-store');
  });

  /** Renders `view` inside the layout with what every page needs. */
  const render = (request: FastifyRequest, reply: FastifyReply, view: string, data: Record<string, unknown>) => {
    const operator = auth.isOperator(request);
    return reply.view(view, {
      ...data,
      operator,
      loginEnabled: auth.enabled,
      // Where "Log in" returns to: this page, unless it is the answer to a form post.
      here: request.method === 'GET' ? request.url : '/',
      statusClass,
      utc,
      duration,
      enc: encodeURIComponent,
      workflowUrl: (workflowId: string, runId?: string | null) => ctx.workflowUrl(workflowId, runId ?? undefined),
    });
  };

  const fail = (request: FastifyRequest, reply: FastifyReply, status: number, title: string, message: string) =>
    render(request, reply.code(status), 'result', { title, ok: false, lines: [message], links: [] });

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof UsageError) return fail(request, reply, 400, 'Cannot do that', err.message);
    if (err instanceof CliError) return fail(request, reply, 409, 'Cannot do that', err.message);
    if (err instanceof QueryError) return fail(request, reply, 400, 'Bad request', err.message);
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return fail(request, reply, status, 'Bad request', 'Bad request.');
    logger.error({ err, route: request.routeOptions.url }, 'console request failed');
    return fail(request, reply, 500, 'Error', 'The console could not answer; the worker log has the details.');
  });
  app.setNotFoundHandler((request, reply) => fail(request, reply, 404, 'Not found', 'There is no such page.'));

  // --- Pages -------------------------------------------------------------------------------------------------------

  app.get('/', async (request, reply) => {
    const overview = await mappingsOverview(ctx);
    return render(request, reply, 'mappings', { title: 'Mappings', overview });
  });

  app.get('/jobs', async (request, reply) => {
    const q = request.query as Query;
    const names = effectiveMappings(ctx).map((m) => m.name);
    const mapping = q.mapping ? logMappingName(effectiveMappings(ctx), q.mapping) : undefined;
    if (q.status && !JOB_STATUSES.includes(q.status as JobStatus)) throw new QueryError(`unknown status '${q.status}'`);
    const since = timeFilter('from', q.since);
    const until = timeFilter('to', q.until);
    const cursor = decodeCursor(q.after);
    const rows = await listJobs((await ctx.store()).knex, {
      mapping,
      status: (q.status || undefined) as JobStatus | undefined,
      since,
      until,
      after: cursor && { startedAt: cursor.at, id: cursor.id },
      limit: PAGE_SIZE + 1,
    });
    const jobs = rows.slice(0, PAGE_SIZE);
    const last = jobs[jobs.length - 1];
    const filters = { mapping: mapping ?? '', status: q.status ?? '', since: q.since ?? '', until: q.until ?? '' };
    const filterQuery = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== '')).toString();
    return render(request, reply, 'jobs', {
      title: 'Jobs',
      jobs,
      names,
      statuses: JOB_STATUSES,
      filters,
      filterQuery,
      paged: cursor !== undefined,
      next: rows.length > PAGE_SIZE && last ? encodeCursor(last.startedAt, last.id) : null,
    });
  });

  app.get('/jobs/:id', async (request, reply) => {
    const id = positiveId((request.params as { id: string }).id);
    const { knex } = await ctx.store();
    const job = await getJob(knex, id);
    if (!job) return fail(request, reply, 404, 'Not found', `There is no job ${id}.`);
    const q = request.query as Query;
    const cursor = decodeCursor(q.after);
    const rows = await listErrors(knex, {
      jobId: id,
      after: cursor && { createdAt: cursor.at, id: cursor.id },
      limit: PAGE_SIZE + 1,
    });
    const errors = rows.slice(0, PAGE_SIZE).map((e) => ({ ...e, ...explainError(e.message) }));
    const last = errors[errors.length - 1];
    // The retries of this job, among the newest 200 jobs of its mapping started since it (an index range, not a scan of
    // every job for retry_of_job_id, which has no index).
    const retries = await listJobs(knex, { mapping: job.mapping, since: job.startedAt, limit: 200 });
    return render(request, reply, 'job', {
      title: `Job ${job.id}`,
      job,
      errors,
      counts: await countJobErrors(knex, id),
      retriedBy: retries.filter((j) => j.retryOfJobId === job.id),
      paged: cursor !== undefined,
      next: rows.length > PAGE_SIZE && last ? encodeCursor(last.createdAt, last.id) : null,
    });
  });

  app.get('/skipped', async (request, reply) => {
    const q = request.query as Query;
    const { rows, pending } = await listSkippedRecords(ctx, { mapping: q.mapping || undefined, limit: 500 });
    return render(request, reply, 'skipped', {
      title: 'Skipped records',
      rows,
      pending,
      names: effectiveMappings(ctx).map((m) => m.name),
      mapping: q.mapping ?? '',
    });
  });

  app.get('/couplings', async (request, reply) => {
    const q = request.query as Query;
    const mappings = effectiveMappings(ctx);
    const mapping = resolveMapping(mappings, q.mapping || mappings[0].name);
    const search = (q.q ?? '').trim();
    const rows = search
      ? await searchCouplings(ctx, mapping.name, search)
      : await listCouplings((await ctx.store()).knex, mapping.name, { limit: PAGE_SIZE });
    return render(request, reply, 'couplings', {
      title: 'Couplings',
      rows,
      search,
      mapping: mapping.name,
      coupleable: mapping.kind === 'table',
      names: mappings.map((m) => m.name),
    });
  });

  app.get('/records', async (request, reply) => {
    const q = request.query as Query;
    const mapping = resolveMapping(effectiveMappings(ctx), q.mapping ?? '');
    const history = await readHistory(ctx, mapping.name, { bc: q.bc || undefined, dv: q.dv || undefined, limit: 200 });
    const { knex } = await ctx.store();
    const coupling = history.coupled
      ? await findCoupling(knex, mapping.name, history.bcId ? { bcId: history.bcId } : { dvId: history.dvId! })
      : undefined;
    return render(request, reply, 'record', {
      title: `${mapping.name} record`,
      mapping,
      history,
      coupling,
      canSyncFromBc: mapping.direction !== 'to-bc',
      canSyncFromDv: mapping.direction !== 'to-dataverse',
    });
  });

  // --- Login ----------------------------------------------------------------------------------------------------

  app.get('/login', async (request, reply) => {
    if (!auth.enabled) return fail(request, reply, 404, 'Read-only', READ_ONLY);
    return render(request, reply, 'login', { title: 'Log in', next: safeNext((request.query as Query).next) });
  });

  app.post('/login', async (request, reply) => {
    if (!auth.enabled) return fail(request, reply, 403, 'Read-only', READ_ONLY);
    const form = (request.body ?? {}) as Form;
    if (!auth.matches(form.token ?? '')) {
      logger.warn({ component: 'console' }, 'console login refused');
      // A pause slows guessing; the token's length (at least 16 characters) makes it hopeless anyway.
      await new Promise((r) => setTimeout(r, 500));
      return render(request, reply.code(401), 'login', {
        title: 'Log in',
        next: safeNext(form.next),
        refused: true,
      });
    }
    auth.startSession(request, reply);
    logger.info({ component: 'console' }, 'console operator logged in');
    return reply.code(303).redirect(safeNext(form.next));
  });

  app.post('/logout', async (request, reply) => {
    auth.endSession(request, reply);
    return reply.code(303).redirect('/');
  });

  // --- Actions (operator only) ----------------------------------------------------------------------------------

  app.addHook('preHandler', async (request, reply) => {
    if (!request.url.startsWith('/actions/')) return;
    if (!auth.enabled) {
      logger.warn({ component: 'console', action: request.url }, 'console action refused: read-only');
      return fail(request, reply, 403, 'Read-only', READ_ONLY);
    }
    if (!auth.isOperator(request)) {
      return render(request, reply.code(401), 'result', {
        title: 'Log in first',
        ok: false,
        lines: ['Actions need the operator token: log in first.'],
        links: [{ href: '/login', text: 'Log in' }],
      });
    }
  });

  /** Renders what an action did; a started run links to its Temporal UI page and to the jobs of its mapping. */
  const done = (
    request: FastifyRequest,
    reply: FastifyReply,
    action: string,
    o: { mapping: string; lines: string[]; run?: StartedRun },
  ) => {
    logger.info({ component: 'console', action, mapping: o.mapping, workflowId: o.run?.workflowId }, 'console action');
    const links = [{ href: `/jobs?mapping=${encodeURIComponent(o.mapping)}`, text: `Jobs of ${o.mapping}` }];
    if (o.run) links.unshift({ href: o.run.url, text: `Run ${o.run.workflowId} in the Temporal UI` });
    return render(request, reply, 'result', { title: 'Done', ok: true, lines: o.lines, links });
  };

  app.post('/actions/run', async (request, reply) => {
    const f = request.body as Form;
    const run = await startMappingRun(ctx, required(f, 'mapping'), { full: f.full === 'on' });
    return done(request, reply, 'run', {
      mapping: required(f, 'mapping'),
      lines: [`Started ${run.workflowId}.`, 'Its jobs appear in the job list as soon as its passes start.'],
      run,
    });
  });

  app.post('/actions/retry', async (request, reply) => {
    const { run, job, records } = await startRetry(ctx, positiveId(required(request.body as Form, 'job')));
    return done(request, reply, 'retry', {
      mapping: job.mapping,
      lines: [`Retrying ${records} failed record(s) of job ${job.id} (${job.mapping}, ${job.direction}).`],
      run,
    });
  });

  app.post('/actions/sync-record', async (request, reply) => {
    const f = request.body as Form;
    const [mapping, side, id] = [required(f, 'mapping'), required(f, 'side'), required(f, 'id')];
    const run = await startRecordSync(ctx, mapping, side === 'dv' ? { dv: [id] } : { bc: [id] });
    return done(request, reply, 'sync-record', {
      mapping,
      lines: [`Synchronizing the record ${id} from ${side === 'dv' ? 'Dataverse' : 'Business Central'}.`],
      run,
    });
  });

  app.post('/actions/schedule', async (request, reply) => {
    const f = request.body as Form;
    const mapping = required(f, 'mapping');
    if (f.state === 'pause') {
      const { missing } = await stopMappingSchedules(ctx, [mapping], { note: 'paused in the console' });
      if (missing.length) throw new CliError(`no schedule for ${mapping} (create it with bcsync schedule start)`);
      return done(request, reply, 'pause', { mapping, lines: [`Paused the schedule of ${mapping}.`] });
    }
    if (f.state !== 'resume') throw new QueryError("state must be 'pause' or 'resume'");
    // Resume keeps the schedule's interval (schedule start would otherwise reset it to the mapping's own).
    const view = await describeSchedule(
      await ctx.temporal(),
      scheduleIdOf(resolveMapping(effectiveMappings(ctx), mapping).name),
    );
    const { results } = await startMappingSchedules(ctx, [mapping], { every: view?.every ?? undefined });
    return done(request, reply, 'resume', {
      mapping,
      lines: results.map(
        (r) =>
          `Resumed the schedule of ${r.mapping}: every ${r.every}, next run ${utc(new Date(r.nextActionTimes[0] ?? NaN)) || '-'}.`,
      ),
    });
  });

  app.post('/actions/couple', async (request, reply) => {
    const f = request.body as Form;
    const sync = f.sync === 'to-dataverse' || f.sync === 'to-bc' ? f.sync : undefined;
    const { summary, run } = await coupleByHand(ctx, required(f, 'mapping'), {
      bc: required(f, 'bc'),
      dv: required(f, 'dv'),
      sync,
    });
    return done(request, reply, 'couple', {
      mapping: summary.mapping,
      lines: [
        summary.outcome === 'already-coupled'
          ? `${summary.bc} and ${summary.dataverse} were already coupled (coupling ${summary.coupling}).`
          : `Coupled ${summary.bc} to ${summary.dataverse} (coupling ${summary.coupling}).`,
        ...(run ? [`Synchronizing the pair ${sync}.`] : []),
      ],
      run,
    });
  });

  app.post('/actions/uncouple', async (request, reply) => {
    const f = request.body as Form;
    const id = required(f, 'id');
    const r = await uncoupleRecords(ctx, required(f, 'mapping'), f.side === 'dv' ? { dv: [id] } : { bc: [id] });
    if (r.notCoupled.length) throw new CliError(`not coupled in ${r.mapping}: ${r.notCoupled.join(', ')}`);
    return done(request, reply, 'uncouple', {
      mapping: r.mapping,
      lines: [
        `Uncoupled ${r.uncoupled.join(', ')}; the records stay on both sides.`,
        ...(r.contactsUncoupled.length ? [`Also uncoupled ${r.contactsUncoupled.length} of its contacts.`] : []),
      ],
    });
  });

  app.post('/actions/restore', async (request, reply) => {
    const f = request.body as Form;
    const mapping = required(f, 'mapping');
    const r =
      f.all === 'on'
        ? await restoreRecords(ctx, mapping, { all: true })
        : await restoreRecords(
            ctx,
            mapping,
            f.side === 'dv' ? { dv: [required(f, 'id')] } : { bc: [required(f, 'id')] },
          );
    if (r.unknown.length) throw new CliError(`${r.mapping} has no coupling for ${r.unknown.join(', ')}`);
    return done(request, reply, 'restore', {
      mapping: r.mapping,
      lines: [`Restored ${r.restored} skipped record(s) of ${r.mapping}; the next run retries them.`],
    });
  });

  return app;
}

const READ_ONLY =
  'The console is read-only: actions need an operator token (set CONSOLE_OPERATOR_TOKEN and restart the console).';

/** A request the console cannot understand (a bad filter or form value): 400 with its message. */
class QueryError extends Error {
  override readonly name = 'QueryError';
}

function timeFilter(name: string, value: string | undefined): Date | undefined {
  try {
    return parseTimeFilter(name, value);
  } catch (err) {
    throw new QueryError((err as Error).message);
  }
}

function positiveId(value: string): number {
  const n = Number(value);
  if (!/^\d{1,15}$/.test(value) || n <= 0) throw new QueryError(`'${value}' is not an id`);
  return n;
}

function required(form: Form | undefined, name: string): string {
  const v = form?.[name]?.trim();
  if (!v) throw new QueryError(`${name} is missing`);
  return v;
}

/** Where to go after logging in: a path of this console only (no open redirect). */
function safeNext(value: string | undefined): string {
  return value && /^\/(?![/\\])/.test(value) ? value : '/';
}

export interface RunningConsole {
  /** `http://127.0.0.1:8090/` (the bound port when port 0 was asked for). */
  url: string;
  readOnly: boolean;
  close(): Promise<void>;
}

/** Builds the console and listens on `host`:`port`. Throws when the port is taken (EADDRINUSE). */
export async function startConsole(o: ConsoleOptions & { host: string; port: number }): Promise<RunningConsole> {
  const app = await buildConsole(o);
  await app.listen({ host: o.host, port: o.port });
  const address = app.server.address() as AddressInfo;
  const host = o.host === '0.0.0.0' || o.host === '::' ? 'localhost' : o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${address.port}/`,
    readOnly: o.operatorToken === undefined,
    close: () => app.close(),
  };
}
