// A provider's answer, back in the API the client speaks: an error as an OpenAI-shaped error (Anthropic's behind the
// Messages front door) with the provider's status; a whole answer translated once it is all here; a stream
// translated event by event as each arrives (relay.ts does the streaming, this gives it the transform). The usage
// the provider reported, in OpenAI's terms, goes to `onUsage` before the answer ends. The route's answer guardrails
// check the OpenAI-shaped answer, what an OpenAI client gets (behind the Messages front door, before its translation).
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FrontDoor } from '../../../../common/src/config';
import type { AnswerChecks, AnswerPlan, AnswerTransform } from '../../guardrails/answerGuard';
import type { GuardrailBlock } from '../../guardrails/verdicts';
import {
  openAIAnswerToAnthropic,
  openAIErrorToAnthropic,
  translateOpenAIStreamToAnthropic,
  UpstreamAnswerError,
  type StreamTranslator,
  type TokenUsage,
} from '../../providers';
import { parseAnswer } from '../../providers/openai';
import { guardrailRefusalBody } from '../clientApiErrors';
import type { UsageTokens } from '../context';
import type { RequestCapture } from '../../traffic/requestCapture';
import { errorBody } from '../errors';
import type { AbortSource } from './abortSource';
import type { UpstreamExchange } from './exchange';
import type { ProviderCall } from './providerCall';
import { relayBody, type RelayOutcome, type StreamTransform } from './relay';
import { ABORT_CLIENT_GONE, ABORT_IDLE, errorCode } from './retryPolicy';
import { createUsageTap, usageOf, type StreamObserver, type UsageTap } from './usageTap';

/** A whole answer larger than this is not translated (embeddings of many long inputs, base64, stay well below). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** An error body is read up to this much; a provider's errors are short. */
const MAX_ERROR_BYTES = 1024 * 1024;

export interface ProviderAnswerInput {
  res: ServerResponse;
  response: UpstreamExchange;
  call: ProviderCall;
  frontDoor: FrontDoor;
  attempt: AbortSource;
  idleTimeoutMs: number;
  deadline: number;
  now: number;
  route: string;
  requestId: string;
  serverTiming: string;
  /** A stage's headers for the answer (RateLimit-*: GatewayState.answerHeaders), written with the head. */
  answerHeaders?: Readonly<Record<string, string>>;
  /** A token limit's view of the answer (upstream/completionCounter.ts), when the route has one. */
  observer: StreamObserver | undefined;
  onUsage(usage: UsageTokens | undefined): void;
  /** The route's answer guardrails (`state.answerGuard`), when it has any. */
  guard: AnswerChecks | undefined;
  /** The request's capture (Traffic view, fixtures, span), when one is kept: it is given what the client gets. */
  capture?: RequestCapture;
}

/** A relay's outcome, or an answer the route's guardrails refused whole (the client got the refusal instead). */
export type ProviderAnswerOutcome = RelayOutcome | { kind: 'guardrail-blocked'; bytes: number };

/** A plan that holds the whole answer: checked before it is written, or refused outright. */
type WholePlan = Extract<AnswerPlan, { kind: 'whole' | 'refuse' }>;

/** The heads the guardrails are asked about: a translated answer is always uncompressed JSON or SSE. */
const JSON_HEAD = { 'content-type': 'application/json' };
const SSE_HEAD = { 'content-type': 'text/event-stream' };

/** Whether the answer goes to the client as the provider sent it: an OpenAI-shaped provider's success, to an OpenAI client. */
export function passesThrough(call: ProviderCall, frontDoor: FrontDoor, status: number): boolean {
  return call.binding.openAIShaped && frontDoor === 'openai' && status >= 200 && status < 300;
}

export function relayProviderAnswer(input: ProviderAnswerInput): ProviderAnswerOutcome | Promise<ProviderAnswerOutcome> {
  const status = input.response.statusCode;
  if (status < 200 || status >= 300) return relayError(input, status);
  return input.call.exchange.stream ? relayStream(input) : relayWhole(input);
}

async function relayError(input: ProviderAnswerInput, status: number): Promise<RelayOutcome> {
  const { response, call } = input;
  const read = await collect(input, MAX_ERROR_BYTES).catch((err: unknown) => ({ failed: err }));
  if ('failed' in read && isClientGone(input, read.failed)) return { kind: 'client-gone', bytes: 0 };
  const text = 'text' in read ? read.text : '';
  const translated = call.binding.adapter.translateError(status, text, response.headers);
  const body = input.frontDoor === 'anthropic' ? openAIErrorToAnthropic(translated.status, JSON.stringify(translated.body)) : translated.body;
  return writeJson(input, translated.status, body, response.headers['retry-after']);
}

/**
 * A whole answer, translated and written: at once when it came with its head (the usual short answer; no promise
 * unless the route's guardrails check it), else once the rest of it has arrived.
 */
function relayWhole(input: ProviderAnswerInput): ProviderAnswerOutcome | Promise<ProviderAnswerOutcome> {
  const complete = input.response.takeCompleteBody();
  if (complete) return writeWhole(input, { text: textOf(complete), truncated: false });
  return collectRest(input, MAX_ANSWER_BYTES).then(
    (read) => writeWhole(input, read),
    (err: unknown) => brokenOff(input, err),
  );
}

/** The answer broke off before its end: a 502, unless the client is gone. */
function brokenOff(input: ProviderAnswerInput, err: unknown): ProviderAnswerOutcome {
  if (isClientGone(input, err)) return { kind: 'client-gone', bytes: 0 };
  const { call } = input;
  const reason = input.attempt.reason === ABORT_IDLE ? 'idle-timeout' : 'upstream-error';
  const message = `The ${call.binding.name} answer broke off before its end (${errorCode(err) ?? (err instanceof Error ? err.message : 'unknown error')}).`;
  const outcome = writeJson(input, 502, errorBody('upstream_error', message, input.route, input.requestId));
  return { kind: 'cut', reason, message, bytes: outcome.bytes, cause: err };
}

function writeWhole(input: ProviderAnswerInput, read: { text: string; truncated: boolean }): ProviderAnswerOutcome | Promise<ProviderAnswerOutcome> {
  const { call } = input;
  let answer: object;
  try {
    if (read.truncated) throw new UpstreamAnswerError(`${call.binding.name} answered with more than ${MAX_ANSWER_BYTES} bytes`);
    answer =
      input.frontDoor === 'anthropic' && call.binding.openAIShaped
        ? parseAnswer(read.text, call.binding.name)
        : call.binding.adapter.translateAnswer(call.exchange, read.text);
  } catch (err) {
    if (!(err instanceof UpstreamAnswerError)) throw err;
    return writeJson(input, 502, err.toOpenAI());
  }
  input.onUsage(usageOf(answer));
  const plan = input.guard?.plan(200, JSON_HEAD);
  if (plan?.kind === 'whole' || plan?.kind === 'refuse') return writeChecked(input, plan, answer);
  return writeAnswer(input, answer);
}

/** The answer through the route's answer guardrails: refused, or written as they left it. */
async function writeChecked(input: ProviderAnswerInput, plan: WholePlan, answer: object): Promise<ProviderAnswerOutcome> {
  const raw = Buffer.from(JSON.stringify(answer));
  const checked = plan.kind === 'refuse' ? { block: plan.block } : await plan.check(raw);
  if ('block' in checked) return writeRefusal(input, checked.block);
  return writeAnswer(input, checked.body === raw ? answer : (JSON.parse(checked.body.toString('utf8')) as object));
}

/** The OpenAI-shaped answer to the client, in the API it speaks. */
function writeAnswer(input: ProviderAnswerInput, answer: object): ProviderAnswerOutcome {
  return writeJson(input, 200, input.frontDoor === 'anthropic' ? openAIAnswerToAnthropic(answer, input.call.exchange.model) : answer);
}

function relayStream(input: ProviderAnswerInput): ProviderAnswerOutcome | Promise<ProviderAnswerOutcome> {
  const { res, call } = input;
  const plan = input.guard?.plan(200, SSE_HEAD);
  if (plan?.kind === 'refuse') return writeRefusal(input, plan.block);
  const translator = call.binding.adapter.translateStream(call.exchange);
  // The OpenAI chunks are read as a plain target's stream is: the usage of an OpenAI-shaped provider (whose stream its
  // translator passes through), and the deltas a token limit counts when a stream ends without usage.
  const tap = createUsageTap('text/event-stream', input.observer)!;
  const door = input.frontDoor === 'anthropic' ? translateOpenAIStreamToAnthropic(call.exchange.model) : undefined;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...input.answerHeaders,
    'x-request-id': input.requestId,
    'server-timing': input.serverTiming,
  });
  res.flushHeaders();
  const transform = streamTransform(translator, tap, plan?.kind === 'stream' ? plan.transform : undefined, door);
  const captured = input.capture?.answer(200, { 'content-type': 'text/event-stream' }, undefined);
  return relayBody({
    res,
    body: input.response,
    sse: true,
    attempt: input.attempt,
    idleTimeoutMs: input.idleTimeoutMs,
    deadline: input.deadline,
    now: input.now,
    route: input.route,
    requestId: input.requestId,
    transform: captured ? capturing(transform, captured) : transform,
    beforeEnd: () => input.onUsage(translator.usage ? usageTokens(translator.usage) : tap.result()),
  });
}

/**
 * The provider's stream into OpenAI chunks, through the route's answer guardrails when it has some, and on through the
 * front door's translator when the client speaks Anthropic.
 */
function streamTransform(translator: StreamTranslator, tap: UsageTap, guard: AnswerTransform | undefined, door: StreamTranslator | undefined): StreamTransform {
  const toClient = (text: string): string => (door && text !== '' ? door.push(Buffer.from(text)) : text);
  const onward = (text: string): string => {
    if (text === '') return '';
    const bytes = Buffer.from(text);
    tap.push(bytes);
    return toClient(guard ? guard.push(bytes) : text);
  };
  const close = (rest: string): string => (door ? rest + door.end() : rest);
  return {
    push: (chunk) => onward(translator.push(chunk)),
    end: () => {
      if (guard?.stopped) return '';
      const rest = onward(translator.end());
      // A stream the provider cut short is not checked to its end: what the guardrails still hold is not sent.
      if (!guard || !translator.complete || guard.stopped) return close(rest);
      return guard.end().then((tail) => close(rest + toClient(tail)));
    },
    get stopped() {
      return guard?.stopped ?? false;
    },
    get complete() {
      // A guardrail's refusal ends the stream on purpose, with its own error event.
      return (guard?.stopped ?? false) || (translator.complete && (door?.complete ?? true));
    },
    get failed() {
      return translator.failed || (door?.failed ?? false);
    },
    errorEvent: toClient,
  };
}

/** The transform, with what it gives the client also pushed to the capture. */
function capturing(transform: StreamTransform, capture: UsageTap): StreamTransform {
  const keep = (text: string): string => {
    if (text !== '') capture.push(Buffer.from(text));
    return text;
  };
  const captured: StreamTransform = {
    push: (chunk) => keep(transform.push(chunk)),
    end: () => {
      const rest = transform.end();
      return typeof rest === 'string' ? keep(rest) : rest.then(keep);
    },
    get stopped() {
      return transform.stopped;
    },
    get complete() {
      return transform.complete;
    },
    get failed() {
      return transform.failed;
    },
  };
  const errorEvent = transform.errorEvent?.bind(transform);
  if (errorEvent) captured.errorEvent = (text) => keep(errorEvent(text));
  return captured;
}

function usageTokens(usage: TokenUsage): UsageTokens {
  return { promptTokens: usage.prompt, completionTokens: usage.completion, totalTokens: usage.prompt + usage.completion, cachedTokens: usage.cached };
}

function writeJson(input: ProviderAnswerInput, status: number, body: object, retryAfter?: string): { kind: 'complete'; bytes: number } {
  const text = JSON.stringify(body);
  const bytes = Buffer.byteLength(text);
  const { res } = input;
  if (res.destroyed) return { kind: 'complete', bytes: 0 };
  input.capture?.answer(status, { 'content-type': 'application/json' }, undefined).push(Buffer.from(text));
  const headers: OutgoingHttpHeaders = {
    'content-type': 'application/json',
    'content-length': bytes,
    ...input.answerHeaders,
    'x-request-id': input.requestId,
    'server-timing': input.serverTiming,
  };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  res.writeHead(status, headers);
  res.end(text);
  return { kind: 'complete', bytes };
}

function writeRefusal(input: ProviderAnswerInput, block: GuardrailBlock): ProviderAnswerOutcome {
  const written = writeJson(input, block.status, guardrailRefusalBody(input.frontDoor, block, input.route, input.requestId));
  return { kind: 'guardrail-blocked', bytes: written.bytes };
}

function isClientGone(input: ProviderAnswerInput, err: unknown): boolean {
  return input.res.destroyed || (input.attempt.aborted && input.attempt.reason === ABORT_CLIENT_GONE) || err === ABORT_CLIENT_GONE;
}

/** The whole body as text, up to `limit` bytes (past it, what arrived, marked truncated); idle and budget timers apply. */
function collect(input: ProviderAnswerInput, limit: number): Promise<{ text: string; truncated: boolean }> {
  const complete = input.response.takeCompleteBody();
  return complete ? Promise.resolve({ text: textOf(complete), truncated: false }) : collectRest(input, limit);
}

function textOf(chunks: Buffer[]): string {
  return (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
}

/** The body as `collect` gives it, when it did not all come with the head. */
function collectRest(input: ProviderAnswerInput, limit: number): Promise<{ text: string; truncated: boolean }> {
  const { response, attempt } = input;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const idle = input.idleTimeoutMs < input.deadline - input.now ? setTimeout(() => attempt.abort(ABORT_IDLE), input.idleTimeoutMs) : undefined;
    const done = (): void => clearTimeout(idle);
    response.attach({
      data(chunk) {
        if (over) return true;
        idle?.refresh();
        size += chunk.length;
        if (size > limit) {
          over = true;
          done();
          response.abort(new Error('answer too large'));
          resolve({ text: Buffer.concat(chunks).toString('utf8'), truncated: true });
          return true;
        }
        chunks.push(chunk);
        return true;
      },
      end() {
        done();
        resolve({ text: Buffer.concat(chunks, size).toString('utf8'), truncated: false });
      },
      error(err) {
        done();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    });
  });
}
