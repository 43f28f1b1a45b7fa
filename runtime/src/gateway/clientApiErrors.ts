// Errors the gateway answers itself on a route with provider targets, in the API its clients speak: the gateway's
// error object (OpenAI-shaped, with `param` and `code` when a request field is at fault), or Anthropic's behind the
// Messages front door, so each SDK reads them as it reads its provider's.
import type { FrontDoor } from '../../../common/src/config';
import { Guardrails } from '../../../common/src/protocol';
import type { GuardrailBlock } from '../guardrails/verdicts';
import { anthropicErrorType } from '../providers/messagesFrontDoor';
import type { GatewayContext } from './context';
import { errorBody } from './errors';

export function respondInClientApi(ctx: GatewayContext, frontDoor: FrontDoor, status: number, type: string, message: string, param?: string): void {
  ctx.status = status;
  if (frontDoor === 'anthropic') {
    ctx.body = { type: 'error', error: { type: anthropicErrorType(status), message } };
    return;
  }
  const body = errorBody(type, message, ctx.state.route?.name, ctx.state.requestId);
  ctx.body = param === undefined ? body : { error: { ...body.error, param, code: 'unsupported_parameter' } };
}

/** A guardrail's refusal: the gateway's `guardrail_blocked` error naming the guardrail, or Anthropic's error with the name. */
export function guardrailRefusalBody(frontDoor: FrontDoor, block: GuardrailBlock, route: string | undefined, requestId: string): object {
  if (frontDoor === 'anthropic')
    return { type: 'error', error: { type: anthropicErrorType(block.status), message: block.message, guardrail: block.guardrail } };
  const body = errorBody(Guardrails.blockedType, block.message, route, requestId);
  return { error: { ...body.error, guardrail: block.guardrail } };
}
