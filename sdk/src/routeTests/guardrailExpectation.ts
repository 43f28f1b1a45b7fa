// `expect.guardrail` of a route test: `{ blocked: pii }` is read from the answer (the gateway's guardrail_blocked
// error, Anthropic's behind the Messages front door, or a stream's `event: error`); `{ redacted | flagged: <guardrail>, kinds }` and `none` from the gateway's
// trace of the request, which the runner asks for with the admin key.
import type { RouteTestGuardrailExpect } from '../../../common/src/config';
import { Guardrails } from '../../../common/src/protocol';
import type { ObservedResponse } from './checkExpectations';

interface Failure {
  expected: string;
  actual: string;
  message: string;
}

/** The guardrail named by a guardrail_blocked answer (JSON error, or the error event ending a stream). */
function blockedBy(body: string): string | undefined {
  const candidates = [body, ...body.split('\n').flatMap((line) => (line.startsWith('data:') ? [line.slice(5).trim()] : []))];
  for (const text of candidates) {
    try {
      const answer = JSON.parse(text) as { type?: unknown; error?: { type?: unknown; guardrail?: unknown } };
      const error = answer.error;
      // Behind the Messages front door the refusal is Anthropic's error (`type: error`), with the guardrail's name.
      const refusal = error?.type === Guardrails.blockedType || answer.type === 'error';
      if (refusal && typeof error?.guardrail === 'string') return error.guardrail;
    } catch {
      // not JSON: another line of the stream
    }
  }
  return undefined;
}

function describe(verdicts: Guardrails.Verdict[]): string {
  return verdicts.length === 0
    ? 'no guardrail acted'
    : verdicts.map((v) => `${v.action} by ${v.guardrail} (${v.phase}${v.kinds ? `: ${Object.keys(v.kinds).join(', ')}` : ''})`).join('; ');
}

const NEEDS_TRACE = "needs the gateway's trace of the request: run the tests with the gateway's admin key (AI_GATEWAY_API_KEY)";

export function checkGuardrailExpectation(expect: RouteTestGuardrailExpect, response: ObservedResponse): Failure | undefined {
  const blocked = blockedBy(response.body);
  const verdicts = response.verdicts;
  if (expect === 'none') {
    if (blocked)
      return { expected: 'no guardrail verdict', actual: `blocked by ${blocked}`, message: `expected no guardrail to act, but ${blocked} blocked the request` };
    if (!verdicts) return { expected: 'no guardrail verdict', actual: '(no trace)', message: `expect.guardrail: none ${NEEDS_TRACE}` };
    return verdicts.length === 0
      ? undefined
      : { expected: 'no guardrail verdict', actual: describe(verdicts), message: `expected no guardrail to act: ${describe(verdicts)}` };
  }
  const wanted = `${expect.action} by ${expect.guardrail}${expect.kinds ? ` (${expect.kinds.join(', ')})` : ''}`;
  if (expect.action === 'blocked' && !expect.kinds) {
    if (blocked === expect.guardrail) return undefined;
    const actual = blocked ? `blocked by ${blocked}` : `status ${response.status}, not blocked`;
    return { expected: wanted, actual, message: `expected the request to be ${wanted}, got ${actual}` };
  }
  if (!verdicts) return { expected: wanted, actual: '(no trace)', message: `expect.guardrail ${NEEDS_TRACE}` };
  const match = verdicts.find(
    (v) => v.guardrail === expect.guardrail && v.action === expect.action && (expect.kinds ?? []).every((kind) => (v.kinds?.[kind] ?? 0) > 0),
  );
  return match ? undefined : { expected: wanted, actual: describe(verdicts), message: `expected ${wanted}, got: ${describe(verdicts)}` };
}
