// A finished request as the Traffic view shows it: its row (`Traffic.Entry`), and what is kept to answer a look at
// it (`Traffic.Detail`): headers with credentials redacted, bodies up to the view's limit, streams as events.
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestTrace, Traffic } from '../../../common/src/protocol';
import type { GatewayContext } from '../gateway/context';
import { verdictSummary } from '../guardrails/verdicts';
import { providerOf } from '../telemetry/genAi';
import type { CapturedChunk } from './requestCapture';

/** Header names whose values are credentials (or may be): shown as `<redacted>`. */
const CREDENTIAL_HEADER = /authorization|api-?key|token|secret|password|cookie|signature|credential|^x-goog-api-key$|^x-amz-security-token$/i;
/** Query parameters that carry keys (`?key=`, `?api_key=`, `?token=`...). */
const CREDENTIAL_PARAM = /key|token|secret|password|signature|sig$/i;
export const REDACTED = '<redacted>';

/** What a traffic record keeps besides its row: enough to build the detail later. */
export interface KeptExchange {
  entry: Traffic.Entry;
  query: string;
  requestHeaders: Record<string, string>;
  requestBody?: KeptBody;
  response?: { status: number; headers: Record<string, string>; body?: KeptBody; chunks?: CapturedChunk[]; sse: boolean };
  trace: RequestTrace.Entry[];
}

interface KeptBody {
  data: Buffer;
  bytes: number;
}

export function trafficEntry(ctx: GatewayContext, seq: number, route: string | undefined, status: number, durationMs: number, bodies: boolean): Traffic.Entry {
  const state = ctx.state;
  const target = state.upstream.target;
  // A provider target's provider and the model it was sent; for a plain target, what its host and the request say.
  const provider = state.upstream.provider ?? (target ? providerOf(target) : undefined);
  const model = state.upstream.model ?? state.model ?? requestedModel(state.body ?? state.capture?.requestBody);
  const contentType = state.capture?.contentType ?? headerText(ctx.res.getHeader('content-type'));
  return {
    seq,
    requestId: state.requestId,
    time: new Date(Date.now() - durationMs).toISOString(),
    method: ctx.method,
    path: state.path,
    ...(route !== undefined ? { route } : {}),
    ...(state.consumer !== undefined ? { consumer: state.consumer } : {}),
    status,
    ...(target !== undefined ? { target } : {}),
    ...(provider !== undefined ? { provider } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(state.usage ? { tokens: { prompt: state.usage.promptTokens, completion: state.usage.completionTokens, total: state.usage.totalTokens } } : {}),
    ...(state.cost ? { cost: state.cost.usd } : {}),
    durationMs: Math.round(durationMs * 100) / 100,
    ...(state.cache ? { cache: state.cache.reason && state.cache.result === 'bypass' ? `bypass (${state.cache.reason})` : state.cache.result } : {}),
    ...(state.guardrailVerdicts ? { guardrail: verdictSummary(state.guardrailVerdicts) } : {}),
    stream: contentType?.includes('text/event-stream') ?? false,
    ...(state.span ? { traceId: state.span.traceId } : {}),
    bodies,
  };
}

/** The exchange kept for the detail view: bodies only when `maxBodyBytes` > 0, each cut at that size. */
export function keepExchange(ctx: GatewayContext, entry: Traffic.Entry, maxBodyBytes: number): KeptExchange {
  const state = ctx.state;
  const capture = state.capture;
  const keepBodies = maxBodyBytes > 0 && capture !== undefined;
  const requestBody = keepBodies ? (state.body ?? capture.requestBody) : undefined;
  const kept: KeptExchange = {
    entry,
    query: redactQuery(state.search),
    requestHeaders: redactHeaders(ctx.req.headers),
    ...(requestBody ? { requestBody: { data: requestBody.subarray(0, maxBodyBytes), bytes: requestBody.length } } : {}),
    trace: state.trace ?? [],
  };
  if (capture?.status !== undefined && capture.headers) {
    const sse = capture.contentType?.includes('text/event-stream') ?? false;
    const chunks = keepBodies ? keptChunks(capture.chunks, maxBodyBytes) : undefined;
    kept.response = {
      status: capture.status,
      headers: redactHeaders(capture.headers),
      sse,
      ...(chunks ? { body: { data: Buffer.concat(chunks.map((c) => c.data)), bytes: capture.bytes }, ...(sse ? { chunks } : {}) } : {}),
    };
  }
  return kept;
}

export function exchangeDetail(kept: KeptExchange): Traffic.Detail {
  const { entry } = kept;
  return {
    entry,
    request: {
      method: entry.method,
      path: entry.path,
      ...(kept.query ? { query: kept.query } : {}),
      headers: kept.requestHeaders,
      ...(kept.requestBody ? { body: bodyView(kept.requestBody) } : {}),
    },
    ...(kept.response
      ? {
          response: {
            status: kept.response.status,
            headers: kept.response.headers,
            ...(kept.response.body ? { body: bodyView(kept.response.body) } : {}),
            ...(kept.response.chunks ? { events: sseEvents(kept.response.chunks) } : {}),
          },
        }
      : {}),
    trace: kept.trace,
  };
}

export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    shown[name] = CREDENTIAL_HEADER.test(name) ? REDACTED : Array.isArray(value) ? value.join(', ') : value;
  }
  return shown;
}

/** `?model=x&key=abc` -> `?model=x&key=<redacted>`; '' stays ''. */
export function redactQuery(search: string): string {
  if (search.length <= 1) return '';
  const params = new URLSearchParams(search.slice(1));
  for (const name of [...params.keys()]) if (CREDENTIAL_PARAM.test(name)) params.set(name, REDACTED);
  return `?${params.toString()}`;
}

function keptChunks(chunks: readonly CapturedChunk[], maxBytes: number): CapturedChunk[] {
  const kept: CapturedChunk[] = [];
  let size = 0;
  for (const chunk of chunks) {
    if (size >= maxBytes) break;
    const data = chunk.data.subarray(0, maxBytes - size);
    size += data.length;
    kept.push({ atMs: chunk.atMs, data });
  }
  return kept;
}

function bodyView(body: KeptBody): Traffic.Body {
  const truncated = body.data.length < body.bytes;
  const text = body.data.toString('utf8');
  // Text when it survives a round trip (a cut in the middle of a character is tolerated), else base64.
  const isText = Buffer.byteLength(text) === body.data.length || (truncated && !text.slice(0, -1).includes('\ufffd'));
  return { ...(isText ? { text } : { base64: body.data.toString('base64') }), bytes: body.bytes, truncated };
}

/** Splits the kept chunks into events; each event gets the time of the chunk that completed it. */
function sseEvents(chunks: readonly CapturedChunk[]): Traffic.StreamEvent[] {
  const events: Traffic.StreamEvent[] = [];
  let pending = '';
  for (const chunk of chunks) {
    pending += chunk.data.toString('utf8').replace(/\r\n/g, '\n');
    const blocks = pending.split('\n\n');
    pending = blocks.pop() ?? '';
    for (const block of blocks) {
      const lines = block.split('\n');
      const data = lines
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      const event = lines
        .find((line) => line.startsWith('event:'))
        ?.slice(6)
        .trim();
      if (data !== '' || event !== undefined) events.push({ atMs: Math.round(chunk.atMs * 10) / 10, ...(event !== undefined ? { event } : {}), data });
    }
  }
  return events;
}

function requestedModel(body: Buffer | undefined): string | undefined {
  if (!body || body.length > 1 << 20) return undefined;
  try {
    const value = JSON.parse(body.toString('utf8')) as { model?: unknown };
    return typeof value?.model === 'string' ? value.model : undefined;
  } catch {
    return undefined;
  }
}

function headerText(value: number | string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value === undefined ? undefined : String(value);
}
