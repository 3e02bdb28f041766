/**
 * The structured logger (pino): constant messages with fields; anything that looks like a secret is redacted.
 * Built once by a composition root and passed down.
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

const redactPaths = [
  'clientSecret',
  '*.clientSecret',
  '*.*.clientSecret',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'access_token',
  '*.access_token',
  'password',
  '*.password',
  // The console's operator token and session cookie (client/console/auth.ts never logs them; this is the backstop).
  'operatorToken',
  '*.operatorToken',
  '*.*.operatorToken',
  'cookie',
  '*.cookie',
  '*.headers.cookie',
];

/**
 * A pino logger writing to stderr (stdout stays for command output): readable lines on a terminal (`auto`) or with
 * `pretty`, JSON lines otherwise — for log collectors and files. Redaction applies to both.
 */
export function createLogger(level: string, name = 'bcsync', format: 'auto' | 'pretty' | 'json' = 'auto'): Logger {
  const options = { name, level, redact: { paths: redactPaths, censor: '[redacted]' } };
  if (format === 'pretty' || (format === 'auto' && process.stderr.isTTY)) {
    // Synchronous too, and without colours when stderr is not a terminal (LOG_FORMAT=pretty into a file).
    return pino(
      options,
      pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY, ignore: 'pid,hostname' }),
    );
  }
  // Synchronous: a line logged right before the process dies (a crash, a kill) is never lost.
  return pino(options, pino.destination({ dest: 2, sync: true }));
}
