// Test helpers around the emulators' public control routes (`/__emulator/*`) and a log-capturing logger.
import type { ConnectorLogger } from '../../../connectors/http/logger';

export interface EmulatorStats {
  total: number;
  byMethod: Record<string, number>;
  byEntitySet: Record<string, number>;
  byStatus: Record<string, number>;
  batchOperations?: unknown;
  tokenRequests?: number;
  faulted?: number;
}

/** POSTs to a control route and returns the parsed JSON body (or null for 204). */
export async function control(baseUrl: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${baseUrl}/__emulator/${path}`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`control ${path} failed: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

export async function stats(baseUrl: string): Promise<EmulatorStats> {
  const res = await fetch(`${baseUrl}/__emulator/stats`);
  return (await res.json()) as EmulatorStats;
}

export const setFaults = (baseUrl: string, rules: unknown[]): Promise<unknown> => control(baseUrl, 'faults', { rules });

/** A pino-compatible logger that keeps every entry as a JSON string. */
export function captureLogger(): ConnectorLogger & { lines: string[] } {
  const lines: string[] = [];
  const push =
    (level: string) =>
    (obj: Record<string, unknown>, msg: string): void => {
      lines.push(JSON.stringify({ level, ...obj, msg }));
    };
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

/** Runs `fn` and returns what it threw (fails when it does not throw). */
export async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

/** Timed record of every HTTP attempt a connector made (from its onRequest hook). */
export interface TimedEvent {
  status: number;
  method: string;
  url: string;
  start: number;
  end: number;
}
