// Translated streams are not buffered: the client has the first chunk while the provider has not sent its last (an
// upstream held open by the test), and a provider stream that breaks off ends with the gateway's usual
// `event: error`. The upstream is a small Anthropic-speaking server over a real socket, so the test decides when each
// of its events goes out; it also shows what reached the provider: the key the gateway holds, never the client's.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import type { StreamCutEvent } from '../../runtime/src/gateway/events';
import { providerGateway, type TestGateway } from './gatewaySupport';

const HELD_KEY = 'sk-ant-held-by-the-gateway-7f3a';

function event(name: string, data: object): string {
  return `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
}

const START = [
  event('message_start', {
    message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-haiku-4-5', content: [], usage: { input_tokens: 9, output_tokens: 1 } },
  }),
  event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hel' } }),
];
const REST = [
  event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'lo!' } }),
  event('content_block_stop', { index: 0 }),
  event('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } }),
  event('message_stop', {}),
];

/** An Anthropic Messages endpoint whose stream the test drives: START at once, then whatever `next` says. */
class HeldUpstream {
  readonly server: Server;
  readonly requests: IncomingHttpHeaders[] = [];
  next: (res: ServerResponse) => void = () => undefined;

  constructor() {
    this.server = createServer((req, res) => {
      this.requests.push(req.headers);
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(START.join(''));
        this.next(res);
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

describe('provider targets: translated streams as they arrive', function () {
  const upstream = new HeldUpstream();
  let gateway: TestGateway;

  before(async () => {
    upstream.server.listen(0, '127.0.0.1');
    await once(upstream.server, 'listening');
    gateway = await providerGateway(
      `routes:\n  - name: chat\n    path: /v1/chat/completions\n    targets:\n      - { provider: anthropic, url: "${upstream.url}", apiKeyEnv: TEST_ANTHROPIC_KEY, model: claude-haiku-4-5 }\n`,
      { TEST_ANTHROPIC_KEY: HELD_KEY },
    );
  });
  after(async () => {
    await gateway.close();
    upstream.server.close();
  });

  const ask = (): ReturnType<typeof request> =>
    request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer the-clients-own-key' },
      body: JSON.stringify({ model: 'x', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });

  it('sends the first chunk on before the provider sent its last, and the rest as it comes', async () => {
    const order: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    upstream.next = (res) =>
      void released.then(() => {
        order.push('upstream sent its last event');
        res.end(REST.join(''));
      });
    const response = await ask();
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /text\/event-stream/);
    let text = '';
    for await (const chunk of response.body) {
      text += (chunk as Buffer).toString('utf8');
      if (text.includes('"content":"Hel"') && order.length === 0) {
        order.push('client has the first delta');
        release();
      }
    }
    assert.deepEqual(order, ['client has the first delta', 'upstream sent its last event']);
    const contents = [...text.matchAll(/"content":"([^"]*)"/g)].map((m) => m[1]).join('');
    assert.equal(contents, 'Hello!');
    assert.match(text, /"finish_reason":"stop"/);
    assert.ok(text.trimEnd().endsWith('data: [DONE]'));
    const seen = upstream.requests.at(-1)!;
    assert.equal(seen['x-api-key'], HELD_KEY, 'the key the gateway holds');
    assert.equal(seen.authorization, undefined, "the client's own credential stays behind");
    assert.equal(seen['anthropic-version'], '2023-06-01');
  });

  it('ends a stream the provider breaks off with the gateway’s event: error, after what had arrived', async () => {
    const cuts: StreamCutEvent[] = [];
    const stop = gateway.runtime.events.on('stream.cut', (cut) => cuts.push(cut));
    let held: ServerResponse | undefined;
    upstream.next = (res) => (held = res);
    try {
      const response = await ask();
      let text = '';
      for await (const chunk of response.body) {
        text += (chunk as Buffer).toString('utf8');
        if (text.includes('"content":"Hel"')) held?.socket?.destroy(); // the provider goes away mid-answer
      }
      assert.match(text, /"content":"Hel"/);
      const last = text.trimEnd().split('\n\n').at(-1) ?? '';
      assert.match(last, /^event: error\ndata: /);
      const error = JSON.parse(last.split('data: ')[1]!) as { error: { type: string; route: string } };
      assert.equal(error.error.type, 'upstream_stream_interrupted');
      assert.equal(error.error.route, 'chat');
      assert.ok(!text.includes('[DONE]'));
      assert.deepEqual(
        cuts.map((cut) => [cut.route, cut.reason]),
        [['chat', 'upstream-error']],
      );
    } finally {
      stop();
    }
  });
});
