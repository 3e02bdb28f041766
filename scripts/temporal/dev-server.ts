/**
 * The embedded Temporal dev server used by `npm start` (and available to tests): `temporal server start-dev` with its
 * state in a file under `.data/`, the UI on 8233, and the product's search attributes registered.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
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
}

/** Thrown when the dev server cannot start: the port is taken, the binary dies, or it never answers. */
export class DevServerError extends Error {
  override readonly name = 'DevServerError';
}

/** Starts the dev server and resolves once it answers gRPC and has the search attributes. */
export async function startDevServer(o: DevServerOptions): Promise<RunningDevServer> {
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
  const child = spawn(o.cliPath, args, { env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
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
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
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
  };
}
