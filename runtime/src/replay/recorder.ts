// `ai-gateway-cli record`: every upstream exchange the gateway relays is written to the fixtures folder as it ends
// (one file per distinct route, method, path and body; a repeat replaces the file), credentials left out. Exchanges
// that cannot be replayed as they were (a body streamed upstream without being held, an answer cut or too large) are
// skipped, and the log says why.
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { Logger } from 'pino';
import { writeFileAtomic } from '../../../common/src/atomicWrite';
import type { GatewayContext } from '../gateway/context';
import { upstreamPath } from '../gateway/middleware/proxy';
import type { TrafficLog } from '../traffic/trafficLog';
import { bodyOf, chunkOf, fixtureFileName, queryOf, requestHeadersOf, responseHeadersOf, FIXTURE_VERSION, type Fixture } from './fixture';

/** Log line of each fixture written, with `file`, `route` and `status`. */
export const FIXTURE_RECORDED = 'fixture recorded';

export function recordFixtures(traffic: TrafficLog, dir: string, logger: Logger): void {
  let ready: Promise<unknown> | undefined;
  traffic.onExchange((ctx) => {
    const fixture = fixtureOf(ctx, logger);
    if (!fixture) return;
    const file = path.join(dir, fixtureFileName(fixture));
    ready ??= mkdir(dir, { recursive: true });
    void ready
      .then(() => writeFileAtomic(file, `${JSON.stringify(fixture, null, 2)}\n`))
      .then(
        () => logger.info({ file, route: fixture.route, status: fixture.response.status }, FIXTURE_RECORDED),
        (err: unknown) => logger.error({ file, err: err instanceof Error ? err.message : String(err) }, 'fixture not written'),
      );
  });
}

function fixtureOf(ctx: GatewayContext, logger: Logger): Fixture | undefined {
  const state = ctx.state;
  const capture = state.capture;
  const route = state.route;
  if (!route || !capture || capture.status === undefined || !capture.headers) return undefined; // the gateway answered itself
  const skip = (why: string): undefined => {
    logger.warn({ route: route.name, requestId: state.requestId }, `not recorded: ${why}`);
    return undefined;
  };
  if (state.cache?.result === 'hit') return undefined; // answered from the response cache: no upstream exchange
  if (state.upstream.outcome !== 'complete') return skip(`the answer did not complete (${state.upstream.outcome ?? 'unknown'})`);
  if (capture.truncated) return skip(`the answer is larger than ${capture.maxBytes} bytes`);
  const requestBody = state.body ?? capture.requestBody;
  if (!requestBody && ctx.req.headers['content-length'] !== '0' && (ctx.req.headers['content-length'] !== undefined || ctx.req.headers['transfer-encoding'])) {
    return skip('the request body was streamed upstream without being held (larger than gateway.limits.maxReplayBodySize)');
  }
  const sentAt = state.timings.upstreamStartedAt ?? state.timings.receivedAt;
  const since = state.timings.receivedAt - sentAt; // capture times are since arrival; fixture times since sending
  const body = requestBody ? bodyOf(requestBody) : undefined;
  return {
    fixture: FIXTURE_VERSION,
    route: route.name,
    recordedAt: new Date().toISOString(),
    request: {
      method: ctx.method,
      path: upstreamPath(state, route.config.stripPrefix),
      query: queryOf(state.search),
      headers: requestHeadersOf(ctx.req.headers),
      ...(body ? { body } : {}),
    },
    response: {
      status: capture.status,
      headers: responseHeadersOf(capture.headers),
      headAtMs: Math.round(((state.timings.firstByteAt ?? sentAt) - sentAt) * 10) / 10,
      chunks: capture.chunks.map((chunk) => chunkOf(chunk.atMs + since, chunk.data)),
    },
  };
}
