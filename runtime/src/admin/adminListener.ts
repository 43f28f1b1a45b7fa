// A separate admin listener (gateway.admin.listen): the admin API alone on its own address, e.g. loopback only
// while the gateway's port faces the network. The gateway's port then answers /api/v1 with 404 like any path.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { adminApi } from './adminApi';
import type { AdminOptions } from './deps';

export interface AdminListener {
  url: string;
  close(): Promise<void>;
}

export async function startAdminListener(options: AdminOptions, listen: { host: string; port: number }): Promise<AdminListener> {
  const app = new Koa();
  app.silent = true;
  app.use(adminApi(options));
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { error: { type: 'not_found', message: `This is the admin listener: only /api/v1, /healthz and /readyz are served here.` } };
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
