// The response cache behind the Messages front door (a provider route whose clients speak Anthropic's API). Answers
// are stored in OpenAI's shape, the one the route's guardrails read and the proxy translates from, so that one stored
// answer serves either delivery and goes through the guardrails on a hit like any other; the replay is translated to
// Anthropic's API last, as a proxied answer is. On a miss without guardrails, checks that change nothing hand the
// recorder the OpenAI-shaped answer before the door's translation.
import type { IncomingHttpHeaders } from 'node:http';
import type { AnswerChecks, AnswerPlan, AnswerTransform } from '../guardrails/answerGuard';
import { openAIAnswerToAnthropic, translateOpenAIStreamToAnthropic } from '../providers';
import type { Servable } from './replay';

const PASS: AnswerPlan = { kind: 'pass' };

/** Answer checks that check nothing and change nothing: only there for the recorder to see their input. */
export const UNCHECKED: AnswerChecks = {
  active: true,
  plan(status: number, headers: IncomingHttpHeaders): AnswerPlan {
    if (status < 200 || status >= 300) return PASS;
    const type = headers['content-type'] ?? '';
    if (type.includes('text/event-stream')) return { kind: 'stream', transform: unchangedStream() };
    return type.includes('json') ? { kind: 'whole', check: (body) => Promise.resolve({ body }) } : PASS;
  },
};

function unchangedStream(): AnswerTransform {
  const decoder = new TextDecoder();
  return {
    stopped: false,
    push: (chunk) => decoder.decode(chunk, { stream: true }),
    end: () => Promise.resolve(decoder.decode()),
  };
}

/** A stored (OpenAI-shaped) answer as a Messages client gets it: a JSON answer translated, a stream through the door's translator. */
export function inMessagesApi(
  servable: Servable,
  transform: AnswerTransform | undefined,
  model: string,
): { servable: Servable; transform: AnswerTransform | undefined } {
  if (!servable.sse) {
    const whole = servable.chunks.length === 1 ? servable.chunks[0]! : Buffer.concat(servable.chunks);
    const translated = Buffer.from(JSON.stringify(openAIAnswerToAnthropic(JSON.parse(whole.toString('utf8')), model)));
    return { servable: { ...servable, contentType: 'application/json', chunks: [translated], gapsMs: [] }, transform };
  }
  const door = translateOpenAIStreamToAnthropic(model);
  const toClient = (text: string): string => (text === '' ? '' : door.push(Buffer.from(text)));
  return {
    servable,
    transform: {
      push: (chunk) => (transform ? toClient(transform.push(chunk)) : door.push(chunk)),
      end: async () => toClient(transform ? await transform.end() : '') + door.end(),
      get stopped() {
        return transform?.stopped ?? false;
      },
    },
  };
}
