// An OpenAI-shaped upstream on loopback whose answer the test writes: the request body's `script` field (which the
// gateway forwards like any other field) gives the texts. Streamed answers go out one event at a time, each only once
// the test has called `next()` (after its client saw the previous event), so every chunk reaches the gateway alone.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Script {
  /** Content pieces of the first choice: one SSE event each, or joined into one JSON answer. */
  content?: string[];
  /** Tool call argument pieces (one tool call, index 0). */
  arguments?: string[];
  /** Send `[DONE]` at the end of a stream (default true). */
  done?: boolean;
  /** The token counts a JSON answer reports. */
  usage?: { prompt_tokens: number; completion_tokens: number };
}

export class ScriptedUpstream {
  url = '';
  readonly requests: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  private readonly server: Server;
  private waiting: (() => void)[] = [];
  private credit = 0;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => void this.answer(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, req.headers, res));
    });
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Lets the next streamed event go. */
  next(): void {
    const resume = this.waiting.shift();
    if (resume) resume();
    else this.credit++;
  }

  private turn(): Promise<void> {
    if (this.credit > 0) {
      this.credit--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private async answer(body: Record<string, unknown>, headers: IncomingHttpHeaders, res: import('node:http').ServerResponse): Promise<void> {
    this.requests.push({ headers, body });
    this.credit = 0; // lock-step starts again with each answer
    const script = (body.script ?? {}) as Script;
    const content = script.content ?? [];
    const args = script.arguments ?? [];
    const base = { id: 'chatcmpl-scripted', created: 1700000000, model: String(body.model ?? 'm') };
    if (body.stream !== true) {
      const message = {
        role: 'assistant',
        content: content.length > 0 ? content.join('') : null,
        ...(args.length > 0 ? { tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: args.join('') } }] } : {}),
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      const usage = script.usage ? { usage: { ...script.usage, total_tokens: script.usage.prompt_tokens + script.usage.completion_tokens } } : {};
      res.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: 'stop' }], ...usage }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const event = (delta: Record<string, unknown>, finish: string | null = null): string =>
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.write(event({ role: 'assistant', content: '' }));
    for (const piece of content) {
      await this.turn();
      res.write(event({ content: piece }));
    }
    for (const piece of args) {
      await this.turn();
      res.write(event({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
    }
    await this.turn();
    res.write(event({}, args.length > 0 ? 'tool_calls' : 'stop'));
    if (script.done !== false) res.write('data: [DONE]\n\n');
    res.end();
  }

  async close(): Promise<void> {
    for (const resume of this.waiting.splice(0)) resume();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The SSE events of a streamed answer as they arrive: `onEvent` runs for each, before the next is read. */
export async function readEvents(
  body: AsyncIterable<Buffer>,
  onEvent: (event: { event?: string; data: string }) => void,
): Promise<{ event?: string; data: string }[]> {
  const events: { event?: string; data: string }[] = [];
  let buffer = '';
  for await (const chunk of body) {
    buffer += chunk.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = block.split('\n');
      const event = {
        event: lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim(),
        data: lines
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n'),
      };
      events.push(event);
      onEvent(event);
    }
  }
  return events;
}

/** The content text of an SSE chunk event (empty for other events). */
export function deltaContent(data: string): string {
  if (data === '[DONE]' || data === '') return '';
  const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string } }[] };
  return chunk.choices?.[0]?.delta?.content ?? '';
}

export function deltaArguments(data: string): string {
  if (data === '[DONE]' || data === '') return '';
  const chunk = JSON.parse(data) as { choices?: { delta?: { tool_calls?: { function?: { arguments?: string } }[] } }[] };
  return chunk.choices?.[0]?.delta?.tool_calls?.map((call) => call.function?.arguments ?? '').join('') ?? '';
}
