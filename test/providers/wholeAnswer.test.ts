// A provider's whole (non-streamed) answer, over real sockets: written at once when its body came with its head,
// else once the rest of it arrives, and a 502 when it breaks off. The first two reach the client alike. And the
// request a provider route reads: held already (a token limit read it) or read then, answered alike.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { send, type HttpAnswer } from '../gateway/support';
import { providerGateway, type TestGateway } from './gatewaySupport';

const MESSAGE = {
  id: 'msg_whole',
  type: 'message',
  role: 'assistant',
  model: 'claude-haiku-4-5',
  content: [{ type: 'text', text: 'Hello from a whole answer' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 9, output_tokens: 5 },
};

/** An Anthropic endpoint answering MESSAGE as its `x-answer` header says: `at-once`, `in-parts` (the rest 30 ms later) or `cut` (half, then the connection closed). */
async function anthropicUpstream(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const text = JSON.stringify(MESSAGE);
      const half = text.slice(0, text.length >> 1);
      const mode = req.headers['x-answer'];
      if (mode === 'at-once') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(text);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.write(half);
      if (mode === 'cut') setTimeout(() => res.destroy(), 30);
      else setTimeout(() => res.end(text.slice(half.length)), 30);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function route(name: string, url: string, answer: string): string {
  return `  - name: ${name}\n    path: /${name}/v1/chat/completions\n    targets:\n      - { provider: anthropic, url: "${url}", apiKeyEnv: ANTHROPIC_KEY, headers: { x-answer: ${answer} } }`;
}

const CHAT = { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] };

describe('provider targets: a whole answer, with its head or after it', function () {
  let gateway: TestGateway;
  let upstream: { url: string; server: Server };

  before(async () => {
    upstream = await anthropicUpstream();
    const routes = [route('at-once', upstream.url, 'at-once'), route('in-parts', upstream.url, 'in-parts'), route('cut', upstream.url, 'cut')];
    gateway = await providerGateway(`routes:\n${routes.join('\n')}\n`, { ANTHROPIC_KEY: 'sk-ant-test' });
  });
  after(async () => {
    await gateway.close();
    upstream.server.closeAllConnections();
    upstream.server.close();
  });

  const chat = (name: string): Promise<HttpAnswer> => send(`${gateway.url}/${name}/v1/chat/completions`, { body: CHAT });

  it('translates an answer that came with its head and one that came in parts alike: body, headers, usage', async () => {
    const [atOnce, inParts] = [await chat('at-once'), await chat('in-parts')];
    for (const answer of [atOnce, inParts]) {
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-type'], 'application/json');
      assert.equal(answer.headers['content-length'], String(Buffer.byteLength(answer.text)));
      assert.match(String(answer.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      assert.match(String(answer.headers['server-timing']), /upstream;dur=/);
      const completion = answer.json<{ object: string; choices: { message: { content: string } }[]; usage: Record<string, number> }>();
      assert.equal(completion.object, 'chat.completion');
      assert.equal(completion.choices[0]?.message.content, 'Hello from a whole answer');
      assert.deepEqual([completion.usage.prompt_tokens, completion.usage.completion_tokens], [9, 5]);
    }
    const withoutIds = (answer: HttpAnswer): unknown => ({ ...answer.json<Record<string, unknown>>(), created: 0 });
    assert.deepEqual(withoutIds(atOnce), withoutIds(inParts));
  });

  it('answers 502 when the answer breaks off before its end', async () => {
    const answer = await chat('cut');
    assert.equal(answer.status, 502);
    const error = answer.json<{ error: { type: string; message: string } }>().error;
    assert.equal(error.type, 'upstream_error');
    assert.match(error.message, /^The anthropic answer broke off before its end/);
  });
});

describe('provider targets: the request read by a token limit before, or by the provider stage', function () {
  let gateway: TestGateway;
  let upstream: { url: string; server: Server };

  before(async () => {
    upstream = await anthropicUpstream();
    const routes = [route('limited', upstream.url, 'at-once'), route('open', upstream.url, 'at-once')];
    const security = 'security:\n  - endpoint: /limited/v1/chat/completions\n    auth: none\n    rateLimit: { tokens: 1000000/min, by: route }\n';
    gateway = await providerGateway(`routes:\n${routes.join('\n')}\n${security}`, { ANTHROPIC_KEY: 'sk-ant-test' });
  });
  after(async () => {
    await gateway.close();
    upstream.server.closeAllConnections();
    upstream.server.close();
  });

  for (const name of ['limited', 'open']) {
    const url = (): string => `${gateway.url}/${name}/v1/chat/completions`;
    const errorOf = (answer: HttpAnswer): { type: string; message: string } => answer.json<{ error: { type: string; message: string } }>().error;

    it(`${name}: translates the request and answers it`, async () => {
      const answer = await send(url(), { body: CHAT });
      assert.equal(answer.status, 200);
      assert.equal(answer.json<{ choices: { message: { content: string } }[] }>().choices[0]?.message.content, 'Hello from a whole answer');
      assert.equal(answer.headers['ratelimit-limit'], name === 'limited' ? '1000000' : undefined);
    });

    it(`${name}: refuses a body that is not JSON, or not an object, and a GET`, async () => {
      const notJson = await send(url(), { body: '{"model": ' });
      assert.deepEqual([notJson.status, errorOf(notJson).type, errorOf(notJson).message], [400, 'invalid_request_error', 'The request body is not JSON.']);
      const list = await send(url(), { body: '[1, 2]' });
      assert.deepEqual([list.status, errorOf(list).message], [400, 'The request body must be a JSON object.']);
      const get = await send(url());
      assert.deepEqual([get.status, get.headers.allow, errorOf(get).type], [405, 'POST', 'method_not_allowed']);
    });
  }
});
