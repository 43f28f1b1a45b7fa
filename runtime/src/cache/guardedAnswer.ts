// The response cache on a route whose answers the guardrails check. What is stored is the answer as it entered the
// answer guardrails (the upstream's, in the client's API), never what they made of it for one client: reversible
// redaction puts back the originals of *that* request, and a guardrail's verdict can change (a moderation webhook).
// So a miss keeps a copy of the guardrails' input, and stores nothing they refused; a hit goes through the request's
// own answer guardrails again, as a proxied answer would, before a byte of it is sent.
import type { FrontDoor } from '../../../common/src/config';
import type { AnswerChecks, AnswerPlan, AnswerTransform } from '../guardrails/answerGuard';
import type { GuardrailBlock } from '../guardrails/verdicts';
import { guardrailRefusalBody } from '../gateway/clientApiErrors';
import type { GatewayContext } from '../gateway/context';
import type { AnswerRecorder } from './answerRecorder';
import type { Servable } from './replay';

/** `checks`, with what enters them copied into `recorder` (and the copy dropped when they refuse the answer). */
export function recordingGuardInput(checks: AnswerChecks, recorder: AnswerRecorder): AnswerChecks {
  return {
    get active() {
      return checks.active;
    },
    plan(status, headers): AnswerPlan {
      const plan = checks.plan(status, headers);
      if (plan.kind === 'pass') return plan; // the client gets the upstream's bytes as they are: recorded as written
      if (plan.kind === 'refuse') {
        recorder.discard();
        return plan;
      }
      recorder.fromGuardInput();
      if (plan.kind === 'stream') return { kind: 'stream', transform: recordingTransform(plan.transform, recorder) };
      return {
        kind: 'whole',
        check: async (body) => {
          const checked = await plan.check(body);
          if ('block' in checked) recorder.discard();
          else recorder.guardInput(body);
          return checked;
        },
      };
    },
  };
}

function recordingTransform(transform: AnswerTransform, recorder: AnswerRecorder): AnswerTransform {
  return {
    get stopped() {
      return transform.stopped;
    },
    push(chunk) {
      recorder.guardInput(chunk);
      const out = transform.push(chunk);
      if (transform.stopped) recorder.discard();
      return out;
    },
    async end() {
      const out = await transform.end();
      if (transform.stopped) recorder.discard();
      return out;
    },
  };
}

export type GuardedHit = { kind: 'serve'; servable: Servable; transform?: AnswerTransform } | { kind: 'refused' };

/**
 * A stored answer through the request's answer guardrails: a JSON answer checked whole (the client gets the checked
 * body, or the guardrail's refusal as a proxied answer would, in the client's API), a stream given a transform the
 * replay writes through.
 */
export async function guardHit(ctx: GatewayContext, checks: AnswerChecks, servable: Servable, frontDoor: FrontDoor): Promise<GuardedHit> {
  const refuse = (block: GuardrailBlock): GuardedHit => {
    ctx.status = block.status;
    ctx.body = guardrailRefusalBody(frontDoor, block, ctx.state.route?.name, ctx.state.requestId);
    ctx.state.upstream.outcome = 'guardrail-blocked';
    return { kind: 'refused' };
  };
  const headers = { 'content-type': servable.contentType, ...(servable.contentEncoding ? { 'content-encoding': servable.contentEncoding } : {}) };
  const plan = checks.plan(servable.status, headers);
  switch (plan.kind) {
    case 'pass':
      return { kind: 'serve', servable };
    case 'refuse':
      return refuse(plan.block);
    case 'stream':
      return { kind: 'serve', servable, transform: plan.transform };
    case 'whole': {
      const whole = servable.chunks.length === 1 ? servable.chunks[0]! : Buffer.concat(servable.chunks);
      const checked = await plan.check(whole);
      if ('block' in checked) return refuse(checked.block);
      return { kind: 'serve', servable: { ...servable, chunks: [checked.body], gapsMs: [] } };
    }
  }
}
