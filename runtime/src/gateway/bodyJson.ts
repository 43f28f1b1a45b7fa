// The request body parsed as JSON once per request, for every stage that reads its fields (a token limit, a budget,
// a provider route's request): a prompt of tens of KB was parsed as many times as stages read it. Stages before the
// provider request only read what this returns; the provider request makes it the OpenAI request (which the request
// guardrails may then redact in place, leaving the fields a token limit or a budget reads as they were).
import type { GatewayState } from './context';

/** `body`'s JSON value, parsed at the first call for this very buffer; undefined when it is not JSON. */
export function bodyJson(state: GatewayState, body: Buffer): unknown {
  const parsed = state.parsedBody;
  if (parsed?.of === body) return parsed.json;
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    json = undefined;
  }
  state.parsedBody = { of: body, json };
  return json;
}
