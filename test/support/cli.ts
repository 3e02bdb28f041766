/** Running the real `bcsync` CLI (bin/bcsync.js) as a child process, as a user would. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { childProcessEnv } from '../../config';

export const bin = path.join(__dirname, '..', '..', 'bin', 'bcsync.js');

let defaultDataDir: string | undefined;

/**
 * The environment of a `bcsync` child: quiet logs; unless the test names one, a DATA_DIR of this test process —
 * never the checkout's `.data`, whose demo mappings (written by a developer's `npm start`) the CLI would pick up; and
 * BCSYNC_FROM_SOURCE=1, so the child runs the TypeScript sources under test, like the test process itself, never a
 * dist/ compiled before the last edit (test/cli/compiled.test.ts runs the compiled code after building it).
 */
function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  defaultDataDir ??= mkdtempSync(path.join(tmpdir(), 'bcsync-cli-data-'));
  return childProcessEnv({ LOG_LEVEL: 'warn', DATA_DIR: defaultDataDir, BCSYNC_FROM_SOURCE: '1', ...env });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bcsync …args` to completion with `env` added to the environment. */
export function runBcsync(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: cliEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bcsync ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    // 'close', not 'exit': at 'exit' the child's last output may still be in the pipe (an empty stdout of a `--json`
    // command that printed its JSON was seen under load).
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `bcsync …args` (a `--json` command) and parses its output; a non-zero exit fails with the command's stderr. */
export async function runBcsyncJson<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
  const r = await runBcsync(args, env);
  if (r.code !== 0) throw new Error(`bcsync ${args.join(' ')} exited with ${r.code}:\n${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

/**
 * Starts a long-running `bcsync …args` and collects its output; `exited` resolves with its exit code once all of its
 * output has been read.
 */
export function spawnBcsync(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, ...args], { env: cliEnv(env) });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
