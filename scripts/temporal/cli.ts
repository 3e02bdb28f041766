/**
 * Locating or installing the pinned Temporal CLI (v1.5.1: server 1.29.1, UI 2.42.1), in the order of DESIGN §8.1:
 * an explicit path; a `temporal` on PATH of that version; a cached build outside the checkout; `go install` into that
 * cache; the official release download. Every step says what it does.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEMPORAL_SERVER_VERSION = '1.29.1';
export const TEMPORAL_UI_VERSION = '2.42.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;

/** Thrown when no way of getting the pinned CLI worked; the message lists what was tried. */
export class TemporalCliUnavailableError extends Error {
  override readonly name = 'TemporalCliUnavailableError';
}

export interface CliVersion {
  cli: string;
  server: string;
  ui: string;
}

/** Parses `temporal version 0.0.0-DEV (Server 1.29.1, UI 2.42.1)`; undefined when the text does not match. */
export function parseCliVersion(text: string): CliVersion | undefined {
  const m = /temporal version (\S+) \(Server (\S+), UI (\S+)\)/.exec(text);
  return m ? { cli: m[1], server: m[2], ui: m[3] } : undefined;
}

/**
 * True when the version is the pinned one. A go-installed build reports CLI `0.0.0-DEV`, so the embedded server and
 * UI versions decide.
 */
export function isPinnedVersion(v: CliVersion): boolean {
  return (
    (v.cli === TEMPORAL_CLI_VERSION || v.cli === '0.0.0-DEV') &&
    v.server === TEMPORAL_SERVER_VERSION &&
    v.ui === TEMPORAL_UI_VERSION
  );
}

async function versionOf(binary: string): Promise<CliVersion | undefined> {
  try {
    const { stdout } = await execFileAsync(binary, ['--version'], { timeout: 20_000 });
    return parseCliVersion(stdout);
  } catch {
    return undefined;
  }
}

async function which(command: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const relay = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(`  ${line.trim()}`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}`)),
    );
  });
}

export interface EnsureCliOptions {
  /** An explicit binary (TEMPORAL_CLI_PATH); used as is after a version check. */
  cliPath?: string;
  /** The cache directory outside the checkout (TEMPORAL_CLI_CACHE_DIR; Default: ~/.cache/bc-sales-sync/temporal-cli). */
  cacheDir: string;
  /** Progress lines for the user. */
  log: (line: string) => void;
  /** The environment for PATH look-ups and `go install` (from `childProcessEnv()` of config/). */
  env: NodeJS.ProcessEnv;
}

/** Returns the path of a Temporal CLI of the pinned version, installing it into the cache if needed. */
export async function ensureTemporalCli(o: EnsureCliOptions): Promise<string> {
  const tried: string[] = [];
  if (o.cliPath) {
    const v = await versionOf(o.cliPath);
    if (v && isPinnedVersion(v)) return o.cliPath;
    throw new TemporalCliUnavailableError(
      `TEMPORAL_CLI_PATH: ${o.cliPath} is ${v ? `version ${v.cli} (server ${v.server}, UI ${v.ui})` : 'not a runnable temporal CLI'}; v${TEMPORAL_CLI_VERSION} (server ${TEMPORAL_SERVER_VERSION}, UI ${TEMPORAL_UI_VERSION}) is required`,
    );
  }

  const onPath = await which('temporal', o.env);
  if (onPath) {
    const v = await versionOf(onPath);
    if (v && isPinnedVersion(v)) return onPath;
    tried.push(`${onPath} on PATH is ${v ? `server ${v.server}/UI ${v.ui}` : 'not runnable'}`);
  }

  const versionDir = path.join(o.cacheDir, `v${TEMPORAL_CLI_VERSION}`);
  const cached = path.join(versionDir, 'temporal');
  if (existsSync(cached)) {
    const v = await versionOf(cached);
    if (v && isPinnedVersion(v)) return cached;
    tried.push(`cached ${cached} is ${v ? `server ${v.server}/UI ${v.ui}` : 'not runnable'}`);
  }
  mkdirSync(versionDir, { recursive: true });

  // Build into a private directory, then rename: two processes installing at once never see a half-written binary.
  const staging = mkdtempSync(path.join(versionDir, '.install-'));
  try {
    const go = await which('go', o.env);
    if (go) {
      o.log(`Building the Temporal CLI v${TEMPORAL_CLI_VERSION} with 'go install ${GO_PACKAGE}' into ${versionDir}`);
      o.log('(the first build takes about 3 minutes; later runs and fresh clones reuse the cached binary)');
      const started = Date.now();
      try {
        await run(go, ['install', GO_PACKAGE], { ...o.env, GOBIN: staging, CGO_ENABLED: '0' }, o.log);
        renameSync(path.join(staging, 'temporal'), cached);
        o.log(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s`);
        return await verified(cached);
      } catch (err) {
        tried.push(`go install failed: ${(err as Error).message}`);
      }
    } else {
      tried.push('no Go toolchain on PATH');
    }

    const platform = process.platform === 'darwin' ? 'darwin' : process.platform === 'win32' ? 'windows' : 'linux';
    const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
    const url = `https://github.com/temporalio/cli/releases/download/v${TEMPORAL_CLI_VERSION}/temporal_cli_${TEMPORAL_CLI_VERSION}_${platform}_${arch}.tar.gz`;
    o.log(`Downloading the Temporal CLI v${TEMPORAL_CLI_VERSION} from ${url}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const archive = path.join(staging, 'temporal.tar.gz');
      const { writeFile } = await import('node:fs/promises');
      await writeFile(archive, Buffer.from(await res.arrayBuffer()));
      await execFileAsync('tar', ['-xzf', archive, '-C', staging, 'temporal']);
      chmodSync(path.join(staging, 'temporal'), 0o755);
      renameSync(path.join(staging, 'temporal'), cached);
      return await verified(cached);
    } catch (err) {
      tried.push(`download failed: ${(err as Error).message}`);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  throw new TemporalCliUnavailableError(
    `cannot get the Temporal CLI v${TEMPORAL_CLI_VERSION}: ${tried.join('; ')}. Install Go ≥ 1.25 or allow internet access, or set TEMPORAL_CLI_PATH.`,
  );
}

async function verified(binary: string): Promise<string> {
  const v = await versionOf(binary);
  if (!v || !isPinnedVersion(v)) {
    throw new Error(`${binary} reports ${v ? `server ${v.server}, UI ${v.ui}` : 'no version'} after install`);
  }
  return binary;
}
