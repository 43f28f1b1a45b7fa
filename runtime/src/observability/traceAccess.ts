// Who may trace a request: `x-gateway-trace: 1` together with the admin key in `x-gateway-admin-key`. A separate
// header, because Authorization belongs to the route's own auth and to the upstream. The key is compared as a
// SHA-256 digest in constant time, and the header is removed from the request so it never reaches an upstream.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RequestTrace } from '../../../common/src/protocol';

export type TraceDecision = 'off' | 'granted' | 'refused';

export class TraceAccess {
  private readonly adminKeyDigest: Buffer | undefined;

  /** Without an admin key (AI_GATEWAY_API_KEY) tracing is off, as is the admin API. */
  constructor(adminKey: string | undefined) {
    this.adminKeyDigest = adminKey ? digest(adminKey) : undefined;
  }

  decide(req: IncomingMessage): TraceDecision {
    const headers = req.headers;
    const asked = headers[RequestTrace.traceRequestHeader];
    const key = headers[RequestTrace.adminKeyHeader];
    if (key !== undefined) delete headers[RequestTrace.adminKeyHeader];
    if (asked === undefined) return 'off';
    delete headers[RequestTrace.traceRequestHeader];
    if (asked !== '1') return 'off';
    if (!this.adminKeyDigest || typeof key !== 'string' || !timingSafeEqual(digest(key), this.adminKeyDigest)) return 'refused';
    return 'granted';
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
