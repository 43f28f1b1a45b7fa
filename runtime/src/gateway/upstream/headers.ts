// Header rewriting between client and upstream: hop-by-hop headers never cross the proxy (RFC 9110 7.6.1), nor do
// the credential the gateway checked and the method/URL override headers (unless the route says so); the
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

/**
 * Headers that make some upstream frameworks act on another method or path than the request's (Spring, Symfony,
 * IIS, ASP.NET, Traefik), and so pass around the gateway's routing and security: dropped unless a route lists them
 * in `allowOverrideHeaders`.
 */
export const OVERRIDE_HEADERS: readonly string[] = [
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-original-url',
  'x-original-uri',
  'x-rewrite-url',
  'x-forwarded-prefix',
  'x-forwarded-uri',
];

export type UpstreamHeaders = Record<string, string | string[]>;

/**
 * What never goes upstream on this route, compiled once: hop-by-hop headers, Host (the target's own is sent),
 * Expect (the gateway answers it; undici refuses it), the override headers the route does not allow, and
 * Accept-Encoding where the route's guardrails read the answer.
 */
export function droppedRequestHeaders(allowOverrideHeaders: readonly string[], answersChecked = false): ReadonlySet<string> {
  const allowed = new Set(allowOverrideHeaders.map((name) => name.toLowerCase()));
  // A route whose guardrails read the answers asks for it uncompressed.
  return new Set([...HOP_BY_HOP, 'host', 'expect', ...OVERRIDE_HEADERS.filter((name) => !allowed.has(name)), ...(answersChecked ? ['accept-encoding'] : [])]);
}

function connectionListed(headers: IncomingHttpHeaders): Set<string> | undefined {
  const value = headers.connection;
  const text = Array.isArray(value) ? value.join(',') : value;
  if (!text || text === 'keep-alive' || text === 'close') return undefined;
  return new Set(text.split(',').map((token) => token.trim().toLowerCase()));
}

/**
 * The client's headers as the upstream gets them. `dropped`: the route's `droppedRequestHeaders`; `credential`: the
 * header whose credential the gateway checked, unless the route forwards credentials.
 */
export function upstreamRequestHeaders(
  req: IncomingMessage,
  requestId: string,
  bufferedLength: number | undefined,
  dropped: ReadonlySet<string>,
  credential: string | undefined,
): UpstreamHeaders {
  const incoming = req.headers;
  const listed = connectionListed(incoming);
  const headers: UpstreamHeaders = {};
  for (const name in incoming) {
    if (dropped.has(name) || name === credential || listed?.has(name)) continue;
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

/**
 * The head of a relayed answer: the upstream's end-to-end headers, then the gateway's own (the request id,
 * Server-Timing, and a stage's `answerHeaders`: RateLimit-*), which replace an upstream header of the same name.
 */
export function clientResponseHeaders(
  upstream: IncomingHttpHeaders,
  requestId: string,
  serverTiming: string,
  own?: Readonly<Record<string, string>>,
): OutgoingHttpHeaders {
  const listed = connectionListed(upstream);
  const headers: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (HOP_BY_HOP.has(name) || listed?.has(name)) continue;
    headers[name] = upstream[name];
  }
  if (own) {
    for (const name in own) {
      const lowerCase = name.toLowerCase(); // the upstream's names arrive lower-cased; the gateway's are as it writes them
      if (lowerCase in headers) delete headers[lowerCase];
      headers[name] = own[name];
    }
  }
  headers['x-request-id'] = requestId;
  headers['server-timing'] = serverTiming;
  return headers;
}
