// The answer side of a guarded route, set on the request by the guardrails stage and asked by the proxy once the
// upstream's head arrived: a successful JSON answer is checked whole before its head goes out, an SSE answer chunk by
// chunk, anything else the route's guardrails cannot read is refused. Error answers (non-2xx) pass as they are.
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayState } from '../gateway/context';
import { checkCompleteAnswer } from './answerChecks';
import type { RouteGuardrails } from './compileGuardrails';
import { answerTexts, writeSlot } from './openaiTexts';
import { jsonStringContent, restorePlaceholders, type Redactions } from './redactions';
import { SseGuard, type AnswerTransform } from './sseGuard';
import { redactMatches } from './textChecks';
import { Findings, recordVerdict, VERDICT_OF, type GuardrailBlock } from './verdicts';

export type { AnswerTransform } from './sseGuard';

export type AnswerPlan =
  | { kind: 'pass' }
  | { kind: 'whole'; check(body: Buffer): Promise<{ body: Buffer } | { block: GuardrailBlock }> }
  | { kind: 'stream'; transform: AnswerTransform }
  | { kind: 'refuse'; block: GuardrailBlock };

const PASS: AnswerPlan = { kind: 'pass' };

/** What the proxy (and a cache hit) asks of a request's answer checks; the response cache wraps it to keep a copy. */
export interface AnswerChecks {
  readonly active: boolean;
  plan(status: number, headers: IncomingHttpHeaders): AnswerPlan;
}

export class AnswerGuard implements AnswerChecks {
  constructor(
    private readonly guardrails: RouteGuardrails,
    private readonly redactions: Redactions,
    private readonly state: GatewayState,
  ) {}

  /** Whether answers need a look at all: response guardrails, or placeholders of this request to put back. */
  get active(): boolean {
    return this.guardrails.response.length > 0 || this.redactions.restorable.size > 0;
  }

  plan(status: number, headers: IncomingHttpHeaders): AnswerPlan {
    if (status < 200 || status >= 300 || !this.active) return PASS;
    const encoding = headers['content-encoding'];
    if (encoding !== undefined && encoding !== 'identity')
      return this.refuse(`The answer is compressed (${encoding}), so this route's guardrails cannot read it.`);
    const type = headers['content-type'] ?? '';
    if (type.includes('text/event-stream')) return { kind: 'stream', transform: new SseGuard(this.guardrails, this.redactions, this.state) };
    if (type.includes('json')) return { kind: 'whole', check: (body) => this.checkWhole(body) };
    return this.refuse(`The answer is ${type || 'of no declared type'}, which this route's guardrails cannot read.`);
  }

  private refuse(message: string): AnswerPlan {
    const guardrail = this.guardrails.response[0]?.type ?? 'pii';
    recordVerdict(this.state, { guardrail, phase: 'response', action: 'blocked', reason: 'the answer cannot be read' });
    return { kind: 'refuse', block: { status: 502, guardrail, message } };
  }

  private async checkWhole(raw: Buffer): Promise<{ body: Buffer } | { block: GuardrailBlock }> {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return {
        block: { status: 502, guardrail: this.guardrails.response[0]?.type ?? 'pii', message: 'The answer is not JSON, which this route cannot check.' },
      };
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return { body: raw };
    const slots = answerTexts(body as Record<string, unknown>);
    let modified = false;
    for (const check of this.guardrails.response) {
      if (check.type !== 'pii') continue;
      const findings = new Findings();
      for (const slot of slots) {
        const matches = check.matcher.find(slot.text);
        for (const match of matches) findings.add(match.kind, slot.where);
        if (matches.length > 0 && check.action === 'redact') {
          writeSlot(slot, redactMatches(slot.text, matches, this.redactions, false, slot.json));
          modified = true;
        }
      }
      if (findings.total === 0) continue;
      recordVerdict(this.state, findings.verdict('pii', 'response', VERDICT_OF[check.action]));
      if (check.action === 'block') {
        return {
          block: {
            status: 502,
            guardrail: 'pii',
            message: `The answer contains ${Object.keys(findings.kinds).join(', ')}, which this route does not pass on.`,
          },
        };
      }
    }
    const contents = slots.filter((slot) => slot.where.endsWith('.content') || slot.where.endsWith('.text'));
    const block = await checkCompleteAnswer(
      this.guardrails.response,
      { contents: contents.map((slot) => ({ where: slot.where, text: slot.text })), texts: slots.map((slot) => slot.text) },
      this.state,
    );
    if (block) return { block };
    if (this.redactions.restorable.size > 0) {
      for (const slot of slots) {
        const restored = restorePlaceholders(slot.text, this.redactions.restorable, slot.json ? jsonStringContent : undefined);
        if (restored.count > 0) {
          writeSlot(slot, restored.text);
          modified = true;
        }
      }
    }
    return { body: modified ? Buffer.from(JSON.stringify(body)) : raw };
  }
}
