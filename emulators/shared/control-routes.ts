// The `/__emulator/*` control routes both emulators serve without authentication (docs/emulators.md): reset, seed,
// faults, stats, token expiry and service-protection limits.

import type { FastifyInstance } from 'fastify';
import type { ResolvedLimits } from './service-protection';
import type { StatsSnapshot } from './stats';
import type { FaultRule, ServiceProtectionLimits } from './types';

/** What the control routes call; the emulator implements these on its own state. */
export interface ControlHandlers {
  /** Empties the data (keeping the minimum the service needs, e.g. BC's company), clears faults and stats. */
  reset(): Promise<void> | void;
  /** Replaces the data with the demo dataset of these size options; returns per-table counts. */
  seed(options: Record<string, unknown>): Promise<Record<string, number>> | Record<string, number>;
  /** Replaces the fault rules; throws `EmulatorError(400)` on a malformed rule. */
  setFaults(rules: unknown): void;
  /** The active fault rules. */
  faults(): FaultRule[];
  stats(): StatsSnapshot;
  resetStats(): void;
  /** Invalidates every token issued so far. */
  expireTokens(): void;
  /** Every access token issued since start (`TokenIssuer.issuedTokens`). */
  issuedTokens(): string[];
  /** Merges knobs into the limits in force (`reset: true` restores the defaults first). */
  setLimits(limits: ServiceProtectionLimits, reset: boolean): ResolvedLimits;
  limits(): ResolvedLimits;
  /** Renders an error body in the emulator's dialect. */
  errorBody(status: number, code: string, message: string): unknown;
}

/**
 * Registers on `app`:
 * - `POST /__emulator/reset` → 204
 * - `POST /__emulator/seed` (body: seed options, may be empty) → 200 `{ counts }`
 * - `POST /__emulator/faults` (body `{ rules: [...] }`) → 200 `{ rules }`; `GET /__emulator/faults` → `{ rules }`
 * - `GET /__emulator/stats` → the stats document; `POST /__emulator/stats/reset` → 204
 * - `POST /__emulator/tokens/expire` → 204; `GET /__emulator/tokens` → `{ issued: [...] }`, every access token issued
 *   since start (for the secret scan: tests look for them in logs, the store and workflow histories)
 * - `POST /__emulator/limits` (body: limit knobs, optional `reset: true`) → 200 limits; `GET /__emulator/limits`
 */
export function registerControlRoutes(app: FastifyInstance, handlers: ControlHandlers): void {
  const body = (raw: unknown): Record<string, unknown> =>
    raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  app.post('/__emulator/reset', async (_request, reply) => {
    await handlers.reset();
    return reply.code(204).send();
  });
  app.post('/__emulator/seed', async (request, reply) => {
    const counts = await handlers.seed(body(request.body));
    return reply.code(200).send({ counts });
  });
  app.post('/__emulator/faults', async (request, reply) => {
    handlers.setFaults(body(request.body)['rules']);
    return reply.code(200).send({ rules: handlers.faults() });
  });
  app.get('/__emulator/faults', async (_request, reply) => reply.send({ rules: handlers.faults() }));
  app.get('/__emulator/stats', async (_request, reply) => reply.send(handlers.stats()));
  app.post('/__emulator/stats/reset', async (_request, reply) => {
    handlers.resetStats();
    return reply.code(204).send();
  });
  app.post('/__emulator/tokens/expire', async (_request, reply) => {
    handlers.expireTokens();
    return reply.code(204).send();
  });
  app.get('/__emulator/tokens', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ issued: handlers.issuedTokens() }),
  );
  app.post('/__emulator/limits', async (request, reply) => {
    const { reset, ...limits } = body(request.body);
    for (const [key, value] of Object.entries(limits)) {
      const ok =
        key === 'sendRetryAfter'
          ? typeof value === 'boolean'
          : key === 'retryAfterSeconds'
            ? value === null || (typeof value === 'number' && value >= 0)
            : typeof value === 'number' && value >= 0;
      if (!ok || !(key in handlers.limits()))
        return reply
          .code(400)
          .send(handlers.errorBody(400, 'BadRequest', `The limit '${key}' is unknown or has a bad value.`));
    }
    const knobs = limits as ServiceProtectionLimits & { retryAfterSeconds?: number | null };
    if (knobs.retryAfterSeconds === null) knobs.retryAfterSeconds = undefined;
    return reply.send(handlers.setLimits(knobs, reset === true));
  });
  app.get('/__emulator/limits', async (_request, reply) => reply.send(handlers.limits()));
}
