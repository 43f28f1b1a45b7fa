// Header rewriting between client and upstream: hop-by-hop headers never cross the proxy (RFC 9110 7.6.1), the
// X-Forwarded-* family tells the upstream who really called, and x-request-id ties both sides' logs together.
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

export type UpstreamHeaders = Record<string, string | string[]>;

function connectionListed(headers: IncomingHttpHeaders): Set<string> | undefined {
  const value = headers.connection;
  const text = Array.isArray(value) ? value.join(',') : value;
  if (!text || text === 'keep-alive' || text === 'close') return undefined;
  return new Set(text.split(',').map((token) => token.trim().toLowerCase()));
}

export function upstreamRequestHeaders(req: IncomingMessage, requestId: string, bufferedLength: number | undefined): UpstreamHeaders {
  const incoming = req.headers;
  const listed = connectionListed(incoming);
  const headers: UpstreamHeaders = {};
  for (const name in incoming) {
    if (HOP_BY_HOP.has(name) || name === 'host' || listed?.has(name)) continue;
    const value = incoming[name];
    if (value !== undefined) headers[name] = value;
  }
  const clientAddress = req.socket.remoteAddress ?? '';
  const priorFor = incoming['x-forwarded-for'];
  headers['x-forwarded-for'] = priorFor ? `${Array.isArray(priorFor) ? priorFor.join(', ') : priorFor}, ${clientAddress}` : clientAddress;
  headers['x-forwarded-proto'] = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  if (incoming.host) headers['x-forwarded-host'] = incoming.host;
  headers['x-request-id'] = requestId;
  // A buffered body is replayed with its exact length, whatever framing the client used.
  if (bufferedLength !== undefined) headers['content-length'] = String(bufferedLength);
  return headers;
}

export function clientResponseHeaders(upstream: IncomingHttpHeaders, requestId: string, serverTiming: string): OutgoingHttpHeaders {
  const listed = connectionListed(upstream);
  const headers: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (HOP_BY_HOP.has(name) || listed?.has(name)) continue;
    headers[name] = upstream[name];
  }
  headers['x-request-id'] = requestId;
  headers['server-timing'] = serverTiming;
  return headers;
}
