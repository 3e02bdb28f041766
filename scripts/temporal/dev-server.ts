/**
 * The embedded Temporal dev server used by `npm start` (and available to tests): `temporal server start-dev` with its
 * state in a file under `.data/`, the UI on 8233, and the product's search attributes registered.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { isPortOpen } from '../../store/database';
import { ensureSearchAttributes } from './search-attributes';

export interface DevServerOptions {
  cliPath: string;
  /** gRPC frontend port (Default in config: 7233). */
  port: number;
  /** Web UI port (Default in config: 8233); undefined runs headless. */
  uiPort?: number;
  /** The SQLite state file; a second start with the same file resumes the same state. */
  dbFile: string;
  namespace: string;
  /** The server's own log (warnings and errors) goes here. */
  logFile: string;
  env: NodeJS.ProcessEnv;
  /** How long to wait for the server to answer (Default: 60 s). */
  readyTimeoutMs?: number;
}

export interface RunningDevServer {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the server at once (its whole process group), for a process that is exiting. */
  kill(): void;
  /** Leftover dev servers of the same state file that were stopped before this one started (their pids). */
  stoppedLeftovers: number[];
}

/**
 * Runs the CLI under a guard shell that stops it when our end of its stdin closes — when this process exits in any
 * way, SIGKILL included — so no dev server is left running on its own. The shell waits for the server and exits
 * with its status.
 */
// (A background list's stdin is /dev/null in sh, so the watcher reads the pipe through fd 3.)
const GUARD = 'exec 3<&0; "$0" "$@" </dev/null & pid=$!; (cat <&3 >/dev/null; kill -TERM $pid 2>/dev/null) & wait $pid';

function cmdline(pid: number | string): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

/** Whether `pid` runs under a live guard shell (so a running start still owns it). */
function guarded(pid: number | string): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
  const parent = ppid ? cmdline(ppid) : undefined;
  return parent !== undefined && parent.includes('-c') && parent.includes(GUARD);
}

/**
 * The processes of `temporal server start-dev` left running on `dbFile` with no start owning them (an earlier start
 * killed before the guard existed, or killed together with its guard), found through /proc; none where /proc does not
 * exist. A server under a live guard belongs to a start that is still running and is not counted.
 */
export function devServersOf(dbFile: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const argv = cmdline(entry);
    if (!argv || argv.includes('-c')) continue; // a guard shell, not a server
    const at = argv.indexOf('--db-filename');
    if (argv.includes('start-dev') && at >= 0 && path.resolve(argv[at + 1] ?? '') === path.resolve(dbFile)) {
      if (!guarded(entry)) out.push(Number(entry));
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops leftover servers: SIGTERM, then SIGKILL after 10 s; resolves when they are gone. */
async function stopLeftovers(pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 10_000;
  while (pids.some(alive)) {
    if (Date.now() > deadline) {
      for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Thrown when the dev server cannot start: the port is taken, the binary dies, or it never answers. */
export class DevServerError extends Error {
  override readonly name = 'DevServerError';
}

/** Starts the dev server and resolves once it answers gRPC and has the search attributes. */
export async function startDevServer(o: DevServerOptions): Promise<RunningDevServer> {
  // A dev server of the same state file that outlived its start (killed hard): ours to stop, not someone else's.
  const leftovers = devServersOf(o.dbFile);
  if (leftovers.length) await stopLeftovers(leftovers);
  if (await isPortOpen('127.0.0.1', o.port)) {
    throw new DevServerError(
      `port ${o.port} is already in use (another Temporal server or an earlier 'npm start' still running?); stop it or set TEMPORAL_DEV_PORT, or point TEMPORAL_ADDRESS at that server`,
    );
  }
  if (o.uiPort !== undefined && (await isPortOpen('127.0.0.1', o.uiPort))) {
    throw new DevServerError(
      `UI port ${o.uiPort} is already in use; stop whatever listens there or set TEMPORAL_UI_PORT`,
    );
  }
  mkdirSync(path.dirname(o.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    o.dbFile,
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--namespace',
    o.namespace,
    '--log-level',
    'warn',
    ...(o.uiPort !== undefined ? ['--ui-port', String(o.uiPort)] : ['--headless']),
    '--search-attribute',
    'BcSyncMapping=Keyword',
    '--search-attribute',
    'BcSyncOutcome=Keyword',
    '--search-attribute',
    'BcSyncFailed=Int',
    '--search-attribute',
    'BcSyncChanged=Int',
  ];
  const log = createWriteStream(o.logFile, { flags: 'a' });
  // detached: the server gets its own process group, so Ctrl-C reaches only us and we stop it in order (worker first).
  const child = spawn('/bin/sh', ['-c', GUARD, o.cliPath, ...args], {
    env: o.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );

  const address = `127.0.0.1:${o.port}`;
  const stop = async () => {
    if (!exited) {
      child.stdin.end(); // the guard stops the server (SIGTERM) and exits with it
      const timer = setTimeout(() => killGroup('SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(timer);
    }
    log.end();
  };

  const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      log.end();
      throw new DevServerError(
        `temporal server start-dev exited (${exited.signal ?? exited.code}) before it was ready; see ${o.logFile}`,
      );
    }
    if (await isPortOpen('127.0.0.1', o.port, 250)) {
      try {
        const connection = await Connection.connect({ address, connectTimeout: 2000 });
        try {
          await connection.workflowService.getSystemInfo({});
          // A resumed state file may predate a search attribute: make sure all are registered.
          await ensureSearchAttributes(connection, o.namespace);
        } finally {
          await connection.close();
        }
        break;
      } catch (err) {
        if (Date.now() > deadline) {
          await stop();
          throw new DevServerError(`the dev server did not become ready: ${(err as Error).message}`);
        }
      }
    }
    if (Date.now() > deadline) {
      await stop();
      throw new DevServerError(`the dev server did not answer on ${address} within ${o.readyTimeoutMs ?? 60_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address,
    uiUrl: o.uiPort !== undefined ? `http://localhost:${o.uiPort}` : undefined,
    process: child,
    stop,
    kill: () => killGroup('SIGKILL'),
    stoppedLeftovers: leftovers,
  };
}
