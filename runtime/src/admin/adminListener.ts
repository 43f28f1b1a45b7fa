// A separate admin listener (gateway.admin.listen): the admin API alone on its own address, e.g. loopback only
// while the gateway's port faces the network. The gateway's port then answers /api/v1 with 404 like any path.
// The primary of gateway.workers serves it the same way on a private Unix socket its workers forward /api/v1 to.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { Workers } from '../../../common/src/protocol';
import { adminApi } from './adminApi';
import type { AdminOptions } from './deps';

export interface AdminListener {
  url: string;
  close(): Promise<void>;
}

/** A host and port, or (gateway.workers) the path of the primary's private socket. */
export type AdminAddress = { host: string; port: number } | { socketPath: string };

export async function startAdminListener(options: AdminOptions, listen: AdminAddress): Promise<AdminListener> {
  const app = new Koa();
  app.silent = true;
  if ('socketPath' in listen) app.use(requestIdOfWorker);
  app.use(adminApi(options));
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { error: { type: 'not_found', message: `This is the admin listener: only /api/v1, /healthz and /readyz are served here.` } };
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve();
    };
    if ('socketPath' in listen) server.listen(listen.socketPath, done);
    else server.listen(listen.port, listen.host, done);
  });
  return {
    url: 'socketPath' in listen ? `unix:${listen.socketPath}` : httpUrl(server.address() as AddressInfo),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** On the private socket a request comes from a worker, with the id the worker's access line gives it and its caller's address. */
const requestIdOfWorker: Koa.Middleware = (ctx, next) => {
  const state = ctx.state as { requestId?: string; clientAddress?: string };
  const id = ctx.get('x-request-id');
  if (id) state.requestId = id;
  const address = ctx.get(Workers.clientAddressHeader);
  if (address) state.clientAddress = address;
  return next();
};

function httpUrl(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
