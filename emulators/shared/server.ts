// Fastify set-up both emulators share: a large body limit (batches), tolerant body parsers (JSON with OData
// parameters or an empty body, urlencoded forms for the token endpoint, multipart/mixed as text for Dataverse
// batches) and listening on an ephemeral port.

import Fastify, { type FastifyInstance } from 'fastify';
import { EmulatorError } from './errors';

/** Options of `createEmulatorServer`. */
export interface EmulatorServerOptions {
  /** Largest accepted request body in bytes. (Default: 350 MiB, BC's documented maximum) */
  bodyLimit?: number;
  /** Error code for a body that is not valid JSON. (Default: 'BadRequest') */
  invalidJsonCode?: string;
}

/**
 * Creates a Fastify instance without a logger and with these body parsers: `application/json` (any parameters; an
 * empty body parses to undefined; invalid JSON → `EmulatorError(400)`), `application/x-www-form-urlencoded` (object
 * of strings), `multipart/mixed` (raw string), anything else (JSON when it parses, else the raw string).
 */
export function createEmulatorServer(options: EmulatorServerOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? 350 * 1024 * 1024,
    forceCloseConnections: true,
  });
  const code = options.invalidJsonCode ?? 'BadRequest';
  const parseJson = (text: string): unknown => {
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new EmulatorError(400, code, `The request body is not valid JSON: ${(e as Error).message}`);
    }
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser('multipart/mixed', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch {
      done(null, body);
    }
  });
  return app;
}

/** Starts listening; resolves with the base URL (`http://host:port`, no trailing slash) and the bound port. */
export async function listenEmulator(
  app: FastifyInstance,
  host: string,
  port: number,
): Promise<{ url: string; port: number }> {
  await app.listen({ host, port });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shownHost}:${bound}`, port: bound };
}
