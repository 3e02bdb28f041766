/**
 * Serves a prom-client registry at `GET /metrics` on its own port: the Temporal runtime holds METRICS_PORT for its
 * own Prometheus endpoint and cannot share it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger';

export interface MetricsServer {
  /** `http://host:port/metrics` as bound (the real port when 0 was asked for). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (0 = any free port) and answers `GET /metrics` with the registry's text exposition; anything
 * else is 404. Rejects when the port cannot be bound (in use, no permission).
 */
export async function serveMetrics(
  registry: Registry,
  o: { host: string; port: number; logger?: Logger },
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => {
        o.logger?.error({ err }, 'sync metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
