// `replay://fixtures/` targets: a server on loopback, in the gateway's process (as the built-in mock is), that
// answers each request with the fixture recorded for the same route, method, path, query and normalized body, the
// chunks of a stream sent with their recorded pacing (or at once with `?pace=instant`). The folder is read on each
// request, so fixtures recorded or edited while the gateway runs are served at once. With no match: a 404 naming
// the closest fixture and where it differs.
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { bodyOf, chunkBytes, matchKey, parseFixture, queryOf, type Fixture } from './fixture';
import { closestFixture } from './closestFixture';

export interface ReplayServer {
  url: string;
  close(): Promise<void>;
}

export interface ReplayOptions {
  dir: string;
  /** `recorded`: each chunk at its recorded time; `instant`: the whole answer at once. */
  pace: 'recorded' | 'instant';
}

interface LoadedFixture {
  file: string;
  fixture: Fixture;
}

/** Requests arrive as `/<route>/<upstream path>`: the route is the first segment of the target's base path. */
export async function startReplayServer(options: ReplayOptions): Promise<ReplayServer> {
  const server: Server = createServer((req, res) => {
    void serve(req, res, options).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'replay_failed', `The replay of ${options.dir} failed: ${err instanceof Error ? err.message : String(err)}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, options: ReplayOptions): Promise<void> {
  const [pathPart = '/', search = ''] = (req.url ?? '/').split('?');
  if (req.method === 'GET' && (pathPart === '/health' || pathPart === '/healthz')) {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  const slash = pathPart.indexOf('/', 1);
  const route = decodeURIComponent(pathPart.slice(1, slash < 0 ? undefined : slash));
  const upstreamPath = slash < 0 ? '/' : pathPart.slice(slash);
  const method = req.method ?? 'GET';
  const query = queryOf(search ? `?${search}` : '');
  const body = bodyOf(await readAll(req));
  const fixtures = await loadFixtures(options.dir);
  const key = matchKey(route, method, upstreamPath, query, body);
  const found = fixtures.find(
    ({ fixture }) => matchKey(fixture.route, fixture.request.method, fixture.request.path, fixture.request.query, fixture.request.body) === key,
  );
  if (!found) {
    const asked = { route, method, path: upstreamPath, query, body };
    const closest = closestFixture(asked, fixtures);
    const where = `${method} ${upstreamPath}${query} on route "${route}"`;
    const hint = closest
      ? ` The closest is ${path.join(options.dir, closest.file)} (${closest.difference}).`
      : ` ${options.dir} holds no fixture${fixtures.length === 0 ? '' : ' for it'}.`;
    sendError(
      res,
      404,
      'replay_fixture_not_found',
      `No recorded answer for ${where} with this body.${hint} Record one with: ai-gateway-cli record --config <your config> --out ${options.dir}`,
      closest?.file,
    );
    return;
  }
  await replay(res, found.fixture, options.pace);
}

async function replay(res: ServerResponse, fixture: Fixture, pace: ReplayOptions['pace']): Promise<void> {
  const chunks = fixture.response.chunks.map((chunk) => ({ atMs: chunk.atMs, data: chunkBytes(chunk) }));
  const streamed = (fixture.response.headers['content-type'] ?? '').includes('text/event-stream');
  const headers: Record<string, string> = { ...fixture.response.headers };
  if (!streamed) headers['content-length'] = String(chunks.reduce((sum, chunk) => sum + chunk.data.length, 0));
  const started = performance.now();
  if (pace === 'recorded') await until(started + fixture.response.headAtMs, res);
  if (res.destroyed) return;
  res.writeHead(fixture.response.status, headers);
  if (streamed) res.flushHeaders();
  for (const chunk of chunks) {
    if (pace === 'recorded') await until(started + chunk.atMs, res);
    if (res.destroyed) return;
    res.write(chunk.data);
  }
  res.end();
}

/** Waits until `at` (performance.now()), or less if the client left. */
function until(at: number, res: ServerResponse): Promise<void> {
  const wait = at - performance.now();
  if (wait <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, wait);
    res.on('close', done);
  });
}

async function loadFixtures(dir: string): Promise<LoadedFixture[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const loaded = await Promise.all(names.map(async (file) => ({ file, fixture: parseFixture(await readFile(path.join(dir, file), 'utf8').catch(() => '')) })));
  return loaded.filter((entry): entry is LoadedFixture => entry.fixture !== undefined);
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, status: number, type: string, message: string, closest?: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { type, message, ...(closest ? { closest } : {}) } }));
}
