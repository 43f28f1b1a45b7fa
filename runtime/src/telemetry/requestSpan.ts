// One request's spans: a SERVER span from arrival to the last byte of the answer, continuing the client's W3C trace
// context, and a CLIENT span per upstream attempt whose context the upstream receives in `traceparent`. Attributes
// follow the OpenTelemetry HTTP and GenAI semantic conventions, plus `ai_gateway.*` for the route, consumer, refusals,
// guardrail verdicts, the cache's outcome and the request's cost. A request the sampler left out records nothing but
// still hands its trace context on.
import type { IncomingHttpHeaders } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { GatewayState } from '../gateway/context';
import { strongestAction, verdictLine } from '../guardrails/verdicts';
import type { UpstreamHeaders } from '../gateway/upstream/headers';
import type { UpstreamTarget } from '../gateway/upstream/target';
import { modelInJsonPrefix } from '../gateway/routing/modelField';
import { scanAnswer, type AnswerSummary } from './answerScan';
import { genAiProviderName, operationOf, providerOf, summarizeAnswer } from './genAi';

const propagator = new W3CTraceContextPropagator();
/** Longest prompt or answer text put on a span (the SDK's attribute limits would cut it anyway). */
const MAX_CONTENT_CHARS = 64 * 1024;
/** Request bodies larger than this are not parsed for the prompt; the model is looked for in this many first bytes. */
const MAX_PARSED_BODY = 1 << 20;
const MAX_SCANNED_BODY = 64 * 1024;

interface RequestFacts {
  model?: string;
  body?: Record<string, unknown>;
}

export class RequestSpan {
  readonly span: Span;
  readonly recording: boolean;
  private readonly context: Context;
  private attemptSpan: Span | undefined;
  /** The attempt span's attributes known at its start, set with the rest when it ends (one pass through the SDK). */
  private attemptAttributes: Attributes | undefined;
  private attemptTarget = '';
  private facts: RequestFacts | undefined;

  constructor(
    private readonly tracer: Tracer,
    private readonly method: string,
    private readonly path: string,
    headers: IncomingHttpHeaders,
    private readonly secure: boolean,
  ) {
    const parent = headers.traceparent === undefined ? ROOT_CONTEXT : propagator.extract(ROOT_CONTEXT, headers, HEADER_GETTER);
    // Attributes go on when the span ends, in one call: given at the start, the SDK copies and checks them twice.
    this.span = tracer.startSpan(method, { kind: SpanKind.SERVER }, parent);
    this.recording = this.span.isRecording();
    this.context = trace.setSpan(parent, this.span);
  }

  get traceId(): string {
    return this.span.spanContext().traceId;
  }

  /**
   * An upstream attempt starts (ending the one before, retried): its CLIENT span, and the headers it is sent with,
   * carrying that span's context in `traceparent` / `tracestate` instead of the client's.
   */
  startAttempt(state: GatewayState, target: UpstreamTarget, attempt: number, method: string, path: string, headers: UpstreamHeaders): UpstreamHeaders {
    this.endAttemptAsIs();
    let parent = this.context;
    if (this.recording) {
      const facts = this.requestFacts(state);
      // A provider target's attempt: the provider and the model it was sent (the target's alias) were just set.
      const { provider, model: providerModel } = state.upstream;
      const operation = state.openAIRequest?.operation ?? operationOf(path);
      const model = providerModel ?? facts.model;
      const attributes: Attributes = {};
      if (attempt > 1) attributes['ai_gateway.attempt'] = attempt;
      if (operation) attributes['gen_ai.operation.name'] = operation;
      if (provider) attributes['gen_ai.provider.name'] = genAiProviderName(provider);
      if (model) attributes['gen_ai.request.model'] = model;
      if (facts.body) requestParameters(facts.body, attributes);
      const name = operation ? (model ? `${operation} ${model}` : operation) : method;
      this.attemptSpan = this.tracer.startSpan(name, { kind: SpanKind.CLIENT }, this.context);
      this.attemptAttributes = attributes;
      this.attemptTarget = target.url;
      parent = trace.setSpan(this.context, this.attemptSpan);
    }
    // The client's own trace context is replaced by this attempt's, in the request's header object (made for this
    // request; a tracestate the parent lacks goes, without a delete, which would slow the object down for undici).
    if (headers.tracestate !== undefined) headers.tracestate = '';
    propagator.inject(parent, headers, HEADER_SETTER);
    return headers;
  }

  /** The attempt failed before an answer (connect error, timeout, ...). */
  attemptFailed(outcome: string): void {
    const span = this.attemptSpan;
    if (!span) return;
    this.attemptAttributes!['error.type'] = outcome;
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    this.endAttemptAsIs();
  }

  /** The attempt got its answer's head; the span ends with the request (its body streams until then). */
  attemptAnswered(status: number): void {
    const attributes = this.attemptAttributes;
    if (!attributes) return;
    attributes['http.response.status_code'] = status;
    if (status >= 400) {
      attributes['error.type'] = String(status);
      this.attemptSpan!.setStatus({ code: SpanStatusCode.ERROR });
    }
  }

  /** The answer is over: the last attempt's GenAI attributes, then the request's outcome; both spans end. */
  end(state: GatewayState, status: number, answer: { body: Buffer; contentType: string | undefined; truncated: boolean } | undefined): void {
    if (!this.recording) return;
    // The answer is scanned for its model, id and finish reasons; parsed whole only when the route records content.
    const readable = answer !== undefined && !(answer.truncated && !answer.contentType?.includes('event-stream'));
    const summary = !readable
      ? undefined
      : state.route?.config.telemetry?.recordContent
        ? summarizeAnswer(answer.body, answer.contentType)
        : scanAnswer(answer.body);
    this.endAttempt(state, summary);
    const span = this.span;
    const route = state.route;
    const attributes: Attributes = {
      'http.request.method': this.method,
      'url.path': this.path,
      'url.scheme': this.secure ? 'https' : 'http',
      'http.response.status_code': status,
      'ai_gateway.request_id': state.requestId,
    };
    if (route) {
      span.updateName(`${this.method} ${route.config.path}`);
      attributes['http.route'] = route.config.path;
      attributes['ai_gateway.route'] = route.name;
    }
    if (state.consumer !== undefined) attributes['ai_gateway.consumer'] = state.consumer;
    if (state.upstream.attempts > 1) attributes['ai_gateway.upstream.attempts'] = state.upstream.attempts;
    const outcome = state.upstream.outcome;
    if (outcome && outcome !== 'complete') attributes['ai_gateway.upstream.outcome'] = outcome;
    if (state.rejection) attributes['ai_gateway.refused_by'] = state.rejection.by;
    const verdicts = state.guardrailVerdicts;
    if (verdicts) {
      attributes['ai_gateway.guardrail.action'] = strongestAction(verdicts);
      attributes['ai_gateway.guardrail.verdicts'] = verdicts.map(verdictLine);
      if (verdicts.some((verdict) => verdict.action === 'blocked')) attributes['ai_gateway.refused_by'] = 'guardrail';
    }
    const cache = state.cache;
    if (cache) {
      attributes['ai_gateway.cache.result'] = cache.result;
      if (cache.reason !== undefined) attributes['ai_gateway.cache.reason'] = cache.reason;
      if (cache.similarity !== undefined) attributes['ai_gateway.cache.similarity'] = cache.similarity;
    }
    if (state.cost) attributes['ai_gateway.cost.usd'] = state.cost.usd; // computed by observability before the span ends
    if (status >= 500) {
      attributes['error.type'] = outcome && outcome !== 'complete' ? outcome : String(status);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.setAttributes(attributes);
    span.end();
  }

  /** The attempt span ends with what its start and answer head said (a retried or failed attempt). */
  private endAttemptAsIs(): void {
    const span = this.attemptSpan;
    if (!span) return;
    this.attemptSpan = undefined;
    span.setAttributes(targetAttributes(this.attemptTarget));
    span.setAttributes(this.attemptAttributes!);
    span.end();
  }

  /** The answering attempt's span ends with the answer's GenAI attributes. */
  private endAttempt(state: GatewayState, summary: AnswerSummary | undefined): void {
    const span = this.attemptSpan;
    if (!span) return;
    const attributes = this.attemptAttributes!;
    const responseModel = summary?.responseModel ?? state.upstream.model;
    if (responseModel) attributes['gen_ai.response.model'] = responseModel;
    if (summary?.responseId) attributes['gen_ai.response.id'] = summary.responseId;
    if (summary && summary.finishReasons.length > 0) attributes['gen_ai.response.finish_reasons'] = summary.finishReasons;
    const input = state.usage?.promptTokens ?? summary?.inputTokens;
    const output = state.usage?.completionTokens ?? summary?.outputTokens;
    if (input !== undefined) attributes['gen_ai.usage.input_tokens'] = input;
    if (output !== undefined) attributes['gen_ai.usage.output_tokens'] = output;
    if (state.route?.config.telemetry?.recordContent) this.recordContent(attributes, state, summary);
    if (state.upstream.outcome === 'cut') {
      attributes['error.type'] = 'stream_cut';
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the answer was cut mid-stream' });
    }
    this.endAttemptAsIs();
  }

  /** Prompt and answer, only for routes that opt in, through the guardrails' redaction when they set one. */
  private recordContent(attributes: Attributes, state: GatewayState, summary: AnswerSummary | undefined): void {
    const redact = state.contentRedaction ?? ((text: string) => text);
    const body = this.facts?.body;
    const input = body?.messages ?? body?.input ?? body?.prompt ?? body?.contents;
    if (input !== undefined) attributes['gen_ai.input.messages'] = redact(JSON.stringify(input)).slice(0, MAX_CONTENT_CHARS);
    if (summary?.text) {
      const output = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: summary.text }] }]);
      attributes['gen_ai.output.messages'] = redact(output).slice(0, MAX_CONTENT_CHARS);
    }
  }

  /** The requested model, read once: the route's model match, or a scan of the buffered body (no parse). */
  private requestFacts(state: GatewayState): RequestFacts {
    if (this.facts) return this.facts;
    const raw = state.body ?? state.capture?.requestBody;
    let model = state.model;
    if (model === undefined && raw) {
      const found = modelInJsonPrefix(raw.length > MAX_SCANNED_BODY ? raw.subarray(0, MAX_SCANNED_BODY) : raw);
      if (found.kind === 'found') model = found.model;
    }
    // Parameters and the prompt: a provider route's request is parsed already (in OpenAI's shape, after its
    // guardrails); another route's body is parsed only when the route records content.
    const parsed = state.route?.config.telemetry?.recordContent && raw && raw.length <= MAX_PARSED_BODY ? jsonObject(raw) : undefined;
    const body = state.openAIRequest?.body ?? parsed;
    this.facts = { model, body };
    return this.facts;
  }
}

function jsonObject(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(raw.toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function requestParameters(body: Record<string, unknown>, attributes: Attributes): void {
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (typeof maxTokens === 'number') attributes['gen_ai.request.max_tokens'] = maxTokens;
  if (typeof body.temperature === 'number') attributes['gen_ai.request.temperature'] = body.temperature;
  if (typeof body.top_p === 'number') attributes['gen_ai.request.top_p'] = body.top_p;
  if (typeof body.stream === 'boolean') attributes['ai_gateway.request.stream'] = body.stream;
}

const attributesByTarget = new Map<string, Attributes>();

/** The attempt span's attributes that depend only on the target: computed once per target URL (redacted). */
function targetAttributes(url: string): Attributes {
  let attributes = attributesByTarget.get(url);
  if (attributes) return attributes;
  attributes = { 'ai_gateway.target': url };
  const provider = providerOf(url);
  if (provider) attributes['gen_ai.provider.name'] = provider;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
      attributes['server.address'] = parsed.hostname;
      attributes['server.port'] = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    }
  } catch {
    // not a URL the runtime would have compiled; only the target label then
  }
  if (attributesByTarget.size < 1000) attributesByTarget.set(url, attributes);
  return attributes;
}

const HEADER_GETTER = {
  get: (carrier: IncomingHttpHeaders, key: string) => carrier[key],
  keys: (carrier: IncomingHttpHeaders) => Object.keys(carrier),
};
const HEADER_SETTER = {
  set: (carrier: UpstreamHeaders, key: string, value: string) => {
    carrier[key] = value;
  },
};
