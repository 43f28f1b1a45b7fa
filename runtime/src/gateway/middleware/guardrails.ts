// guardrails: the route's request guardrails (runtime/src/guardrails), after the rate limit and before the response
// cache and the proxy, on the OpenAI-shaped body the client sent (on a provider route the request providerRequest
// parsed, a Messages request as translated to Chat Completions; so before any provider's own translation). The body is
// read whole: up to maxBodySize once authenticated, up to maxPreAuthBufferSize on a public endpoint (413 beyond: a
// body the gateway has not read cannot have passed its checks). A refusal names the guardrail; neither the cache nor
// the upstream is asked. The answer's checks are handed to the cache and the proxy as `state.answerGuard`. Routes
// without guardrails pass through with one lookup.
import type { Middleware, Next } from 'koa';
import { AnswerGuard } from '../../guardrails/answerGuard';
import type { GuardrailsByRoute, RouteGuardrails } from '../../guardrails/compileGuardrails';
import { requestTexts } from '../../guardrails/openaiTexts';
import { redactContent } from '../../guardrails/recordedContent';
import { Redactions } from '../../guardrails/redactions';
import { runRequestChecks } from '../../guardrails/requestChecks';
import type { GuardrailBlock } from '../../guardrails/verdicts';
import { guardrailRefusalBody, respondInClientApi } from '../clientApiErrors';
import { bodyTooLargeMessage, hasRequestBody, readBody } from '../clientBody';
import type { GatewayContext, GatewayState } from '../context';
import type { ConfigPart } from '../snapshot';

const NO_USAGE = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

export function guardrails(part: ConfigPart<GuardrailsByRoute>): Middleware<GatewayState> {
  return function guardrailsMiddleware(ctx, next) {
    const route = ctx.state.route;
    const compiled = route === undefined ? undefined : ctx.state.snapshot.part(part).get(route.name);
    return compiled === undefined ? next() : checkThenNext(ctx, next, compiled);
  };
}

async function checkThenNext(ctx: GatewayContext, next: Next, compiled: RouteGuardrails): Promise<void> {
  const state = ctx.state;
  const redactions = new Redactions();
  const recorded = compiled.recordedContent;
  if (recorded) state.contentRedaction = (text) => redactContent(text, recorded, redactions);
  // A provider route's request was parsed (a Messages request translated) by providerRequest: checked there, in place.
  const provider = state.openAIRequest;
  if (compiled.request.length > 0 && (provider !== undefined || state.body !== undefined || state.bodyPrefix !== undefined || hasRequestBody(ctx.req))) {
    const read = provider ? { json: provider.body, body: undefined } : await jsonBody(ctx);
    if (read === undefined) return;
    const json = read.json;
    const texts = requestTexts(json);
    if ('unreadable' in texts) return refuse(ctx, 400, 'bad_request', `${texts.unreadable}.`);
    const model = typeof json.model === 'string' ? json.model : undefined;
    if (compiled.loading && !compiled.loading.loaded) await compiled.loading.ready; // only right after a config was applied
    const checking = runRequestChecks(compiled, { slots: texts.slots, messages: texts.messages, model, state, redactions });
    const outcome = checking instanceof Promise ? await checking : checking;
    if (outcome.block) {
      state.usage = NO_USAGE; // nothing reached the model: a token limit is charged nothing
      return blocked(ctx, outcome.block);
    }
    // A plain target (beside provider ones, behind the OpenAI front door) is sent the body as checked.
    if (outcome.modified && provider?.frontDoor !== 'anthropic') state.body = Buffer.from(JSON.stringify(json));
    else if (read.body) state.body = read.body;
  }
  if (compiled.response.length > 0 || redactions.restorable.size > 0) state.answerGuard = new AnswerGuard(compiled, redactions, state);
  await next();
}

/** The body read whole and parsed as a JSON object; undefined once the client was answered (413, 400). */
async function jsonBody(ctx: GatewayContext): Promise<{ json: Record<string, unknown>; body: Buffer } | undefined> {
  const body = ctx.state.body ?? (await wholeBody(ctx));
  if (body === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    await refuse(ctx, 400, 'bad_request', "This route's guardrails read JSON bodies, and the body is not JSON.");
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    await refuse(ctx, 400, 'bad_request', "This route's guardrails read JSON objects.");
    return undefined;
  }
  return { json: parsed as Record<string, unknown>, body };
}

/** The whole body, read within the bound for this request; undefined once a 413 was answered. */
async function wholeBody(ctx: GatewayContext): Promise<Buffer | undefined> {
  const state = ctx.state;
  const limits = state.snapshot.config.gateway.limits;
  if (state.body) return state.body;
  const bound = state.authenticated ? limits.maxBodyBytes : Math.min(limits.maxPreAuthBufferBytes, limits.maxBodyBytes);
  if (!state.bodyPrefix) {
    const read = await readBody(ctx.req, ctx.res, state, bound);
    if (read.complete) return read.data;
  }
  const message = state.authenticated
    ? bodyTooLargeMessage(limits.maxBodyBytes)
    : `On an endpoint without authentication, a route with guardrails reads at most ${bound} bytes of the body (gateway.limits.maxPreAuthBufferSize): protect the endpoint with auth, or send less.`;
  await refuse(ctx, 413, 'request_too_large', message);
  return undefined;
}

function blocked(ctx: GatewayContext, block: GuardrailBlock): Promise<void> {
  ctx.status = block.status;
  ctx.body = guardrailRefusalBody(ctx.state.openAIRequest?.frontDoor ?? 'openai', block, ctx.state.route?.name, ctx.state.requestId);
  return Promise.resolve();
}

function refuse(ctx: GatewayContext, status: number, type: string, message: string): Promise<void> {
  respondInClientApi(ctx, ctx.state.openAIRequest?.frontDoor ?? 'openai', status, type, message);
  if (!ctx.req.complete) ctx.set('connection', 'close'); // the unread rest would be taken for the next request
  return Promise.resolve();
}
