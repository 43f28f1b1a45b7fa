// Token budgets that cannot be talked around, through the real gateway: concurrent requests reserve their most
// (prompt estimate + max_tokens) before they are forwarded and are admitted only while that fits, in this process
// and across two gateways sharing a real Redis; and a stream that reports no usage is charged what its deltas
// hold, counted with the model's own tokenizer (gpt-tokenizer) or the documented estimate for other models.
import * as assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { startRedisServer, type RedisServer } from '../support/redisServer';
import { configFrom, request, startGateway, type RunningGateway } from './support';

const KEY = 'sk-token-limits-test-key-0123456789';
const STORY = 'Once upon a time, a gateway counted every token it passed along, even when nobody asked it to. '.repeat(40);

interface HeldUpstream {
  url: string;
  arrived: EventEmitter;
  held: http.ServerResponse[];
  /** Answers every held request with `usage.total_tokens` = tokens. */
  release(tokens: number): void;
  close(): Promise<void>;
}

/** Chat completions that wait to be released (`x-hold: 1`), or stream STORY in deltas without usage (`"stream": true`). */
async function startAiUpstream(): Promise<HeldUpstream> {
  const arrived = new EventEmitter();
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { stream?: boolean; model?: string };
      if (parsed.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const word of STORY.split(/(?<= )/))
          res.write(`data: ${JSON.stringify({ model: parsed.model, choices: [{ index: 0, delta: { content: word } }] })}\n\n`);
        res.end('data: [DONE]\n\n');
        return;
      }
      held.push(res);
      arrived.emit('request');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrived,
    held,
    release(tokens) {
      for (const res of held.splice(0)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ choices: [], usage: { prompt_tokens: 0, completion_tokens: tokens, total_tokens: tokens } }));
      }
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

const rules = (tokens: string, store = '') => `
gateway:
  limits: { authFailures: false }${store}
routes:
  - { path: /v1/chat/completions, methods: [POST], target: "\${UPSTREAM}" }
security:
  - endpoint: /v1/chat/completions
    auth: api-key
    apiKeys: [{ name: team-a, keyEnv: KEY }]
    rateLimit: { tokens: ${tokens}, by: consumer }
`;

function chat(gateway: RunningGateway, body: Record<string, unknown>) {
  return request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify(body),
  });
}

/** Sends `bodies` at once (request i to gateway i mod n); resolves once every one is either held upstream or refused. */
async function concurrently(gateways: RunningGateway[], upstream: HeldUpstream, bodies: Record<string, unknown>[]) {
  const answers = bodies.map((body, i) => chat(gateways[i % gateways.length]!, body));
  const refused = answers.map((answer) => answer.then((r) => r.status === 429));
  let settledCount = 0;
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (upstream.held.length + settledCount !== bodies.length) return;
      upstream.arrived.off('request', check);
      resolve();
    };
    upstream.arrived.on('request', check);
    for (const refusal of refused) void refusal.then((wasRefused) => (settledCount += wasRefused ? 1 : 0)).then(check);
  });
  return answers;
}

describe('security: token limits that hold', function () {
  this.timeout(30_000);
  let upstream: HeldUpstream;
  before(async () => {
    upstream = await startAiUpstream();
  });
  after(async () => upstream?.close());

  it('admits exactly what fits of 8 concurrent requests: 4 reservations of 214 in a 1000/min budget', async () => {
    const gateway = await startGateway(configFrom(rules('1000/min'), { UPSTREAM: upstream.url, KEY }));
    try {
      // 55 bytes of body: a prompt estimate of 14, plus max_tokens 200.
      const body = { model: 'gpt-4o', max_tokens: 200, messages: 'x'.repeat(6) };
      assert.equal(Math.ceil(JSON.stringify(body).length / 4) + 200, 214);
      const answers = await concurrently([gateway], upstream, Array<Record<string, unknown>>(8).fill(body));
      assert.equal(upstream.held.length, 4, 'four reached the upstream while the rest were refused');
      upstream.release(150);
      const statuses = (await Promise.all(answers)).map((r) => r.status);
      assert.deepEqual(statuses.filter((s) => s === 200).length, 4);
      assert.deepEqual(statuses.filter((s) => s === 429).length, 4);
      // Settled to the usage: 600 spent, so one more reservation of 214 fits (a fifth did not while four were reserved).
      const more = chat(gateway, body);
      await once(upstream.arrived, 'request');
      upstream.release(150);
      assert.equal((await more).status, 200);
    } finally {
      await gateway.close();
    }
  });

  it('the attack run: 8 concurrent requests of 910 tokens without max_tokens in a 1000/min budget admit one', async () => {
    const gateway = await startGateway(configFrom(rules('1000/min'), { UPSTREAM: upstream.url, KEY }));
    try {
      const answers = await concurrently([gateway], upstream, Array<Record<string, unknown>>(8).fill({ model: 'gpt-4o', messages: 'hi' }));
      assert.equal(upstream.held.length, 1, 'defaultMaxTokens (1024) does not fit twice: only the first of the window goes');
      upstream.release(910);
      const statuses = (await Promise.all(answers)).map((r) => r.status);
      assert.deepEqual([statuses.filter((s) => s === 200).length, statuses.filter((s) => s === 429).length], [1, 7]);
    } finally {
      await gateway.close();
    }
  });

  describe('with gateway.store.redis', () => {
    let redis: RedisServer;
    before(async () => {
      redis = await startRedisServer();
    });
    after(async () => redis?.stop());

    it('two gateways sharing a real Redis admit exactly what fits between them', async () => {
      const store = `\n  store: { redis: { url: "${'${REDIS_URL}'}", keyPrefix: "token-limits-test:" } }`;
      const config = () => configFrom(rules('1000/min', store), { UPSTREAM: upstream.url, KEY, REDIS_URL: redis.url });
      const gateways = [await startGateway(config()), await startGateway(config())];
      try {
        const body = { model: 'gpt-4o', max_tokens: 200, messages: 'x'.repeat(6) };
        const answers = await concurrently(gateways, upstream, Array<Record<string, unknown>>(10).fill(body));
        assert.equal(upstream.held.length, 4);
        upstream.release(150);
        const statuses = (await Promise.all(answers)).map((r) => r.status);
        assert.deepEqual([statuses.filter((s) => s === 200).length, statuses.filter((s) => s === 429).length], [4, 6]);
      } finally {
        await Promise.all(gateways.map((g) => g.close()));
      }
    });
  });

  describe('a stream without usage', () => {
    async function remainingAfterStream(model: string): Promise<{ charged: number; streamBodyBytes: number }> {
      const gateway = await startGateway(configFrom(rules('100000/min'), { UPSTREAM: upstream.url, KEY }));
      try {
        const streamBody = { model, stream: true, max_tokens: 2000, messages: 'tell me a story' };
        const stream = await chat(gateway, streamBody);
        assert.equal(stream.status, 200);
        assert.ok(!stream.text.includes('"usage"'), 'the upstream reported no usage');
        // The next request's RateLimit-Remaining: the budget less what the stream was charged and its own reservation.
        const next = chat(gateway, { model, max_tokens: 1, messages: 'x' });
        await once(upstream.arrived, 'request');
        upstream.release(1);
        const remaining = Number((await next).headers.get('ratelimit-remaining'));
        const nextReservation = Math.ceil(JSON.stringify({ model, max_tokens: 1, messages: 'x' }).length / 4) + 1;
        return { charged: 100_000 - remaining - nextReservation, streamBodyBytes: JSON.stringify(streamBody).length };
      } finally {
        await gateway.close();
      }
    }

    it('is charged the prompt estimate plus its deltas counted by the model tokenizer (gpt-4o: o200k)', async () => {
      const { charged, streamBodyBytes } = await remainingAfterStream('gpt-4o');
      const expected = Math.ceil(streamBodyBytes / 4) + countTokens(STORY);
      assert.equal(charged, expected, `${countTokens(STORY)} completion tokens, not the body-size estimate`);
      assert.ok(charged > 700, `charged ${charged}`);
    });

    it('is charged one token per four characters of its deltas for a model whose tokenizer is unknown', async () => {
      const { charged, streamBodyBytes } = await remainingAfterStream('mistral-large');
      assert.equal(charged, Math.ceil(streamBodyBytes / 4) + Math.ceil(STORY.length / 4));
    });
  });
});
