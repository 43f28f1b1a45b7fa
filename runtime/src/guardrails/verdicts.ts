// Recording what a guardrail did: on the request's state (for the access log, metrics and webhooks, read by
// `observe`) and, when the request is traced, as a trace entry carrying the verdict. Never the matched text.
import type { GuardrailName, GuardrailVerdictAction } from '../../../common/src/config';
import type { Guardrails } from '../../../common/src/protocol';
import type { GatewayState } from '../gateway/context';

/** A refusal: the status and message the client gets, with the guardrail named in the error body. */
export interface GuardrailBlock {
  status: number;
  guardrail: GuardrailName;
  message: string;
}

export function recordVerdict(state: GatewayState, verdict: Guardrails.Verdict): void {
  (state.guardrailVerdicts ??= []).push(verdict);
  if (!state.trace) return;
  const found = verdict.kinds ? Object.entries(verdict.kinds).map(([kind, count]) => `${kind} ${count}`) : [];
  const detail = [found.join(', '), verdict.where?.length ? `in ${verdict.where.join(', ')}` : '', verdict.reason ?? ''].filter(Boolean).join('; ');
  state.trace.push({
    stage: 'guardrail',
    outcome: `${verdict.guardrail} ${verdict.action} (${verdict.phase})`,
    ...(detail ? { detail } : {}),
    atMs: Math.round((performance.now() - state.timings.receivedAt) * 100) / 100,
    guardrail: verdict,
  });
}

/** Counts per kind and the fields they were found in, gathered while a check runs over the texts. */
export class Findings {
  readonly kinds: Record<string, number> = {};
  readonly where: string[] = [];
  total = 0;

  add(kind: string, where: string): void {
    this.kinds[kind] = (this.kinds[kind] ?? 0) + 1;
    if (this.where[this.where.length - 1] !== where && this.where.length < 20) this.where.push(where);
    this.total++;
  }

  verdict(guardrail: GuardrailName, phase: Guardrails.Verdict['phase'], action: GuardrailVerdictAction, reason?: string): Guardrails.Verdict {
    return { guardrail, phase, action, kinds: this.kinds, where: this.where, ...(reason ? { reason } : {}) };
  }
}

export const VERDICT_OF = { block: 'blocked', redact: 'redacted', flag: 'flagged' } as const;

const STRENGTH: Record<GuardrailVerdictAction, number> = { flagged: 1, redacted: 2, blocked: 3 };

/** What the guardrails did to a request at most: blocked, else redacted, else flagged (a span's and the Traffic view's outcome). */
export function strongestAction(verdicts: readonly Guardrails.Verdict[]): GuardrailVerdictAction | undefined {
  let strongest: GuardrailVerdictAction | undefined;
  for (const { action } of verdicts) if (!strongest || STRENGTH[action] > STRENGTH[strongest]) strongest = action;
  return strongest;
}

/** A verdict in a few words, never the text: `request pii redacted email:2 phone:1`. */
export function verdictLine(verdict: Guardrails.Verdict): string {
  const kinds = verdict.kinds ? Object.entries(verdict.kinds).map(([kind, count]) => ` ${kind}:${count}`) : [];
  return `${verdict.phase} ${verdict.guardrail} ${verdict.action}${kinds.join('')}`;
}

/** The Traffic view's guardrail column: each guardrail that acted with what it did, `redacted pii, flagged webhook`. */
export function verdictSummary(verdicts: readonly Guardrails.Verdict[]): string {
  return [...new Set(verdicts.map((verdict) => `${verdict.action} ${verdict.guardrail}`))].join(', ');
}
