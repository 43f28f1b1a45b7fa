// Tracing through real boundaries: a client with a W3C traceparent, the gateway, a real upstream on loopback, and an
// OTLP receiver in a process of its own decoding what the gateway's OpenTelemetry SDK exported (protobuf and JSON).
import { strict as assert } from 'node:assert';
import { closedPortUrl } from '../observability/support';
import { OtlpReceiver } from '../support/otlpReceiver';
import type { ReceivedSpan } from '../support/otlpDecode';
import { configFromYaml, send, startTestGateway } from '../gateway/support';
import { ChatUpstream } from './chatUpstream';

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

function config(upstream: string, telemetry: string, extraRoute = ''): ReturnType<typeof configFromYaml> {
  return configFromYaml(`
gateway:
  telemetry: ${telemetry}
routes:
  - name: chat
    path: /v1/chat/completions
    methods: [POST]
    target: ${upstream}
${extraRoute}
`);
}

const CHAT_BODY = { model: 'gpt-4o-mini', max_tokens: 64, temperature: 0.2, messages: [{ role: 'user', content: 'Say hello to Alice' }] };

describe('OpenTelemetry traces over OTLP', function () {
  this.timeout(30_000);
  let upstream: ChatUpstream;
  before(async () => (upstream = await new ChatUpstream().start()));
  after(() => upstream.close());

  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    it(`continues the client's trace, parents the upstream on the attempt's span, with GenAI attributes (${protocol})`, async () => {
      const receiver = await OtlpReceiver.start();
      const gateway = await startTestGateway(
        config(upstream.url, `{ otlp: { endpoint: "${receiver.url}", protocol: ${protocol}, headers: { x-collector-key: sesame } }, sampleRatio: 1 }`),
        { env: {} },
      );
      try {
        const answer = await send(`${gateway.url}/v1/chat/completions`, {
          body: CHAT_BODY,
          headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, tracestate: 'vendor=abc' },
        });
        assert.equal(answer.status, 200);
        await gateway.observability.tracing.flush();
        const spans = await receiver.trace(CLIENT_TRACE, 2);
        const server = only(spans, (s) => s.kind === SERVER);
        const client = only(spans, (s) => s.kind === CLIENT);

        assert.equal(server.name, 'POST /v1/chat/completions');
        assert.equal(server.parentSpanId, CLIENT_SPAN, 'the request span continues the client trace');
        assert.equal(client.parentSpanId, server.spanId, 'the attempt is a child of the request');
        assert.equal(client.name, 'chat gpt-4o-mini');
        const sentUp = upstream.seen.at(-1)!;
        assert.equal(sentUp.traceparent, `00-${CLIENT_TRACE}-${client.spanId}-01`, "the upstream's parent is the attempt span");
        assert.equal(sentUp.tracestate, 'vendor=abc');

        assert.deepEqual(pick(server.attributes, ['http.request.method', 'http.route', 'http.response.status_code', 'ai_gateway.route', 'url.path']), {
          'http.request.method': 'POST',
          'http.route': '/v1/chat/completions',
          'http.response.status_code': 200,
          'ai_gateway.route': 'chat',
          'url.path': '/v1/chat/completions',
        });
        assert.deepEqual(
          pick(client.attributes, [
            'gen_ai.operation.name',
            'gen_ai.request.model',
            'gen_ai.response.model',
            'gen_ai.response.id',
            'gen_ai.response.finish_reasons',
            'gen_ai.usage.input_tokens',
            'gen_ai.usage.output_tokens',
            'http.response.status_code',
            'server.address',
            'ai_gateway.target',
            'ai_gateway.attempt',
          ]),
          {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'gpt-4o-mini',
            'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
            'gen_ai.response.id': 'chatcmpl-42',
            'gen_ai.response.finish_reasons': ['stop'],
            'gen_ai.usage.input_tokens': 9,
            'gen_ai.usage.output_tokens': 3,
            'http.response.status_code': 200,
            'server.address': '127.0.0.1',
            'ai_gateway.target': upstream.url,
          },
        );
        assert.equal(client.attributes['gen_ai.input.messages'], undefined, 'prompts are not recorded unless the route opts in');
        assert.equal(client.attributes['gen_ai.output.messages'], undefined);
        assert.equal(server.resource['service.name'], 'ai-gateway');
        const exported = receiver.exports[0]!;
        assert.equal(exported.path, '/v1/traces');
        assert.match(exported.contentType, protocol === 'http/json' ? /application\/json/ : /application\/x-protobuf/);
        assert.equal(exported.headers['x-collector-key'], 'sesame');
        assert.deepEqual(receiver.errors, []);
      } finally {
        await gateway.close();
        await receiver.stop();
      }
    });
  }

  it('records prompts and answers only on a route that opts in; a failed attempt is its own error span', async () => {
    const receiver = await OtlpReceiver.start();
    const gateway = await startTestGateway(
      config(
        upstream.url,
        `{ otlp: { endpoint: "${receiver.url}" } }`,
        `  - name: content
    path: /content/v1/chat/completions
    stripPrefix: /content
    target: ${upstream.url}
    telemetry: { recordContent: true }
  - name: failing
    path: /fail
    targets: [${await closedPortUrl()}, ${upstream.url}]
    retries: 1`,
      ),
      { env: {} },
    );
    try {
      const traced = await send(`${gateway.url}/content/v1/chat/completions`, {
        body: CHAT_BODY,
        headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` },
      });
      assert.equal(traced.status, 200);
      const failing = await send(`${gateway.url}/fail`, { body: {}, headers: { traceparent: `00-${'1'.repeat(32)}-${CLIENT_SPAN}-01` } });
      assert.equal(failing.status, 503);
      await gateway.observability.tracing.flush();
      const client = only(await receiver.trace(CLIENT_TRACE, 2), (s) => s.kind === CLIENT);
      assert.deepEqual(JSON.parse(String(client.attributes['gen_ai.input.messages'])), CHAT_BODY.messages);
      assert.deepEqual(pick(client.attributes, ['gen_ai.request.max_tokens', 'gen_ai.request.temperature']), {
        'gen_ai.request.max_tokens': 64,
        'gen_ai.request.temperature': 0.2,
      });
      assert.deepEqual(JSON.parse(String(client.attributes['gen_ai.output.messages'])), [
        { role: 'assistant', parts: [{ type: 'text', content: 'Hello there' }] },
      ]);

      const spans = await receiver.trace('1'.repeat(32), 3);
      const server = only(spans, (s) => s.kind === SERVER);
      const attempts = spans
        .filter((s) => s.kind === CLIENT)
        .sort((a, b) => Number(a.attributes['ai_gateway.attempt'] ?? 1) - Number(b.attributes['ai_gateway.attempt'] ?? 1));
      assert.deepEqual(
        attempts.map((s) => [s.parentSpanId === server.spanId, s.attributes['error.type'], s.status.code]),
        [
          [true, 'connect-error', ERROR],
          [true, '503', ERROR],
        ],
      );
      assert.equal(server.status.code, ERROR);
      assert.equal(server.attributes['http.response.status_code'], 503);
    } finally {
      await gateway.close();
      await receiver.stop();
    }
  });

  it('reads the OTEL_EXPORTER_OTLP_* variables when the config says nothing; a ratio of 0 exports nothing but still propagates', async () => {
    const receiver = await OtlpReceiver.start();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'edge-gateway' };
    const gateway = await startTestGateway(configFromYaml(`routes:\n  - { name: chat, path: /v1/chat/completions, target: ${upstream.url} }`), { env });
    try {
      assert.equal(
        (await send(`${gateway.url}/v1/chat/completions`, { body: CHAT_BODY, headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` } })).status,
        200,
      );
      await gateway.observability.tracing.flush();
      const [span] = await receiver.trace(CLIENT_TRACE, 1);
      assert.equal(span?.resource['service.name'], 'edge-gateway');
      assert.match(receiver.exports[0]!.contentType, /json/);
    } finally {
      await gateway.close();
    }
    const unsampled = await startTestGateway(config(upstream.url, `{ otlp: { endpoint: "${receiver.url}" }, sampleRatio: 0 }`), { env: {} });
    try {
      const before = receiver.exports.length;
      assert.equal((await send(`${unsampled.url}/v1/chat/completions`, { body: CHAT_BODY })).status, 200);
      await unsampled.observability.tracing.flush();
      assert.equal(receiver.exports.length, before, 'nothing was exported');
      assert.match(String(upstream.seen.at(-1)!.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/, 'the upstream still gets a trace context, not sampled');
    } finally {
      await unsampled.close();
      await receiver.stop();
    }
  });

  it('leaves the request alone when tracing is off: no span, the client traceparent goes through untouched', async () => {
    const gateway = await startTestGateway(configFromYaml(`routes:\n  - { name: chat, path: /v1/chat/completions, target: ${upstream.url} }`), { env: {} });
    try {
      assert.equal(gateway.observability.tracing.active, false);
      const traceparent = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`;
      assert.equal((await send(`${gateway.url}/v1/chat/completions`, { body: CHAT_BODY, headers: { traceparent } })).status, 200);
      assert.equal(upstream.seen.at(-1)!.traceparent, traceparent);
    } finally {
      await gateway.close();
    }
  });

  it('never fails a request for the collector: an unreachable or refusing one is logged once, its spans counted as dropped', async () => {
    const gateway = await startTestGateway(config(upstream.url, `{ otlp: { endpoint: "${await closedPortUrl()}" } }`), { env: {} });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await send(`${gateway.url}/v1/chat/completions`, { body: CHAT_BODY })).status, 200);
      await gateway.observability.tracing.flush(); // the exporter retries a refused connection with backoff before giving up
      assert.equal(gateway.logs.lines.filter((line) => String(line.msg).startsWith('trace collector unreachable')).length, 1);
      assert.match(await (await fetch(`${gateway.url}/metrics`)).text(), /ai_gateway_trace_spans_dropped_total\{reason="export_failed"\} 6\b/);
    } finally {
      await gateway.close();
    }
    const refusing = await OtlpReceiver.start('--status', '400');
    const refused = await startTestGateway(config(upstream.url, `{ otlp: { endpoint: "${refusing.url}" } }`), { env: {} });
    try {
      for (let i = 0; i < 3; i++) {
        assert.equal((await send(`${refused.url}/v1/chat/completions`, { body: CHAT_BODY })).status, 200);
        await refused.observability.tracing.flush();
      }
      assert.equal(refusing.exports.length, 3, 'three exports were tried');
      const warnings = refused.logs.lines.filter((line) => String(line.msg).startsWith('trace collector unreachable'));
      assert.equal(warnings.length, 1, 'one line for the outage, not one per span or export');
      assert.match(await (await fetch(`${refused.url}/metrics`)).text(), /ai_gateway_trace_spans_dropped_total\{reason="export_failed"\} 6\b/);
    } finally {
      await refused.close();
      await refusing.stop();
    }
  });

  it('drops spans past the queue bound while the collector stalls, and counts them; answers are unaffected', async () => {
    const receiver = await OtlpReceiver.start('--hang');
    const gateway = await startTestGateway(config(upstream.url, `{ otlp: { endpoint: "${receiver.url}" }, maxQueueSize: 2 }`), { env: {} });
    try {
      for (let i = 0; i < 5; i++) assert.equal((await send(`${gateway.url}/v1/chat/completions`, { body: CHAT_BODY })).status, 200);
      await receiver.exportCount(1);
      // The first request's two spans fill a batch and go out (the collector holds that export); two more wait in the
      // queue; the other six are dropped.
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      assert.match(metrics, /ai_gateway_trace_spans_dropped_total\{reason="queue_full"\} 6\b/);
    } finally {
      await receiver.stop();
      await gateway.close();
    }
  });
});

function only(spans: ReceivedSpan[], which: (span: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter(which);
  assert.equal(found.length, 1, `one such span among ${JSON.stringify(spans.map((s) => s.name))}`);
  return found[0]!;
}

function pick(attributes: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => key in attributes).map((key) => [key, attributes[key]]));
}
