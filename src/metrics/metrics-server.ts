import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { registry } from './metrics.js';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  response.setHeader('x-content-type-options', 'nosniff');
  if (request.url?.split('?')[0] !== '/metrics') {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end();
    return;
  }

  const text = await registry.metrics();
  response.writeHead(200, { 'content-type': registry.contentType });
  response.end(request.method === 'HEAD' ? undefined : text);
}

/**
 * Serves /metrics without a key on 127.0.0.1 only (METRICS_PORT): reachable
 * by a Prometheus on the same machine, never from the network.
 */
export async function startMetricsServer(port: number): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    answer(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, resolve);
  });

  const address = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error === undefined ? resolve() : reject(error)));
      server.closeAllConnections();
    });
  return { url: `http://127.0.0.1:${address.port}`, close };
}
