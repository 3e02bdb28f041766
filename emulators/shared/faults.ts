// Fault injection (`POST /__emulator/faults`): rules that add latency, answer with a status (429/5xx with an optional
// Retry-After) or drop the connection, for an entity set, a single record, a method — optionally for only `count`
// requests or a seeded fraction `rate` of them.

import { EmulatorError } from './errors';
import { SeededRandom } from './random';
import type { FaultRule } from './types';

/** What a matching rule does to one request. `status`/`resetConnection` replace the normal processing. */
export interface FaultAction {
  latencyMs: number;
  status?: number;
  retryAfterSeconds?: number;
  resetConnection: boolean;
}

/** The request properties rules select on. */
export interface FaultTarget {
  method: string;
  entitySet?: string;
  recordId?: string;
}

const ALLOWED_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** Holds the active rules and decides, per request, what they do. */
export class FaultInjector {
  private rules: (FaultRule & { remaining?: number })[] = [];
  private random = new SeededRandom(20240501);

  /**
   * Replaces all rules (an empty list clears them). Throws `EmulatorError(400, errorCode)` when a rule is malformed.
   */
  setRules(rules: unknown, errorCode = 'BadRequest'): void {
    if (!Array.isArray(rules)) throw new EmulatorError(400, errorCode, 'The body must be { "rules": [ … ] }.');
    const parsed = rules.map((raw, i) => {
      if (raw === null || typeof raw !== 'object')
        throw new EmulatorError(400, errorCode, `Rule ${i} is not an object.`);
      const r = raw as FaultRule;
      if (r.status !== undefined && !ALLOWED_STATUSES.has(r.status))
        throw new EmulatorError(
          400,
          errorCode,
          `Rule ${i}: status must be one of ${[...ALLOWED_STATUSES].join(', ')}.`,
        );
      if (r.rate !== undefined && (typeof r.rate !== 'number' || r.rate < 0 || r.rate > 1))
        throw new EmulatorError(400, errorCode, `Rule ${i}: rate must be between 0 and 1.`);
      if (r.count !== undefined && (!Number.isInteger(r.count) || r.count < 0))
        throw new EmulatorError(400, errorCode, `Rule ${i}: count must be a non-negative integer.`);
      if (r.latencyMs !== undefined && (typeof r.latencyMs !== 'number' || r.latencyMs < 0))
        throw new EmulatorError(400, errorCode, `Rule ${i}: latencyMs must be a non-negative number.`);
      return { ...r, remaining: r.count };
    });
    this.rules = parsed;
    this.random = new SeededRandom(20240501);
  }

  /** The active rules with their remaining counts. */
  list(): FaultRule[] {
    return this.rules.map(({ remaining, ...rule }) => ({
      ...rule,
      ...(remaining !== undefined ? { count: remaining } : {}),
    }));
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /**
   * The combined action of all rules that match `target` (latencies add up; the first rule with a status or a reset
   * wins). Consumes one unit of `count` from each rule that fires. Undefined when nothing fires.
   */
  match(target: FaultTarget): FaultAction | undefined {
    let action: FaultAction | undefined;
    for (const rule of this.rules) {
      if (rule.remaining !== undefined && rule.remaining <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== target.method.toUpperCase()) continue;
      if (rule.entitySet && rule.entitySet !== target.entitySet) continue;
      if (rule.recordId && rule.recordId.toLowerCase() !== target.recordId?.toLowerCase()) continue;
      if (rule.rate !== undefined && this.random.next() >= rule.rate) continue;
      if (rule.remaining !== undefined) rule.remaining--;
      action ??= { latencyMs: 0, resetConnection: false };
      action.latencyMs += rule.latencyMs ?? 0;
      if (action.status === undefined && !action.resetConnection) {
        if (rule.resetConnection) action.resetConnection = true;
        else if (rule.status !== undefined) {
          action.status = rule.status;
          action.retryAfterSeconds = rule.retryAfterSeconds;
        }
      }
    }
    return action;
  }
}

/** The default error message per injected status. */
export function faultMessage(status: number): string {
  switch (status) {
    case 408:
      return 'The operation has timed out.';
    case 429:
      return 'Too many requests reached.';
    case 502:
      return 'Bad gateway.';
    case 503:
      return 'The service is temporarily unavailable.';
    case 504:
      return 'The gateway timed out waiting for the request to complete.';
    default:
      return 'An unexpected server error occurred (injected fault).';
  }
}
