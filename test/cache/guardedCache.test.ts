// The response cache on routes with guardrails, over real sockets, in front of a scripted upstream that counts what
// reaches it and a moderation server whose verdicts the test changes: a request the request guardrails refuse is never
// answered from the cache nor stored; an answer is stored as it entered the answer guardrails, and every hit goes
// through them again (redacted again, refused when they now refuse it); two prompts that redact to the same text share
// one answer, each getting its own originals put back; the embeddings route of a semantic cache sees placeholders only.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import type { GuardrailWebhook, Guardrails } from '../../common/src/protocol';
import { send, startTestGateway, type HttpAnswer } from '../gateway/support';
import { deltaContent, readEvents, ScriptedUpstream, type Script } from '../guardrails/scriptedUpstream';
import { configOf } from '../observability/support';
import { startEmbeddingUpstream, type EmbeddingUpstream } from '../support/embeddingUpstream';

const ADMIN_KEY = 'admin-key-guarded-cache-5e4d3c';
const traced = { 'x-gateway-trace': '1', 'x-gateway-admin-key': ADMIN_KEY };

/** A moderation service whose verdict per phase the test sets; it records what it was asked. */
class Moderation {
  readonly verdicts: Record<GuardrailWebhook.Request['phase'], GuardrailWebhook.Response['action']> = { request: 'allow', response: 'allow' };
  readonly calls: GuardrailWebhook.Request[] = [];
  private readonly server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as GuardrailWebhook.Request;
      this.calls.push(body);
      const action = this.verdicts[body.phase];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ action, ...(action === 'block' ? { reason: 'policy 9' } : {}) }));
    });
  });
  url = '';

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/check`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('response cache with guardrails', function () {
  this.timeout(20_000);
  let scripted: ScriptedUpstream;
  let moderation: Moderation;
  let embeddings: EmbeddingUpstream;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;

  before(async () => {
    scripted = await new ScriptedUpstream().start();
    moderation = await new Moderation().start();
    embeddings = await startEmbeddingUpstream();
    const yaml = `
routes:
  - name: moderated
    path: /moderated/*
    stripPrefix: /moderated
    target: ${scripted.url}
    cache: { by: route }
    guardrails:
      request: [{ webhook: { url: "${moderation.url}", cacheTtl: 0 } }]
      response: [{ webhook: { url: "${moderation.url}", cacheTtl: 0 } }]
  - name: redacted
    path: /redacted/*
    stripPrefix: /redacted
    target: ${scripted.url}
    cache: { by: route }
    guardrails: { response: [{ pii: { action: redact, kinds: [email] } }] }
  - name: blocked
    path: /blocked/*
    stripPrefix: /blocked
    target: ${scripted.url}
    cache: { by: route }
    guardrails: { response: [{ pii: { action: block, kinds: [email] } }] }
  - name: restored
    path: /restored/*
    stripPrefix: /restored
    target: ${scripted.url}
    cache: { by: route }
    guardrails: { request: [{ pii: { action: redact, kinds: [email], restore: true } }] }
  - name: semantic
    path: /semantic/*
    stripPrefix: /semantic
    target: ${scripted.url}
    cache: { mode: semantic, similarity: 0.9, by: route, embeddings: { route: embeddings } }
    guardrails: { request: [{ pii: { action: redact, kinds: [email], restore: true } }] }
  - { name: embeddings, path: /v1/embeddings, methods: [POST], target: ${embeddings.url} }
security:
  - { endpoint: /moderated/*, auth: none }
  - { endpoint: /redacted/*, auth: none }
  - { endpoint: /blocked/*, auth: none }
  - { endpoint: /restored/*, auth: none }
  - { endpoint: /semantic/*, auth: none }
  - { endpoint: /v1/embeddings, auth: none }
`;
    gateway = await startTestGateway(configOf(yaml), { env: { AI_GATEWAY_API_KEY: ADMIN_KEY }, observability: { processMetrics: false } });
  });
  after(async () => {
    await gateway?.close();
    await scripted?.close();
    await moderation?.close();
    await embeddings?.close();
  });
  afterEach(() => {
    moderation.verdicts.request = 'allow';
    moderation.verdicts.response = 'allow';
  });

  const chat = (prompt: string, script: Script, stream = false) => ({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: prompt }], script });
  const ask = (prefix: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> =>
    send(`${gateway.url}${prefix}/v1/chat/completions`, { body, headers });
  const contentOf = (answer: HttpAnswer): string => answer.json<{ choices: { message: { content: string } }[] }>().choices[0]!.message.content;
  const upstreamCalls = (): number => scripted.requests.length;

  /** A streamed answer: its status, cache header, text, and events (the upstream let go event by event on a miss). */
  async function streamed(
    prefix: string,
    body: unknown,
  ): Promise<{ status: number; cache: unknown; text: string; events: { event?: string; data: string }[] }> {
    const response = await request(`${gateway.url}${prefix}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    let text = '';
    const events = await readEvents(response.body, (event) => {
      text += deltaContent(event.data);
      scripted.next();
    });
    return { status: response.statusCode, cache: response.headers['x-gateway-cache'], text, events };
  }

  it('never answers a request the request guardrails refuse from the cache, nor stores it', async () => {
    const body = chat('tell me a story', { content: ['Once upon a time.'] });
    assert.equal((await ask('/moderated', body)).headers['x-gateway-cache'], 'miss');
    assert.equal((await ask('/moderated', body)).headers['x-gateway-cache'], 'hit');
    const calls = upstreamCalls();

    moderation.verdicts.request = 'block';
    const refused = await ask('/moderated', body);
    assert.equal(refused.status, 400);
    assert.equal(refused.json<{ error: { guardrail: string } }>().error.guardrail, 'webhook');
    assert.notEqual(refused.headers['x-gateway-cache'], 'hit', 'the stored answer was not served');
    assert.ok(!refused.text.includes('Once upon'));

    const other = chat('another story', { content: ['The end.'] });
    assert.equal((await ask('/moderated', other)).status, 400);
    assert.equal(upstreamCalls(), calls, 'nothing refused reached the upstream');
    moderation.verdicts.request = 'allow';
    const allowed = await ask('/moderated', other);
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers['x-gateway-cache'], 'miss', 'the refused request left nothing stored');
    assert.equal(upstreamCalls(), calls + 1);
  });

  it('serves no stored answer the answer guardrails now refuse, whole or streamed, and stores none they refused', async () => {
    const body = chat('what is new?', { content: ['All is well.'] });
    assert.equal(contentOf(await ask('/moderated', body)), 'All is well.');
    const calls = upstreamCalls();

    moderation.verdicts.response = 'block';
    const whole = await ask('/moderated', body);
    assert.equal(whole.status, 502);
    assert.equal(whole.headers['x-gateway-cache'], 'hit', 'answered from the cache, and refused there');
    assert.equal(whole.json<{ error: { type: string; guardrail: string } }>().error.guardrail, 'webhook');
    assert.ok(!whole.text.includes('All is well'));
    const stream = await streamed('/moderated', { ...body, stream: true });
    assert.equal(stream.cache, 'hit');
    assert.equal(stream.events.at(-1)?.event, 'error', 'the replayed stream ends with the guardrail refusal');
    assert.ok(!stream.events.some((event) => event.data === '[DONE]'));
    assert.equal(upstreamCalls(), calls, 'no upstream call');

    const refusedAtFirst = chat('and now?', { content: ['Something refused.'] });
    assert.equal((await ask('/moderated', refusedAtFirst)).status, 502);
    moderation.verdicts.response = 'allow';
    const later = await ask('/moderated', refusedAtFirst);
    assert.equal(later.headers['x-gateway-cache'], 'miss', 'a refused answer was not stored');
    assert.equal(contentOf(later), 'Something refused.');

    const leaky = chat('who to write to?', { content: ['Write to bob@example.org.'] });
    assert.equal((await ask('/blocked', leaky)).status, 502);
    const again = await ask('/blocked', leaky);
    assert.equal(again.status, 502);
    assert.equal(again.headers['x-gateway-cache'], 'miss', 'an answer the pii block refused was not stored');
  });

  it('stores an answer as it came and redacts it again on every hit, in either delivery', async () => {
    const calls = upstreamCalls();
    const body = chat('who is in charge?', { content: ['Ask alice@example.com about it.'] });
    const first = await ask('/redacted', body, traced);
    assert.equal(contentOf(first), 'Ask [EMAIL_1] about it.');
    const hit = await ask('/redacted', body, traced);
    assert.equal(hit.headers['x-gateway-cache'], 'hit');
    assert.equal(contentOf(hit), 'Ask [EMAIL_1] about it.');
    assert.equal(Number(hit.headers['content-length']), Buffer.byteLength(hit.text));
    const verdicts = (JSON.parse(String(hit.headers['x-gateway-trace'])) as { guardrail?: Guardrails.Verdict }[]).flatMap((entry) => entry.guardrail ?? []);
    assert.deepEqual(verdicts, [{ guardrail: 'pii', phase: 'response', action: 'redacted', kinds: { email: 1 }, where: ['choices[0].message.content'] }]);
    const stream = await streamed('/redacted', { ...body, stream: true });
    assert.equal(stream.cache, 'hit');
    assert.equal(stream.text, 'Ask [EMAIL_1] about it.');
    assert.ok(!JSON.stringify(stream.events).includes('alice'), 'nothing of the address in any event');

    // A stream stored as it came, then asked for again as a stream and as JSON.
    const streamedBody = chat('who else?', { content: ['Mail carol', '@example.net today.'] }, true);
    const miss = await streamed('/redacted', streamedBody);
    assert.equal(miss.cache, 'miss');
    assert.equal(miss.text, 'Mail [EMAIL_1] today.');
    const replay = await streamed('/redacted', streamedBody);
    assert.equal(replay.cache, 'hit');
    assert.equal(replay.text, 'Mail [EMAIL_1] today.');
    assert.ok(!JSON.stringify(replay.events).includes('carol'));
    assert.equal(contentOf(await ask('/redacted', { ...streamedBody, stream: false })), 'Mail [EMAIL_1] today.');
    assert.equal(upstreamCalls(), calls + 2, 'one upstream call per prompt');
  });

  it('shares one answer between prompts that redact to the same text, each with its own originals put back', async () => {
    const calls = upstreamCalls();
    const prompt = (email: string) => chat(`Draft a note to ${email} about the launch.`, { content: ['Dear [EMAIL_1], the launch is on.'] });
    const alice = await ask('/restored', prompt('alice@example.com'));
    assert.equal(alice.headers['x-gateway-cache'], 'miss');
    assert.equal(contentOf(alice), 'Dear alice@example.com, the launch is on.');
    assert.ok(!JSON.stringify(scripted.requests.at(-1)!.body).includes('alice'), 'the upstream was sent the placeholder');

    const bob = await ask('/restored', prompt('bob@example.org'));
    assert.equal(bob.headers['x-gateway-cache'], 'hit', 'the same text once redacted: the same key');
    assert.equal(contentOf(bob), 'Dear bob@example.org, the launch is on.');
    assert.ok(!bob.text.includes('alice'), "never the other prompt's address");
    const carol = await streamed('/restored', { ...prompt('carol@example.net'), stream: true });
    assert.equal(carol.cache, 'hit');
    assert.equal(carol.text, 'Dear carol@example.net, the launch is on.');
    assert.ok(!JSON.stringify(carol.events).includes('alice'));
    assert.equal(upstreamCalls(), calls + 1);
  });

  it('embeds the redacted prompt for a semantic cache, and puts back the asker’s own originals on a paraphrase', async () => {
    const calls = upstreamCalls();
    const script = { content: ['Tell [EMAIL_1] to reset the password in the account settings.'] };
    const first = await ask('/semantic', chat('How do I reset the password of alice@example.com?', script));
    assert.equal(first.headers['x-gateway-cache'], 'miss');
    assert.equal(contentOf(first), 'Tell alice@example.com to reset the password in the account settings.');
    const paraphrase = await ask('/semantic', chat('How can I recover the passcode of bob@example.org?', script));
    assert.equal(paraphrase.headers['x-gateway-cache'], 'hit');
    assert.equal(contentOf(paraphrase), 'Tell bob@example.org to reset the password in the account settings.');
    assert.equal(upstreamCalls(), calls + 1);
    assert.ok(embeddings.inputs.length >= 2);
    for (const input of embeddings.inputs) assert.ok(!input.includes('@example'), `the embeddings route was sent ${JSON.stringify(input)}`);
    assert.ok(embeddings.inputs.some((input) => input.includes('[EMAIL_1]')));
  });
});
