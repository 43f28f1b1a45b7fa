// The request guardrails of a route, in the order written, over the texts of an OpenAI-shaped body: what each finds is
// recorded; `redact` rewrites the texts (later guardrails, the webhook and the upstream see the placeholders);
// the first `block` ends the checks with the refusal the client gets.
import type { GatewayState } from '../gateway/context';
import type { RequestCheck, RouteGuardrails } from './compileGuardrails';
import { writeSlot, type TextSlot } from './openaiTexts';
import type { Redactions } from './redactions';
import { applyDenyPatterns, redactMatches } from './textChecks';
import { encodingOf } from '../gateway/upstream/tokenCount';
import { promptTokens } from './tokenCount';
import { Findings, recordVerdict, VERDICT_OF, type GuardrailBlock } from './verdicts';

export interface RequestInput {
  slots: TextSlot[];
  messages: number;
  model: string | undefined;
  state: GatewayState;
  redactions: Redactions;
}

export interface RequestOutcome {
  block?: GuardrailBlock;
  /** The texts were rewritten: the body must be serialized again. */
  modified: boolean;
}

/** A promise only when a webhook is asked: the built-in checks run without one. */
export function runRequestChecks(guardrails: RouteGuardrails, input: RequestInput, from = 0, modifiedBefore = false): RequestOutcome | Promise<RequestOutcome> {
  let modified = modifiedBefore;
  const checks = guardrails.request;
  for (let i = from; i < checks.length; i++) {
    const check = checks[i]!;
    if (check.type === 'webhook') {
      return webhookCheck(check, guardrails.route, input).then((result) =>
        result === 'modified' || result === undefined ? runRequestChecks(guardrails, input, i + 1, modified) : { block: result, modified },
      );
    }
    const result = textCheck(check, input);
    if (result === 'modified') modified = true;
    else if (result) return { block: result, modified };
  }
  return { modified };
}

type CheckResult = GuardrailBlock | 'modified' | undefined;

function textCheck(check: Exclude<RequestCheck, { type: 'webhook' }>, input: RequestInput): CheckResult {
  switch (check.type) {
    case 'pii':
      return piiCheck(check, input);
    case 'deny':
      return denyCheck(check, input);
    case 'maxPromptTokens':
      return tokenCheck(check, input);
    case 'models':
      return modelCheck(check, input);
  }
}

function piiCheck(check: Extract<RequestCheck, { type: 'pii' }>, input: RequestInput): CheckResult {
  let findings: Findings | undefined;
  let modified = false;
  for (const slot of input.slots) {
    const matches = check.matcher.find(slot.text);
    if (matches.length === 0) continue;
    findings ??= new Findings();
    for (const match of matches) findings.add(match.kind, slot.where);
    if (check.action === 'block') break;
    if (check.action === 'redact') {
      writeSlot(slot, redactMatches(slot.text, matches, input.redactions, check.restore, slot.json));
      modified = true;
    }
  }
  if (findings === undefined) return undefined;
  recordVerdict(input.state, findings.verdict('pii', 'request', VERDICT_OF[check.action]));
  if (check.action === 'block') {
    return { status: 400, guardrail: 'pii', message: `The request contains ${describeKinds(findings.kinds)}, which this route does not send upstream.` };
  }
  return modified ? 'modified' : undefined;
}

function denyCheck(check: Extract<RequestCheck, { type: 'deny' }>, input: RequestInput): CheckResult {
  const findings = new Findings();
  let modified = false;
  for (const slot of input.slots) {
    const text = applyDenyPatterns(slot.text, check.patterns, check.action, input.redactions, findings, slot.where);
    if (text !== slot.text) {
      writeSlot(slot, text);
      modified = true;
    }
    if (check.action === 'block' && findings.total > 0) break;
  }
  if (findings.total === 0) return undefined;
  recordVerdict(input.state, findings.verdict('deny', 'request', VERDICT_OF[check.action]));
  if (check.action === 'block') return { status: 400, guardrail: 'deny', message: 'The request matches a pattern this route refuses.' };
  return modified ? 'modified' : undefined;
}

function tokenCheck(check: Extract<RequestCheck, { type: 'maxPromptTokens' }>, input: RequestInput): CheckResult {
  const encoding = encodingOf(input.model);
  const count = check.tokenizers.counter(encoding);
  const tokens = promptTokens(input.slots, input.messages, count);
  if (tokens <= check.limit) return undefined;
  const how = count ? encoding : 'estimated as characters / 4';
  recordVerdict(input.state, { guardrail: 'maxPromptTokens', phase: 'request', action: 'blocked', kinds: { tokens }, reason: `limit ${check.limit} (${how})` });
  return { status: 400, guardrail: 'maxPromptTokens', message: `The prompt has ${tokens} tokens (${how}); this route allows at most ${check.limit}.` };
}

function modelCheck(check: Extract<RequestCheck, { type: 'models' }>, input: RequestInput): CheckResult {
  const consumer = input.state.consumer;
  const own = consumer !== undefined ? check.consumers.get(consumer) : undefined;
  const allowed = own ?? check.allow;
  const model = input.model;
  if (model !== undefined && allowed.some((glob) => glob.matches(model))) return undefined;
  const whose = own ? `consumer "${consumer}"` : 'this route';
  recordVerdict(input.state, {
    guardrail: 'models',
    phase: 'request',
    action: 'blocked',
    reason: model === undefined ? 'no model named' : `not allowed for ${whose}`,
  });
  return {
    status: 403,
    guardrail: 'models',
    message:
      model === undefined
        ? 'The request names no "model"; this route only serves the models it allows.'
        : `Model "${model.slice(0, 100)}" is not allowed for ${whose} (allowed: ${allowed.map((glob) => glob.source).join(', ') || 'none'}).`,
  };
}

async function webhookCheck(check: Extract<RequestCheck, { type: 'webhook' }>, route: string, input: RequestInput): Promise<CheckResult> {
  const texts = input.slots.map((slot) => slot.text);
  if (texts.length === 0) return undefined;
  const state = input.state;
  const verdict = await check.check.judge({
    phase: 'request',
    route,
    texts,
    ...(input.model !== undefined ? { model: input.model } : {}),
    ...(state.consumer !== undefined ? { consumer: state.consumer } : {}),
  });
  return webhookOutcome(state, 'request', verdict, check.check.config.onError);
}

/** A webhook verdict (or failure, under `onError`) recorded, and the refusal it means. */
export function webhookOutcome(
  state: GatewayState,
  phase: 'request' | 'response',
  verdict: Awaited<ReturnType<import('./webhookCheck').WebhookCheck['judge']>>,
  onError: 'allow' | 'block',
): GuardrailBlock | undefined {
  if ('error' in verdict) {
    const blocked = onError === 'block';
    recordVerdict(state, { guardrail: 'webhook', phase, action: blocked ? 'blocked' : 'flagged', reason: `${verdict.error}; onError: ${onError}` });
    return blocked
      ? { status: 503, guardrail: 'webhook', message: `The moderation webhook gave no verdict (${verdict.error}), so this route refuses (onError: block).` }
      : undefined;
  }
  if (verdict.action === 'allow') return undefined;
  const reason = [verdict.reason, verdict.cached ? 'cached verdict' : ''].filter(Boolean).join('; ');
  recordVerdict(state, { guardrail: 'webhook', phase, action: verdict.action === 'block' ? 'blocked' : 'flagged', ...(reason ? { reason } : {}) });
  if (verdict.action === 'flag') return undefined;
  return {
    status: phase === 'request' ? 400 : 502,
    guardrail: 'webhook',
    message: `The moderation webhook refused the ${phase === 'request' ? 'request' : 'answer'}${verdict.reason ? `: ${verdict.reason}` : '.'}`,
  };
}

const KIND_NAMES: Record<string, string> = {
  email: 'an e-mail address',
  phone: 'a phone number',
  'credit-card': 'a payment card number',
  iban: 'an IBAN',
  ip: 'an IP address',
  secret: 'a secret (an API key, token or private key)',
};

export function describeKinds(kinds: Record<string, number>): string {
  return Object.keys(kinds)
    .map((kind) => KIND_NAMES[kind] ?? kind)
    .join(', ');
}
