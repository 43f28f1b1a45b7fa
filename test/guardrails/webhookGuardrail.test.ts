// The webhook guardrail against a real moderation server on loopback: its verdicts (allow, flag, block) on requests
// and answers, what it is sent (the texts after earlier redactions), the timeout with each failure policy, and the
// verdict cache for identical inputs.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GuardrailWebhook, Guardrails } from '../../common/src/protocol';
import { send, startTestGateway } from '../gateway/support';
import { configOf } from '../observability/support';
import { request } from 'undici';
import { readEvents, ScriptedUpstream } from './scriptedUpstream';

const ADMIN_KEY = 'admin-key-for-webhook-traces';

/** Blocks texts containing "forbidden", flags "dubious", never answers "stall" (until released), allows the rest. */
class Moderation {
  readonly calls: { headers: Record<string, unknown>; body: GuardrailWebhook.Request }[] = [];
  private readonly stalled: ServerResponse[] = [];
  private readonly server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as GuardrailWebhook.Request;
      this.calls.push({ headers: req.headers, body });
      const text = body.texts.join(' ');
      if (text.includes('stall')) return void this.stalled.push(res);
      const verdict: GuardrailWebhook.Response = text.includes('forbidden')
        ? { action: 'block', reason: 'policy 7' }
        : text.includes('dubious')
          ? { action: 'flag', reason: 'looks dubious' }
          : { action: 'allow' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(verdict));
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
    for (const res of this.stalled.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('guardrails: the moderation webhook', () => {
  let moderation: Moderation;
  let scripted: ScriptedUpstream;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;

  before(async () => {
    moderation = await new Moderation().start();
    scripted = await new ScriptedUpstream().start();
    const yaml = `
routes:
  - name: moderated
    path: /moderated/*
    stripPrefix: /moderated
    target: ${scripted.url}
    guardrails:
      request:
        - pii: { action: redact, kinds: [email] }
        - webhook: { url: "${moderation.url}", timeout: 300ms, headers: { authorization: "Bearer \${MODERATION_TOKEN}" } }
      response:
        - webhook: { url: "${moderation.url}", timeout: 300ms, cacheTtl: 0 }
  - name: lenient
    path: /lenient/*
    stripPrefix: /lenient
    target: ${scripted.url}
    guardrails:
      request:
        - webhook: { url: "${moderation.url}", timeout: 100ms, onError: allow }
security:
  - { endpoint: /moderated/*, auth: none }
  - { endpoint: /lenient/*, auth: none }
`;
    gateway = await startTestGateway(configOf(yaml, { MODERATION_TOKEN: 'moderation-token-1' }), {
      env: { AI_GATEWAY_API_KEY: ADMIN_KEY },
      observability: { processMetrics: false },
    });
  });
  after(async () => {
    await gateway.close();
    await scripted.close();
    await moderation.close();
  });

  const chat = (text: string, answer = 'fine answer', stream = false) => ({
    model: 'gpt-4o-mini',
    stream,
    messages: [{ role: 'user', content: text }],
    script: { content: [answer] },
  });
  const verdictsOf = (answer: { headers: Record<string, unknown> }): Guardrails.Verdict[] =>
    (JSON.parse(String(answer.headers['x-gateway-trace'])) as { guardrail?: Guardrails.Verdict }[]).flatMap((entry) =>
      entry.guardrail ? [entry.guardrail] : [],
    );
  const traced = { 'x-gateway-trace': '1', 'x-gateway-admin-key': ADMIN_KEY };

  it('sends the texts after earlier redactions, with its headers, and lets an allowed request through', async () => {
    const upstreamCalls = scripted.requests.length;
    const answer = await send(`${gateway.url}/moderated/v1/chat/completions`, { body: chat('hello from dan@example.com') });
    assert.equal(answer.status, 200);
    const call = moderation.calls.find((c) => c.body.phase === 'request' && c.body.texts[0]?.startsWith('hello from'))!;
    assert.deepEqual(call.body, { phase: 'request', route: 'moderated', model: 'gpt-4o-mini', texts: ['hello from [EMAIL_1]'] });
    assert.equal(call.headers.authorization, 'Bearer moderation-token-1');
    assert.equal(scripted.requests.length, upstreamCalls + 1);
  });

  it('blocks with 400 on a block verdict (with its reason), flags on a flag verdict', async () => {
    const before = scripted.requests.length;
    const blocked = await send(`${gateway.url}/moderated/v1/chat/completions`, { body: chat('something forbidden') });
    assert.equal(blocked.status, 400);
    const error = blocked.json<{ error: { guardrail: string; message: string } }>().error;
    assert.equal(error.guardrail, 'webhook');
    assert.match(error.message, /policy 7/);
    assert.equal(scripted.requests.length, before, 'the upstream was not called');
    const flagged = await send(`${gateway.url}/moderated/v1/chat/completions`, { body: chat('somewhat dubious'), headers: traced });
    assert.equal(flagged.status, 200);
    assert.deepEqual(verdictsOf(flagged), [{ guardrail: 'webhook', phase: 'request', action: 'flagged', reason: 'looks dubious' }]);
  });

  it('reuses a verdict for an identical input (cacheTtl), and asks again for another input', async () => {
    const asked = () => moderation.calls.filter((c) => c.body.phase === 'request' && c.body.texts[0] === 'cache me').length;
    await send(`${gateway.url}/moderated/v1/chat/completions`, { body: chat('cache me') });
    await send(`${gateway.url}/moderated/v1/chat/completions`, { body: chat('cache me') });
    assert.equal(asked(), 1);
    await send(`${gateway.url}/moderated/v1/chat/completions`, { body: chat('cache me too') });
    assert.equal(moderation.calls.filter((c) => c.body.texts[0] === 'cache me too').length, 1);
  });

  it('on a timeout: onError block (the default) answers 503; onError allow lets it through and says so', async () => {
    const blocked = await send(`${gateway.url}/moderated/v1/chat/completions`, { body: chat('please stall'), headers: traced });
    assert.equal(blocked.status, 503);
    assert.equal(blocked.json<{ error: { guardrail: string } }>().error.guardrail, 'webhook');
    assert.deepEqual(verdictsOf(blocked), [{ guardrail: 'webhook', phase: 'request', action: 'blocked', reason: 'no verdict within 300 ms; onError: block' }]);
    const allowed = await send(`${gateway.url}/lenient/v1/chat/completions`, { body: chat('please stall again'), headers: traced });
    assert.equal(allowed.status, 200);
    assert.deepEqual(verdictsOf(allowed), [{ guardrail: 'webhook', phase: 'request', action: 'flagged', reason: 'no verdict within 100 ms; onError: allow' }]);
  });

  it('judges answers too: a whole answer is refused (502), a stream ends with an error instead of [DONE]', async () => {
    const whole = await send(`${gateway.url}/moderated/v1/chat/completions`, { body: chat('ok', 'a forbidden answer') });
    assert.equal(whole.status, 502);
    assert.equal(whole.json<{ error: { guardrail: string } }>().error.guardrail, 'webhook');
    const call = moderation.calls.find((c) => c.body.phase === 'response' && c.body.texts[0] === 'a forbidden answer');
    assert.ok(call, 'the answer was sent for moderation');
    const stream = await request(`${gateway.url}/moderated/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chat('ok', 'a forbidden answer', true)),
    });
    assert.equal(stream.statusCode, 200);
    const events = await readEvents(stream.body, () => scripted.next());
    assert.equal(events[events.length - 1]!.event, 'error');
    assert.ok(!events.some((event) => event.data === '[DONE]'));
  });
});
