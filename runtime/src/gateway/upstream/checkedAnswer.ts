// A successful answer the route's guardrails read whole (a JSON body) or refuse unread: nothing is sent before the
// check, so its head carries the checked body's length, or the client gets the guardrail's refusal instead (502).
import { Guardrails } from '../../../../common/src/protocol';
import type { AnswerPlan } from '../../guardrails/answerGuard';
import type { GuardrailBlock } from '../../guardrails/verdicts';
import type { GatewayContext } from '../context';
import { errorBody } from '../errors';
import type { UpstreamExchange } from './exchange';

/** The most bytes of an answer held to check it whole. */
const MAX_CHECKED_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * `body`: what the client gets; `upstream`: what the upstream sent (what a capture of the exchange keeps, and where a
 * refused answer's usage is read: the model spent those tokens whether or not the client got them).
 */
export type CheckedAnswer = { kind: 'body'; body: Buffer; upstream: Buffer } | { kind: 'refused'; upstream?: Buffer } | { kind: 'failed'; err: unknown };

/** Reads (or drops) the answer, runs the plan's check; on a refusal the guardrail's error is set as Koa's answer. */
export async function checkAnswer(
  ctx: GatewayContext,
  plan: Extract<AnswerPlan, { kind: 'whole' | 'refuse' }>,
  response: UpstreamExchange,
): Promise<CheckedAnswer> {
  if (plan.kind === 'refuse') {
    void response.dump();
    return refuse(ctx, plan.block);
  }
  let body: Buffer;
  try {
    body = await collect(response);
  } catch (err) {
    return { kind: 'failed', err };
  }
  const checked = await plan.check(body);
  return 'block' in checked ? refuse(ctx, checked.block, body) : { kind: 'body', body: checked.body, upstream: body };
}

function refuse(ctx: GatewayContext, block: GuardrailBlock, upstream?: Buffer): CheckedAnswer {
  ctx.status = block.status;
  const body = errorBody(Guardrails.blockedType, block.message, ctx.state.route?.name, ctx.state.requestId);
  ctx.body = { error: { ...body.error, guardrail: block.guardrail } };
  ctx.state.upstream.outcome = 'guardrail-blocked';
  return upstream ? { kind: 'refused', upstream } : { kind: 'refused' };
}

function collect(response: UpstreamExchange): Promise<Buffer> {
  const complete = response.takeCompleteBody();
  if (complete) return Promise.resolve(complete.length === 1 ? complete[0]! : Buffer.concat(complete));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.attach({
      data(chunk) {
        size += chunk.length;
        if (size > MAX_CHECKED_ANSWER_BYTES) {
          const err = new Error(`the answer is larger than ${MAX_CHECKED_ANSWER_BYTES} bytes, the most a guardrail checks whole`);
          response.abort(err);
          reject(err);
          return true;
        }
        chunks.push(chunk);
        return true;
      },
      end: () => resolve(Buffer.concat(chunks, size)),
      error: reject,
    });
  });
}
