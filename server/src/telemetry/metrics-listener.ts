import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';
import type { Metrics } from './metrics.ts';

export interface MetricsListener {
  /** e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `GET /metrics` in Prometheus' text format on an address of its own. Kept off the API's port: the
 * figures describe the platform (connections, lag, error rates), not data, but they are nobody
 * else's business, and a separate address is protected by where it listens (the monitoring
 * network) rather than by a token Prometheus would have to hold.
 */
export async function listenMetrics(metrics: Metrics, address: { host: string; port: number }, logger: Logger): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found; see /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text),
      (error: Error) => {
        logger.warn('metrics could not be collected', { error: error.message });
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics could not be collected; try again\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${port}/metrics`;
  logger.info('metrics listening', { url });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
