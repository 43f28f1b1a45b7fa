// The Server-Timing header (W3C): the gateway's own cost and the time spent waiting on upstreams, so a user sees
// in the browser's or editor's network panel what the gateway adds to a call.
import type { RequestTimings } from '../gateway/context';

/** `gateway;dur=0.41, upstream;dur=12.30` in ms: everything but the upstream wait, then the upstream wait. */
export function serverTimingValue(timings: RequestTimings, now = performance.now()): string {
  const upstreamMs = timings.upstreamMs ?? 0;
  const gatewayMs = Math.max(0, now - timings.receivedAt - upstreamMs);
  return `gateway;dur=${gatewayMs.toFixed(2)}, upstream;dur=${upstreamMs.toFixed(2)}`;
}
