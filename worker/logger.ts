/**
 * The structured logger (pino): constant messages with fields; anything that looks like a secret is redacted.
 * Built once by a composition root and passed down.
 */
import pino, { type Logger } from 'pino';

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
];

/** A pino logger writing JSON lines to stderr (stdout stays for command output). */
export function createLogger(level: string, name = 'bcsync'): Logger {
  return pino(
    { name, level, redact: { paths: redactPaths, censor: '[redacted]' } },
    // Synchronous: a line logged right before the process dies (a crash, a kill) is never lost.
    pino.destination({ dest: 2, sync: true }),
  );
}
