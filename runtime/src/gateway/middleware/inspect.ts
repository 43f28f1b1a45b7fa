// Second in the pipeline: when tracing is on, the request's span (continuing the client's traceparent); when the
// Traffic view records or a span samples the request, a capture of what goes by (ended and read by observability
// when the answer is over). With both off it only passes through: one check per request.
import type { Middleware } from 'koa';
import type { Observability } from '../../observability/observability';
import { RequestCapture } from '../../traffic/requestCapture';
import type { GatewayState } from '../context';

/** A sampled span reads the answer (model, finish reasons) from at most this much of it. */
const SPAN_CAPTURE_BYTES = 1 << 20;

export function inspect(observability: Observability): Middleware<GatewayState> {
  const { tracing, traffic } = observability;
  return function inspectMiddleware(ctx, next) {
    if (!tracing.active && !traffic.active) return next();
    const state = ctx.state;
    const span = tracing.active ? tracing.startRequest(ctx.req, ctx.method, state.path) : undefined;
    state.span = span;
    const recording = span?.recording === true;
    const captureBytes = Math.max(traffic.active ? traffic.captureBytes : 0, recording ? SPAN_CAPTURE_BYTES : 0);
    // A sampled span reads the requested model from the body, which is held whole (up to the replay limit) for it.
    if (captureBytes > 0) state.capture = new RequestCapture(state.timings.receivedAt, captureBytes, recording || traffic.wantsRequestBodies);
    if (traffic.active) state.trace ??= []; // the Traffic view shows the pipeline's decisions
    return next();
  };
}
