// The human banner on stderr: where the gateway listens and a curl line that works against the loaded config.
import type { GatewayConfig, RouteConfig } from '../../../common/src/config';

const CHAT_BODY = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }] };

export function banner(url: string, config: GatewayConfig, configFile: string | undefined): string {
  const lines = [`AI Gateway listening on ${url}${configFile ? `  (config: ${configFile}, ${config.routes.length} route(s))` : ''}`];
  const example = exampleRequest(config);
  if (example) lines.push('Try it:', `  ${boundedCurlLine(url, example)}`);
  else lines.push('No route is configured yet: add one under `routes:` and save, the gateway reloads.');
  return `${lines.join('\n')}\n`;
}

interface ExampleRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** The first route with a concrete path, using its `example:` when given, else a plausible OpenAI-style body. */
function exampleRequest(config: GatewayConfig): ExampleRequest | undefined {
  const route = config.routes.find((candidate) => !candidate.path.includes('*') && !candidate.path.includes(':'));
  if (!route) return undefined;
  const method = route.example?.method ?? route.methods?.[0] ?? 'GET';
  const headers: Record<string, string> = { ...route.match?.headers, ...route.example?.headers };
  const body = route.example?.body ?? (method === 'GET' ? undefined : defaultBody(route));
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  return { method, path: route.path, headers, body };
}

function defaultBody(route: RouteConfig): unknown {
  if (route.path.endsWith('/embeddings')) return { model: 'text-embedding-3-small', input: 'Hello!' };
  if (route.path.endsWith('/chat/completions')) return CHAT_BODY;
  return { input: 'Hello!' };
}

/** Longest curl line the banner prints: a route's example can be large, and a banner is read by a person. */
const MAX_BANNER_LINE = 2_000;

function boundedCurlLine(url: string, request: ExampleRequest): string {
  const line = curlLine(url, request);
  if (line.length <= MAX_BANNER_LINE) return line;
  const short = curlLine(url, { method: request.method, path: request.path, headers: {} });
  return `${short.slice(0, MAX_BANNER_LINE)}   (the route's example request is ${line.length} characters: not printed)`;
}

function curlLine(url: string, request: ExampleRequest): string {
  const parts = ['curl -s'];
  if (request.method !== 'GET' && !(request.method === 'POST' && request.body !== undefined)) parts.push(`-X ${request.method}`);
  parts.push(`${url}${request.path}`);
  for (const [name, value] of Object.entries(request.headers)) parts.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  if (request.body !== undefined) parts.push(`-d ${shellQuote(JSON.stringify(request.body))}`);
  return parts.join(' ');
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
