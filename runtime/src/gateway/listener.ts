// The gateway's listening socket: HTTPS when `gateway.tls` names a certificate and key, HTTP otherwise, with
// the request limits a proxy in front of AI services needs: a header size cap, and header and body read
// timeouts so that a client trickling bytes (slowloris) is cut off instead of holding a connection forever; a TLS
// handshake gets the headers timeout too (Node's own default holds a silent socket for 120 s). A request with
// `Expect: 100-continue` goes through the same pipeline, which sends the 100 only when it first reads the body.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { GatewaySettings, ServerLimits, TlsConfig } from '../../../common/src/config';
import { markExpectsContinue } from './clientBody';
import { MAX_HEADER_FIELDS } from './middleware/requestHead';

export type GatewayServer = http.Server | https.Server;

export function createGatewayServer(settings: Pick<GatewaySettings, 'tls' | 'limits'>, handler: http.RequestListener): GatewayServer {
  const options: http.ServerOptions = {
    maxHeaderSize: settings.limits.maxHeaderBytes,
    keepAliveTimeout: 65_000, // outlives the 60 s idle timeout of common load balancers in front
    ...readTimeouts(settings.limits),
  };
  const server = settings.tls
    ? https.createServer({ ...options, ...tlsCredentials(settings.tls), handshakeTimeout: settings.limits.headersTimeoutMs }, handler)
    : http.createServer(options, handler);
  server.maxHeadersCount = MAX_HEADER_FIELDS;
  // Listened to, Node no longer answers `100 Continue` by itself before the gateway had a say (auth, limits).
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    markExpectsContinue(req);
    handler(req, res);
  });
  return server;
}

/** Applies changed timeouts and certificates of a reloaded config; the header size cap needs a restart. */
export function updateGatewayServer(server: GatewayServer, settings: Pick<GatewaySettings, 'tls' | 'limits'>): void {
  const timeouts = readTimeouts(settings.limits);
  server.headersTimeout = timeouts.headersTimeout;
  server.requestTimeout = timeouts.requestTimeout;
  if (settings.tls && server instanceof https.Server) {
    server.setSecureContext(tlsCredentials(settings.tls));
    setHandshakeTimeout(server, settings.limits.headersTimeoutMs);
  }
}

/** Node reads `handshakeTimeout` from a private field for each new connection and has no setter: a reload sets the field. */
function setHandshakeTimeout(server: https.Server, ms: number): void {
  const field = Object.getOwnPropertySymbols(server).find((symbol) => symbol.description === 'handshake-timeout');
  if (field) (server as unknown as Record<symbol, number>)[field] = ms;
}

function readTimeouts(limits: ServerLimits): Required<Pick<http.ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'>> {
  return {
    headersTimeout: limits.headersTimeoutMs,
    // Node's requestTimeout covers headers and body together, and may not be shorter than headersTimeout.
    requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs,
    // Node only looks for expired connections this often (30 s by default): check at a fraction of the timeout.
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

function tlsCredentials(tls: TlsConfig): { cert: Buffer; key: Buffer } {
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`gateway.tls.${what}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  };
  return { cert: read(tls.cert, 'cert'), key: read(tls.key, 'key') };
}
