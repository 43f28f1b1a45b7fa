// provider-request: on a route with provider targets, reads the body whole and parses it once as the API the route's
// clients speak: OpenAI's Chat Completions (`.../chat/completions`) or Embeddings (`.../embeddings`), or behind the
// Anthropic front door a Messages request (`.../messages`), translated to Chat Completions here. The proxy builds each
// provider's request from `state.openAIRequest`. A body the gateway cannot read this way is the client's 400, answered
// before any provider is called. Plain routes pass through untouched.
import type { Middleware, Next } from 'koa';
import type { FrontDoor } from '../../../../common/src/config';
import { anthropicMessagesToOpenAI, TranslationError, type Operation } from '../../providers';
import { respondInClientApi } from '../clientApiErrors';
import { bodyJson } from '../bodyJson';
import { bodyTooLargeMessage, readBody } from '../clientBody';
import type { GatewayContext, GatewayState } from '../context';

export function providerRequest(): Middleware<GatewayState> {
  // Not async on the way through (plain routes): see normalize.ts.
  return function providerRequestMiddleware(ctx, next) {
    const route = ctx.state.route;
    return route?.hasProviderTargets ? readOpenAIRequest(ctx, next, route.config.frontDoor) : next();
  };
}

/**
 * Not async once the body is held (a token limit read it already, as on most provider routes): the request is parsed
 * and the pipeline goes on in the same turn, without a promise of this stage's own.
 */
function readOpenAIRequest(ctx: GatewayContext, next: Next, frontDoor: FrontDoor): Promise<void> {
  const state = ctx.state;
  const operation = operationOf(state.path, frontDoor);
  if (!operation) {
    const expected = frontDoor === 'anthropic' ? 'POST .../messages' : 'POST .../chat/completions and .../embeddings';
    return refuse(ctx, frontDoor, 404, 'not_found_error', `Provider targets answer ${expected}; ${state.path} is not one of them.`);
  }
  if (ctx.method !== 'POST') {
    ctx.set('Allow', 'POST');
    return refuse(ctx, frontDoor, 405, 'method_not_allowed', `${state.path} takes POST.`);
  }
  const body = wholeBody(ctx);
  return body instanceof Promise
    ? body.then((read) => openAIRequestOf(ctx, next, frontDoor, operation, read))
    : openAIRequestOf(ctx, next, frontDoor, operation, body);
}

/** The body parsed (and translated, behind the Anthropic front door) into `state.openAIRequest`, then the next stage; else the client's error. */
function openAIRequestOf(ctx: GatewayContext, next: Next, frontDoor: FrontDoor, operation: Operation, body: Buffer | string): Promise<void> {
  const state = ctx.state;
  if (typeof body === 'string') return refuse(ctx, frontDoor, 413, 'request_too_large', body);
  const parsed = bodyJson(state, body); // parsed already when a token limit read it
  if (parsed === undefined) return refuse(ctx, frontDoor, 400, 'invalid_request_error', 'The request body is not JSON.');
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return refuse(ctx, frontDoor, 400, 'invalid_request_error', 'The request body must be a JSON object.');
  let openAIBody = parsed as Record<string, unknown>;
  if (frontDoor === 'anthropic') {
    try {
      openAIBody = anthropicMessagesToOpenAI(parsed);
    } catch (err) {
      if (!(err instanceof TranslationError)) throw err;
      return refuse(ctx, frontDoor, 400, 'invalid_request_error', err.message, err.field);
    }
  }
  state.openAIRequest = { operation, body: openAIBody, frontDoor };
  if (state.model === undefined && typeof openAIBody.model === 'string') state.model = openAIBody.model;
  return next();
}

function refuse(ctx: GatewayContext, frontDoor: FrontDoor, status: number, type: string, message: string, param?: string): Promise<void> {
  respondInClientApi(ctx, frontDoor, status, type, message, param);
  if (!ctx.req.complete) ctx.set('connection', 'close'); // the unread rest would be parsed as the next request
  return Promise.resolve();
}

function operationOf(path: string, frontDoor: FrontDoor): Operation | undefined {
  if (frontDoor === 'anthropic') return path.endsWith('/messages') ? 'chat' : undefined;
  if (path.endsWith('/chat/completions')) return 'chat';
  return path.endsWith('/embeddings') ? 'embeddings' : undefined;
}

/**
 * The whole body (read by routeByModel or a token limit already, or now: then a promise), or why it cannot be held:
 * a translation needs all of it.
 */
function wholeBody(ctx: GatewayContext): Buffer | string | Promise<Buffer | string> {
  const state = ctx.state;
  if (state.body) return state.body;
  const limits = state.snapshot.config.gateway.limits;
  const bound = state.authenticated ? limits.maxBodyBytes : Math.min(limits.maxPreAuthBufferBytes, limits.maxBodyBytes);
  const unauthenticatedLimit = `On an endpoint without authentication a request for a provider is held whole only up to ${bound} bytes (gateway.limits.maxPreAuthBufferSize): protect the endpoint with auth, or raise the limit.`;
  if (state.bodyPrefix) return unauthenticatedLimit;
  return readBody(ctx.req, ctx.res, state, bound).then((read) => {
    if (!read.complete) return state.authenticated ? bodyTooLargeMessage(limits.maxBodyBytes) : unauthenticatedLimit;
    state.body = read.data;
    return read.data;
  });
}
