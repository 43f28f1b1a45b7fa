// An OpenAI-shaped upstream for the tracing tests: keeps the headers and bodies it was sent; `/fail` answers 503, a
// path under `/echo` answers with the last message it was sent, anything else with "Hello there".
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class ChatUpstream {
  readonly seen: IncomingHttpHeaders[] = [];
  readonly bodies: string[] = [];
  url = '';
  private readonly server: Server = createServer((req, res): void => {
    this.seen.push(req.headers);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      this.bodies.push(body);
      if (req.url === '/fail') {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"busy"}}');
        return;
      }
      const content = req.url?.startsWith('/echo') ? lastMessage(body) : 'Hello there';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-42',
          model: 'gpt-4o-mini-2024-07-18',
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
        }),
      );
    });
  });

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function lastMessage(body: string): string {
  const messages = (JSON.parse(body) as { messages?: { content?: unknown }[] }).messages ?? [];
  return String(messages.at(-1)?.content ?? '');
}
