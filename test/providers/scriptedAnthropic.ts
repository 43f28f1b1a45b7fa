// An Anthropic Messages endpoint on loopback whose answer the test writes: `reply` gives the text pieces (one
// `text_delta` event each when streamed, each written on its own), or derives them from the last user text (an
// echo). It records what reached it, so a test can show what the provider was sent. `hold`, when set, keeps the
// stream open after its first piece until the promise settles.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

export class ScriptedAnthropic {
  url = '';
  readonly requests: { headers: IncomingHttpHeaders; body: Json }[] = [];
  reply: string[] | ((lastUserText: string) => string[]) = ['Hello'];
  hold: Promise<void> | undefined;
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => void this.answer(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json, req.headers, res));
    });
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Everything the provider was sent in its last request: system and message texts, joined. */
  lastPrompt(): string {
    const body = this.requests.at(-1)?.body ?? {};
    return JSON.stringify([body.system ?? '', body.messages ?? []]);
  }

  private async answer(body: Json, headers: IncomingHttpHeaders, res: ServerResponse): Promise<void> {
    this.requests.push({ headers, body });
    const pieces = typeof this.reply === 'function' ? this.reply(lastUserText(body)) : this.reply;
    const model = String(body.model);
    const usage = { input_tokens: 12, output_tokens: pieces.length };
    if (body.stream !== true) {
      const message = { id: 'msg_scripted', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: pieces.join('') }] };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...message, stop_reason: 'end_turn', stop_sequence: null, usage }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = async (name: string, data: Json): Promise<void> => {
      res.write(`event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`);
      await new Promise((resolve) => setImmediate(resolve)); // each event in its own write
    };
    const message = { id: 'msg_scripted', type: 'message', role: 'assistant', model, content: [], usage: { input_tokens: 12, output_tokens: 1 } };
    await send('message_start', { message });
    await send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    for (const [i, text] of pieces.entries()) {
      await send('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
      if (i === 0 && this.hold) await this.hold;
    }
    await send('content_block_stop', { index: 0 });
    await send('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: pieces.length } });
    await send('message_stop', {});
    res.end();
  }
}

function lastUserText(body: Json): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
  const last = messages.filter((message) => message.role === 'user').at(-1);
  const content = last?.content;
  if (typeof content === 'string') return content;
  return Array.isArray(content)
    ? (content as Json[])
        .filter((block) => block.type === 'text')
        .map((block) => String(block.text))
        .join('')
    : '';
}
