// Answer guardrails through a real gateway: whole JSON answers are checked before their head goes out; streamed
// answers chunk by chunk, each upstream event reaching the gateway alone (the scripted upstream sends the next one
// only when the client saw the previous), with a match split across two chunks at every offset. Reversible redaction
// puts the request's originals back for the client, whole and streamed; jsonSchema judges the complete answer.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import type { Guardrails } from '../../common/src/protocol';
import { send, startTestGateway } from '../gateway/support';
import { configOf, sample, scrape } from '../observability/support';
import { deltaArguments, deltaContent, readEvents, ScriptedUpstream, type Script } from './scriptedUpstream';

const ADMIN_KEY = 'admin-key-for-answer-traces';
const traced = { 'x-gateway-trace': '1', 'x-gateway-admin-key': ADMIN_KEY };

describe('guardrails on answers, through the gateway', () => {
  let scripted: ScriptedUpstream;
  let mock: MockServer;
  let dir: string;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;

  before(async () => {
    scripted = await new ScriptedUpstream().start();
    mock = await startMockServer({ options: { name: 'mock' } });
    dir = mkdtempSync(path.join(tmpdir(), 'guardrails-'));
    const schema = path.join(dir, 'answer.json');
    writeFileSync(schema, JSON.stringify({ type: 'object', required: ['city'], properties: { city: { type: 'string' } } }));
    const yaml = `
routes:
  - { name: redact, path: /redact/*, stripPrefix: /redact, target: ${scripted.url}, guardrails: { response: [{ pii: { action: redact, kinds: [email, credit-card, secret] } }] } }
  - { name: block, path: /block/*, stripPrefix: /block, target: ${scripted.url}, guardrails: { response: [{ pii: { action: block, kinds: [email] } }] } }
  - { name: schema, path: /schema/*, stripPrefix: /schema, target: ${scripted.url}, guardrails: { response: [{ jsonSchema: ${JSON.stringify(schema)} }] } }
  - { name: flagged-schema, path: /flag-schema/*, stripPrefix: /flag-schema, target: ${scripted.url}, guardrails: { response: [{ jsonSchema: { file: ${JSON.stringify(schema)}, action: flag } }] } }
  - name: restore
    path: /restore/*
    stripPrefix: /restore
    target: ${mock.url}
    guardrails:
      request: [{ pii: { action: redact, kinds: [email, phone], restore: true } }]
  - { name: plain, path: /plain/*, stripPrefix: /plain, target: ${scripted.url} }
security:
  - { endpoint: /redact/*, auth: none }
  - { endpoint: /block/*, auth: none }
  - { endpoint: /schema/*, auth: none }
  - { endpoint: /flag-schema/*, auth: none }
  - { endpoint: /restore/*, auth: none }
  - { endpoint: /plain/*, auth: none }
`;
    gateway = await startTestGateway(configOf(yaml), { env: { AI_GATEWAY_API_KEY: ADMIN_KEY }, observability: { processMetrics: false } });
  });
  after(async () => {
    await gateway.close();
    await scripted.close();
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const chat = (script: Script, stream = false) => ({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: 'hi' }], script });

  /** A streamed answer read in lock-step: the client's text after each event, and the events. */
  async function streamed(
    prefix: string,
    script: Script,
  ): Promise<{ status: number; texts: string[]; events: { event?: string; data: string }[]; trace: Guardrails.Verdict[] }> {
    const response = await request(`${gateway.url}${prefix}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...traced },
      body: JSON.stringify(chat(script, true)),
    });
    const texts: string[] = [];
    let text = '';
    const events = await readEvents(response.body, (event) => {
      text += deltaContent(event.data) + deltaArguments(event.data);
      texts.push(text);
      scripted.next();
    });
    const requestId = String(response.headers['x-request-id']);
    const record = gateway.observability.trace(requestId);
    return { status: response.statusCode, texts, events, trace: (record?.entries ?? []).flatMap((entry) => (entry.guardrail ? [entry.guardrail] : [])) };
  }

  it('redacts a whole JSON answer before the client gets anything, with the checked length', async () => {
    const answer = await send(`${gateway.url}/redact/v1/chat/completions`, {
      body: chat({ content: ['Mail alice@example.com or use 4111 1111 1111 1111.'] }),
      headers: traced,
    });
    assert.equal(answer.status, 200);
    const content = answer.json<{ choices: { message: { content: string } }[] }>().choices[0]!.message.content;
    assert.equal(content, 'Mail [EMAIL_1] or use [CREDIT_CARD_1].');
    assert.equal(Number(answer.headers['content-length']), Buffer.byteLength(answer.text));
    const trace = JSON.parse(String(answer.headers['x-gateway-trace'])) as { guardrail?: Guardrails.Verdict }[];
    assert.deepEqual(
      trace.flatMap((entry) => entry.guardrail ?? []),
      [{ guardrail: 'pii', phase: 'response', action: 'redacted', kinds: { email: 1, 'credit-card': 1 }, where: ['choices[0].message.content'] }],
    );
  });

  it('catches a match split across two chunks at every offset, and never sends part of it first', async () => {
    const text = 'Write to alice@example.com soon';
    const expected = 'Write to [EMAIL_1] soon';
    for (let cut = 1; cut < text.length; cut++) {
      const { texts, trace } = await streamed('/redact', { content: [text.slice(0, cut), text.slice(cut)] });
      assert.equal(texts[texts.length - 1], expected, `split at ${cut}`);
      for (const seen of texts) assert.ok(expected.startsWith(seen), `split at ${cut}: the client saw ${JSON.stringify(seen)}`);
      assert.deepEqual(trace, [{ guardrail: 'pii', phase: 'response', action: 'redacted', kinds: { email: 1 }, where: ['choices[0].delta.content'] }]);
    }
  });

  it('checks tool call arguments streamed in pieces', async () => {
    const { texts } = await streamed('/redact', { arguments: ['{"to":"bo', 'b@example.org","key":"sk-', 'proj-abcdef0123456789ABCDEF0123"}'] });
    assert.equal(texts[texts.length - 1], '{"to":"[EMAIL_1]","key":"[SECRET_1]"}');
  });

  it('ends a stream with event: error naming the guardrail when a block matches, and nothing of the match goes out', async () => {
    const { texts, events } = await streamed('/block', { content: ['Sure: mail bo', 'b@exam', 'ple.org', ' for details'] });
    const last = events[events.length - 1]!;
    assert.equal(last.event, 'error');
    const error = (JSON.parse(last.data) as { error: { type: string; guardrail: string } }).error;
    assert.deepEqual([error.type, error.guardrail], ['guardrail_blocked', 'pii']);
    assert.equal(texts[texts.length - 1], 'Sure: mail ');
    assert.ok(!events.some((event) => event.data === '[DONE]'), 'a refused answer does not end as complete');
    assert.ok(!JSON.stringify(events).includes('bob'));
  });

  it('answers 502 guardrail_blocked instead of a whole answer a block matches', async () => {
    const answer = await send(`${gateway.url}/block/v1/chat/completions`, { body: chat({ content: ['mail bob@example.org'] }) });
    assert.equal(answer.status, 502);
    assert.equal(answer.json<{ error: { guardrail: string; type: string } }>().error.type, 'guardrail_blocked');
    assert.ok(!answer.text.includes('bob@'));
  });

  it('counts the tokens of an answer it refused: the model spent them whether or not the client got the answer', async () => {
    const answer = await send(`${gateway.url}/block/v1/chat/completions`, {
      body: chat({ content: ['mail carol@example.org'], usage: { prompt_tokens: 17, completion_tokens: 29 } }),
    });
    assert.equal(answer.status, 502);
    const metrics = await scrape(gateway.url);
    const tokens = (type: string) => sample(metrics, 'ai_gateway_tokens_total', { route: 'block', consumer: '(anonymous)', type, provider: '', model: '' });
    assert.equal(tokens('prompt'), 17);
    assert.equal(tokens('completion'), 29);
  });

  it('puts the request originals back where the answer repeats their placeholders, whole and streamed; the upstream sees only placeholders', async () => {
    // The mock answers a tool result with "The tool answered: <result>": the result it got has the placeholders.
    const body = (stream: boolean) => ({
      model: 'gpt-4o-mini',
      stream,
      messages: [
        { role: 'user', content: 'who?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'who', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'alice@example.com at +44 20 7946 0958' },
      ],
    });
    const whole = await send(`${gateway.url}/restore/v1/chat/completions`, { body: body(false) });
    assert.equal(
      whole.json<{ choices: { message: { content: string } }[] }>().choices[0]!.message.content,
      'The tool answered: alice@example.com at +44 20 7946 0958',
    );
    const stream = await send(`${gateway.url}/restore/v1/chat/completions`, { body: body(true) });
    const text = stream.text
      .split('\n\n')
      .filter((block) => block.startsWith('data: {'))
      .map((block) => deltaContent(block.slice(6)))
      .join('');
    assert.equal(text, 'The tool answered: alice@example.com at +44 20 7946 0958');
    const echoed = await send(`${gateway.url}/restore/echo`, { body: body(false) });
    assert.ok(echoed.text.includes('[EMAIL_1] at [PHONE_1]') && !echoed.text.includes('alice@'), 'the upstream got placeholders');
  });

  it('judges structured output with jsonSchema: whole answers refused (502) or flagged, streams end with an error instead of [DONE]', async () => {
    const good = await send(`${gateway.url}/schema/v1/chat/completions`, { body: chat({ content: ['{"city":"Paris"}'] }) });
    assert.equal(good.status, 200);
    const bad = await send(`${gateway.url}/schema/v1/chat/completions`, { body: chat({ content: ['{"town":"Paris"}'] }) });
    assert.equal(bad.status, 502);
    assert.equal(bad.json<{ error: { guardrail: string } }>().error.guardrail, 'jsonSchema');
    assert.match(bad.json<{ error: { message: string } }>().error.message, /must have required property 'city'/);
    const flagged = await send(`${gateway.url}/flag-schema/v1/chat/completions`, { body: chat({ content: ['not json'] }), headers: traced });
    assert.equal(flagged.status, 200);
    const { events, trace } = await streamed('/schema', { content: ['{"town":', '"Paris"}'] });
    assert.equal(events[events.length - 1]!.event, 'error');
    assert.deepEqual(
      trace.map((verdict) => [verdict.guardrail, verdict.action]),
      [['jsonSchema', 'blocked']],
    );
    const ok = await streamed('/schema', { content: ['{"city":', '"Paris"}'] });
    assert.equal(ok.events[ok.events.length - 1]!.data, '[DONE]');
  });

  it('asks a guarded upstream for an uncompressed answer; an unguarded route forwards Accept-Encoding', async () => {
    await send(`${gateway.url}/redact/v1/chat/completions`, { body: chat({ content: ['x'] }), headers: { 'accept-encoding': 'gzip' } });
    assert.equal(scripted.requests[scripted.requests.length - 1]!.headers['accept-encoding'], undefined);
    await send(`${gateway.url}/plain/v1/chat/completions`, { body: chat({ content: ['x'] }), headers: { 'accept-encoding': 'gzip' } });
    assert.equal(scripted.requests[scripted.requests.length - 1]!.headers['accept-encoding'], 'gzip');
  });
});
