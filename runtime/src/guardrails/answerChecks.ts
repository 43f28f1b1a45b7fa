// The checks of a complete answer's texts, shared by whole JSON answers and the end of a stream: `jsonSchema` on each
// choice's message content, and the moderation `webhook` on all texts.
import type { GatewayState } from '../gateway/context';
import type { ResponseCheck } from './compileGuardrails';
import { webhookOutcome } from './requestChecks';
import { recordVerdict, type GuardrailBlock } from './verdicts';

export interface AnswerContent {
  /** Each choice's message content (or completion text), by choice. */
  contents: { where: string; text: string }[];
  /** Every text of the answer, tool call arguments included. */
  texts: string[];
}

/** Runs the end-of-answer checks in order; the first refusal ends them. */
export async function checkCompleteAnswer(checks: readonly ResponseCheck[], answer: AnswerContent, state: GatewayState): Promise<GuardrailBlock | undefined> {
  for (const check of checks) {
    if (check.type === 'jsonSchema') {
      const failures = answer.contents.flatMap(({ where, text }) => {
        const problem = schemaProblem(check.validate, text);
        return problem ? [{ where, problem }] : [];
      });
      if (failures.length === 0) continue;
      const blocked = check.action === 'block';
      recordVerdict(state, {
        guardrail: 'jsonSchema',
        phase: 'response',
        action: blocked ? 'blocked' : 'flagged',
        where: failures.map((failure) => failure.where),
        reason: failures[0]!.problem,
      });
      if (blocked) return { status: 502, guardrail: 'jsonSchema', message: `The answer does not match the route's JSON Schema: ${failures[0]!.problem}.` };
    } else if (check.type === 'webhook' && answer.texts.length > 0) {
      const route = state.route?.name ?? '';
      const verdict = await check.check.judge({
        phase: 'response',
        route,
        texts: answer.texts,
        ...(state.model !== undefined ? { model: state.model } : {}),
        ...(state.consumer !== undefined ? { consumer: state.consumer } : {}),
      });
      const block = webhookOutcome(state, 'response', verdict, check.check.config.onError);
      if (block) return { ...block, status: 502 };
    }
  }
  return undefined;
}

/** Why a text is not JSON valid against the schema (ajv's first error, which names the field, never its value). */
function schemaProblem(validate: import('ajv').ValidateFunction, text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the content is not JSON';
  }
  if (validate(value)) return undefined;
  const error = validate.errors?.[0];
  return error ? `${error.instancePath || 'the content'} ${error.message ?? 'is invalid'}` : 'the content is invalid';
}
