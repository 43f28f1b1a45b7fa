// One attempt at a provider target: the client's OpenAI-shaped request translated by the target's adapter into the
// provider's request (URL, headers with the held key, body), as undici dispatches it. Only the translated request
// goes upstream: none of the client's headers (its credentials least of all), plus the request id.
import { redactUrl } from '../../../../common/src/config';
import { TranslationError, type Exchange, type TranslatedRequest, type UpstreamRequest } from '../../providers';
import { addTrace, type GatewayState, type OpenAIRequest } from '../context';
import type { ProviderBinding } from './providerTarget';
import type { UpstreamTarget } from './target';

export interface ProviderCall {
  binding: ProviderBinding;
  /** What translating the answer needs to know about the request. */
  exchange: Exchange;
  /** undici's dispatch options as they are sent (timed by the attempt's own timers, not undici's). */
  dispatch: { method: 'POST'; path: string; headers: Record<string, string>; body: string; headersTimeout: 0; bodyTimeout: 0 };
}

/** Header values a trace may show of a translated request; every other value (keys, signatures, configured headers) is `***`. */
const SHOWN_HEADERS = new Set(['content-type', 'anthropic-version', 'x-amz-date', 'x-amz-content-sha256', 'x-request-id', 'accept']);
/** A trace shows the translated body up to this many characters. */
const TRACED_BODY_CHARS = 2_000;

/** Throws TranslationError when the provider cannot be given the request. A promise only when the adapter's is. */
export function buildProviderCall(binding: ProviderBinding, request: OpenAIRequest, state: GatewayState): ProviderCall | Promise<ProviderCall> {
  const built = binding.adapter.buildRequest(request.operation, request.body, binding.settings);
  return built instanceof Promise ? built.then((translated) => callOf(binding, translated, state)) : callOf(binding, built, state);
}

function callOf(binding: ProviderBinding, { request: upstream, exchange }: TranslatedRequest, state: GatewayState): ProviderCall {
  if (!upstream.url.startsWith(binding.origin)) throw new Error(`the ${binding.name} adapter built a URL outside its target (${redactUrl(upstream.url)})`);
  if (state.trace) traceCall(state, binding, exchange, upstream);
  return {
    binding,
    exchange,
    dispatch: {
      method: 'POST',
      path: upstream.url.slice(binding.origin.length),
      headers: { ...upstream.headers, 'x-request-id': state.requestId },
      body: upstream.body,
      headersTimeout: 0, // timed by the attempt's first-byte timer
      bodyTimeout: 0, // timed by the relay's idle timer
    },
  };
}

export type TranslatedTarget = { kind: 'call'; target: UpstreamTarget; call: ProviderCall | undefined } | { kind: 'untranslatable'; error: TranslationError };

/**
 * `picked`'s call, or, when its provider cannot be given this request, another available target's that can (a plain
 * target needs none): a target that cannot take a request did nothing wrong, so nothing counts against it. A promise
 * only when an adapter builds asynchronously or `picked` cannot take the request.
 */
export function translatedTarget(
  picked: UpstreamTarget,
  others: readonly UpstreamTarget[],
  request: OpenAIRequest,
  state: GatewayState,
  now: number,
  tried: ReadonlySet<UpstreamTarget> | undefined,
): TranslatedTarget | Promise<TranslatedTarget> {
  if (!picked.provider) return { kind: 'call', target: picked, call: undefined };
  let call: ProviderCall | Promise<ProviderCall>;
  try {
    call = buildProviderCall(picked.provider, request, state);
  } catch (err) {
    return otherTarget(picked, others, request, state, now, tried, untranslatable(err, picked, state));
  }
  if (!(call instanceof Promise)) return { kind: 'call', target: picked, call };
  return call.then(
    (built): TranslatedTarget => ({ kind: 'call', target: picked, call: built }),
    (err: unknown) => otherTarget(picked, others, request, state, now, tried, untranslatable(err, picked, state)),
  );
}

/** The first other available target that can take the request, once `picked` could not. */
async function otherTarget(
  picked: UpstreamTarget,
  others: readonly UpstreamTarget[],
  request: OpenAIRequest,
  state: GatewayState,
  now: number,
  tried: ReadonlySet<UpstreamTarget> | undefined,
  first: TranslationError,
): Promise<TranslatedTarget> {
  for (const target of others) {
    if (target === picked || !target.isAvailable(now) || tried?.has(target)) continue;
    if (!target.provider) return { kind: 'call', target, call: undefined };
    try {
      return { kind: 'call', target, call: await buildProviderCall(target.provider, request, state) };
    } catch (err) {
      untranslatable(err, target, state);
    }
  }
  return { kind: 'untranslatable', error: first };
}

/** `err` when it is a TranslationError (noted in the trace), else thrown on. */
function untranslatable(err: unknown, target: UpstreamTarget, state: GatewayState): TranslationError {
  if (!(err instanceof TranslationError)) throw err;
  addTrace(state, 'provider', `${target.provider!.name} cannot take this request`, err.message);
  return err;
}

function traceCall(state: GatewayState, binding: ProviderBinding, exchange: Exchange, upstream: UpstreamRequest): void {
  const headers = Object.entries(upstream.headers)
    .map(([name, value]) => `${name}: ${SHOWN_HEADERS.has(name.toLowerCase()) ? value : '***'}`)
    .join('\n');
  const body = upstream.body.length > TRACED_BODY_CHARS ? `${upstream.body.slice(0, TRACED_BODY_CHARS)}… (${upstream.body.length} characters)` : upstream.body;
  addTrace(state, 'provider', `${binding.name} ${exchange.model}: POST ${redactUrl(upstream.url)}`, `${headers}\n\n${body}`);
}
