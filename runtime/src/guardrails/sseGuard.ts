// A streamed (SSE) answer, checked chunk by chunk: each `data:` event's deltas go through their HeldText (one per
// choice's content, completion text, and tool call's arguments), so what a chunk may not show yet waits for the next
// one. A choice's finish flushes its texts into that event; `[DONE]` waits for the end-of-answer checks when the
// route has some. A `block` ends the stream with an `event: error` naming the guardrail, and nothing of the match.
import type { GatewayState } from '../gateway/context';
import { errorBody } from '../gateway/errors';
import { Guardrails } from '../../../common/src/protocol';
import { checkCompleteAnswer } from './answerChecks';
import type { RouteGuardrails } from './compileGuardrails';
import { HeldText, type PiiStage } from './heldText';
import type { Redactions } from './redactions';
import { Findings, recordVerdict, VERDICT_OF, type GuardrailBlock } from './verdicts';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** What the relay calls: bytes of the upstream in, text for the client out. */
export interface AnswerTransform {
  push(chunk: Buffer): string;
  end(): Promise<string>;
  /** True once the answer was refused: the relay stops reading the upstream. */
  readonly stopped: boolean;
}

export class SseGuard implements AnswerTransform {
  private readonly decoder = new TextDecoder();
  private pending = '';
  private readonly texts = new Map<string, HeldText>();
  private readonly stages: PiiStage[];
  private readonly endChecks: RouteGuardrails['response'];
  /** `[DONE]` (and whatever follows it) while the end-of-answer checks have not run. */
  private deferred = '';
  private doneSeen = false;
  private meta: Json = {};
  stopped = false;

  constructor(
    private readonly guardrails: RouteGuardrails,
    private readonly redactions: Redactions,
    private readonly state: GatewayState,
  ) {
    this.stages = guardrails.response.flatMap((check) =>
      check.type === 'pii' ? [{ matcher: check.matcher, action: check.action, findings: new Findings() }] : [],
    );
    this.endChecks = guardrails.response.filter((check) => check.type !== 'pii');
  }

  push(chunk: Buffer): string {
    if (this.stopped) return '';
    this.pending += this.decoder.decode(chunk, { stream: true });
    return this.drain(false);
  }

  async end(): Promise<string> {
    if (this.stopped) return '';
    this.pending += this.decoder.decode();
    let out = this.drain(true);
    if (this.stopped) return out;
    out += this.flushAll();
    if (this.stopped) return out;
    this.recordFindings();
    const block = await checkCompleteAnswer(this.endChecks, this.answer(), this.state);
    if (block) return out + this.refusal(block);
    return out + this.deferred;
  }

  private drain(final: boolean): string {
    let out = '';
    const text = this.pending.includes('\r') ? this.pending.replace(/\r\n?/g, '\n') : this.pending;
    let start = 0;
    for (let end = text.indexOf('\n\n'); end !== -1; end = text.indexOf('\n\n', start)) {
      out += this.event(text.slice(start, end + 2));
      start = end + 2;
      if (this.stopped) return out;
    }
    this.pending = text.slice(start);
    if (final && this.pending.trim() !== '') {
      out += this.event(`${this.pending}\n\n`);
      this.pending = '';
    }
    return out;
  }

  private event(block: string): string {
    if (this.doneSeen) {
      this.deferred += block;
      return '';
    }
    const data = dataOf(block);
    if (data === undefined) return block; // an upstream's own error event
    if (data === '') return block; // comments, keep-alives
    if (data.trim() === '[DONE]') return this.done(block);
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return this.refusal({
        status: 502,
        guardrail: this.firstGuardrail(),
        message: 'The answer has a streamed event that is not JSON, which this route cannot check.',
      });
    }
    if (!isObject(chunk)) return block;
    const out = this.chunk(chunk);
    return this.stopped ? out : `data: ${JSON.stringify(chunk)}\n\n`;
  }

  /** Rewrites a chunk's deltas in place; returns an error event when a guardrail refused it. */
  private chunk(chunk: Json): string {
    this.meta = { id: chunk.id, object: chunk.object, created: chunk.created, model: chunk.model };
    if (!Array.isArray(chunk.choices)) return '';
    for (const [position, choice] of chunk.choices.entries()) {
      if (!isObject(choice)) continue;
      const index = typeof choice.index === 'number' ? choice.index : position;
      const delta = isObject(choice.delta) ? choice.delta : undefined;
      if (delta && typeof delta.content === 'string') delta.content = this.text(`${index}`, `choices[${index}].delta.content`, false).push(delta.content);
      if (typeof choice.text === 'string') choice.text = this.text(`${index}:text`, `choices[${index}].text`, false).push(choice.text);
      if (delta && Array.isArray(delta.tool_calls)) {
        for (const [k, call] of delta.tool_calls.entries()) {
          const fn = isObject(call) ? call.function : undefined;
          const tool = isObject(call) && typeof call.index === 'number' ? call.index : k;
          if (isObject(fn) && typeof fn.arguments === 'string') {
            fn.arguments = this.text(`${index}:tool:${tool}`, `choices[${index}].delta.tool_calls[${tool}].function.arguments`, true).push(fn.arguments);
          }
        }
      }
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) this.flushChoice(index, choice);
      const blocked = this.blockedText();
      if (blocked) return this.refusal(blocked);
    }
    return '';
  }

  private text(key: string, where: string, json: boolean): HeldText {
    let held = this.texts.get(key);
    if (!held) {
      held = new HeldText({
        pii: this.stages,
        redactions: this.redactions,
        restore: this.guardrails.restores,
        json,
        where,
        keepText: this.endChecks.length > 0,
      });
      this.texts.set(key, held);
    }
    return held;
  }

  /** A finished choice: what its texts still hold goes out in this event. */
  private flushChoice(index: number, choice: Json): void {
    for (const [key, held] of this.texts) {
      if (key !== `${index}` && !key.startsWith(`${index}:`)) continue;
      const rest = held.flush();
      if (rest === '') continue;
      if (key === `${index}`) {
        const delta = isObject(choice.delta) ? choice.delta : (choice.delta = {});
        delta.content = (typeof delta.content === 'string' ? delta.content : '') + rest;
      } else if (key.endsWith(':text')) {
        choice.text = (typeof choice.text === 'string' ? choice.text : '') + rest;
      } else {
        const tool = Number(key.slice(key.lastIndexOf(':') + 1));
        const delta = isObject(choice.delta) ? choice.delta : (choice.delta = {});
        const calls = Array.isArray(delta.tool_calls) ? delta.tool_calls : (delta.tool_calls = []);
        const call = calls.find((c) => isObject(c) && c.index === tool) as Json | undefined;
        if (call && isObject(call.function)) call.function.arguments = String(call.function.arguments ?? '') + rest;
        else calls.push({ index: tool, function: { arguments: rest } });
      }
    }
  }

  /** Texts of choices that never finished (a stream without finish_reason): one more chunk carries them. */
  private flushAll(): string {
    const choices = new Map<number, Json>();
    for (const [key, held] of this.texts) {
      const rest = held.flush();
      if (rest === '') continue;
      const index = Number(key.split(':')[0]);
      const choice = choices.get(index) ?? { index, delta: {}, finish_reason: null };
      choices.set(index, choice);
      const delta = choice.delta as Json;
      if (!key.includes(':')) delta.content = rest;
      else if (key.endsWith(':text')) choice.text = rest;
      else
        delta.tool_calls = [
          ...((delta.tool_calls as unknown[] | undefined) ?? []),
          { index: Number(key.slice(key.lastIndexOf(':') + 1)), function: { arguments: rest } },
        ];
    }
    const blocked = this.blockedText();
    if (blocked) return this.refusal(blocked);
    if (choices.size === 0) return '';
    return `data: ${JSON.stringify({ ...this.meta, choices: [...choices.values()] })}\n\n`;
  }

  private done(block: string): string {
    this.doneSeen = true;
    const out = this.flushAll();
    if (this.stopped) return out;
    if (this.endChecks.length > 0) {
      this.deferred += block;
      return out;
    }
    this.recordFindings();
    return out + block;
  }

  private blockedText(): GuardrailBlock | undefined {
    for (const held of this.texts.values()) {
      if (!held.blocked) continue;
      const stage = this.stages.find((s) => s.action === 'block' && s.findings.total > 0);
      return {
        status: 502,
        guardrail: 'pii',
        message: `The answer contains ${Object.keys(stage?.findings.kinds ?? {}).join(', ') || 'personal data'}, which this route does not pass on.`,
      };
    }
    return undefined;
  }

  private recordFindings(): void {
    for (const stage of this.stages) {
      if (stage.findings.total > 0) recordVerdict(this.state, stage.findings.verdict('pii', 'response', VERDICT_OF[stage.action]));
      stage.findings.total = 0;
    }
  }

  private refusal(block: GuardrailBlock): string {
    this.stopped = true;
    this.recordFindings();
    const body = errorBody(Guardrails.blockedType, block.message, this.state.route?.name, this.state.requestId);
    return `event: error\ndata: ${JSON.stringify({ error: { ...body.error, guardrail: block.guardrail } })}\n\n`;
  }

  private firstGuardrail(): GuardrailBlock['guardrail'] {
    return this.guardrails.response[0]?.type ?? 'pii';
  }

  private answer(): { contents: { where: string; text: string }[]; texts: string[] } {
    const contents: { where: string; text: string }[] = [];
    const texts: string[] = [];
    for (const [key, held] of this.texts) {
      texts.push(held.checked);
      if (!key.includes(':') || key.endsWith(':text')) contents.push({ where: held.where, text: held.checked });
    }
    return { contents, texts };
  }
}

/** The data of an SSE event (`undefined` for a named event other than `message`); one `data: ` line is the fast path. */
function dataOf(block: string): string | undefined {
  if (block.startsWith('data: ') && block.indexOf('\n') === block.length - 2) return block.slice(6, -2);
  const lines = block.split('\n');
  if (lines.some((line) => line.startsWith('event:') && line.slice(6).trim() !== 'message')) return undefined;
  return lines
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).replace(/^ /, ''))
    .join('\n');
}
