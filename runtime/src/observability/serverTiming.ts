// The Server-Timing header (W3C): the gateway's own cost and the time spent waiting on upstreams, so a user sees
// in the browser's or editor's network panel what the gateway adds to a call.
import type { RequestTimings } from '../gateway/context';

/** `gateway;dur=0.41, upstream;dur=12.30` in ms: everything but the upstream wait, then the upstream wait. */
export function serverTimingValue(timings: RequestTimings, now = performance.now()): string {
  const upstreamMs = timings.upstreamMs ?? 0;
  const gatewayMs = Math.max(0, now - timings.receivedAt - upstreamMs);
  return `gateway;dur=${twoDecimals(gatewayMs)}, upstream;dur=${twoDecimals(upstreamMs)}`;
}

/** `ms.toFixed(2)` for the non-negative values above, with integer arithmetic: toFixed showed in the profile. */
function twoDecimals(ms: number): string {
  const hundredths = Math.round(ms * 100);
  if (!Number.isSafeInteger(hundredths)) return ms.toFixed(2);
  const fraction = hundredths % 100;
  return `${(hundredths - fraction) / 100}.${fraction < 10 ? '0' : ''}${fraction}`;
}
