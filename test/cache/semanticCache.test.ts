// The semantic cache over real sockets: prompts are embedded through a route of the same config, whose target is a
// small embedding model on loopback (test/support/embeddingUpstream.ts: the built-in mock's vectors carry no
// meaning); a paraphrase of a stored prompt is answered from the cache, an unrelated prompt is not, and neither is the
// same prompt with other settings (temperature) or a prompt that is not text only.
import { strict as assert } from 'node:assert';
import type { Admin } from '../../common/src/protocol';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { send, startTestGateway, type HttpAnswer } from '../gateway/support';
import { configOf } from '../observability/support';
import { startEmbeddingUpstream, type EmbeddingUpstream } from '../support/embeddingUpstream';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

const ADMIN_KEY = 'admin-key-semantic-test-8c7b6a';

describe('semantic cache', function () {
  this.timeout(20_000);
  let mock: MockServer;
  let embeddings: EmbeddingUpstream;
  let gateway: Gateway;
  const ask = (content: unknown, extra: Record<string, unknown> = {}): Promise<HttpAnswer> =>
    send(`${gateway.url}/v1/chat/completions`, { body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra } });

  before(async () => {
    mock = await startMockServer({ options: { name: 'chat' } });
    embeddings = await startEmbeddingUpstream();
    gateway = await startTestGateway(
      configOf(`
pricing:
  openai-compatible:
    bag-of-concepts: { input: 0.02 }
routes:
  - name: chat
    path: /v1/chat/completions
    methods: [POST]
    target: ${mock.url}
    cache: { mode: semantic, similarity: 0.9, by: route, embeddings: { route: embeddings, model: bag-of-concepts } }
  - { name: embeddings, path: /v1/embeddings, methods: [POST], target: ${embeddings.url} }
security:
  - { endpoint: /v1/*, auth: none }
`),
      { env: { AI_GATEWAY_API_KEY: ADMIN_KEY } },
    );
  });
  after(async () => {
    await gateway?.close();
    await mock?.close();
    await embeddings?.close();
  });

  it('answers a paraphrase of a stored prompt from the cache, and an unrelated prompt from the upstream', async () => {
    const upstream = mock.requestCount;
    const first = await ask('How do I reset my password?');
    assert.equal(first.headers['x-gateway-cache'], 'miss');
    assert.ok(embeddings.requests >= 1, 'the prompt was embedded through the embeddings route');

    const paraphrase = await ask('How can I recover my passcode, please?');
    assert.equal(paraphrase.headers['x-gateway-cache'], 'hit');
    assert.equal(paraphrase.text, first.text, "the stored prompt's answer");
    const line = gateway.logs.lines.find((l) => l.msg === 'request' && l.requestId === paraphrase.headers['x-request-id']);
    assert.ok(((line?.cache as { similarity: number }).similarity ?? 0) >= 0.9, 'the access line says how similar');

    const unrelated = await ask('What is the capital city of France?');
    assert.equal(unrelated.headers['x-gateway-cache'], 'miss');
    assert.equal(mock.requestCount - upstream, 2, 'the paraphrase never reached the upstream');

    // What embedding the prompts cost is booked to the embeddings route.
    const spend = await send(`${gateway.url}/api/v1/spend?by=route&period=day`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const booked = spend.json<Admin.SpendReport>().entries.find((e) => e.key === 'embeddings');
    assert.equal(booked?.requests, embeddings.requests);
    assert.ok(booked.usd > 0);
  });

  it('compares only prompts whose other settings match, and only text prompts', async () => {
    await ask('Where can I change my account password?', { temperature: 0.2 });
    assert.equal((await ask('Where can I change my account password?', { temperature: 0.9 })).headers['x-gateway-cache'], 'miss');
    assert.equal((await ask('Where do I reset my login password?', { temperature: 0.2 })).headers['x-gateway-cache'], 'hit');

    const withImage = [
      { type: 'text', text: 'How do I reset my password?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
    ];
    assert.equal((await ask(withImage)).headers['x-gateway-cache'], 'miss', 'an image beside the same words is not the same question');
  });
});
